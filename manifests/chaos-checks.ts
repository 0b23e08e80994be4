/**
 * Checks of one chaos spec beyond its schema, after Chaos Mesh's webhook rules: selector mode/value, the
 * fields each action needs, NetworkChaos direction rules, StressChaos stressors, percentages, and `duration`:
 * forbidden inside a Workflow (the template's deadline holds the fault); elsewhere optional, as in Chaos Mesh,
 * where a chaos without it holds until the object is deleted. chaosflow then holds the fault until the run is
 * aborted (or a Schedule's next tick or deadline cuts it), and says so with a warning.
 */
import { isOneShot, type ChaosKind } from '../common/chaos-kinds.js';
import { clusterNameProblem } from '../common/cluster-task-queue.js';
import type {
  ConcurrencyPolicy,
  HTTPChaosSpec,
  IOChaosSpec,
  NetworkChaosSpec,
  PodSelector,
  StressChaosSpec,
} from '../common/generated/manifest-types.js';
import { joinPointer, type ManifestIssue } from './errors.js';
import { SCHEDULE_DEFAULT_CONCURRENCY_POLICY } from './defaults.js';
import { checkUnhonouredChaosFields } from './unhonoured-fields.js';
import { checkPercent, checkPositiveDuration } from './value-checks.js';

/**
 * Where the spec sits: its own manifest, a Workflow template, or a Schedule, top level or in a Workflow
 * template (then the template's deadline ends every tick).
 */
export type ChaosContext =
  | { in: 'standalone' }
  | { in: 'workflow' }
  | { in: 'schedule'; concurrencyPolicy: ConcurrencyPolicy; inTemplate: boolean };

interface CommonSpec {
  action?: string;
  duration?: string;
  remoteCluster?: string;
}

export function checkChaosSpec(
  kind: ChaosKind,
  spec: CommonSpec & PodSelector,
  base: string,
  context: ChaosContext,
  issues: ManifestIssue[],
): void {
  checkSelectorValue(spec, base, issues);
  checkDuration(kind, spec, base, context, issues);
  checkRemoteCluster(spec, base, issues);
  checkUnhonouredChaosFields(kind, spec, base, issues);
  switch (kind) {
    case 'NetworkChaos':
      checkNetworkChaos(spec as NetworkChaosSpec, base, issues);
      break;
    case 'IOChaos':
      checkIOChaos(spec as IOChaosSpec, base, issues);
      break;
    case 'StressChaos':
      checkStressChaos(spec, base, issues);
      break;
    case 'HTTPChaos':
      checkHTTPChaos(spec as HTTPChaosSpec, base, issues);
      break;
    case 'PodChaos':
    case 'TimeChaos':
    case 'DNSChaos':
      break;
  }
}

function checkDuration(
  kind: ChaosKind,
  spec: CommonSpec,
  base: string,
  context: ChaosContext,
  issues: ManifestIssue[],
): void {
  const pointer = joinPointer(base, 'duration');
  if (context.in === 'workflow') {
    if (spec.duration !== undefined) {
      issues.push({
        code: 'CHAOS_DURATION_IN_WORKFLOW',
        pointer,
        at: 'key',
        message: 'a chaos spec inside a Workflow template cannot have a duration',
        fix: "use the template's deadline instead: move it to `deadline:` next to templateType",
      });
    }
    return;
  }
  checkPositiveDuration(spec.duration, pointer, issues);
  if (spec.duration !== undefined || isOneShot(kind, spec.action)) return;
  issues.push({
    severity: 'warning',
    code: 'CHAOS_HELD_UNTIL_ABORT',
    pointer,
    message: `${kind}${spec.action ? ` ${spec.action}` : ''} has no duration, so ${heldUntil(context)}`,
    fix: 'add duration: how long to hold the fault, such as 30s or 5m, for it to end on its own',
  });
}

/** What ends a fault without duration, as the interpreter runs it (see schemas/README.md). */
function heldUntil(context: Exclude<ChaosContext, { in: 'workflow' }>): string {
  if (context.in === 'standalone')
    return 'the run holds the fault until it is aborted (Ctrl-C in chaosflow run, or chaosflow abort)';
  const end = context.inTemplate
    ? "the schedule template's deadline"
    : 'the run is aborted (chaosflow abort, or chaosflow schedule delete --abort-running)';
  switch (context.concurrencyPolicy || SCHEDULE_DEFAULT_CONCURRENCY_POLICY) {
    case 'Replace':
      return `each tick holds the fault until the next tick replaces it (concurrencyPolicy Replace); the last one until ${end}`;
    case 'Allow':
      return `every tick adds one more held fault (concurrencyPolicy Allow), each held until ${end}`;
    case 'Forbid':
      return `the first tick holds the fault until ${end}, and every later tick is skipped while it holds (concurrencyPolicy Forbid)`;
  }
}

/** fixed: an integer > 0; fixed-percent and random-max-percent: 1..100; one and all take no value. */
/** `remoteCluster` names the cluster whose worker (`chaosflow worker --cluster NAME`) runs the fault. */
function checkRemoteCluster(spec: CommonSpec, base: string, issues: ManifestIssue[]): void {
  if (spec.remoteCluster === undefined) return;
  const problem = clusterNameProblem(spec.remoteCluster);
  if (problem) {
    issues.push({
      code: 'CLUSTER_NAME_INVALID',
      pointer: joinPointer(base, 'remoteCluster'),
      message: problem,
      fix: 'write the name of the cluster as its worker has it (chaosflow worker --cluster NAME)',
    });
  }
}

