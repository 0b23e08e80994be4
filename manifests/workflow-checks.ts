/**
 * Checks of a Workflow spec beyond its schema: template names, `entry`, children and branch targets, cycles,
 * each template's payload against its `templateType` (Chaos Mesh's webhook rules), and the deadlines that
 * keep a run from hanging (Suspend always; chaos and Schedule nodes, which never finish on their own).
 */
import {
  CHAOS_SPEC_KEY,
  isChaosKind,
  isOneShot,
  SUPPORTED_CHAOS_KINDS,
  type ChaosKind,
} from '../common/chaos-kinds.js';
import { checkBranchExpression, literalPatterns } from '../common/branch-expression.js';
import type { Template, WorkflowSpec } from '../common/generated/manifest-types.js';
import { checkChaosSpec } from './chaos-checks.js';
import { checkHostTask, type TaskRuntime } from './host-task-checks.js';
import { suggest } from './did-you-mean.js';
import { joinPointer, type ManifestIssue } from './errors.js';
import { INPUT_LIMITS } from './input-limits.js';
import { checkChaosOnlySchedule } from './schedule-spec-checks.js';
import { checkUnhonouredStatusCheckFields } from './unhonoured-fields.js';
import { checkChaosProbes, checkProbe } from './probe-checks.js';
import { checkNotifications, checkStopConditions } from './run-guard-checks.js';
import { checkPositiveDuration, isDns1123Subdomain } from './value-checks.js';

type PayloadField = Exclude<keyof Template, 'name' | 'templateType' | 'deadline' | 'retry'>;

const CHAOS_FIELDS = SUPPORTED_CHAOS_KINDS.map((kind) => CHAOS_SPEC_KEY[kind]);

const PAYLOAD_FIELDS: readonly PayloadField[] = [
  'children',
  'task',
  'conditionalBranches',
  ...CHAOS_FIELDS,
  'schedule',
  'statusCheck',
  'abortWithStatusCheck',
  'approval',
  'probes',
];

/** Which payload each templateType requires and which it accepts. */
function payloadOf(type: Template['templateType']): {
  required?: PayloadField;
  allowed: readonly PayloadField[];
} {
  if (isChaosKind(type)) return { required: CHAOS_SPEC_KEY[type], allowed: [CHAOS_SPEC_KEY[type], 'probes'] };
  switch (type) {
    case 'Serial':
    case 'Parallel':
      return { allowed: ['children'] };
    case 'Suspend':
      return { allowed: ['approval'] };
    case 'Task':
      return { required: 'task', allowed: ['task', 'conditionalBranches'] };
    case 'StatusCheck':
      return { required: 'statusCheck', allowed: ['statusCheck', 'abortWithStatusCheck'] };
    case 'Schedule':
      return { required: 'schedule', allowed: ['schedule'] };
  }
}

/** The templateType a payload field belongs to, for the fix of a mismatch. */
function ownerOf(field: PayloadField): string {
  const kind = SUPPORTED_CHAOS_KINDS.find((k) => CHAOS_SPEC_KEY[k] === field);
  if (kind) return kind;
  const owners: Partial<Record<PayloadField, string>> = {
    children: 'Serial or Parallel',
    task: 'Task',
    conditionalBranches: 'Task',
    schedule: 'Schedule',
    statusCheck: 'StatusCheck',
    abortWithStatusCheck: 'StatusCheck',
    approval: 'Suspend',
    probes: 'a chaos kind (NetworkChaos, PodChaos, ...)',
  };
  return owners[field] ?? 'another type';
}

