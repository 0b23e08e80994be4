/**
 * The safety lever (`chaosflow halt`): while halted, every chaosflow run has been aborted, every chaosflow
 * schedule paused, and every inject and every new run is refused with `Halted: <reason>`. The state is a marker
 * workflow on the Temporal server — running means halted — so it survives worker and server restarts and is
 * read with no worker at all; its memo says since when, why and by whom.
 */
export const HALT_WORKFLOW_TYPE = 'chaosflowHalt';
export const HALT_WORKFLOW_ID = 'chaosflow/halt';
/** Schedules the halt paused carry this note prefix; `unhalt` resumes those and no other. */
export const HALT_NOTE_PREFIX = 'chaosflow halt: ';

export interface HaltState {
  reason: string;
  by: string;
  /** ISO time the halt began. */
  since: string;
}

/** The message of everything refused while halted. */
export function haltedMessage(state: HaltState): string {
  return `Halted: ${state.reason} (by ${state.by} since ${state.since}; \`chaosflow unhalt\` lifts it)`;
}
