import type { Client } from '@temporalio/client';

/** The runs of one workflow id (a chain continued as new), oldest first, with how each closed. */
export async function workflowRuns(
  client: Client,
  workflowId: string,
): Promise<{ runId: string; status: string }[]> {
  const runs: { runId: string; status: string; start: number }[] = [];
  for await (const w of client.workflow.list({ query: `WorkflowId = '${workflowId}'` })) {
    runs.push({ runId: w.runId, status: w.status.name, start: w.startTime.getTime() });
  }
  return runs.sort((a, b) => a.start - b.start).map(({ runId, status }) => ({ runId, status }));
}