export function checkWorkflowSpec(
  spec: WorkflowSpec,
  base: string,
  issues: ManifestIssue[],
  tasks: TaskRuntime = 'host',
): void {
  if (spec.stopConditions)
    checkStopConditions(spec.stopConditions, joinPointer(base, 'stopConditions'), issues);
  if (spec.notifications) checkNotifications(spec.notifications, joinPointer(base, 'notifications'), issues);
  const names = new Set<string>();
  const templates = spec.templates;
  templates.forEach((t, i) => {
    const at = joinPointer(base, 'templates', i, 'name');
    if (!isDns1123Subdomain(t.name)) {
      issues.push({
        code: 'TEMPLATE_NAME_INVALID',
        pointer: at,
        message: `template name ${JSON.stringify(t.name)} is not a DNS-1123 subdomain`,
        fix: "use lower-case letters, digits, '-' and '.', starting and ending with a letter or digit",
      });
    }
    if (names.has(t.name)) {
      issues.push({
        code: 'TEMPLATE_NAME_DUPLICATE',
        pointer: at,
        message: `two templates are named ${JSON.stringify(t.name)}`,
        fix: 'give every template its own name',
      });
    }
    names.add(t.name);
  });
  if (!names.has(spec.entry)) {
    const hint = suggest(spec.entry, [...names]);
    issues.push({
      code: 'ENTRY_NOT_FOUND',
      pointer: joinPointer(base, 'entry'),
      message: `entry ${JSON.stringify(spec.entry)} names no template`,
      fix: `${hint ? `did you mean ${hint}? ` : ''}entry must be one of: ${[...names].join(', ')}`,
    });
  }
  templates.forEach((t, i) => checkTemplate(t, joinPointer(base, 'templates', i), names, issues, tasks));
  checkCycles(spec, base, names, issues);
}

function checkTemplate(
  t: Template,
  at: string,
  names: ReadonlySet<string>,
  issues: ManifestIssue[],
  tasks: TaskRuntime,
): void {
  const { required, allowed } = payloadOf(t.templateType);
  if (required !== undefined && t[required] === undefined) {
    issues.push({
      code: 'PAYLOAD_MISSING',
      pointer: joinPointer(at, required),
      message: `a ${t.templateType} template needs ${required}`,
      fix: `add ${required}: under template ${JSON.stringify(t.name)}`,
    });
  }
  for (const field of PAYLOAD_FIELDS) {
    if (t[field] === undefined || allowed.includes(field)) continue;
    issues.push({
      code: 'PAYLOAD_MISMATCH',
      pointer: joinPointer(at, field),
      at: 'key',
      message: `${field} is not used by a ${t.templateType} template`,
      fix: `remove ${field}, or set templateType: ${ownerOf(field)}`,
    });
  }
  const deadline = joinPointer(at, 'deadline');
  checkPositiveDuration(t.deadline, deadline, issues);
  checkPositiveDuration(t.retry?.backoff?.duration, joinPointer(at, 'retry', 'backoff', 'duration'), issues);
  checkPositiveDuration(
    t.retry?.backoff?.maxDuration,
    joinPointer(at, 'retry', 'backoff', 'maxDuration'),
    issues,
  );
  t.children?.forEach((child, j) => {
    if (!names.has(child))
      issues.push(unknownTarget('CHILD_NOT_FOUND', child, joinPointer(at, 'children', j), names));
  });
  const type = t.templateType;
  if (type === 'Suspend' && t.deadline === undefined) {
    issues.push({
      code: 'SUSPEND_NO_DEADLINE',
      pointer: deadline,
      message: `Suspend template ${JSON.stringify(t.name)} has no deadline`,
      fix: 'add deadline: how long to wait, such as 30s',
    });
  }
  if (type === 'Task') checkTask(t, at, names, issues, tasks);
  if (isChaosKind(type) && t.probes) checkChaosProbes(t.probes, joinPointer(at, 'probes'), issues);
  if (type === 'StatusCheck' && t.statusCheck) {
    const check = t.statusCheck;
    const sc = joinPointer(at, 'statusCheck');
    checkPositiveDuration(check.duration, joinPointer(sc, 'duration'), issues);
    checkProbe(check, sc, issues);
    checkUnhonouredStatusCheckFields(check, sc, issues);
  }
  if (type === 'Schedule' && t.schedule) {
    checkChaosOnlySchedule(t.schedule, joinPointer(at, 'schedule'), issues);
    if (t.deadline === undefined) {
      issues.push({
        code: 'SCHEDULE_NO_DEADLINE',
        pointer: deadline,
        message: `Schedule template ${JSON.stringify(t.name)} has no deadline, so it would run forever`,
        fix: 'add deadline: how long the schedule stays active, such as 10m',
      });
    }
  }
  if (isChaosKind(type)) checkChaosTemplate(t, type, at, issues);
}

