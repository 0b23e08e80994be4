/** The public API of `client/schedules/`: chaosflow Schedules as Temporal Schedules. */
export {
  applySchedule,
  APPLY_OUTCOMES,
  type ApplyOutcome,
  type ApplyResult,
  type ApplyScheduleOptions,
} from './apply-schedule.js';
export { describeSchedule, type DescribeScheduleOptions, type ScheduleReport } from './describe-schedule.js';
export { listSchedules, type ListSchedulesOptions, type ScheduleListEntry } from './list-schedules.js';
export { openSchedule, type OpenedSchedule } from './open-schedule.js';
export {
  SCHEDULE_ERROR_CODES,
  ScheduleError,
  isScheduleError,
  type ScheduleErrorCode,
} from './schedule-errors.js';
export {
  parseScheduleRef,
  refOfScheduleId,
  scheduleIdOf,
  SCHEDULE_ID_PREFIX,
  type ScheduleRef,
} from './schedule-id.js';
export {
  CONCURRENCY_OVERLAP,
  DEFAULT_CATCHUP_WINDOW_MS,
  MIN_CATCHUP_WINDOW_MS,
  catchupWindowOf,
  mapSchedule,
  type MappedSchedule,
} from './schedule-mapping.js';
export {
  DEFAULT_BACKFILL_OVERLAP,
  DEFAULT_TRIGGER_OVERLAP,
  backfillSchedule,
  deleteSchedule,
  pauseSchedule,
  triggerSchedule,
  unpauseSchedule,
  type BackfillOptions,
  type BackfillResult,
  type DeleteResult,
  type PauseResult,
  type TriggerResult,
} from './schedule-operations.js';
export {
  DEFAULT_RUNS_SHOWN,
  listScheduleRuns,
  outcomeOf,
  RUN_OUTCOMES,
  type RunOutcome,
  type ScheduleRun,
  type ScheduleRuns,
} from './schedule-runs.js';
export {
  OVERLAP_POLICIES,
  SETTINGS_MEMO_KEY,
  settingsOfMemo,
  type OverlapPolicyName,
  type ScheduleSettings,
} from './schedule-settings.js';
