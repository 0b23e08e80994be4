import { Client, Connection } from '@temporalio/client';
import { ChaosflowError, errorMessage } from '../common/errors/chaosflow-error.js';
import type { TemporalConfig } from './temporal-config.js';

/** A Temporal client, with a clear error when the server cannot be reached. */
export async function connectClient(config: TemporalConfig): Promise<Client> {
  const { address, tls, apiKey, metadata } = config.connection;
  let connection: Connection;
  try {
    connection = await Connection.connect({
      address,
      connectTimeout: 5_000,
      ...(tls === undefined || tls === null ? {} : { tls }),
      ...(apiKey ? { apiKey: apiKey } : {}),
      ...(metadata ? { metadata } : {}),
    });
  } catch (err) {
    throw new TemporalUnavailableError(address, err);
  }
  return new Client({ connection, namespace: config.namespace });
}

export class TemporalUnavailableError extends ChaosflowError<
  'TEMPORAL_UNAVAILABLE',
  { readonly address: string }
> {
  static override readonly codes: readonly string[] = ['TEMPORAL_UNAVAILABLE'];
  override readonly name = 'TemporalUnavailableError';
  constructor(address: string, cause: unknown) {
    super(
      'TEMPORAL_UNAVAILABLE',
      `cannot reach Temporal at ${address} (${errorMessage(cause)}); ` +
        'start the embedded stack with `chaosflow dev`, or point TEMPORAL_ADDRESS / --address at your server',
      { address },
      { cause },
    );
  }
}
