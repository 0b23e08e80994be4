/**
 * Checks of a Schedule spec (top level, or a Workflow template's chaos-only schedule) beyond its schema: the
 * cron string parses, the time zone exists and is given once, and `type` matches the one payload present.
 */
import { CHAOS_SPEC_KEY, SUPPORTED_CHAOS_KINDS, isChaosKind } from '../common/chaos-kinds.js';
import type { ChaosOnlyScheduleSpec, ScheduleSpec } from '../common/generated/manifest-types.js';
import { checkChaosSpec } from './chaos-checks.js';
import { checkCron, isTimeZone } from './cron-check.js';
import { joinPointer, type ManifestIssue } from './errors.js';
import { checkWorkflowSpec } from './workflow-checks.js';

type PayloadKey = (typeof CHAOS_SPEC_KEY)[(typeof SUPPORTED_CHAOS_KINDS)[number]] | 'workflow';

const PAYLOAD_KEYS: readonly PayloadKey[] = [
  ...SUPPORTED_CHAOS_KINDS.map((k) => CHAOS_SPEC_KEY[k]),
  'workflow',
];

export function checkScheduleSpec(spec: ScheduleSpec, base: string, issues: ManifestIssue[]): void {
  checkCronField(spec.schedule, base, issues);
  if (spec.timezone !== undefined) {
    const pointer = joinPointer(base, 'timezone');
    if (!isTimeZone(spec.timezone)) {
      issues.push({
        code: 'TIMEZONE_INVALID',
        pointer,
        message: `${JSON.stringify(spec.timezone)} is not an IANA time zone`,
        fix: 'use a name such as UTC, Europe/Paris or America/New_York',
      });
    } else if (/^\s*(CRON_TZ|TZ)=/.test(spec.schedule)) {
      issues.push({
        code: 'TIMEZONE_CONFLICT',
        pointer,
        at: 'key',
        message: 'the time zone is given twice: in timezone and as a TZ= prefix of schedule',
        fix: 'keep one of them',
      });
    }
  }
  checkPayload(spec, base, issues);
  if (spec.type === 'Workflow') {
    if (spec.workflow) checkWorkflowSpec(spec.workflow, joinPointer(base, 'workflow'), issues);
  } else {
    checkScheduledChaos(spec, base, issues);
  }
}

export function checkChaosOnlySchedule(
  spec: ChaosOnlyScheduleSpec,
  base: string,
  issues: ManifestIssue[],
): void {
  checkCronField(spec.schedule, base, issues);
  checkPayload(spec, base, issues);
  checkScheduledChaos(spec, base, issues);
}

function checkScheduledChaos(
  spec: ChaosOnlyScheduleSpec | ScheduleSpec,
  base: string,
  issues: ManifestIssue[],
): void {
  const kind = spec.type;
  if (!isChaosKind(kind)) return;
  const key = CHAOS_SPEC_KEY[kind];
  const chaos = spec[key];
  if (chaos) checkChaosSpec(kind, chaos, joinPointer(base, key), 'schedule', issues);
}

function checkCronField(schedule: string, base: string, issues: ManifestIssue[]): void {
  const problem = checkCron(schedule);
  if (!problem) return;
  issues.push({
    code: 'CRON_INVALID',
    pointer: joinPointer(base, 'schedule'),
    message: `cannot parse the schedule ${JSON.stringify(schedule)}: ${problem.message}`,
    fix: 'write 5 fields (minute hour day-of-month month day-of-week), 6 with seconds first, @hourly/@daily/..., or @every 10m',
  });
}

function checkPayload(
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
