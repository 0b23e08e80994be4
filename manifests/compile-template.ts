/** One Workflow template to a PlanTemplate, with defaults applied and durations in milliseconds. */
import { CHAOS_SPEC_KEY, isChaosKind } from '../common/chaos-kinds.js';
import { parseGoDuration } from '../common/duration.js';
import type {
  ChaosOnlyScheduleSpec,
  RetrySpec,
  StatusCheckSpec,
  Task,
  Template,
} from '../common/generated/manifest-types.js';
import type { PlanCron, PlanStatusCheck, PlanTask, PlanTemplate, RetryPolicy } from '../common/plan.js';
import { compileChaos } from './compile-chaos.js';
import {
  RETRY_BACKOFF_DEFAULTS,
  SCHEDULE_DEFAULT_CONCURRENCY_POLICY,
  STATUS_CHECK_DEFAULTS,
} from './defaults.js';
import { parseStatusCodeRange } from './value-checks.js';

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
    return {
      type: 'Chaos',
      ...common,
      chaos: compileChaos(type, required(t[CHAOS_SPEC_KEY[type]], t), namespace),
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
  const c = task.container;
  return {
    container: {
      name: c.name,
      ...(c.image === undefined ? {} : { image: c.image }),
      command: [...(c.command ?? [])],
      args: [...(c.args ?? [])],
      env: (c.env ?? []).map((e) => ({ name: e.name, value: e.value ?? '' })),
      ...(c.workingDir === undefined ? {} : { workingDir: c.workingDir }),
    },
    volumes: [...(task.volumes ?? [])],
    labels: { ...(task.labels ?? {}) },
  };
}

export function compileStatusCheck(check: StatusCheckSpec): PlanStatusCheck {
  const d = STATUS_CHECK_DEFAULTS;
  const range = parseStatusCodeRange(check.http.criteria.statusCode);
  if (!range) throw new Error(`compile: status code ${check.http.criteria.statusCode} was not validated`);
  return {
    mode: check.mode ?? d.mode,
    type: check.type ?? d.type,
    ...(check.duration === undefined ? {} : { durationMs: ms(check.duration) }),
    timeoutSeconds: check.timeoutSeconds ?? d.timeoutSeconds,
    intervalSeconds: check.intervalSeconds ?? d.intervalSeconds,
    failureThreshold: check.failureThreshold ?? d.failureThreshold,
    successThreshold: check.successThreshold ?? d.successThreshold,
    recordsHistoryLimit: check.recordsHistoryLimit ?? d.recordsHistoryLimit,
    http: {
      url: check.http.url,
      method: check.http.method ?? d.method,
      headers: structuredClone(check.http.headers ?? {}),
      ...(check.http.body === undefined ? {} : { body: check.http.body }),
      criteria: { statusCode: range },
    },
  };
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
