/**
 * Checks of a top-level Schedule spec beyond its schema: what every schedule form checks
 * (`schedule-spec-checks.ts`), the time zone exists and is given once, and a `type: Workflow` schedule's
 * workflow follows the Workflow rules.
 */
import type { ScheduleSpec } from '../common/generated/manifest-types.js';
import { isTimeZone } from './cron-check.js';
import { joinPointer, type ManifestIssue } from './errors.js';
import { checkCronField, checkPayload, checkScheduledChaos } from './schedule-spec-checks.js';
import { checkWorkflowSpec } from './workflow-checks.js';
import type { TaskRuntime } from './host-task-checks.js';

export function checkScheduleSpec(
  spec: ScheduleSpec,
  base: string,
  issues: ManifestIssue[],
  tasks: TaskRuntime = 'host',
): void {
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
    if (spec.workflow) checkWorkflowSpec(spec.workflow, joinPointer(base, 'workflow'), issues, tasks);
  } else {
    checkScheduledChaos(spec, base, false, issues);
  }
}
