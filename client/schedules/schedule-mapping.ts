/**
 * A SchedulePlan (a compiled `Schedule` manifest) to the options of a Temporal Schedule whose every tick starts
 * one `chaosflowRun`. Pure apart from the clock value it is given: the same plan, task queue and anchor always
 * give the same options.
 *
 * | manifest                         | Temporal Schedule                                                       |
 * | -------------------------------- | ----------------------------------------------------------------------- |
 * | `schedule` (+ `timezone`)        | `spec` from `toTemporalScheduleSpec` (calendars, or an interval for `@every` anchored at creation) |
 * | `jitter`                         | `spec.jitter`                                                           |
 * | `concurrencyPolicy` Forbid/""    | `policies.overlap` SKIP                                                 |
 * | `concurrencyPolicy` Allow        | ALLOW_ALL                                                               |
 * | `concurrencyPolicy` Replace      | CANCEL_OTHER (the replaced run recovers its faults; never TERMINATE_OTHER) |
 * | `startingDeadlineSeconds` N      | `policies.catchupWindow` max(N, 10) s (Temporal's minimum is 10 s)      |
 * | `startingDeadlineSeconds` unset  | `catchupWindow` = the shortest gap between fire times, within [10 s, 60 s] |
 * | `historyLimit`                   | kept in the action memo; `describe` shows that many newest runs from visibility |
 * | `suspend`                        | created paused, with a note                                            |
 * | `type` + payload                 | the action's argument: `{ plan: run }`                                  |
 *
 * Why the catch-up window when the manifest sets none: Temporal's default (one year) would start a backlog of
 * missed ticks after an outage, and Chaos Mesh's controller either runs only the newest missed tick or, past 100
 * missed ticks, none ever again (chaos-mesh#3882). A window no longer than one interval lets at most one late
 * tick start (for intervals of 10 s or more), and never one more than a minute late.
 */
import { createHash } from 'node:crypto';
import type { ScheduleOptionsAction, ScheduleSpec } from '@temporalio/client';
import type { SearchAttributePair } from '@temporalio/common';
import { isCronError } from '../../common/cron/cron-error.js';
import { nextFireTimes } from '../../common/cron/next-fire-times.js';
import { toTemporalScheduleSpec, type CronTranslation } from '../../common/cron/temporal-schedule-spec.js';
import { RUN_WORKFLOW_TYPE, type RunInput } from '../../common/run-input.js';
import type { SchedulePlan } from '../../common/schedule-plan.js';
import { runDetails, runSummary } from '../../common/run-summary.js';
import { SA_KIND, SA_NAME, SA_NAMESPACE, SA_PHASE, SA_SCHEDULE } from '../../common/search-attributes.js';
import { ScheduleError } from './schedule-errors.js';
import { scheduleIdOf } from './schedule-id.js';
import {
  SCHEDULE_MAPPING_VERSION,
  SETTINGS_MEMO_KEY,
  type OverlapPolicyName,
  type ScheduleSettings,
} from './schedule-settings.js';

export const CONCURRENCY_OVERLAP = {
  Forbid: 'SKIP',
  Allow: 'ALLOW_ALL',
  Replace: 'CANCEL_OTHER',
} as const satisfies Record<SchedulePlan['concurrencyPolicy'], OverlapPolicyName>;

/** Temporal refuses shorter catch-up windows (service/worker/scheduler). */
export const MIN_CATCHUP_WINDOW_MS = 10_000;
/** The longest catch-up window chaosflow picks when the manifest sets no `startingDeadlineSeconds`. */
export const DEFAULT_CATCHUP_WINDOW_MS = 60_000;

export interface MapScheduleOptions {
  taskQueue: string;
  /**
   * When the schedule starts counting: its creation time. `@every` ticks fall on anchor + n × interval, so an
   * update passes the existing schedule's creation time to keep the grid where it was.
   */
  anchor: Date | number;
}

