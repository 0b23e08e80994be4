import { ChaosflowError } from '../common/errors/chaosflow-error.js';

/** The metrics endpoint could not be served (its address is taken or not this host's). */
export class TelemetryError extends ChaosflowError<'METRICS_UNAVAILABLE', { readonly address: string }> {
  static override readonly codes: readonly string[] = ['METRICS_UNAVAILABLE'];
  override readonly name = 'TelemetryError';
  constructor(message: string, context: { readonly address: string }, options?: { cause?: unknown }) {
    super('METRICS_UNAVAILABLE', message, context, options);
  }
}
