import type { ScheduleTemplate } from '../../common/plan.js';
import type { NodeBody } from '../node-runner.js';

// TEMPORARY until common/cron lands (same session).
export const runSchedule: NodeBody<ScheduleTemplate> = () =>
  Promise.resolve({ phase: 'Failed', error: 'todo' });