/** Everything `create` needs; `update` uses all but `memo` and `initialState`. */
export interface MappedSchedule {
  scheduleId: string;
  spec: ScheduleSpec;
  action: ScheduleOptionsAction;
  policies: { overlap: OverlapPolicyName; catchupWindow: number; pauseOnFailure: false };
  /** On the schedule itself, so `list` and the Temporal UI can tell chaosflow schedules apart. */
  typedSearchAttributes: SearchAttributePair[];
  /** The schedule's own memo: set once at creation (Temporal cannot update it), so only what never changes. */
  memo: Record<string, unknown>;
  /** The pause state of a new schedule: paused with a note when the manifest says `suspend: true`. */
  initialState: { paused: boolean; note?: string };
  settings: ScheduleSettings;
}

export function mapSchedule(plan: SchedulePlan, options: MapScheduleOptions): MappedSchedule {
  const { namespace, name, apiVersion, location } = plan.source;
  const scheduleId = scheduleIdOf(namespace, name);
  const translation = translate(plan, options.anchor);
  const catchup = catchupWindowOf(plan, shortestGapMs(plan, Number(options.anchor)));
  const overlap = CONCURRENCY_OVERLAP[plan.concurrencyPolicy];
  const notes = [...translation.notes, ...(catchup.note ? [catchup.note] : [])];
  if (plan.concurrencyPolicy === 'Replace') {
    notes.push(
      'Replace cancels the running tick (Temporal CANCEL_OTHER): it recovers every fault it injected before the next tick starts.',
    );
  }
  const settings: ScheduleSettings = {
    mappingVersion: SCHEDULE_MAPPING_VERSION,
    scheduleId,
    namespace,
    name,
    apiVersion,
    ...(location === undefined ? {} : { location }),
    schedule: plan.schedule,
    type: plan.type,
    concurrencyPolicy: plan.concurrencyPolicy,
    overlap,
    ...(plan.startingDeadlineSeconds === undefined
      ? {}
      : { startingDeadlineSeconds: plan.startingDeadlineSeconds }),
    catchupWindowMs: catchup.ms,
    ...(plan.historyLimit === undefined ? {} : { historyLimit: plan.historyLimit }),
    timezone: translation.timezone,
    timezoneSource: translation.timezoneSource,
    ...(plan.jitterMs === undefined ? {} : { jitterMs: plan.jitterMs }),
    suspend: plan.suspend,
    fingerprint: fingerprintOf(plan, options.taskQueue),
    notes,
  };
  const input: RunInput = { plan: plan.run };
  const action: ScheduleOptionsAction = {
    type: 'startWorkflow',
    workflowType: RUN_WORKFLOW_TYPE,
    taskQueue: options.taskQueue,
    // Temporal appends `-<scheduled time, RFC 3339>`: each tick's run id is deterministic.
    workflowId: scheduleId,
    args: [input],
    typedSearchAttributes: [
      { key: SA_KIND, value: plan.run.source.kind },
      { key: SA_NAMESPACE, value: namespace },
      { key: SA_NAME, value: name },
      { key: SA_PHASE, value: 'Pending' },
      { key: SA_SCHEDULE, value: scheduleId },
    ],
    memo: {
      source: plan.run.source,
      templates: Object.keys(plan.run.templates).length,
      schedule: scheduleId,
      [SETTINGS_MEMO_KEY]: settings,
    },
    staticSummary: `${runSummary(plan.run)}; tick of Schedule ${namespace}/${name} (${plan.schedule})`,
    staticDetails: runDetails(plan.run),
  };
  return {
    scheduleId,
    spec: translation.spec,
    action,
    policies: { overlap, catchupWindow: catchup.ms, pauseOnFailure: false },
    typedSearchAttributes: [
      { key: SA_KIND, value: 'Schedule' },
      { key: SA_NAMESPACE, value: namespace },
      { key: SA_NAME, value: name },
    ],
    memo: {
      kind: 'Schedule',
      namespace,
      name,
      createdBy: 'chaosflow',
      settingsIn: `action memo ${SETTINGS_MEMO_KEY}`,
    },
    initialState: plan.suspend ? { paused: true, note: suspendNote(namespace, name) } : { paused: false },
    settings,
  };
}

