/**
 * `describe`: one chaosflow schedule as a person wants to see it: what it runs and when, how Chaos Mesh's
 * fields were mapped, its next fire times, its last runs with their outcomes (the newest `historyLimit`), the
 * counters Temporal keeps of taken, overlap-skipped and missed ticks, and the pause note.
 */
import type { Client } from '@temporalio/client';
import { openSchedule } from './open-schedule.js';
import type { ScheduleRef } from './schedule-id.js';
import { DEFAULT_RUNS_SHOWN, listScheduleRuns, type ScheduleRun } from './schedule-runs.js';
import type { OverlapPolicyName, ScheduleSettings } from './schedule-settings.js';

export interface ScheduleReport {
  scheduleId: string;
  namespace: string;
  name: string;
  /** Absent when the schedule was not created by chaosflow. */
  settings?: ScheduleSettings;
  /** What Temporal has now (it may differ from `settings` if someone changed the schedule elsewhere). */
  overlap: OverlapPolicyName;
  catchupWindowMs: number;
  paused: boolean;
  note?: string;
  createdAt: string;
  lastUpdatedAt?: string;
  /** UTC instants; show them in `settings.timezone`. */
  nextFireTimes: string[];
  counts: {
    taken: number;
    skippedOverlap: number;
    missedCatchupWindow: number;
    /** Ticks waiting under BUFFER_ONE/BUFFER_ALL (a backfill), and ticks dropped because the buffer was full. */
    buffered: number;
    bufferDropped: number;
  };
  /** Every run visibility still holds, and how many the list below shows at most. */
  totalRuns: number;
  runsShown: number;
  running: ScheduleRun[];
  /** Newest first. */
  recentRuns: ScheduleRun[];
}

export interface DescribeScheduleOptions {
  /** How many finished runs to show. Default: the manifest's `historyLimit`, else 10. */
  runs?: number;
}

export async function describeSchedule(
  client: Client,
  ref: string | ScheduleRef,
  options: DescribeScheduleOptions = {},
): Promise<ScheduleReport> {
  const { ref: parsed, description, settings } = await openSchedule(client, ref);
  const runsShown = options.runs ?? settings?.historyLimit ?? DEFAULT_RUNS_SHOWN;
  const runs = await listScheduleRuns(client, parsed.scheduleId, runsShown);
  const { info, state, policies } = description;
  const rawInfo = description.raw.info;
  return {
    scheduleId: parsed.scheduleId,
    namespace: parsed.namespace,
    name: parsed.name,
    ...(settings ? { settings } : {}),
    overlap: policies.overlap ?? 'SKIP',
    catchupWindowMs: policies.catchupWindow,
    paused: state.paused,
    ...(state.note ? { note: state.note } : {}),
    createdAt: info.createdAt.toISOString(),
    ...(info.lastUpdatedAt ? { lastUpdatedAt: info.lastUpdatedAt.toISOString() } : {}),
    nextFireTimes: info.nextActionTimes.map((d) => d.toISOString()),
    counts: {
      taken: info.numActionsTaken,
      skippedOverlap: info.numActionsSkippedOverlap,
      missedCatchupWindow: info.numActionsMissedCatchupWindow,
      buffered: longToNumber(rawInfo?.bufferSize),
      bufferDropped: longToNumber(rawInfo?.bufferDropped),
    },
    totalRuns: runs.total,
    runsShown,
    running: runs.running,
    recentRuns: runs.finished,
  };
}

/** Protobuf int64 fields arrive as Long objects (or numbers, or nothing). */
function longToNumber(value: { toNumber(): number } | number | null | undefined): number {
  if (value === null || value === undefined) return 0;
  return typeof value === 'number' ? value : value.toNumber();
}