export function checkSelectorValue(selector: PodSelector, base: string, issues: ManifestIssue[]): void {
  const { mode, value } = selector;
  const pointer = joinPointer(base, 'value');
  if (mode === 'one' || mode === 'all') {
    if (value !== undefined && value !== '') {
      issues.push({
        code: 'SELECTOR_VALUE_UNEXPECTED',
        pointer,
        at: 'key',
        message: `mode ${mode} takes no value`,
        fix: `remove value, or use mode fixed / fixed-percent / random-max-percent`,
      });
    }
    return;
  }
  const what = mode === 'fixed' ? 'a number of pods (an integer > 0)' : 'a percentage from 1 to 100';
  if (value === undefined || value === '') {
    issues.push({
      code: 'SELECTOR_VALUE_MISSING',
      pointer,
      message: `mode ${mode} needs a value`,
      fix: `add value: ${what}, in quotes, such as "${mode === 'fixed' ? '2' : '50'}"`,
    });
    return;
  }
  const n = /^\d+$/.test(value.trim()) ? Number(value.trim()) : Number.NaN;
  const ok = mode === 'fixed' ? n > 0 : n >= 1 && n <= 100;
  if (!ok) {
    issues.push({
      code: 'SELECTOR_VALUE_INVALID',
      pointer,
      message: `${JSON.stringify(value)} is not a valid value for mode ${mode}`,
      fix: `value must be ${what}`,
    });
  }
}

function checkNetworkChaos(spec: NetworkChaosSpec, base: string, issues: ManifestIssue[]): void {
  const action = spec.action;
  const shaping = { delay: spec.delay, loss: spec.loss, duplicate: spec.duplicate, corrupt: spec.corrupt };
  if (
    action === 'delay' ||
    action === 'loss' ||
    action === 'duplicate' ||
    action === 'corrupt' ||
    action === 'bandwidth'
  ) {
    if (spec[action] === undefined) issues.push(actionFieldMissing('NetworkChaos', action, action, base));
  } else if (action === 'netem') {
    if (Object.values(shaping).every((v) => v === undefined) && spec.rate === undefined) {
      issues.push(
        actionFieldMissing('NetworkChaos', action, 'delay, loss, duplicate, corrupt or rate', base, 'delay'),
      );
    }
  }
  const direction = spec.direction ?? 'to';
  if (direction !== 'to' && action !== 'partition' && spec.target === undefined) {
    issues.push({
      code: 'NETWORK_TARGET_REQUIRED',
      pointer: joinPointer(base, 'target'),
      message: `direction ${direction} needs a target for action ${action}`,
      fix: 'add target: a selector (selector, mode) of the peer pods, or use direction: to',
    });
  }
  if (direction !== 'to' && (spec.externalTargets?.length ?? 0) > 0) {
    issues.push({
      code: 'NETWORK_EXTERNAL_TARGETS_DIRECTION',
      pointer: joinPointer(base, 'externalTargets'),
      at: 'key',
      message: `externalTargets only work with direction to, not ${direction}`,
      fix: 'use direction: to, or move the peers into target',
    });
  }
  if (spec.target) checkSelectorValue(spec.target, joinPointer(base, 'target'), issues);
  const percents: [string | undefined, string][] = [
    [spec.delay?.correlation, 'delay/correlation'],
    [spec.delay?.reorder?.reorder, 'delay/reorder/reorder'],
    [spec.delay?.reorder?.correlation, 'delay/reorder/correlation'],
    [spec.loss?.loss, 'loss/loss'],
    [spec.loss?.correlation, 'loss/correlation'],
    [spec.duplicate?.duplicate, 'duplicate/duplicate'],
    [spec.duplicate?.correlation, 'duplicate/correlation'],
    [spec.corrupt?.corrupt, 'corrupt/corrupt'],
    [spec.corrupt?.correlation, 'corrupt/correlation'],
  ];
  for (const [value, path] of percents) checkPercent(value, joinPointer(base, ...path.split('/')), issues);
}

function checkIOChaos(spec: IOChaosSpec, base: string, issues: ManifestIssue[]): void {
  const needs = { latency: 'delay', fault: 'errno', attrOverride: 'attr', mistake: 'mistake' } as const;
  const field = needs[spec.action];
  if (spec[field] === undefined) issues.push(actionFieldMissing('IOChaos', spec.action, field, base));
  checkPositiveDuration(spec.delay, joinPointer(base, 'delay'), issues);
}

function checkStressChaos(spec: StressChaosSpec, base: string, issues: ManifestIssue[]): void {
  const hasStressor = spec.stressors?.cpu !== undefined || spec.stressors?.memory !== undefined;
  if (hasStressor || (spec.stressngStressors ?? '').trim() !== '') return;
  issues.push({
    code: 'STRESS_NO_STRESSOR',
    pointer: joinPointer(base, 'stressors'),
    message: 'StressChaos needs something to run',
    fix: 'add stressors.cpu (workers, load) and/or stressors.memory (workers, size), or stressngStressors',
  });
}

function checkHTTPChaos(spec: HTTPChaosSpec, base: string, issues: ManifestIssue[]): void {
  checkPositiveDuration(spec.delay, joinPointer(base, 'delay'), issues);
  if (
    spec.abort === true ||
    spec.delay !== undefined ||
    spec.replace !== undefined ||
    spec.patch !== undefined
  )
    return;
  issues.push({
    code: 'ACTION_FIELD_MISSING',
    pointer: joinPointer(base, 'abort'),
    message: 'HTTPChaos has no action',
    fix: 'add one of abort: true, delay, replace or patch',
  });
}

function actionFieldMissing(
  kind: string,
  action: string,
  needs: string,
  base: string,
  field = needs,
): ManifestIssue {
  return {
    code: 'ACTION_FIELD_MISSING',
    pointer: joinPointer(base, field),
    message: `${kind} action ${action} needs ${needs}`,
    fix: `add ${needs === field ? `${field}:` : `one of ${needs}`} (see examples/)`,
  };
}
