/**
 * The probes attached to a chaos node, run at the moments of their mode (LitmusChaos's): SOT before the inject,
 * EOT after the recover, Edge both, Continuous every interval from the node's start until after the recover,
 * OnChaos every interval while the fault is held. A failed probe (after its retries) fails the node once the
 * fault is recovered; one with `stopOnFailure` also ends the hold at once. Every result is kept on the node
 * (`probeResults`, newest last, bounded), with its time, value and verdict.
 */
import { CancellationScope, condition, isCancellation, sleep } from '@temporalio/workflow';
import type { PlanChaosProbe, ProbeMode } from '../common/plan.js';
import type { NodeStatus, ProbeRecord } from '../common/run-status.js';
import { probeStub } from './activity-stubs.js';
import { probeActivitySummary } from './activity-summaries.js';

/** Results kept per probe. */
export const PROBE_RESULTS_KEPT = 100;

type Phase = 'before' | 'after';

const AT: Record<Phase, ReadonlySet<ProbeMode>> = {
  before: new Set(['SOT', 'Edge']),
  after: new Set(['EOT', 'Edge']),
};

export class ChaosProbes {
  readonly #failures: string[] = [];
  #stop: string | undefined;
  readonly #loops: { mode: ProbeMode; scope: CancellationScope; done: Promise<void> }[] = [];

  constructor(
    private readonly probes: readonly PlanChaosProbe[],
    private readonly node: NodeStatus,
    private readonly namespace: string,
  ) {
    node.probeResults = Object.fromEntries(probes.map((p) => [p.name, []]));
  }

  /** Why the node fails, once every probe has had its say; undefined when all passed. */
  get failure(): string | undefined {
    return this.#failures.length > 0 ? this.#failures.join('; ') : undefined;
  }

  /** Set when a probe with `stopOnFailure` failed: the fault's hold ends at once. */
  get stopReason(): string | undefined {
    return this.#stop;
  }

  /** Resolves when a `stopOnFailure` probe has failed (never otherwise). */
  stopped(): Promise<void> {
    return condition(() => this.#stop !== undefined);
  }

  /** SOT and Edge probes, one after another. */
  async before(): Promise<void> {
    for (const probe of this.probes.filter((p) => AT.before.has(p.mode))) await this.#probe(probe);
  }

  /** EOT and Edge probes, after the recover. */
  async after(): Promise<void> {
    for (const probe of this.probes.filter((p) => AT.after.has(p.mode))) await this.#probe(probe);
  }

  /** Starts the loops of the probes of `mode` (Continuous at the node's start, OnChaos once injected). */
  startLoops(mode: 'Continuous' | 'OnChaos'): void {
    for (const probe of this.probes.filter((p) => p.mode === mode)) {
      const scope = new CancellationScope();
      const done = scope
        .run(async () => {
          for (;;) {
            await sleep(probe.intervalSeconds * 1000);
            await this.#probe(probe);
          }
        })
        .catch((err: unknown) => {
          if (!isCancellation(err)) throw err;
        });
      this.#loops.push({ mode, scope, done });
    }
  }

  /** Stops the loops of `mode` and waits for them to end. */
  async stopLoops(mode: 'Continuous' | 'OnChaos'): Promise<void> {
    const stopping = this.#loops.filter((l) => l.mode === mode);
    for (const loop of stopping) loop.scope.cancel();
    await Promise.all(stopping.map((l) => l.done));
  }

  /** One probe, with its retries; records every attempt. */
  async #probe(probe: PlanChaosProbe): Promise<void> {
    const { runProbe } = probeStub(probe.timeoutSeconds);
    let record: ProbeRecord | undefined;
    for (let attempt = 0; attempt <= probe.retries; attempt++) {
      record = {
        ...(await runProbe.executeWithOptions({ summary: probeActivitySummary(probe.name, probe) }, [
          { probe, timeoutSeconds: probe.timeoutSeconds, namespace: this.namespace },
        ])),
        probe: probe.name,
      };
      this.#keep(probe.name, record);
      if (record.outcome === 'Success') return;
    }
    const why = `probe ${probe.name} (${probe.mode}) failed: ${record?.detail ?? 'no result'}`;
    this.#failures.push(why);
    if (probe.stopOnFailure) this.#stop ??= why;
  }

  #keep(name: string, record: ProbeRecord): void {
    const results = (this.node.probeResults ??= {});
    const list = (results[name] ??= []);
    list.push(record);
    if (list.length > PROBE_RESULTS_KEPT) list.splice(0, list.length - PROBE_RESULTS_KEPT);
  }
}