export function suspendNote(namespace: string, name: string): string {
  return `suspended by the manifest (spec.suspend: true); \`chaosflow schedule unpause ${namespace}/${name}\` resumes it`;
}

export interface CatchupDecision {
  ms: number;
  note?: string;
}

/** The catch-up window for a plan, given the shortest gap between its fire times (see the file comment). */
export function catchupWindowOf(plan: SchedulePlan, shortestGap: number | undefined): CatchupDecision {
  const sds = plan.startingDeadlineSeconds;
  if (sds !== undefined) {
    const wanted = sds * 1000;
    if (wanted >= MIN_CATCHUP_WINDOW_MS) return { ms: wanted };
    return {
      ms: MIN_CATCHUP_WINDOW_MS,
      note: `startingDeadlineSeconds: ${sds} is below Temporal's minimum catch-up window: a late tick may still start up to 10 s after its time.`,
    };
  }
  const ms = Math.min(
    DEFAULT_CATCHUP_WINDOW_MS,
    Math.max(MIN_CATCHUP_WINDOW_MS, shortestGap ?? DEFAULT_CATCHUP_WINDOW_MS),
  );
  return {
    ms,
    note: `No startingDeadlineSeconds: a tick missed during an outage may still start up to ${ms / 1000} s late, so at most one late tick runs (Temporal's default would start every tick missed in the last year).`,
  };
}

function translate(plan: SchedulePlan, anchor: Date | number): CronTranslation {
  try {
    return toTemporalScheduleSpec(plan.schedule, {
      ...(plan.timezone === undefined ? {} : { timezone: plan.timezone }),
      ...(plan.jitterMs === undefined ? {} : { jitterMs: plan.jitterMs }),
      anchor,
    });
  } catch (err) {
    if (!isCronError(err)) throw err;
    const { namespace, name, location } = plan.source;
    throw new ScheduleError(
      'SCHEDULE_SPEC_REJECTED',
      `Schedule ${namespace}/${name}${location ? ` (${location})` : ''}: spec.schedule cannot become a Temporal Schedule: ${err.message}`,
      {
        scheduleId: scheduleIdOf(namespace, name),
        ...(location === undefined ? {} : { location }),
        hint: 'Fix spec.schedule (or spec.timezone / spec.jitter) in the manifest and apply it again',
      },
      { cause: err },
    );
  }
}

/** The shortest gap between the next fire times, as Chaos Mesh computes them; undefined if it cannot tell. */
function shortestGapMs(plan: SchedulePlan, from: number): number | undefined {
  try {
    const times = nextFireTimes(plan.schedule, from, 12, plan.timezone ?? 'UTC').map((d) => d.getTime());
    let gap: number | undefined;
    for (let i = 1; i < times.length; i++) {
      const d = times[i]! - times[i - 1]!;
      if (gap === undefined || d < gap) gap = d;
    }
    return gap;
  } catch {
    return undefined;
  }
}

/** Changes when anything the schedule is made from changes; not when only the file it was read from moved. */
function fingerprintOf(plan: SchedulePlan, taskQueue: string): string {
  const { location: _a, ...source } = plan.source;
  const { location: _b, ...runSource } = plan.run.source;
  const material = {
    mappingVersion: SCHEDULE_MAPPING_VERSION,
    taskQueue,
    plan: { ...plan, source, run: { ...plan.run, source: runSource } },
  };
  return createHash('sha256').update(canonicalJson(material)).digest('hex').slice(0, 32);
}

/** JSON with object keys sorted, so that the order of keys in the YAML does not count as a change. */
function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}
