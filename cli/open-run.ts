/** Connects to Temporal and finds the run a command names; turns lookup failures into CLI errors. */
import { errorMessage } from '../common/errors/chaosflow-error.js';
import type { Client } from '@temporalio/client';
import type { RunHandle } from '../client/start-run.js';
import type { TemporalFlags } from '../client/temporal-config.js';
import { CliError } from './cli-error.js';
import { temporalConfig } from './config.js';
import { EXIT } from './exit-codes.js';

export async function openClient(flags: TemporalFlags): Promise<Client> {
  const { connectClient } = await import('../client/connect.js');
  try {
    return await connectClient(temporalConfig(flags));
  } catch (err) {
    throw new CliError(errorMessage(err), EXIT.unavailable);
  }
}

export async function openRun(ref: string, flags: TemporalFlags): Promise<RunHandle> {
  const client = await openClient(flags);
  const { resolveRun } = await import('../client/runs.js');
  try {
    return await resolveRun(client, ref);
  } catch (err) {
    throw new CliError(errorMessage(err));
  }
}
