/**
 * What a run tells its webhooks of one of its events (`RUN_EVENTS`): the JSON body of a `JSON` notification, and
 * the facts the Slack text is written from. Wire API: fields are only ever added.
 */
import type { ChaosKind } from './chaos-kinds.js';
import type { RunEvent } from './plan.js';
import type { Phase, RunStatus } from './run-status.js';

export interface RunEventNotice {
  event: RunEvent;
  at: string;
  run: {
    workflowId: string;
    runId: string;
    kind: 'Workflow' | ChaosKind;
    namespace: string;
    name: string;
  };
  /** The run's phase when the event happened. */
  phase: Phase;
  /** One sentence: why it was aborted, what failed, how many faults were recovered. */
  detail: string;
  /** Faults injected and recovered so far (targets). */
  faults: { injected: number; recovered: number };
  stoppedBy?: RunStatus['stoppedBy'];
}