function checkChaosTemplate(t: Template, kind: ChaosKind, at: string, issues: ManifestIssue[]): void {
  const key = CHAOS_SPEC_KEY[kind];
  const spec = t[key];
  if (spec === undefined) return;
  checkChaosSpec(kind, spec, joinPointer(at, key), { in: 'workflow' }, issues);
  if (t.deadline === undefined && !isOneShot(kind, 'action' in spec ? spec.action : undefined)) {
    issues.push({
      code: 'CHAOS_NO_DEADLINE',
      pointer: joinPointer(at, 'deadline'),
      message: `chaos template ${JSON.stringify(t.name)} has no deadline, so it would never end (Chaos Mesh #3846)`,
      fix: 'add deadline: how long to hold the fault, such as 30s',
    });
  }
}

function checkTask(
  t: Template,
  at: string,
  names: ReadonlySet<string>,
  issues: ManifestIssue[],
  tasks: TaskRuntime,
): void {
  if (t.task && tasks === 'host') checkHostTask(t.task, at, t.name, issues);
  t.conditionalBranches?.forEach((branch, j) => {
    const b = joinPointer(at, 'conditionalBranches', j);
    if (!names.has(branch.target)) {
      issues.push(unknownTarget('BRANCH_TARGET_NOT_FOUND', branch.target, joinPointer(b, 'target'), names));
    }
    const expression = branch.expression ?? '';
    const checked = checkBranchExpression(expression);
    const badPattern = checked.ok ? literalPatterns(expression).find((p) => !compiles(p)) : undefined;
    if (!checked.ok || badPattern !== undefined) {
      issues.push({
        code: 'BRANCH_EXPRESSION_INVALID',
        pointer: joinPointer(b, 'expression'),
        message: checked.ok
          ? `invalid regular expression ${JSON.stringify(badPattern)}`
          : `cannot use the expression ${JSON.stringify(expression)}: ${checked.message}`,
        fix: 'write a condition over exitCode and stdout, such as: exitCode == 0 && stdout contains "ok"',
      });
    }
  });
}

function compiles(pattern: string): boolean {
  try {
    new RegExp(pattern);
    return true;
  } catch {
    return false;
  }
}

function unknownTarget(
  code: 'CHILD_NOT_FOUND' | 'BRANCH_TARGET_NOT_FOUND',
  name: string,
  pointer: string,
  names: ReadonlySet<string>,
): ManifestIssue {
  const hint = suggest(name, [...names]);
  return {
    code,
    pointer,
    message: `${code === 'CHILD_NOT_FOUND' ? 'child' : 'branch target'} ${JSON.stringify(name)} names no template`,
    fix: `${hint ? `did you mean ${hint}? ` : ''}use one of: ${[...names].join(', ')}`,
  };
}

/**
 * Depth-first search over children and branch targets, with an explicit stack (a chain of thousands of
 * templates must not overflow the call stack); each cycle is reported once, at the edge closing it. Without
 * cycles, the tree the entry expands to is bounded (`checkExpansion`).
 */
