/**
 * The state of one run inside the workflow: the plan, the status tree the `status` query returns, pause and
 * abort, approval gates, and the fault ledger. Everything here is replayed deterministically.
 */
import {
  type CancellationScope,
  condition,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type { Plan, PlanTemplate } from '../common/plan.js';
import type { EndReason, NodeStatus, Phase, RunStatus, TerminalPhase } from '../common/run-status.js';
import { SA_PHASE, SA_SCHEDULED_START_TIME } from '../common/search-attributes.js';
import type { RunRef } from '../activities/contract.js';
import type { Cut } from './cut.js';
import { FaultLedger } from './fault-ledger.js';

export class RunContext {
  readonly status: RunStatus;
  readonly ledger: FaultLedger;
  readonly ref: RunRef;
  /** The cut of the experiment scope: abort writes its reason here. */
  readonly rootCut: Cut = {};
  #experimentScope: CancellationScope | undefined;
  /** Approval gates waiting for a resume, by node id. */
  readonly #waitingGates = new Set<string>();
  readonly #approved = new Set<string>();
  /** Nodes whose recovery is currently failing; the run shows RecoveryFailed while any is. */
  readonly #recoveryFailing = new Set<string>();
  #phase: Phase = 'Running';
  /** Whether the phase search attribute has been written once. */
  #published = false;
  #ended = false;
  readonly #abortListeners: ((reason: string) => void)[] = [];

  constructor(
    readonly plan: Plan,
    scheduledAt: string | undefined,
  ) {
    const info = workflowInfo();
    // A tick of a Temporal Schedule carries its scheduled time as a search attribute; a Schedule node passes it.
    scheduledAt ??= info.typedSearchAttributes.get(SA_SCHEDULED_START_TIME)?.toISOString();
    this.ref = { workflowId: info.workflowId, namespace: plan.source.namespace, name: plan.source.name };
    this.status = {
      workflowId: info.workflowId,
      source: { kind: plan.source.kind, namespace: plan.source.namespace, name: plan.source.name },
      phase: 'Running',
      paused: false,
      startedAt: new Date().toISOString(),
      entry: plan.entry,
      nodes: {},
      ...(scheduledAt ? { scheduledAt } : {}),
    };
    this.ledger = new FaultLedger(this);
    this.#publishPhase();
  }

  template(name: string): PlanTemplate {
    const template = this.plan.templates[name];
    // The compiler guarantees every reference resolves; reaching this is a bug in the plan producer.
    if (!template) throw new Error(`plan has no template named '${name}'`);
    return template;
  }

  bindExperimentScope(scope: CancellationScope): void {
    this.#experimentScope = scope;
  }

  // --- nodes -------------------------------------------------------------------------------------------------

  startNode(id: string, template: PlanTemplate, parent: string | undefined): NodeStatus {
    const previous = this.status.nodes[id];
    const node: NodeStatus = {
      id,
      template: template.name,
      type: template.type,
      ...(template.type === 'Chaos' || template.type === 'Schedule'
        ? {
            kind: template.chaos.kind,
            ...(template.chaos.action ? { action: template.chaos.action } : {}),
            ...(template.chaos.remoteCluster ? { cluster: template.chaos.remoteCluster } : {}),
          }
        : {}),
      ...(parent ? { parent } : {}),
      children: [],
      phase: 'Running',
      startedAt: new Date().toISOString(),
      attempt: 1,
      errors: previous?.errors ?? [],
    };
    this.status.nodes[id] = node;
    if (parent) {
      const parentNode = this.status.nodes[parent];
      if (parentNode && !parentNode.children.includes(id)) parentNode.children.push(id);
    }
    return node;
  }

  nodeStatus(id: string): NodeStatus | undefined {
    return this.status.nodes[id];
  }

  node(id: string): NodeStatus {
    const node = this.status.nodes[id];
    if (!node) throw new Error(`no node '${id}' in the status tree`);
    return node;
  }

  endNode(id: string, phase: TerminalPhase, reason: EndReason): void {
    const node = this.node(id);
    node.phase = phase;
    node.reason = reason;
    node.endedAt = new Date().toISOString();
    delete node.awaitingApproval;
  }

  // --- pause, abort, approvals -------------------------------------------------------------------------------

  get paused(): boolean {
    return this.status.paused;
  }

  get aborted(): boolean {
    return this.rootCut.reason === 'abort';
  }

  pause(): boolean {
    if (this.status.paused || this.#ended) return false;
    this.status.paused = true;
    return true;
  }

  unpause(): boolean {
    if (!this.status.paused) return false;
    this.status.paused = false;
    return true;
  }

  /** Waits while the run is paused. Cancellable: an abort or a deadline ends the wait. */
  async whileUnpaused(): Promise<void> {
    if (this.status.paused) await condition(() => !this.status.paused);
  }

  abort(reason: string, endReason: EndReason = 'WorkflowAborted'): void {
    if (this.rootCut.reason) return;
    this.status.abortReason = reason;
    this.rootCut.reason = 'abort';
    this.rootCut.abortReason = endReason;
    this.#experimentScope?.cancel();
    for (const listener of this.#abortListeners) listener(reason);
  }

  /** Aborts the run because a stop condition fired, saying which (first abort wins). */
  stopBy(condition: string, at: string, detail: string): void {
    if (this.rootCut.reason) return;
    this.status.stoppedBy = { condition, at, detail };
    this.abort(`stop condition ${condition}: ${detail}`);
  }

  /** Called once, when the run is aborted (by a signal or a stop condition). */
  onAbort(listener: (reason: string) => void): void {
    this.#abortListeners.push(listener);
  }

  /** Waits until the gate is approved; cancellable. */
  async awaitApproval(nodeId: string): Promise<void> {
    this.#waitingGates.add(nodeId);
    this.node(nodeId).awaitingApproval = true;
    try {
      await condition(() => this.#approved.has(nodeId));
    } finally {
      this.#waitingGates.delete(nodeId);
      const node = this.status.nodes[nodeId];
      if (node) delete node.awaitingApproval;
    }
  }

  /** Approves the waiting gates (all, or the one whose node id or template name is `which`). */
  approve(which: string | undefined): string[] {
    const approved: string[] = [];
    for (const id of this.#waitingGates) {
      if (which === undefined || id === which || this.status.nodes[id]?.template === which) {
        this.#approved.add(id);
        approved.push(id);
      }
    }
    return approved;
  }

  // --- run phase ---------------------------------------------------------------------------------------------

  markRecoveryFailing(nodeId: string, failing: boolean): void {
    if (failing) this.#recoveryFailing.add(nodeId);
    else this.#recoveryFailing.delete(nodeId);
    this.#publishPhase();
  }

  end(phase: TerminalPhase): void {
    this.#ended = true;
    this.#phase = phase;
    this.status.endedAt = new Date().toISOString();
    this.#publishPhase();
  }

  #publishPhase(): void {
    const phase: Phase = this.#recoveryFailing.size > 0 ? 'RecoveryFailed' : this.#phase;
    if (phase === this.status.phase && this.#published) return;
    this.status.phase = phase;
    this.#published = true;
    upsertSearchAttributes([{ key: SA_PHASE, value: phase }]);
  }
}
