/**
 * The `type` of every Temporal failure chaosflow raises, in one place: activities throw them (as their error
 * codes), workflows branch on them and set them as non-retryable, clients read them. They are wire API recorded
 * in history, spelled in the one casing of chaosflow's codes (UPPER_SNAKE_CASE).
 */
import { TERMINAL_PHASES, type TerminalPhase } from './run-status.js';

/** What an activity failed with: its `ActivityError` code (`activities/errors.ts`). */
export const ACTIVITY_FAILURE_TYPES = {
  /** The request cannot work whatever happens (bad plan, bad target): do not retry. */
  INVALID_INPUT: 'INVALID_INPUT',
  /** The action is not supported by this driver or daemon: do not retry. */
  UNSUPPORTED: 'UNSUPPORTED',
  /** The selector matched no target: do not retry. */
  NO_TARGETS: 'NO_TARGETS',
  /** A service did not answer or answered with a transient error: retry. */
  UNAVAILABLE: 'UNAVAILABLE',
  /** chaosflow is halted (`chaosflow halt`): nothing is injected until `chaosflow unhalt`. */
  HALTED: 'HALTED',
} as const;
export type ActivityFailureType = (typeof ACTIVITY_FAILURE_TYPES)[keyof typeof ACTIVITY_FAILURE_TYPES];

/** The activity failures that repeating cannot help: every activity stub lists them as non-retryable. */
export const NON_RETRYABLE_FAILURE_TYPES: readonly ActivityFailureType[] = [
  ACTIVITY_FAILURE_TYPES.INVALID_INPUT,
  ACTIVITY_FAILURE_TYPES.UNSUPPORTED,
  ACTIVITY_FAILURE_TYPES.NO_TARGETS,
  ACTIVITY_FAILURE_TYPES.HALTED,
];

/** What an update of the per-target entity (`chaosflowTargetState`) failed with. */
export const TARGET_STATE_FAILURE_TYPES = {
  /** The daemon refused the pod's new state for good; the entity kept the old one. */
  REFUSED: 'TARGET_STATE_REFUSED',
  /** The new state could not be sent now; the caller retries. */
  UNAVAILABLE: 'TARGET_STATE_UNAVAILABLE',
} as const;

type FailedPhase = Exclude<TerminalPhase, 'Succeeded'>;

/** What a `chaosflowRun` that did not succeed fails with, by its final phase. */
export const RUN_FAILURE_TYPES = {
  Failed: 'RUN_FAILED',
  Aborted: 'RUN_ABORTED',
  DeadlineExceeded: 'RUN_DEADLINE_EXCEEDED',
  RecoveryFailed: 'RUN_RECOVERY_FAILED',
} as const satisfies Record<FailedPhase, string>;

/** Before one casing: runs closed by older workers failed with `ChaosflowRun<Phase>` (read, never written). */
const LEGACY_RUN_FAILURE_PREFIX = 'ChaosflowRun';

/** The final phase of a run from the failure type it ended with; undefined for any other type. */
export function phaseOfRunFailure(type: string | null | undefined): FailedPhase | undefined {
  if (!type) return undefined;
  for (const [phase, runType] of Object.entries(RUN_FAILURE_TYPES)) {
    if (runType === type) return phase as FailedPhase;
  }
  if (type.startsWith(LEGACY_RUN_FAILURE_PREFIX)) {
    const phase = type.slice(LEGACY_RUN_FAILURE_PREFIX.length);
    if (phase !== 'Succeeded' && (TERMINAL_PHASES as readonly string[]).includes(phase)) {
      return phase as FailedPhase;
    }
  }
  return undefined;
}
