/** One Workflow template to a PlanTemplate, with defaults applied and durations in milliseconds. */
import { CHAOS_SPEC_KEY, isChaosKind } from '../common/chaos-kinds.js';
import { parseGoDuration } from '../common/duration.js';
import type {
  ChaosOnlyScheduleSpec,
  RetrySpec,
  ChaosProbeSpec,
  StatusCheckSpec,
  Task,
  Template,
} from '../common/generated/manifest-types.js';
import type {
  PlanChaosProbe,
  PlanCron,
  PlanStatusCheck,
  PlanTask,
  PlanTemplate,
  RetryPolicy,
} from '../common/plan.js';
import { compileProbe } from './compile-probe.js';
import { compileChaos } from './compile-chaos.js';
import {
  RETRY_BACKOFF_DEFAULTS,
  SCHEDULE_DEFAULT_CONCURRENCY_POLICY,
  STATUS_CHECK_DEFAULTS,
} from './defaults.js';

/** A validated Go duration in milliseconds. */
export function ms(duration: string): number {
  const value = parseGoDuration(duration);
  if (value === undefined)
    throw new Error(`compile: ${JSON.stringify(duration)} was not validated as a duration`);
  return value;
}

export function compileTemplate(t: Template, namespace: string): PlanTemplate {
  const common = {
    name: t.name,
    ...(t.deadline === undefined ? {} : { deadlineMs: ms(t.deadline) }),
    ...(t.retry === undefined ? {} : { retry: compileRetry(t.retry) }),
  };
  const type = t.templateType;
  if (isChaosKind(type)) {
    const probes = compileChaosProbes(t.probes);
    return {
      type: 'Chaos',
      ...common,
      chaos: compileChaos(type, required(t[CHAOS_SPEC_KEY[type]], t), namespace),
      ...(probes ? { probes } : {}),
    };
  }
  switch (type) {
    case 'Serial':
    case 'Parallel':
      return { type, ...common, children: [...(t.children ?? [])] };
    case 'Suspend':
      return { type, ...common, deadlineMs: ms(required(t.deadline, t)), approval: t.approval ?? false };
    case 'Task':
      return {
        type,
        ...common,
        task: compileTask(required(t.task, t)),
        branches: (t.conditionalBranches ?? []).map((b) => ({
          target: b.target,
          expression: b.expression ?? '',
        })),
      };
    case 'StatusCheck':
      return {
        type,
        ...common,
        check: compileStatusCheck(required(t.statusCheck, t)),
        abortWithStatusCheck: t.abortWithStatusCheck ?? false,
      };
    case 'Schedule': {
      const schedule = required(t.schedule, t);
      const spec = required(schedule[CHAOS_SPEC_KEY[schedule.type]], t);
      const tick = (spec as { duration?: string }).duration;
      return {
        type,
        ...common,
        schedule: compileCron(schedule),
        chaos: compileChaos(schedule.type, spec, namespace),
        ...(tick === undefined ? {} : { tickDurationMs: ms(tick) }),
      };
    }
  }
}

function compileRetry(retry: RetrySpec): RetryPolicy {
  const backoff = retry.backoff ?? {};
  return {
    limit: retry.limit,
    backoff: {
      initialMs: ms(backoff.duration ?? RETRY_BACKOFF_DEFAULTS.duration),
      factor: backoff.factor ?? RETRY_BACKOFF_DEFAULTS.factor,
      ...(backoff.maxDuration === undefined ? {} : { maxMs: ms(backoff.maxDuration) }),
    },
  };
}

function compileTask(task: Task): PlanTask {
  const { name, image, command, args, env, workingDir, ...more } = task.container;
  return {
    container: {
      name,
      ...(image === undefined ? {} : { image }),
      command: [...(command ?? [])],
      args: [...(args ?? [])],
      env: (env ?? []).map((e) => ({
        name: e.name,
        value: e.value ?? '',
        ...(e.valueFrom === undefined ? {} : { valueFrom: e.valueFrom }),
      })),
      ...(workingDir === undefined ? {} : { workingDir }),
      ...(Object.keys(more).length > 0 ? { more } : {}),
    },
    volumes: [...(task.volumes ?? [])],
    labels: { ...(task.labels ?? {}) },
  };
}

export function compileStatusCheck(check: StatusCheckSpec): PlanStatusCheck {
  const d = STATUS_CHECK_DEFAULTS;
  return {
    ...compileProbe(check),
    mode: check.mode ?? d.mode,
    ...(check.duration === undefined ? {} : { durationMs: ms(check.duration) }),
    timeoutSeconds: check.timeoutSeconds ?? d.timeoutSeconds,
    intervalSeconds: check.intervalSeconds ?? d.intervalSeconds,
    failureThreshold: check.failureThreshold ?? d.failureThreshold,
    successThreshold: check.successThreshold ?? d.successThreshold,
    recordsHistoryLimit: check.recordsHistoryLimit ?? d.recordsHistoryLimit,
  };
}

/** The probes of a chaos template, with their defaults. */
export function compileChaosProbes(
  probes: readonly ChaosProbeSpec[] | undefined,
): PlanChaosProbe[] | undefined {
  if (!probes || probes.length === 0) return undefined;
  return probes.map((p) => ({
    ...compileProbe(p),
    name: p.name,
    mode: p.mode,
    intervalSeconds: p.intervalSeconds ?? 2,
    timeoutSeconds: p.timeoutSeconds ?? 5,
    retries: p.retries ?? 0,
    stopOnFailure: p.stopOnFailure ?? false,
    weight: p.weight ?? 1,
  }));
}

function compileCron(schedule: ChaosOnlyScheduleSpec): PlanCron {
  return {
    expression: schedule.schedule,
    concurrencyPolicy: schedule.concurrencyPolicy || SCHEDULE_DEFAULT_CONCURRENCY_POLICY,
    ...(typeof schedule.startingDeadlineSeconds === 'number'
      ? { startingDeadlineSeconds: schedule.startingDeadlineSeconds }
      : {}),
    ...(schedule.historyLimit === undefined ? {} : { historyLimit: schedule.historyLimit }),
  };
}

/** The semantic checks guarantee the payload; reaching this is a bug in them. */
function required<T>(value: T | undefined, t: Template): T {
  if (value === undefined)
    throw new Error(`compile: template ${t.name} (${t.templateType}) was not validated`);
  return value;
}
