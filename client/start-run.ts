/**
 * Starting a run from outside the worker (CLI, controller): the workflow id convention, the search attributes
 * that make it findable, and a memo and user metadata (summary, node tree) that make it readable in the Temporal UI.
 */
import type { Client, WorkflowHandle } from '@temporalio/client';
import type { Plan } from '../common/plan.js';
import { RUN_WORKFLOW_TYPE, type RunInput } from '../common/run-input.js';
import { runDetails, runSummary } from '../common/run-summary.js';
import { SA_KIND, SA_NAME, SA_NAMESPACE, SA_PHASE } from '../common/search-attributes.js';
import type { chaosflowRun } from '../workflows/run-workflow.js';
import { refuseIfHalted } from './halt.js';

export type RunHandle = WorkflowHandle<typeof chaosflowRun>;

export interface StartRunOptions {
  plan: Plan;
  taskQueue: string;
  /** Default: `chaosflow/<namespace>/<name>/<UTC time>-<random>`. */
  workflowId?: string;
  /** The manifest as written, kept in the memo when small (the UI shows it). */
  manifest?: string;
}

/** Memo values warn at 2 KB on the server; the manifest is kept only up to this size. */
const MANIFEST_MEMO_LIMIT = 16 * 1024;

/** Refused with `HaltedError` while chaosflow is halted (`chaosflow halt`). */
export async function startRun(client: Client, options: StartRunOptions): Promise<RunHandle> {
  await refuseIfHalted(client);
  const { plan } = options;
  const input: RunInput = { plan };
  return client.workflow.start<typeof chaosflowRun>(RUN_WORKFLOW_TYPE, {
    taskQueue: options.taskQueue,
    workflowId: options.workflowId ?? newRunId(plan),
    args: [input],
    // Temporal's user metadata: the UI shows the summary in its run list and the tree on the run's page.
    staticSummary: runSummary(plan),
    staticDetails: runDetails(plan),
    typedSearchAttributes: [
      { key: SA_KIND, value: plan.source.kind },
      { key: SA_NAMESPACE, value: plan.source.namespace },
      { key: SA_NAME, value: plan.source.name },
      { key: SA_PHASE, value: 'Pending' },
    ],
    memo: {
      source: plan.source,
      templates: Object.keys(plan.templates).length,
      ...(options.manifest && options.manifest.length <= MANIFEST_MEMO_LIMIT
        ? { manifest: options.manifest }
        : {}),
    },
  });
}

export function newRunId(plan: Plan, now = new Date()): string {
  const stamp = now
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d+Z$/, 'Z');
  const random = Math.random().toString(36).slice(2, 6);
  return `chaosflow/${plan.source.namespace}/${plan.source.name}/${stamp}-${random}`;
}
