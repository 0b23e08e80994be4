/**
 * Checks both forms of a Schedule spec share (a top-level Schedule and a Workflow template's chaos-only
 * schedule): the cron string parses, `type` matches the one payload present, and the scheduled chaos spec
 * follows its kind's rules. `checkChaosOnlySchedule` is the whole check of a template's schedule; a top-level
 * Schedule adds its time zone and workflow in `schedule-checks.ts`. Nothing here reads a workflow, so
 * `workflow-checks.ts` and `schedule-checks.ts` both import this file and never each other in a circle.
 */
import { CHAOS_SPEC_KEY, SUPPORTED_CHAOS_KINDS, isChaosKind } from '../common/chaos-kinds.js';
import type { ChaosOnlyScheduleSpec, ScheduleSpec } from '../common/generated/manifest-types.js';
import { checkChaosSpec } from './chaos-checks.js';
import { checkCron } from './cron-check.js';
import { joinPointer, type ManifestIssue } from './errors.js';

type PayloadKey = (typeof CHAOS_SPEC_KEY)[(typeof SUPPORTED_CHAOS_KINDS)[number]] | 'workflow';

const PAYLOAD_KEYS: readonly PayloadKey[] = [
  ...SUPPORTED_CHAOS_KINDS.map((k) => CHAOS_SPEC_KEY[k]),
  'workflow',
];

export function checkChaosOnlySchedule(
  spec: ChaosOnlyScheduleSpec,
  base: string,
  issues: ManifestIssue[],
): void {
  checkCronField(spec.schedule, base, issues);
  checkPayload(spec, base, issues);
  checkScheduledChaos(spec, base, true, issues);
}

/** `inTemplate`: the schedule is a Workflow template's, whose deadline ends every tick. */
export function checkScheduledChaos(
  spec: ChaosOnlyScheduleSpec | ScheduleSpec,
  base: string,
  inTemplate: boolean,
  issues: ManifestIssue[],
): void {
  const kind = spec.type;
  if (!isChaosKind(kind)) return;
  const key = CHAOS_SPEC_KEY[kind];
  const chaos = spec[key];
  if (!chaos) return;
  const context = { in: 'schedule', concurrencyPolicy: spec.concurrencyPolicy ?? '', inTemplate } as const;
  checkChaosSpec(kind, chaos, joinPointer(base, key), context, issues);
}

export function checkCronField(schedule: string, base: string, issues: ManifestIssue[]): void {
  const problem = checkCron(schedule);
  if (!problem) return;
  issues.push({
    code: 'CRON_INVALID',
    pointer: joinPointer(base, 'schedule'),
    message: `cannot parse the schedule ${JSON.stringify(schedule)}: ${problem.message}`,
    fix: 'write 5 fields (minute hour day-of-month month day-of-week), 6 with seconds first, @hourly/@daily/..., or @every 10m',
  });
}

export function checkPayload(
  spec: ChaosOnlyScheduleSpec | ScheduleSpec,
  base: string,
  issues: ManifestIssue[],
): void {
  const wanted: PayloadKey = spec.type === 'Workflow' ? 'workflow' : CHAOS_SPEC_KEY[spec.type];
  const present = spec as Partial<Record<PayloadKey, unknown>>;
  if (present[wanted] === undefined) {
    issues.push({
      code: 'PAYLOAD_MISSING',
      pointer: joinPointer(base, wanted),
      message: `a Schedule of type ${spec.type} needs ${wanted}`,
      fix: `add ${wanted}: next to type`,
    });
  }
  for (const key of PAYLOAD_KEYS) {
    if (key === wanted || present[key] === undefined) continue;
    issues.push({
      code: 'PAYLOAD_MISMATCH',
      pointer: joinPointer(base, key),
      at: 'key',
      message: `${key} is not used by a Schedule of type ${spec.type}`,
      fix: `remove ${key}, or change type to match it`,
    });
  }
}
