import type { Plan } from './plan.js';

/** The argument of the `chaosflowRun` workflow. */
export interface RunInput {
  plan: Plan;
  /** Set when a Schedule started the run: the tick (ISO time) it was for. */
  scheduledAt?: string;
}

/** The workflow type name: wire API, recorded in history. */
export const RUN_WORKFLOW_TYPE = 'chaosflowRun';

/** Default task queue of the chaosflow worker. */
export const DEFAULT_TASK_QUEUE = 'chaosflow';
