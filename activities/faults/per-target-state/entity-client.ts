/**
 * How fault drivers reach the per-target entity workflows (`chaosflowTargetState`) that own a pod's merged
 * network/IO/HTTP state: add a fault's fragment (starting the entity if needed, update-with-start) and remove it.
 * Both return once the daemon has the new state.
 */
import { errorMessage } from '../../../common/errors/chaosflow-error.js';
import {
  WithStartWorkflowOperation,
  WorkflowNotFoundError,
  WorkflowUpdateFailedError,
  type Client,
} from '@temporalio/client';
import { TARGET_STATE_FAILURE_TYPES } from '../../../common/failure-types.js';
import type { Target } from '../../../common/target.js';
import {
  TARGET_STATE_WORKFLOW_TYPE,
  targetStateWorkflowId,
  type FaultFamily,
  type FaultFragment,
  type TargetStateInput,
} from '../../../common/target-state.js';
import {
  removeFaultUpdate,
  setFaultUpdate,
  type TargetStateView,
} from '../../../workflows/target-state-messages.js';
import type { chaosflowTargetState } from '../../../workflows/target-state-workflow.js';
import { ActivityError } from '../../errors.js';

export interface TargetStateClient {
  set<F extends FaultFamily>(
    family: F,
    endpoint: string,
    target: Target,
    key: string,
    fragment: FaultFragment<F>,
  ): Promise<TargetStateView>;
  /** Resolves also when the entity does not exist (nothing is held). */
  remove(family: FaultFamily, target: Target, key: string): Promise<TargetStateView | undefined>;
}

/**
 * `taskQueue` is the control plane's (the entities run there); `cluster` is this worker's cluster, if any: the
 * pods it reaches have entities of their own, whose applies come back to this cluster's worker.
 */
export function createTargetStateClient(
  client: Client,
  taskQueue: string,
  cluster?: string,
): TargetStateClient {
  return {
    async set(family, endpoint, target, key, fragment) {
      const input: TargetStateInput = { family, endpoint, target, ...(cluster ? { cluster } : {}) };
      const start = new WithStartWorkflowOperation<typeof chaosflowTargetState>(TARGET_STATE_WORKFLOW_TYPE, {
        workflowId: targetStateWorkflowId(family, target, cluster),
        taskQueue,
        workflowIdConflictPolicy: 'USE_EXISTING',
        args: [input],
      });
      try {
        return await client.workflow.executeUpdateWithStart(setFaultUpdate, {
          args: [{ key, fragment }],
          startWorkflowOperation: start,
        });
      } catch (err) {
        throw asActivityError(err, `inject on ${target.key}`);
      }
    },
    async remove(family, target, key) {
      const handle = client.workflow.getHandle(targetStateWorkflowId(family, target, cluster));
      try {
        return await handle.executeUpdate(removeFaultUpdate, { args: [{ key }] });
      } catch (err) {
        if (err instanceof WorkflowNotFoundError) return undefined;
        throw asActivityError(err, `recover on ${target.key}`);
      }
    },
  };
}

/** An apply the entity refused for good is permanent; anything else (a closing entity, the server) is retried. */
function asActivityError(err: unknown, what: string): ActivityError {
  if (err instanceof WorkflowUpdateFailedError) {
    const cause = err.cause as { type?: string; message?: string } | undefined;
    const code = cause?.type === TARGET_STATE_FAILURE_TYPES.REFUSED ? 'INVALID_INPUT' : 'UNAVAILABLE';
    return new ActivityError(code, `${what}: ${cause?.message ?? err.message}`, { cause: err });
  }
  return new ActivityError('UNAVAILABLE', `${what}: ${errorMessage(err)}`, {
    cause: err,
  });
}
