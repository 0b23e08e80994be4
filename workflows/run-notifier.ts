/**
 * The run's webhooks: each event goes to every notification that wants it, one `notify` activity per delivery,
 * chained per webhook so that a receiver sees the events in the order they happened. Deliveries run beside the
 * run in non-cancellable scopes and nothing waits for them except the end of the run, for at most
 * `DRAIN_BOUND_MS`: a slow or hanging receiver never delays an inject or a recovery.
 */
import { CancellationScope, sleep, workflowInfo } from '@temporalio/workflow';
import { errorMessage } from '../common/errors/chaosflow-error.js';
import type { RunEvent } from '../common/plan.js';
import type { RunEventNotice } from '../common/run-event.js';
import { notifyStub } from './activity-stubs.js';
import type { RunContext } from './run-context.js';

/** How long the end of a run waits for deliveries still going (a hanging receiver's retries). */
export const DRAIN_BOUND_MS = 60_000;

export class RunNotifier {
  /** The last delivery of each webhook, by notification name. */
  readonly #tails = new Map<string, Promise<void>>();
  readonly #sent = new Set<RunEvent>();

  constructor(private readonly run: RunContext) {}

  /** Sends the event once (a second call for the same event does nothing). */
  send(event: RunEvent, detail: string): void {
    const notifications = this.run.plan.notifications ?? [];
    if (this.#sent.has(event) || notifications.length === 0) return;
    this.#sent.add(event);
    const notice = this.#notice(event, detail);
    for (const notification of notifications) {
      if (!notification.events.includes(event)) continue;
      const { notify } = notifyStub(notification);
      const previous = this.#tails.get(notification.name) ?? Promise.resolve();
      const delivery = previous.then(() =>
        CancellationScope.nonCancellable(() => notify({ notification, notice })).then(
          () => this.#record(notification.name, event, true),
          (err: unknown) => this.#record(notification.name, event, false, errorMessage(err)),
        ),
      );
      this.#tails.set(notification.name, delivery);
    }
  }

  has(event: RunEvent): boolean {
    return this.#sent.has(event);
  }

  /** Waits for the deliveries still going, at most `DRAIN_BOUND_MS`; what is left is abandoned (and recorded). */
  async drain(): Promise<void> {
    if (this.#tails.size === 0) return;
    let done = false;
    const all = Promise.all(this.#tails.values()).then(() => {
      done = true;
    });
    await CancellationScope.nonCancellable(() => Promise.race([all, sleep(DRAIN_BOUND_MS)]));
    if (!done) {
      this.run.status.notifications ??= [];
      this.run.status.notifications.push({
        notification: '*',
        event: 'Finished',
        at: new Date().toISOString(),
        ok: false,
        error: `deliveries still going after ${DRAIN_BOUND_MS / 1000} s were abandoned`,
      });
    }
  }

  #record(notification: string, event: RunEvent, ok: boolean, error?: string): void {
    this.run.status.notifications ??= [];
    this.run.status.notifications.push({
      notification,
      event,
      at: new Date().toISOString(),
      ok,
      ...(error === undefined ? {} : { error }),
    });
  }

  #notice(event: RunEvent, detail: string): RunEventNotice {
    const { source } = this.run.plan;
    const entries = this.run.ledger.entries();
    const { stoppedBy } = this.run.status;
    return {
      event,
      at: new Date().toISOString(),
      run: {
        workflowId: this.run.status.workflowId,
        runId: workflowInfo().runId,
        kind: source.kind,
        namespace: source.namespace,
        name: source.name,
      },
      phase: this.run.status.phase,
      detail,
      faults: {
        injected: entries.filter((e) => e.injectedAt !== undefined).length,
        recovered: entries.filter((e) => e.state === 'Recovered').length,
      },
      ...(stoppedBy ? { stoppedBy } : {}),
    };
  }
}
