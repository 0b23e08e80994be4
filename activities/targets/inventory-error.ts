/**
 * Errors of the host inventory: the file cannot be read, or it is not a valid inventory. Every problem found is
 * listed at once, each as `file:line:col: path: what is wrong. How to fix it.`
 */

export const INVENTORY_ERROR_CODES = [
  /** The file does not exist or cannot be read. */
  'INVENTORY_UNREADABLE',
  /** The file is not valid YAML or not a valid inventory; `issues` lists every problem. */
  'INVENTORY_INVALID',
  /** A node was asked for that the inventory does not list. */
  'INVENTORY_UNKNOWN_NODE',
] as const;
export type InventoryErrorCode = (typeof INVENTORY_ERROR_CODES)[number];

export interface InventoryIssue {
  file: string;
  line: number;
  col: number;
  /** Where in the document: `pods[2].containers[0].id`. */
  path: string;
  /** What is wrong and how to fix it. */
  message: string;
}

export function formatIssue(issue: InventoryIssue): string {
  return `${issue.file}:${issue.line}:${issue.col}: ${issue.path ? `${issue.path}: ` : ''}${issue.message}`;
}

export class InventoryError extends Error {
  override readonly name = 'InventoryError';
  constructor(
    readonly code: InventoryErrorCode,
    message: string,
    readonly issues: readonly InventoryIssue[] = [],
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
