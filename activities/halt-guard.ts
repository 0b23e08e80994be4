/**
 * Every inject asks first whether chaosflow is halted (`chaosflow halt`), and is refused with the halt's reason
 * if so: a run that was starting when the halt came, or a schedule tick that slipped through, injects nothing.
 * The answer is kept for a second, so a burst of injects costs one read of the halt mark.
 */
import type { Client } from '@temporalio/client';
import { readHalt } from '../client/halt.js';
import { haltedMessage, type HaltState } from '../common/halt.js';
import { ActivityError } from './errors.js';

const FRESH_MS = 1_000;

export function createHaltGuard(client: Client): () => Promise<void> {
  let known: { at: number; halt: HaltState | undefined } | undefined;
  return async () => {
    if (!known || Date.now() - known.at > FRESH_MS) known = { at: Date.now(), halt: await readHalt(client) };
    if (known.halt) throw new ActivityError('HALTED', haltedMessage(known.halt));
  };
}
