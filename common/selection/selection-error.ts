/**
 * Errors of target selection: a stable `code`, what is wrong, where, and how to fix it. Branded rather than
 * relying on `instanceof`, which does not hold across the workflow sandbox boundary.
 */
import { ChaosflowError, hasErrorCode } from '../errors/chaosflow-error.js';

export const SELECTION_ERROR_CODES = [
  /** No pod matches the selector (or every pod listed in `selector.pods` is gone). */
  'SELECTOR_NO_MATCH',
  /** `mode` is not one of one, all, fixed, fixed-percent, random-max-percent. */
  'SELECTOR_BAD_MODE',
  /** `value` does not suit the mode. */
  'SELECTOR_BAD_VALUE',
  /** An `expressionSelectors` entry is malformed. */
  'SELECTOR_BAD_EXPRESSION',
  /** A `fieldSelectors` key chaosflow does not evaluate. */
  'SELECTOR_UNSUPPORTED_FIELD',
  /** A `podPhaseSelectors` entry is not a pod phase. */
  'SELECTOR_BAD_PHASE',
  /** `selector.nodes` names a node the target source does not know. */
  'SELECTOR_UNKNOWN_NODE',
  /** `containerNames` names a container a selected pod does not have (or the pod has none). */
  'SELECTOR_CONTAINER_NOT_FOUND',
  /** A selected container has no container id yet (not started). */
  'SELECTOR_CONTAINER_NOT_RUNNING',
  /** A selected pod is not scheduled on a node, so no daemon can reach it. */
  'SELECTOR_POD_NOT_SCHEDULED',
] as const;
export type SelectionErrorCode = (typeof SELECTION_ERROR_CODES)[number];

export type SelectionErrorContext = Readonly<Record<string, string | number | readonly string[]>>;

export class SelectionError extends ChaosflowError<SelectionErrorCode, SelectionErrorContext> {
  static override readonly codes: readonly string[] = SELECTION_ERROR_CODES;
  override readonly name = 'SelectionError';
  constructor(code: SelectionErrorCode, message: string, context: SelectionErrorContext = {}) {
    super(code, message, context);
  }
}

export function isSelectionError(err: unknown): err is SelectionError {
  return hasErrorCode(err, SELECTION_ERROR_CODES);
}
