/**
 * Runs one node of the plan: status bookkeeping, the node's deadline, retries, and turning however it ended —
 * normally, failed, cut by a deadline, an abort, a failed sibling or workflow cancellation — into a terminal
 * phase. Node bodies (one file per template type under `nodes/`) only do their own work.
 */
import { CancellationScope, condition, isCancellation, sleep } from '@temporalio/workflow';
import type { PlanTemplate, TemplateType } from '../common/plan.js';
import type { EndReason, TerminalPhase } from '../common/run-status.js';
import { childCut, findCut, type Cut } from './cut.js';
import { describeFailure } from './failure-details.js';
import type { RunContext } from './run-context.js';

/** What a node body reports when it returns normally. */
export interface BodyOutcome {
  phase: TerminalPhase;
  reason?: EndReason;
  error?: string;
  /**
   * The body ended on its own deadline and then finished its work (a chaos node's EOT probes): its outcome
   * stands instead of the deadline's.
   */
  afterOwnDeadline?: boolean;
}

export interface NodeEnv<T extends PlanTemplate = PlanTemplate> {
  run: RunContext;
  id: string;
  template: T;
  cut: Cut;
  /** Runs a child node inside this node's scope. `cut` defaults to this node's. */
  runChild: (templateName: string, childId: string, cut?: Cut) => Promise<TerminalPhase>;
}

export type NodeBody<T extends PlanTemplate = PlanTemplate> = (env: NodeEnv<T>) => Promise<BodyOutcome>;

export type NodeBodies = { [K in TemplateType]: NodeBody<Extract<PlanTemplate, { type: K }>> };

/**
 * Waits until the node's scope is cut — for nodes whose deadline is their normal end. A zero deadline ends at
 * once (a zero-length fault is injected and recovered straight away).
 */
export async function holdUntilDeadline(template: PlanTemplate): Promise<void> {
  if (template.deadlineMs !== 0) await condition(() => false);
}

/** Types whose own deadline is their normal end (Chaos Mesh: they never finish any other way). */
const ENDS_AT_DEADLINE: ReadonlySet<TemplateType> = new Set(['Chaos', 'Suspend', 'Schedule']);

export class NodeRunner {
  constructor(
    private readonly run: RunContext,
    private readonly bodies: NodeBodies,
  ) {}

  async runNode(
    templateName: string,
    id: string,
    parent: string | undefined,
    parentCut: Cut,
  ): Promise<TerminalPhase> {
    const template = this.run.template(templateName);
    const node = this.run.startNode(id, template, parent);
    const retry = template.retry;
    for (let attempt = 1; ; attempt++) {
      node.attempt = attempt;
      const outcome = await this.#attempt(template, id, parentCut);
      if (outcome.error) node.errors.push(outcome.error);
      const again =
        outcome.phase === 'Failed' &&
        retry !== undefined &&
        attempt <= retry.limit &&
        !findCut(parentCut).reason;
      if (!again) {
        this.run.endNode(id, outcome.phase, outcome.reason ?? 'NodeAccomplished');
        return outcome.phase;
      }
      const delay = Math.min(
        retry.backoff.initialMs * retry.backoff.factor ** (attempt - 1),
        retry.backoff.maxMs ?? Number.POSITIVE_INFINITY,
      );
      try {
        await sleep(delay);
        await this.run.whileUnpaused();
      } catch (err) {
        if (!isCancellation(err)) throw err;
        const phase = cutOutcome(template.type, parentCut, false);
        this.run.endNode(id, phase.phase, phase.reason ?? 'NodeAccomplished');
        return phase.phase;
      }
      node.phase = 'Running';
    }
  }

  async #attempt(template: PlanTemplate, id: string, parentCut: Cut): Promise<BodyOutcome> {
    const cut = childCut(parentCut);
    const scope = new CancellationScope();
    const timerScope = new CancellationScope();
    const deadlineMs = template.deadlineMs;
    if (deadlineMs !== undefined && deadlineMs > 0) {
      const node = this.run.node(id);
      node.deadlineAt = new Date(Date.now() + deadlineMs).toISOString();
      // The deadline timer lives outside the node's scope so that cutting the node does not cancel it first;
      // a paused run keeps its held faults past their deadline until it is resumed (or aborted).
      void timerScope
        .run(async () => {
          await sleep(deadlineMs);
          await this.run.whileUnpaused();
          cut.reason ??= 'deadline';
          scope.cancel();
        })
        .catch(() => undefined);
    }
    try {
      return await scope.run(async () => {
        await this.run.whileUnpaused();
        const body = this.bodies[template.type] as NodeBody;
        const outcome = await body({
          run: this.run,
          id,
          template,
          cut,
          runChild: (name, childId, childParentCut) => this.runNode(name, childId, id, childParentCut ?? cut),
        });
        // A body may return after its scope was cut (children swallow their cancellation): the cut wins.
        return scope.consideredCancelled && !outcome.afterOwnDeadline
          ? cutOutcome(template.type, cut, isApprovalGate(template))
          : outcome;
      });
    } catch (err) {
      if (isCancellation(err) || scope.consideredCancelled) {
        return cutOutcome(template.type, cut, isApprovalGate(template));
      }
      return { phase: 'Failed', reason: 'Error', error: describeFailure(err) };
    } finally {
      timerScope.cancel();
    }
  }
}

function isApprovalGate(template: PlanTemplate): boolean {
  return template.type === 'Suspend' && template.approval;
}

/** The phase of a node that was cut, from the nearest reason on its chain. */
function cutOutcome(type: TemplateType, cut: Cut, approvalGate: boolean): BodyOutcome {
  const found = findCut(cut);
  switch (found.reason) {
    case 'deadline':
      if (!found.own) return { phase: 'DeadlineExceeded', reason: 'ParentNodeDeadlineExceed' };
      if (approvalGate) {
        return {
          phase: 'Failed',
          reason: 'ApprovalTimedOut',
          error: 'no approval (resume) before the deadline',
        };
      }
      return ENDS_AT_DEADLINE.has(type)
        ? { phase: 'Succeeded', reason: 'NodeAccomplished' }
        : { phase: 'DeadlineExceeded', reason: 'NodeDeadlineExceed' };
    case 'abort':
      return { phase: 'Aborted', reason: found.cut?.abortReason ?? 'WorkflowAborted' };
    case 'sibling-failed':
      return { phase: 'Aborted', reason: 'SiblingFailed' };
    case undefined:
      return { phase: 'Aborted', reason: 'WorkflowCancelled' };
  }
}
