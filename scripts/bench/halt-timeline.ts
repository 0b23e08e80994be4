/**
 * Where the time of a halt went, read from the histories it left: for every run, the abort signal → recover
 * activity scheduled → started → completed → run closed; for every per-target entity, how many state applies
 * ran after the halt and when the last one ended. Printed by the halt benchmark as medians and maxima.
 */
import type { Client } from '@temporalio/client';
import proto from '@temporalio/proto';
import { TARGET_STATE_WORKFLOW_TYPE } from '../../common/target-state.js';

const { EventType } = proto.temporal.api.enums.v1;
type HistoryEvent = proto.temporal.api.history.v1.IHistoryEvent;

const ms = (event: HistoryEvent | undefined): number | undefined => {
  const t = event?.eventTime;
  if (!t) return undefined;
  return Number(t.seconds ?? 0) * 1000 + Math.floor((t.nanos ?? 0) / 1e6);
};

const activityName = (e: HistoryEvent) => e.activityTaskScheduledEventAttributes?.activityType?.name ?? '';

function summary(label: string, values: number[], unit = ' ms'): string {
  if (values.length === 0) return `  ${label}: none`;
  const sorted = [...values].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
  return `  ${label}: median ${at(0.5)}${unit}, p95 ${at(0.95)}${unit}, max ${sorted.at(-1)}${unit} (n=${sorted.length})`;
}

/** Scheduled → started and started → completed of every activity in `events` scheduled after `since`. */
function activitySpans(events: HistoryEvent[], since: number) {
  const scheduled = new Map<string, number>();
  const started = new Map<string, number>();
  const queued: number[] = [];
  const running: number[] = [];
  for (const e of events) {
    const at = ms(e) ?? 0;
    if (e.eventType === EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED && at >= since) {
      scheduled.set(e.eventId?.toString() ?? '', at);
    } else if (e.eventType === EventType.EVENT_TYPE_ACTIVITY_TASK_STARTED) {
      const id = e.activityTaskStartedEventAttributes?.scheduledEventId?.toString() ?? '';
      const s = scheduled.get(id);
      if (s !== undefined) {
        started.set(id, at);
        queued.push(at - s);
      }
    } else if (e.eventType === EventType.EVENT_TYPE_ACTIVITY_TASK_COMPLETED) {
      const s = started.get(e.activityTaskCompletedEventAttributes?.scheduledEventId?.toString() ?? '');
      if (s !== undefined) running.push(at - s);
    }
  }
  return { queued, running };
}

/**
 * The agent's own time after `since`, from its log (pino JSON): per RPC (`rpc` lines), and per program it ran
 * (`command` lines, debug level: the program after `nsenter ... --`).
 */
function agentTimes(agentLog: string, since: number): Map<string, number[]> {
  const times = new Map<string, number[]>();
  const add = (label: string, ms: number) => times.set(label, [...(times.get(label) ?? []), ms]);
  for (const line of agentLog.split('\n')) {
    if (!line.startsWith('{')) continue;
    const entry = JSON.parse(line) as {
      time?: number;
      msg?: string;
      rpc?: string;
      ms?: number;
      argv?: string[];
    };
    if (entry.ms === undefined || (entry.time ?? 0) < since) continue;
    if (entry.msg === 'rpc' && entry.rpc) add(`agent ${entry.rpc}`, entry.ms);
    if (entry.msg === 'command' && entry.argv) {
      const argv = entry.argv[0] === 'nsenter' ? entry.argv.slice(entry.argv.indexOf('--') + 1) : entry.argv;
      add(`agent ran ${argv.slice(0, 2).join(' ')}`, entry.ms);
    }
  }
  return times;
}

export async function printHaltTimeline(
  client: Client,
  runIds: readonly string[],
  haltedAt: number,
  agentLog: string,
) {
  const toScheduled: number[] = [];
  const queued: number[] = [];
  const running: number[] = [];
  const toClose: number[] = [];
  const closedAfterHalt: number[] = [];
  for (const id of runIds) {
    const events = (await client.workflow.getHandle(id).fetchHistory()).events ?? [];
    const signal = events.find((e) => e.eventType === EventType.EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED);
    const scheduled = events.find(
      (e) =>
        e.eventType === EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED && activityName(e) === 'recoverFaults',
    );
    const scheduledId = scheduled?.eventId?.toString();
    const started = events.find(
      (e) =>
        e.eventType === EventType.EVENT_TYPE_ACTIVITY_TASK_STARTED &&
        e.activityTaskStartedEventAttributes?.scheduledEventId?.toString() === scheduledId,
    );
    const completed = events.find(
      (e) =>
        e.eventType === EventType.EVENT_TYPE_ACTIVITY_TASK_COMPLETED &&
        e.activityTaskCompletedEventAttributes?.scheduledEventId?.toString() === scheduledId,
    );
    const closed = events.at(-1);
    const [a, b, c, d, z] = [ms(signal), ms(scheduled), ms(started), ms(completed), ms(closed)];
    if (a !== undefined && b !== undefined) toScheduled.push(b - a);
    if (b !== undefined && c !== undefined) queued.push(c - b);
    if (c !== undefined && d !== undefined) running.push(d - c);
    if (d !== undefined && z !== undefined) toClose.push(z - d);
    if (z !== undefined) closedAfterHalt.push(z - haltedAt);
  }
  const applies: number[] = [];
  const applySpans: number[] = [];
  const applyQueued: number[] = [];
  const applyRunning: number[] = [];
  for await (const entity of client.workflow.list({
    query: `WorkflowType = '${TARGET_STATE_WORKFLOW_TYPE}'`,
  })) {
    const events =
      (await client.workflow.getHandle(entity.workflowId, entity.runId).fetchHistory()).events ?? [];
    const done = events.filter(
      (e) => e.eventType === EventType.EVENT_TYPE_ACTIVITY_TASK_COMPLETED && (ms(e) ?? 0) >= haltedAt,
    );
    applies.push(done.length);
    const spans = activitySpans(events, haltedAt);
    applyQueued.push(...spans.queued);
    applyRunning.push(...spans.running);
    const last = ms(done.at(-1));
    if (last !== undefined) applySpans.push(last - haltedAt);
  }
  process.stdout.write(
    [
      '  where the time went (from the histories):',
      summary('abort signal -> recover activity scheduled', toScheduled),
      summary('recover scheduled -> started (waiting for a worker slot)', queued),
      summary('recover started -> completed (through the target entity and the agent)', running),
      summary('recover completed -> run closed', toClose),
      summary('halt -> run closed', closedAfterHalt),
      summary('state applies per target entity after the halt', applies, ''),
      summary('state apply scheduled -> started', applyQueued),
      summary('state apply started -> completed (the agent call)', applyRunning),
      summary('halt -> last apply of each entity', applySpans),
      ...[...agentTimes(agentLog, haltedAt)].map(([label, times]) => summary(label, times)),
      '',
    ].join('\n'),
  );
}
