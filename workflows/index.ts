/** The workflow types the chaosflow worker registers (wire API: names are recorded in history). */
export { chaosflowRun } from './run-workflow.js';
