/**
 * What every `chaosflow schedule` subcommand shares: its streams (so tests can call an action directly), a
 * Temporal client that is closed when the action ends, and the mapping of schedule errors to exit codes.
 */
import type { Client } from '@temporalio/client';
import type { TemporalFlags } from '../../../client/temporal-config.js';
import type { ScheduleErrorCode } from '../../../client/schedules/schedule-errors.js';
import { CliError } from '../../cli-error.js';
import { temporalConfig } from '../../config.js';
import { EXIT } from '../../exit-codes.js';
import { openClient } from '../../open-run.js';
import type { OutputFormat } from '../../output/output-format.js';

export interface CommandIo {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
}

export const processIo: CommandIo = {
  stdout: (t) => process.stdout.write(t),
  stderr: (t) => process.stderr.write(t),
};

export interface ScheduleFlags extends TemporalFlags {
  output?: OutputFormat;
}

const EXIT_OF: Readonly<Record<ScheduleErrorCode, number>> = {
  SCHEDULE_SPEC_REJECTED: EXIT.failed,
  SCHEDULE_BAD_REF: EXIT.usage,
  SCHEDULE_NOT_FOUND: EXIT.failed,
  SCHEDULE_BAD_TIME: EXIT.usage,
  SCHEDULE_TEMPORAL_ERROR: EXIT.unavailable,
};

/** Runs `body` with a client of the configured Temporal; returns its exit code. */
export async function withScheduleClient(
  flags: TemporalFlags,
  body: (client: Client, taskQueue: string) => Promise<number>,
): Promise<number> {
  const client = await openClient(flags);
  try {
    return await body(client, temporalConfig(flags).taskQueue);
  } catch (err) {
    const { isScheduleError } = await import('../../../client/schedules/schedule-errors.js');
    if (isScheduleError(err)) throw new CliError(err.message, EXIT_OF[err.code], { cause: err });
    throw err;
  } finally {
    await client.connection.close().catch(() => undefined);
  }
}
