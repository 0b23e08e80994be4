/**
 * `chaosflowHalt`: the marker of a halt. It does nothing but exist: while it runs, chaosflow is halted
 * (`common/halt.ts`); `chaosflow unhalt` ends it. Its state is in its input and memo, readable without a worker.
 */
import { condition, defineQuery, setHandler } from '@temporalio/workflow';
import type { HaltState } from '../common/halt.js';

export const haltStateQuery = defineQuery<HaltState>('haltState');

export async function chaosflowHalt(state: HaltState): Promise<void> {
  setHandler(haltStateQuery, () => state);
  // Ended from outside (terminated by `unhalt`), never from inside.
  await condition(() => false);
}
