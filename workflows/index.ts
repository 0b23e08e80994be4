/** The workflow types the chaosflow worker registers (wire API: names are recorded in history). */
export { chaosflowRun } from './run-workflow.js';
export { chaosflowTargetState } from './target-state-workflow.js';
export { chaosflowJanitor } from './janitor-workflow.js';
export { chaosflowHalt } from './halt-workflow.js';
export { chaosflowStatusCheck } from './status-check-workflow.js';
