/** Tables for people: the result of `apply`, the report of `describe`, the rows of `list`. */
import type { ApplyResult } from '../../../client/schedules/apply-schedule.js';
import type { ScheduleReport } from '../../../client/schedules/describe-schedule.js';
import type { ScheduleListEntry } from '../../../client/schedules/list-schedules.js';
import type { ScheduleRun } from '../../../client/schedules/schedule-runs.js';
import type { ScheduleSettings } from '../../../client/schedules/schedule-settings.js';
import { renderFields, renderTable } from '../../output/render-table.js';
import { formatInZone, formatSeconds } from './format-time.js';

const NEXT_SHOWN_ON_APPLY = 5;

export function renderApplyResult(result: ApplyResult): string {
  const s = result.settings;
  const lines = [
    `${result.outcome} ${result.namespace}/${result.name} (schedule id ${result.scheduleId})`,
    `  ${whatItRuns(s)}; ${policyLine(s)}; catch-up window ${formatSeconds(s.catchupWindowMs)}`,
  ];
  if (result.paused) lines.push(`  paused: ${result.note ?? 'no note'}`);
  for (const note of s.notes) lines.push(`  note: ${note}`);
  const next = result.nextFireTimes.slice(0, NEXT_SHOWN_ON_APPLY);
  if (next.length === 0) lines.push('  next: none');
  else {
    lines.push(`  next${result.paused ? ' (once unpaused)' : ''}:`);
    for (const t of next) lines.push(`    ${formatInZone(t, s.timezone)}`);
  }
  return `${lines.join('\n')}\n`;
}

export function renderScheduleReport(report: ScheduleReport): string {
  const s = report.settings;
  const zone = s?.timezone ?? 'UTC';
  const fields: [string, string][] = [
    ['Schedule', `${report.namespace}/${report.name}`],
    ['Schedule id', report.scheduleId],
  ];
  if (s) {
    fields.push(['Runs', whatItRuns(s)]);
    fields.push(['Concurrency', policyLine(s)]);
    fields.push(['Catch-up window', catchupLine(s, report.catchupWindowMs)]);
    fields.push([
      'History limit',
      s.historyLimit === undefined
        ? `not set: the ${report.runsShown} newest runs are shown`
        : `${s.historyLimit}: the ${s.historyLimit} newest runs are shown`,
    ]);
    if (s.jitterMs) fields.push(['Jitter', `up to ${formatSeconds(s.jitterMs)} after each tick`]);
    if (s.location) fields.push(['Manifest', s.location]);
  } else {
    fields.push(['Runs', 'not created by chaosflow: its action carries no chaosflow settings']);
    fields.push(['Overlap', report.overlap]);
    fields.push(['Catch-up window', formatSeconds(report.catchupWindowMs)]);
  }
  fields.push(['State', report.paused ? `paused: ${report.note ?? 'no note'}` : 'active']);
  const c = report.counts;
  fields.push([
    'Ticks',
    `taken ${c.taken}, skipped while a run was active ${c.skippedOverlap}, missed the catch-up window ${c.missedCatchupWindow}` +
      (c.buffered || c.bufferDropped
        ? `, buffered ${c.buffered}, dropped from the buffer ${c.bufferDropped}`
        : ''),
  ]);
  fields.push(['Created', formatInZone(report.createdAt, zone)]);
  if (report.lastUpdatedAt) fields.push(['Updated', formatInZone(report.lastUpdatedAt, zone)]);
  const parts = [renderFields(fields)];
  if (s && s.notes.length > 0) parts.push(`Notes:\n${s.notes.map((n) => `  - ${n}`).join('\n')}\n`);

  const next = report.nextFireTimes;
  parts.push(
    `\nNext fire times (${zone})${report.paused ? ', once unpaused' : ''}:\n` +
      (next.length === 0 ? '  none\n' : next.map((t) => `  ${formatInZone(t, zone)}\n`).join('')),
  );

  const runs = [...report.running, ...report.recentRuns];
  const shown = report.recentRuns.length;
  parts.push(
    `\nRuns (${report.running.length} running; newest ${shown} finished of ${report.totalRuns - report.running.length}):\n`,
  );
  parts.push(runs.length === 0 ? '  none yet\n' : renderRuns(runs, zone));
  return parts.join('');
}

function renderRuns(runs: readonly ScheduleRun[], zone: string): string {
  return renderTable(
    [{ header: 'RUN' }, { header: 'SCHEDULED' }, { header: 'OUTCOME' }, { header: 'TOOK', align: 'right' }],
    runs.map((r) => [
      r.workflowId,
      r.scheduledAt ? formatInZone(r.scheduledAt, zone) : '-',
      r.outcome,
      r.closedAt ? formatSeconds(Date.parse(r.closedAt) - Date.parse(r.startedAt)) : '',
    ]),
  );
}

export function renderScheduleList(entries: readonly ScheduleListEntry[]): string {
  if (entries.length === 0)
    return 'no chaosflow schedules (create one with `chaosflow schedule apply FILE`)\n';
  return renderTable(
    [
      { header: 'SCHEDULE' },
      { header: 'TYPE' },
      { header: 'CRON' },
      { header: 'ZONE' },
      { header: 'POLICY' },
      { header: 'STATE' },
      { header: 'NEXT' },
      { header: 'LAST TICK' },
    ],
    entries.map((e) => {
      const zone = e.timezone ?? 'UTC';
      return [
        `${e.namespace}/${e.name}`,
        e.type ?? '?',
        e.schedule ?? '?',
        zone,
        e.concurrencyPolicy ?? '?',
        e.paused ? 'paused' : 'active',
        e.nextFireTime && !e.paused ? formatInZone(e.nextFireTime, zone) : '-',
        e.lastTick ? formatInZone(e.lastTick.scheduledAt, zone) : '-',
      ];
    }),
  );
}

function whatItRuns(s: ScheduleSettings): string {
  return `${s.type} on "${s.schedule}" (${s.timezone}${s.timezoneSource === 'default' ? ', the default' : ''})`;
}

function policyLine(s: ScheduleSettings): string {
  return `concurrencyPolicy ${s.concurrencyPolicy} -> Temporal overlap ${s.overlap}`;
}

function catchupLine(s: ScheduleSettings, actualMs: number): string {
  const actual = formatSeconds(actualMs);
  if (s.startingDeadlineSeconds === undefined) return `${actual} (startingDeadlineSeconds not set)`;
  if (s.startingDeadlineSeconds * 1000 < actualMs) {
    return `${actual} (startingDeadlineSeconds ${s.startingDeadlineSeconds} raised to Temporal's minimum of 10 s)`;
  }
  return `${actual} (startingDeadlineSeconds ${s.startingDeadlineSeconds})`;
}
