/**
 * Validated manifests to what the workflow runs: a Plan for a Workflow or a standalone chaos kind, a
 * SchedulePlan for a Schedule. Pure: the same manifest always gives the same JSON.
 */
import { CHAOS_SPEC_KEY, type ChaosKind } from '../common/chaos-kinds.js';
import type {
  Manifest,
  ObjectMeta,
  ScheduleManifest,
  WorkflowSpec,
} from '../common/generated/manifest-types.js';
import { compileNotification, compileStopCondition } from './compile-run-guards.js';
import { PLAN_VERSION, type Plan, type PlanSource, type PlanTemplate } from '../common/plan.js';
import { SCHEDULE_PLAN_VERSION, type SchedulePlan } from '../common/schedule-plan.js';
import { compileChaos } from './compile-chaos.js';
import { compileTemplate, ms } from './compile-template.js';
import { CHAOS_MESH_PAUSE_ANNOTATION, SCHEDULE_DEFAULT_CONCURRENCY_POLICY } from './defaults.js';
import { DEFAULT_NAMESPACE } from './manifest-kinds.js';

export type CompiledManifest =
  { type: 'plan'; plan: Plan } | { type: 'schedule'; schedulePlan: SchedulePlan };

export interface CompileOptions {
  /** `file:line` of the document, kept in the plan's source. */
  location?: string;
}

/** Compiles a manifest that `validateManifest` accepted. */
export function compileManifest(manifest: Manifest, options: CompileOptions = {}): CompiledManifest {
  const namespace = namespaceOf(manifest.metadata);
  const source = {
    apiVersion: manifest.apiVersion,
    namespace,
    name: manifest.metadata.name,
    ...(options.location === undefined ? {} : { location: options.location }),
  };
  if (manifest.kind === 'Workflow') {
    return { type: 'plan', plan: workflowPlan({ kind: 'Workflow', ...source }, manifest.spec) };
  }
  if (manifest.kind === 'Schedule') return { type: 'schedule', schedulePlan: schedulePlan(manifest, source) };
  return { type: 'plan', plan: chaosPlan({ kind: manifest.kind, ...source }, manifest.spec) };
}

export function namespaceOf(metadata: ObjectMeta): string {
  return metadata.namespace ?? DEFAULT_NAMESPACE;
}

function workflowPlan(source: PlanSource, spec: WorkflowSpec): Plan {
  const templates: Record<string, PlanTemplate> = {};
  for (const t of spec.templates) templates[t.name] = compileTemplate(t, source.namespace);
  return {
    planVersion: PLAN_VERSION,
    source,
    entry: spec.entry,
    templates,
    ...(spec.stopConditions?.length ? { stopConditions: spec.stopConditions.map(compileStopCondition) } : {}),
    ...(spec.notifications?.length ? { notifications: spec.notifications.map(compileNotification) } : {}),
  };
}

/** A standalone chaos (or a Schedule's chaos tick): one template, named after the manifest, held for `duration`. */
function chaosPlan(
  source: PlanSource & { kind: ChaosKind },
  spec: { duration?: string; action?: string },
): Plan {
  const chaos = compileChaos(source.kind, spec, source.namespace);
  // One-shot kinds need no duration (the checks require it of the others); given anyway, it still caps the node.
  const template: PlanTemplate = {
    type: 'Chaos',
    name: source.name,
    ...(spec.duration === undefined ? {} : { deadlineMs: ms(spec.duration) }),
    chaos,
  };
  return { planVersion: PLAN_VERSION, source, entry: source.name, templates: { [source.name]: template } };
}

function schedulePlan(manifest: ScheduleManifest, source: Omit<PlanSource, 'kind'>): SchedulePlan {
  const spec = manifest.spec;
  const type = spec.type;
  let run: Plan;
  if (type === 'Workflow') {
    run = workflowPlan({ kind: 'Workflow', ...source }, spec.workflow as WorkflowSpec);
  } else {
    const chaos = spec[CHAOS_SPEC_KEY[type]];
    if (chaos === undefined)
      throw new Error(`compile: Schedule ${source.name} of type ${type} was not validated`);
    run = chaosPlan({ kind: type, ...source }, chaos);
  }
  return {
    schedulePlanVersion: SCHEDULE_PLAN_VERSION,
    source: { kind: 'Schedule', ...source },
    schedule: spec.schedule,
    concurrencyPolicy: spec.concurrencyPolicy || SCHEDULE_DEFAULT_CONCURRENCY_POLICY,
    ...(typeof spec.startingDeadlineSeconds === 'number'
      ? { startingDeadlineSeconds: spec.startingDeadlineSeconds }
      : {}),
    ...(spec.historyLimit === undefined ? {} : { historyLimit: spec.historyLimit }),
    ...(spec.timezone === undefined ? {} : { timezone: spec.timezone }),
    ...(spec.jitter === undefined ? {} : { jitterMs: ms(spec.jitter) }),
    // Chaos Mesh pauses a Schedule with an annotation; chaosflow's `suspend` says the same.
    suspend: spec.suspend ?? manifest.metadata.annotations?.[CHAOS_MESH_PAUSE_ANNOTATION] === 'true',
    type,
    run,
  };
}
