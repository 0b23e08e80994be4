/**
 * The janitor's scan: every `intervalMs` the worker lists chaosflow runs that closed Terminated or TimedOut
 * within `lookbackMs` and starts one `chaosflowJanitor` for each, under an id derived from the orphan's Temporal
 * run id with duplicates rejected, so each orphan is recovered once however many workers scan and however often.
 * The scan keeps nothing durable itself: a worker that dies mid-scan loses nothing, the next scan (here or on
 * another worker) finds the same orphans, and a janitor once started is a workflow Temporal carries through.
 */
import { WorkflowExecutionAlreadyStartedError, type Client } from '@temporalio/client';
import type { Logger } from 'pino';
import { errorMessage } from '../common/errors/chaosflow-error.js';
import {
  JANITOR_WORKFLOW_TYPE,
  janitorWorkflowId,
  orphanCloseStatus,
  type OrphanRef,
} from '../common/orphan-recovery.js';
import { RUN_WORKFLOW_TYPE } from '../common/run-input.js';
import { SA_ORPHAN, SA_PHASE } from '../common/search-attributes.js';

export interface JanitorScanOptions {
  client: Client;
  taskQueue: string;
  intervalMs: number;
  /** How far back closed runs are looked at. Default one day. */
  lookbackMs?: number;
  logger: Logger;
}

export interface JanitorScan {
  /** One pass now; resolves with the janitors it started. */
  scanOnce(): Promise<string[]>;
  stop(): Promise<void>;
}

export function startJanitorScan(options: JanitorScanOptions): JanitorScan {
  const { client, taskQueue, logger } = options;
  const lookbackMs = options.lookbackMs ?? 24 * 3600_000;
  /** Orphans already handed to a janitor (by this worker or another): not asked again. */
  const handled = new Set<string>();
  let stopped = false;
  let pass: Promise<unknown> = Promise.resolve();
  let timer: NodeJS.Timeout | undefined;

  async function scanOnce(): Promise<string[]> {
    const since = new Date(Date.now() - lookbackMs).toISOString();
    const query =
      `WorkflowType = '${RUN_WORKFLOW_TYPE}' AND ` +
      `(ExecutionStatus = 'Terminated' OR ExecutionStatus = 'TimedOut') AND CloseTime > '${since}'`;
    const started: string[] = [];
    for await (const run of client.workflow.list({ query })) {
      if (stopped) break;
      const closedAs = orphanCloseStatus(run.status.name);
      if (!closedAs || handled.has(run.runId)) continue;
      const orphan: OrphanRef = {
        workflowId: run.workflowId,
        runId: run.runId,
        closedAs,
        closedAt: (run.closeTime ?? new Date()).toISOString(),
      };
      const workflowId = janitorWorkflowId(run.runId);
      try {
        await client.workflow.start(JANITOR_WORKFLOW_TYPE, {
          taskQueue,
          workflowId,
          workflowIdReusePolicy: 'REJECT_DUPLICATE',
          args: [orphan],
          typedSearchAttributes: [
            { key: SA_PHASE, value: 'Orphaned' },
            { key: SA_ORPHAN, value: run.workflowId },
          ],
          staticSummary: `janitor: recover what ${run.workflowId} left injected (${closedAs})`,
        });
        started.push(workflowId);
        logger.warn(
          { orphan, janitor: workflowId },
          `run ${run.workflowId} closed ${closedAs}: janitor started`,
        );
      } catch (err) {
        if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
      }
      handled.add(run.runId);
    }
    return started;
  }

  const tick = () => {
    pass = scanOnce()
      .catch((err: unknown) => logger.warn({ err: errorMessage(err) }, 'janitor scan failed; trying again'))
      .finally(() => {
        if (!stopped) timer = setTimeout(tick, options.intervalMs);
      });
  };
  if (options.intervalMs > 0) tick();

  return {
    scanOnce,
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await pass;
    },
  };
}
