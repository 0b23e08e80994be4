import { CancellationScope } from '@temporalio/workflow';
import type { SerialTemplate } from '../../common/plan.js';
import type { NodeBody } from '../node-runner.js';
import { childIds } from './child-ids.js';

/**
 * Children one at a time, in order. A Failed child stops the Serial (and fails it); a child cut by its own
 * deadline is a normal end in Chaos Mesh, so the next child starts.
 */
export const runSerial: NodeBody<SerialTemplate> = async ({ id, template, runChild }) => {
  const ids = childIds(id, template.children);
  for (const [i, name] of template.children.entries()) {
    // Cut (deadline, abort): the children already started have ended; start no more.
    if (CancellationScope.current().consideredCancelled) break;
    const phase = await runChild(name, ids[i]!);
    if (phase === 'Failed' || phase === 'RecoveryFailed') {
      return { phase: 'Failed', reason: 'Error', error: `child '${name}' ${phase}` };
    }
  }
  return { phase: 'Succeeded' };
};
