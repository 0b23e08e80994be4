/**
 * Replays recorded histories of the main interpreter scenarios (no server): a change to workflow code that would
 * break runs already in flight fails here. Re-record with `npx tsx scripts/replay/record-histories.ts` only for a
 * deliberate change guarded by `patched()`.
 */
import { readdir, readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { historyFromJSON } from '@temporalio/common/lib/proto-utils.js';
import { Worker, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { beforeAll, describe, expect, it } from 'vitest';
import { bundleWorkflows } from '../../worker/workflow-bundle.js';

const dir = fileURLToPath(new URL('./histories/', import.meta.url));
const files = (await readdir(dir)).filter((f) => f.endsWith('.json')).sort();
let bundle: WorkflowBundleWithSourceMap;

beforeAll(async () => {
  bundle = await bundleWorkflows();
}, 60_000);

describe('recorded histories replay with the current workflow code', () => {
  it('has histories to replay', () => {
    expect(files.length).toBeGreaterThanOrEqual(6);
  });

  it.each(files)('%s', async (file) => {
    const recorded = JSON.parse(await readFile(`${dir}${file}`, 'utf8')) as {
      workflowId: string;
      history: unknown;
    };
    const history = historyFromJSON(recorded.history);
    expect(history.events?.length).toBeGreaterThan(5);
    await Worker.runReplayHistory({ workflowBundle: bundle }, history, recorded.workflowId);
  });
});
