/**
 * `chaosflowTargetState`: the entity that owns one pod's merged fault state for one family (network, IO, HTTP).
 * Updates add or remove a fault's fragment; every change re-sends the pod's whole state through one activity,
 * one send at a time (changes that arrive during a send go together in the next), so concurrent faults merge and
 * unwind in any order and the last removal sends the empty state. A fragment whose apply fails for good is taken out again (the state on the pod stays what it was) and
 * the update fails with the reason. The entity ends when it has held nothing for a while, and continues as new
 * when its history grows.
 */
import {
  ApplicationFailure,
  allHandlersFinished,
  condition,
  continueAsNew,
  proxyActivities,
  patched,
  setHandler,
  workflowInfo,
  type ActivityOptions,
} from '@temporalio/workflow';
import { clusterTaskQueue } from '../common/cluster-task-queue.js';
import { mergeFragments, type FaultFragment, type TargetStateInput } from '../common/target-state.js';
import type { ApplyTargetStateInput, ChaosflowActivities } from '../activities/contract.js';
import { NON_RETRYABLE_FAILURE_TYPES, TARGET_STATE_FAILURE_TYPES } from '../common/failure-types.js';
import { describeFailure, innermostApplicationFailure } from './failure-details.js';
import {
  removeFaultUpdate,
  setFaultUpdate,
  targetStateQuery,
  type TargetStateView,
} from './target-state-messages.js';

const APPLY_OPTIONS: ActivityOptions = {
  startToCloseTimeout: '90s',
  // It heartbeats (activities/heartbeating.ts): a worker lost mid-apply is retried after 10 s, not 90 s.
  heartbeatTimeout: '10s',
  retry: {
    initialInterval: '500ms',
    maximumInterval: '5s',
    maximumAttempts: 4,
    nonRetryableErrorTypes: [...NON_RETRYABLE_FAILURE_TYPES],
  },
};
const { applyTargetState } = proxyActivities<ChaosflowActivities>(APPLY_OPTIONS);

/**
 * The apply of the entity's pod: on the pod's cluster's worker when it has one (no schedule-to-start timeout: it
 * waits for that worker), else on this workflow's queue, as every entity without a cluster always did.
 */
function applyStub(cluster: string | undefined): typeof applyTargetState {
  if (cluster === undefined) return applyTargetState;
  const taskQueue = clusterTaskQueue(workflowInfo().taskQueue, cluster);
  return proxyActivities<ChaosflowActivities>({ ...APPLY_OPTIONS, taskQueue }).applyTargetState;
}

/** Marks histories whose changes are sent in groups (`grouped` below); older ones replay `oneAtATime`. */
export const COALESCED_APPLIES_PATCH = 'target-state-coalesced-applies';

/** A change to the fragments; returns its undo, or undefined when it changed nothing. */
type Change = () => (() => void) | undefined;

/** How long an empty entity waits for another fault before it ends. */
const IDLE_MS = 30_000;

