/**
 * What chaosflow keeps about a schedule on the Temporal Schedule itself: the manifest's settings, in the memo of
 * the schedule's action under `chaosflowSchedule`. The action memo (unlike the schedule's own memo, which
 * `update()` cannot change: temporal#5510) is replaced on every update, and every tick's run carries a copy, so
 * the Temporal UI shows it on the schedule and on each run.
 */
import type { ChaosKind } from '../../common/chaos-kinds.js';
import type { SchedulePlan } from '../../common/schedule-plan.js';
import type { TimezoneSource } from '../../common/cron/temporal-schedule-spec.js';

/** Bumped when the mapping changes in a way that must re-apply unchanged manifests. */
export const SCHEDULE_MAPPING_VERSION = 1;

export const SETTINGS_MEMO_KEY = 'chaosflowSchedule';

/** Temporal's overlap policies by name (this module loads no Temporal code, so the CLI can offer them cheaply). */
export const OVERLAP_POLICIES = [
  'SKIP',
  'BUFFER_ONE',
  'BUFFER_ALL',
  'CANCEL_OTHER',
  'TERMINATE_OTHER',
  'ALLOW_ALL',
] as const;
export type OverlapPolicyName = (typeof OVERLAP_POLICIES)[number];

export interface ScheduleSettings {
  mappingVersion: typeof SCHEDULE_MAPPING_VERSION;
  scheduleId: string;
  namespace: string;
  name: string;
  apiVersion: string;
  /** `file:line` of the manifest last applied. */
  location?: string;
  /** The cron string exactly as written. */
  schedule: string;
  type: 'Workflow' | ChaosKind;
  concurrencyPolicy: SchedulePlan['concurrencyPolicy'];
  overlap: OverlapPolicyName;
  /** As written; absent when the manifest sets none. */
  startingDeadlineSeconds?: number;
  /** What Temporal was given (ms). */
  catchupWindowMs: number;
  /** As written; absent when the manifest sets none (describe then shows the default number of runs). */
  historyLimit?: number;
  timezone: string;
  timezoneSource: TimezoneSource;
  jitterMs?: number;
  /** The manifest's `suspend` when last applied: a re-apply changes the pause state only when this changes. */
  suspend: boolean;
  /** Hash of everything above that came from the manifest, plus the task queue: equal means unchanged. */
  fingerprint: string;
  /** Choices and remaining differences from Chaos Mesh, as sentences. */
  notes: string[];
}

/** The settings of a described schedule's action, or undefined when it was not created by chaosflow. */
export function settingsOfMemo(memo: Record<string, unknown> | undefined): ScheduleSettings | undefined {
  const value = memo?.[SETTINGS_MEMO_KEY];
  if (typeof value !== 'object' || value === null) return undefined;
  const settings = value as Partial<ScheduleSettings>;
  return typeof settings.scheduleId === 'string' && typeof settings.fingerprint === 'string'
    ? (settings as ScheduleSettings)
    : undefined;
}
