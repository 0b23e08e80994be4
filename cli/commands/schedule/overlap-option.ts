/**
 * The overlap policies a person may pick for `trigger` and `backfill` (Temporal's names). Spelled out here, not
 * imported, so that registering the command loads no Temporal code (`chaosflow --help` stays fast).
 */
import type { OverlapPolicyName } from '../../../client/schedules/schedule-settings.js';

export const OVERLAP_CHOICES: string[] = [
  'SKIP',
  'BUFFER_ONE',
  'BUFFER_ALL',
  'CANCEL_OTHER',
  'TERMINATE_OTHER',
  'ALLOW_ALL',
] satisfies OverlapPolicyName[];