export async function chaosflowTargetState(input: TargetStateInput): Promise<void> {
  const fragments = new Map<string, FaultFragment>(input.fragments ?? []);
  let daemonState = input.daemonState;
  let applies = 0;
  let lastError: string | undefined;
  let warning: string | undefined;
  let agentWarnings: string[] | undefined;
  /** Changes queued or being sent. */
  let pending = 0;
  /** The lists not empty at the last successful send; undefined before one, and after a failed send. */
  let appliedLists: string[] | undefined;
  const apply = applyStub(input.cluster);

  const view = (): TargetStateView => ({
    faults: [...fragments.keys()],
    applies,
    ...(lastError ? { lastError } : {}),
    ...(warning ? { warning } : {}),
    ...(agentWarnings?.length ? { agentWarnings } : {}),
  });

  /** Sends the merged state of every fragment held now; returns the view, or throws the failure to report. */
  const send = async (): Promise<TargetStateView> => {
    // Every fragment of this entity is of its family (the entity's id is keyed by it), so the merge is too.
    const lists = mergeFragments(fragments.values());
    const state = {
      family: input.family,
      endpoint: input.endpoint,
      target: input.target,
      lists,
      ...(daemonState ? { daemonState } : {}),
      ...(appliedLists ? { appliedLists } : {}),
    } as ApplyTargetStateInput;
    try {
      const result = await apply(state);
      appliedLists = Object.entries(lists as Record<string, readonly unknown[]>)
        .filter(([, items]) => items.length > 0)
        .map(([name]) => name);
      applies += 1;
      daemonState = result.daemonState ?? daemonState;
      warning = result.warning;
      agentWarnings = result.agentWarnings;
      lastError = undefined;
      return view();
    } catch (err) {
      appliedLists = undefined;
      lastError = describeFailure(err);
      // The caller (an inject or recover activity) retries a transient failure and reports a permanent one.
      const permanent = innermostApplicationFailure(err)?.nonRetryable === true;
      throw ApplicationFailure.create({
        type: permanent ? TARGET_STATE_FAILURE_TYPES.REFUSED : TARGET_STATE_FAILURE_TYPES.UNAVAILABLE,
        message: lastError,
        nonRetryable: true,
      });
    }
  };

  /** Runs `change` and sends the resulting state, one change at a time in arrival order; undoes a change whose
   * state could not be sent. (Histories from before coalescing.) */
  let queue: Promise<unknown> = Promise.resolve();
  const oneAtATime = (change: Change): Promise<TargetStateView> => {
    pending += 1;
    const turn = queue.then(async () => {
      const undo = change();
      try {
        return await send();
      } catch (err) {
        undo?.();
        throw err;
      } finally {
        pending -= 1;
      }
    });
    queue = turn.catch(() => undefined);
    return turn;
  };

  /**
   * Group commit: the changes that arrive while a state is being sent wait, and the next send carries all of
   * them at once (five runs recovering on one pod cost one or two applies, not five). When a batch is refused,
   * each of its changes is tried alone, so only the fragment at fault is taken out and fails; a transient
   * failure fails the whole batch (each caller retries), since no one fragment caused it.
   */
  type Settled = { view: TargetStateView } | { failure: unknown };
  const waiting: { change: Change; settle: (settled: Settled) => void }[] = [];
  let draining = false;
  const sendSettled = async (): Promise<Settled> => {
    try {
      return { view: await send() };
    } catch (failure) {
      return { failure };
    }
  };
  const drain = async (): Promise<void> => {
    draining = true;
    while (waiting.length > 0) {
      const batch = waiting.splice(0);
      const undos = batch.map(({ change }) => change());
      // A batch that changed nothing (removals of keys already gone) has nothing to send.
      const settled = undos.some((undo) => undo !== undefined) ? await sendSettled() : { view: view() };
      const refused =
        'failure' in settled &&
        settled.failure instanceof ApplicationFailure &&
        settled.failure.type === TARGET_STATE_FAILURE_TYPES.REFUSED;
      if ('failure' in settled) for (const undo of undos.reverse()) undo?.();
      if (batch.length === 1 || !refused) {
        for (const { settle } of batch) settle(settled);
      } else {
        for (const { change, settle } of batch) {
          const undo = change();
          const alone = undo ? await sendSettled() : { view: view() };
          if ('failure' in alone) undo?.();
          settle(alone);
        }
      }
      pending -= batch.length;
    }
    draining = false;
  };
  const grouped = (change: Change): Promise<TargetStateView> => {
    pending += 1;
    const turn = new Promise<Settled>((settle) => waiting.push({ change, settle }));
    if (!draining) void drain();
    return turn.then((settled) => {
      if ('failure' in settled) throw settled.failure;
      return settled.view;
    });
  };
  const grouping = patched(COALESCED_APPLIES_PATCH);
  const exclusive = grouping ? grouped : oneAtATime;

  setHandler(targetStateQuery, view);
  setHandler(setFaultUpdate, ({ key, fragment }) =>
    exclusive(() => {
      const previous = fragments.get(key);
      fragments.set(key, fragment);
      return () => (previous ? fragments.set(key, previous) : fragments.delete(key));
    }),
  );
  setHandler(removeFaultUpdate, async ({ key }) => {
    // Grouped: the removal waits its turn even when the key is not held yet, since its set may still be queued
    // (an inject cut short by a terminate, whose janitor recovers at once): returning early let that set land
    // after the removal and left the fault in the entity, re-sent with every later change on the pod.
    if (!grouping && !fragments.has(key)) return view();
    // A failed removal keeps the fragment, so a retried recover sends the removal again.
    return exclusive(() => {
      // Not held (any more) at its turn: nothing to change.
      if (!fragments.has(key)) return grouping ? undefined : () => undefined;
      const previous = fragments.get(key)!;
      fragments.delete(key);
      return () => fragments.set(key, previous);
    });
  });

  for (;;) {
    const woke = await condition(() => pending > 0 || fragments.size > 0, IDLE_MS);
    if (!woke && allHandlersFinished()) return;
    // Something is held or being changed: wait until the pod is clean again, or history asks for a fresh run.
    await condition(
      () =>
        pending === 0 &&
        allHandlersFinished() &&
        (fragments.size === 0 || workflowInfo().continueAsNewSuggested),
    );
    if (fragments.size > 0) {
      await continueAsNew<typeof chaosflowTargetState>({
        ...input,
        fragments: [...fragments],
        ...(daemonState ? { daemonState } : {}),
      });
    }
  }
}