function checkCycles(
  spec: WorkflowSpec,
  base: string,
  names: ReadonlySet<string>,
  issues: ManifestIssue[],
): void {
  const index = new Map(spec.templates.map((t, i) => [t.name, i]));
  const edges = (name: string): { to: string; pointer: string }[] => {
    const i = index.get(name) as number;
    const t = spec.templates[i] as Template;
    const at = joinPointer(base, 'templates', i);
    return [
      ...(t.children ?? []).map((to, j) => ({ to, pointer: joinPointer(at, 'children', j) })),
      ...(t.conditionalBranches ?? []).map((b, j) => ({
        to: b.target,
        pointer: joinPointer(at, 'conditionalBranches', j, 'target'),
      })),
    ].filter((e) => names.has(e.to));
  };
  const state = new Map<string, 'active' | 'done'>();
  const finished: string[] = [];
  let cycles = false;
  for (const root of spec.templates) {
    if (state.has(root.name)) continue;
    const path: { name: string; edges: { to: string; pointer: string }[]; next: number }[] = [];
    const enter = (name: string): void => {
      state.set(name, 'active');
      path.push({ name, edges: edges(name), next: 0 });
    };
    enter(root.name);
    while (path.length > 0) {
      const top = path[path.length - 1] as (typeof path)[number];
      const edge = top.edges[top.next++];
      if (edge === undefined) {
        path.pop();
        state.set(top.name, 'done');
        finished.push(top.name);
        continue;
      }
      const s = state.get(edge.to);
      if (s === 'active') {
        cycles = true;
        const names = path.map((p) => p.name);
        const cycle = [...names.slice(names.indexOf(edge.to)), edge.to];
        issues.push({
          code: 'TEMPLATE_CYCLE',
          pointer: edge.pointer,
          message: `templates form a cycle: ${cycle.join(' -> ')}`,
          fix: 'a template may not run itself, directly or through its children; break the cycle',
        });
      } else if (s === undefined) {
        enter(edge.to);
      }
    }
  }
  if (!cycles && names.has(spec.entry)) checkExpansion(spec, base, finished, edges, issues);
}

/**
 * As in Chaos Mesh, every reference to a template runs it anew: a template listed twice as a child runs twice,
 * with its whole subtree. The tree the entry expands to (every child and every branch target counted, each
 * time it is referenced) is bounded in nodes and depth, so that `plan`, the run's status and its Temporal
 * history stay bounded; a 21-template "diamond" would otherwise expand to a million nodes.
 */
function checkExpansion(
  spec: WorkflowSpec,
  base: string,
  finished: readonly string[],
  edges: (name: string) => { to: string }[],
  issues: ManifestIssue[],
): void {
  const { workflowNodes, workflowDepth } = INPUT_LIMITS;
  const nodes = new Map<string, number>();
  const depth = new Map<string, number>();
  // `finished` lists every template after all the templates it references.
  for (const name of finished) {
    let n = 1;
    let d = 0;
    for (const edge of edges(name)) {
      n = Math.min(n + (nodes.get(edge.to) ?? 1), workflowNodes + 1);
      d = Math.max(d, depth.get(edge.to) ?? 1);
    }
    nodes.set(name, n);
    depth.set(name, d + 1);
  }
  const n = nodes.get(spec.entry) ?? 1;
  const d = depth.get(spec.entry) ?? 1;
  if (n <= workflowNodes && d <= workflowDepth) return;
  issues.push({
    code: 'TEMPLATE_GRAPH_TOO_LARGE',
    pointer: joinPointer(base, 'entry'),
    message:
      n > workflowNodes
        ? `entry ${JSON.stringify(spec.entry)} expands to more than ${workflowNodes} nodes (each reference to a template runs it anew, as in Chaos Mesh)`
        : `entry ${JSON.stringify(spec.entry)} nests templates ${d} levels deep, more than the ${workflowDepth} allowed`,
    fix:
      n > workflowNodes
        ? 'reference big subtrees fewer times, or split the experiment into several Workflows'
        : 'flatten the tree: a Serial or Parallel template can list many children',
  });
}
