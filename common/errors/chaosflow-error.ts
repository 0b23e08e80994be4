/**
 * The one error shape of chaosflow. Every error class extends `ChaosflowError`: a stable `code` in
 * UPPER_SNAKE_CASE (listed by the class in `static codes`), a typed `context` with what the message is about,
 * and the standard `cause`. `instanceof` does not hold across the Temporal workflow sandbox (the sandbox has
 * its own copies of the classes), so errors carry a brand that `isChaosflowError` checks instead; the brand is
 * on the prototype, so a class can be checked without an instance.
 *
 * Pure and deterministic: this file runs in the sandbox too.
 */

const BRAND = Symbol.for('chaosflow.error');

/** The casing of every code: `INVALID_INPUT`, `SELECTOR_NO_MATCH`, `DAEMON_CALL_FAILED`. */
export const ERROR_CODE_PATTERN = /^[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)*$/;

export abstract class ChaosflowError<
  Code extends string = string,
  Context extends object = Readonly<Record<string, unknown>>,
> extends Error {
  /** Every code instances of the class may carry (checked for casing by a unit test). */
  static readonly codes: readonly string[] = [];

  constructor(
    readonly code: Code,
    message: string,
    readonly context: Context,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }

  /** The brand, on the prototype. */
  get [BRAND](): true {
    return true;
  }
}

/** Whether `err` is a chaosflow error, also across the workflow sandbox boundary. */
export function isChaosflowError(err: unknown): err is ChaosflowError {
  return typeof err === 'object' && err !== null && (err as Record<symbol, unknown>)[BRAND] === true;
}

/** Whether a class is a chaosflow error class (its prototype carries the brand). */
export function isChaosflowErrorClass(value: unknown): boolean {
  return (
    typeof value === 'function' &&
    typeof (value as { prototype?: unknown }).prototype === 'object' &&
    (value as { prototype: Record<symbol, unknown> }).prototype[BRAND] === true
  );
}

/** Whether `err` is a chaosflow error with one of `codes` (for families of codes such as the cron errors'). */
export function hasErrorCode<C extends string>(
  err: unknown,
  codes: readonly C[],
): err is ChaosflowError<C, object> {
  return isChaosflowError(err) && (codes as readonly string[]).includes(err.code);
}

/** The message of anything thrown: an Error's message, otherwise the value as text. */
export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
