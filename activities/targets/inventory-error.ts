/**
 * Errors of the host inventory: the file cannot be read, or it is not a valid inventory. Every problem found is
 * listed at once, each a ManifestError (`file:line:col: error[CODE] /pointer: message` and a `fix:` line), the
 * one shape of a problem in any file a user writes.
 */
import { ChaosflowError } from '../../common/errors/chaosflow-error.js';
import type { ManifestError } from '../../manifests/errors.js';

export const INVENTORY_ERROR_CODES = [
  /** The file does not exist or cannot be read. */
  'INVENTORY_UNREADABLE',
  /** The file is not valid YAML or not a valid inventory; `issues` lists every problem. */
  'INVENTORY_INVALID',
  /** A node was asked for that the inventory does not list. */
  'INVENTORY_UNKNOWN_NODE',
] as const;
export type InventoryErrorCode = (typeof INVENTORY_ERROR_CODES)[number];

export interface InventoryErrorContext {
  /** Every problem of the file, each located (empty when the error is not about its content). */
  readonly issues: readonly ManifestError[];
}

export class InventoryError extends ChaosflowError<InventoryErrorCode, InventoryErrorContext> {
  static override readonly codes: readonly string[] = INVENTORY_ERROR_CODES;
  override readonly name = 'InventoryError';
  constructor(
    code: InventoryErrorCode,
    message: string,
    issues: readonly ManifestError[] = [],
    options?: { cause?: unknown },
  ) {
    super(code, message, { issues }, options);
  }
}
