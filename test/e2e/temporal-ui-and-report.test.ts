/**
 * A finished run as people see it: in the Temporal Web UI of the real dev server, opened in headless Chromium
 * (the run's summary, its node-tree details, and the summaries of its inject, recover and probe activities), and
 * in its report (`chaosflow report`'s loader on the same run, rendered and laid out in the browser). The
 * interpreter, the HTTP probes and the server are real; the fault is the FAKE driver.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Worker } from '@temporalio/worker';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createActivities } from '../../activities/create-activities.js';
import { runListQuery, type RunListFilter } from '../../cli/run-list-query.js';
import { loadRunReport } from '../../client/run-report.js';
import { startRun } from '../../client/start-run.js';
import type { RunStatus } from '../../common/run-status.js';
import { freePort } from '../../embedded/free-port.js';
import { faultsQuery } from '../../workflows/messages.js';
import type { RunReport } from '../../report/report-model.js';
import { renderHtml } from '../../report/render-html.js';
import { createChaosflowWorker } from '../../worker/create-worker.js';
import { bundleWorkflows } from '../../worker/workflow-bundle.js';
import { FakeFaultDriver, sameDriverForEveryKind } from '../fakes/fake-fault-driver.js';
import { FakeTargetResolver } from '../fakes/fake-target-resolver.js';
import { FakeTargetStateApplier } from '../fakes/fake-target-state-applier.js';
import { domText, dumpDom } from '../harness/chromium.js';
import { describeWithTools } from '../harness/describe-with-tools.js';
import { startTestTemporal, type TestTemporal } from '../harness/temporal.js';
import { chaos, plan, serial, statusCheck } from '../workflows/plan-builder.js';

describeWithTools(['temporal', 'chromium'], 'a finished run in the Temporal UI and in its report', () => {
  let temporal: TestTemporal;
  let worker: Worker;
  let running: Promise<void>;
  let http: Server;
  let dir: string;
  let workflowId: string;
  let terminatedId: string;
  let runId: string;
  let status: RunStatus;
  let report: RunReport;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'chaosflow-ui-'));
    http = createServer((_req, res) => res.end('ok'));
    await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(http.address() as AddressInfo).port}/`;
    temporal = await startTestTemporal({ uiPort: await freePort() });
    const taskQueue = 'ui-test';
    worker = await createChaosflowWorker({
      connection: temporal.nativeConnection,
      namespace: temporal.namespace,
      taskQueue,
      activities: createActivities({
        targets: new FakeTargetResolver(),
        drivers: sameDriverForEveryKind(new FakeFaultDriver()),
        applyTargetState: new FakeTargetStateApplier().apply,
      }),
      bundle: await bundleWorkflows(),
      shutdownGraceMs: 1_000,
    });
    running = worker.run();
    const gameDay = plan(
      'game-day',
      serial('game-day', ['steady-state', 'partition', 'recovered']),
      statusCheck('steady-state', url, { successThreshold: 2 }),
      chaos('partition', ['demo-0'], { deadlineMs: 2_000 }),
      statusCheck('recovered', url),
    );
    const handle = await startRun(temporal.client, { plan: gameDay, taskQueue });
    workflowId = handle.workflowId;
    runId = (await handle.describe()).runId;
    status = await handle.result();
    report = await loadRunReport(handle);
  });

  /** Stops the worker once (the last test stops it itself). */
  let stopping: Promise<void> | undefined;
  const stopWorker = () => {
    if (!stopping) {
      worker?.shutdown();
      stopping = running;
    }
    return stopping;
  };

  afterAll(async () => {
    await stopWorker();
    await temporal?.stop();
    await new Promise((resolve) => http?.close(resolve));
    await rm(dir, { recursive: true, force: true });
  });

  const runPage = (tab: string) =>
    `${temporal.server.uiUrl}/namespaces/${temporal.namespace}/workflows/${encodeURIComponent(workflowId)}/${runId}${tab}`;

  /** The DOM of a page of the run in the UI (`''` is its timeline), once the UI loaded the run itself. */
  async function uiPage(tab: string): Promise<{ dom: string; text: string }> {
    const dom = await dumpDom(runPage(tab), { budgetMs: 20_000 });
    const text = domText(dom);
    expect(text, `the UI did not show run ${workflowId} at ${runPage(tab)}`).toContain('chaosflowRun');
    return { dom, text };
  }

  /** The UI renders user metadata as Markdown in an iframe (`/render?content=...`): its address and its text. */
  async function renderedFrame(dom: string, id: string): Promise<{ content: string; html: string }> {
    const src = new RegExp(`<iframe[^>]*\\ssrc="([^"]+)"[^>]*\\sid="${id}"`).exec(dom)?.[1];
    expect(src, `no iframe #${id} on the page`).toBeDefined();
    const url = new URL(src!.replace(/&amp;/g, '&'), temporal.server.uiUrl);
    const html = await dumpDom(url.href, { budgetMs: 10_000 });
    return { content: url.searchParams.get('content') ?? '', html };
  }

  it('shows the run’s summary and its node tree under User Metadata', async () => {
    expect(status.phase).toBe('Succeeded');
    const description = await temporal.client.workflow.getHandle(workflowId).describe();
    expect(await description.staticSummary()).toBe('Workflow default/test: 1 fault, 2 checks');
    const { dom } = await uiPage('/user-metadata');
    const summary = await renderedFrame(dom, 'user-metadata-summary');
    expect(summary.content).toBe('Workflow default/test: 1 fault, 2 checks');
    expect(domText(summary.html)).toContain('Workflow default/test: 1 fault, 2 checks');
    const details = await renderedFrame(dom, 'user-metadata-details');
    expect(details.content).toBe(await description.staticDetails());
    // Rendered as Markdown: a nested list of the nodes, names as code.
    expect(details.html).toMatch(/<li>\s*<code>game-day<\/code> Serial\s*<ul>/);
    expect(details.html).toMatch(
      /<code>partition<\/code> <strong>NetworkChaos\/partition<\/strong>, deadline 2s/,
    );
  });

  it('shows each inject, recover and probe activity with its summary on the run’s timeline', async () => {
    const { text } = await uiPage('');
    expect(text).toContain('injectFaults • inject NetworkChaos/partition on default/demo-0/main');
    expect(text).toContain('recoverFaults • recover NetworkChaos/partition on default/demo-0/main');
    expect(text).toMatch(/probeHttp • probe steady-state: HTTP GET http:\/\/127\.0\.0\.1:\d+\//);
    expect(text).toMatch(/probeHttp • probe recovered: HTTP GET/);
  });

  it('is found by `chaosflow list` filters on the real server, and only by matching ones', async () => {
    const ids = async (filter: RunListFilter) => {
      const found: string[] = [];
      for await (const run of temporal.client.workflow.list({ query: runListQuery(filter) })) {
        found.push(run.workflowId);
      }
      return found;
    };
    // Visibility is eventually consistent: the phase written at the end may take a moment to be indexed.
    await expect.poll(() => ids({ phase: 'Succeeded' }), { timeout: 10_000 }).toEqual([workflowId]);
    expect(await ids({ phase: 'Succeeded', kind: 'Workflow', name: 'default/test' })).toEqual([workflowId]);
    expect(await ids({ phase: 'Failed' })).toEqual([]);
    expect(await ids({ kind: 'NetworkChaos' })).toEqual([]);
    expect(await ids({ name: 'other/test' })).toEqual([]);
    expect(await ids({ schedule: 'nightly' })).toEqual([]);
  });

  it('reports a terminated run as Failed, with the fault it left injected (the ledger from history)', async () => {
    const held = plan('held', chaos('held', ['demo-1'], { deadlineMs: 120_000 }));
    const handle = await startRun(temporal.client, { plan: held, taskQueue: 'ui-test' });
    await expect
      .poll(async () => (await handle.query(faultsQuery)).map((f) => f.state), { timeout: 30_000 })
      .toEqual(['Injected']);
    await handle.terminate('left behind on purpose');
    terminatedId = handle.workflowId;
    const left = await loadRunReport(handle);
    expect(left.faults.map((f) => [f.target, f.state, f.recoveredAt])).toEqual([
      ['default/demo-1/main', 'Injected', undefined],
    ]);
    expect(left.verdict.passed).toBe(false);
    expect(left.verdict.headline).toBe('Failed: 1 of 1 faults NOT recovered');
    // No worker of this test scans for orphans: the janitor has not started, and the report says so.
    expect(left.verdict.reasons[0]).toMatch(
      /^the run closed Terminated at .*: Orphaned \(no janitor has started yet/,
    );
    expect(left.verdict.reasons[1]).toMatch(/^the run ended TERMINATED while Running: no chaosflow code ran/);
    expect(left.run.janitor).toMatchObject({ phase: 'Orphaned', closedAs: 'Terminated' });
    expect(left.run.endedAt).toBeDefined();
    // Its node tree came from a worker replaying it.
    expect(left.nodes.map((n) => [n.id, n.ran])).toEqual([['held', true]]);
  });

  it('reports the run with the fault ledger from history and lays it out in the browser', async () => {
    expect(report.faults.map((f) => [f.fault, f.state])).toEqual([['NetworkChaos/partition', 'Recovered']]);
    expect(report.probes.map((p) => [p.id, p.probeType, p.successPct])).toEqual([
      ['game-day/steady-state', 'HTTP', 100],
      ['game-day/recovered', 'HTTP', 100],
    ]);
    expect(report.score.value).toBe(100);
    const file = join(dir, 'report.html');
    await writeFile(file, renderHtml(report));
    const dom = await dumpDom(pathToFileURL(file).href);
    const rows = [...dom.matchAll(/<g class="row node-row" data-node="([^"]+)"/g)].map((m) => m[1]);
    expect(rows).toEqual(['game-day', 'game-day/steady-state', 'game-day/partition', 'game-day/recovered']);
    expect([...dom.matchAll(/class="probe-mark"/g)]).toHaveLength(3);
    expect([...dom.matchAll(/class="fault-band"/g)]).toHaveLength(1);
  });

  it('reports a terminated run with no worker to replay it from its history alone', async () => {
    expect(terminatedId).toBeDefined();
    await stopWorker();
    const left = await loadRunReport(temporal.client.workflow.getHandle(terminatedId));
    expect(left.verdict.reasons[0]).toMatch(/^the run ended TERMINATED with no chaosflow status/);
    expect(left.faults.map((f) => f.state)).toEqual(['Injected']);
    // No status, so the tree is the plan's, not run as far as anyone can tell.
    expect(left.nodes.map((n) => [n.id, n.ran])).toEqual([['held', false]]);
    expect(left.run).toMatchObject({ kind: 'Workflow', namespace: 'default', name: 'test', phase: 'Failed' });
  }, 90_000);
});
