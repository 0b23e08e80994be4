/**
 * `/metrics` of a real worker and a real agent after a real run: both started as `chaosflow worker` and
 * `chaosflow agent` processes with `--metrics-address`, a Temporal dev server, a service in a network namespace
 * that the run partitions and probes. Each scrape is read by three real parsers: the npm parser
 * `parse-prometheus-text-format` (every line), `promtool check metrics` (format and naming lint), and a real
 * Prometheus scraping both endpoints, whose PromQL answers show the histograms' counts. Then both processes get
 * SIGTERM, exit 0 and close their endpoints.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { freePort } from '../../../embedded/free-port.js';
import { createNetnsHost, netnsUnavailableReason, type NetnsHost } from '../../../embedded/netns-host.js';
import { runCli, startCli, type CliProcess } from '../../harness/cli.js';
import { describeUnless } from '../../harness/describe-unless.js';
import { startPrometheus, type TestPrometheus } from '../../harness/prometheus.js';
import {
  family,
  parsePrometheusText,
  promtoolCheckMetrics,
  scrape,
  type ParsedFamily,
} from '../../harness/prometheus-text.js';
import { startTestTemporal, type TestTemporal } from '../../harness/temporal.js';
import { missingTools } from '../../../embedded/installed-tools.js';

let dir: string;
let temporal: TestTemporal;
let host: NetnsHost;
let agent: CliProcess;
let worker: CliProcess;
let prometheus: TestPrometheus;
let workerMetrics: string;
let agentMetrics: string;
const taskQueue = `telemetry-${process.pid}`;

async function waitForMetrics(url: string, process: CliProcess): Promise<void> {
  for (let i = 0; i < 600; i++) {
    if (process.child.exitCode !== null) throw new Error(`exited before serving ${url}:\n${process.stderr}`);
    const up = await fetch(url).then(
      (r) => r.ok,
      () => false,
    );
    if (up) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`${url} did not answer:\n${process.stderr}`);
}

function manifest(url: string): string {
  return `apiVersion: chaos-mesh.org/v1alpha1
kind: Workflow
metadata: { name: telemetry, namespace: default }
spec:
  entry: day
  templates:
    - name: day
      templateType: Serial
      deadline: 2m
      children: [healthy, partition]
    - name: healthy
      templateType: StatusCheck
      deadline: 30s
      statusCheck:
        type: HTTP
        intervalSeconds: 1
        timeoutSeconds: 1
        successThreshold: 2
        http: { url: '${url}', criteria: { statusCode: '200' } }
    - name: partition
      templateType: NetworkChaos
      deadline: 3s
      networkChaos:
        action: partition
        mode: all
        direction: to
        selector: { namespaces: [default], labelSelectors: { app: telemetry } }
      probes:
        - name: up-around
          type: Command
          mode: Edge
          command: { argv: ['true'] }
`;
}

/** The sample of a counter or gauge with exactly these labels. */
function valueOf(families: readonly ParsedFamily[], name: string, labels: Record<string, string>): number {
  const sample = family(families, name).metrics.find((m) =>
    Object.entries(labels).every(([k, v]) => m.labels?.[k] === v),
  );
  return Number(sample?.value ?? Number.NaN);
}

const unavailable = netnsUnavailableReason() ?? missingTools(['temporal', 'prometheus', 'promtool']);

describeUnless(unavailable, 'metrics of worker and agent after a run', () => {
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'chaosflow-telemetry-'));
    temporal = await startTestTemporal();
    host = await createNetnsHost({ process: 'http' });
    const agentAddress = `127.0.0.1:${await freePort()}`;
    agentMetrics = `127.0.0.1:${await freePort()}`;
    workerMetrics = `127.0.0.1:${await freePort()}`;
    agent = startCli(
      [
        'agent',
        '--listen',
        agentAddress,
        '--state-dir',
        join(dir, 'agent'),
        '--metrics-address',
        agentMetrics,
        '--log-level',
        'warn',
        '--insecure-plaintext-loopback',
      ],
      { timeoutMs: 600_000 },
    );
    const inventory = join(dir, 'inventory.yaml');
    await writeFile(
      inventory,
      [
        'nodes:',
        `  - { name: local, daemon: { address: "${agentAddress}" } }`,
        'pods:',
        '  - namespace: default',
        '    name: telemetry-0',
        '    labels: { app: telemetry }',
        '    node: local',
        `    ips: [${host.ip}]`,
        `    containers: [{ name: server, id: "${host.containerId}" }]`,
        '',
      ].join('\n'),
    );
    worker = startCli(
      [
        'worker',
        '--address',
        temporal.address,
        '--task-queue',
        taskQueue,
        '--inventory',
        inventory,
        '--metrics-address',
        workerMetrics,
        '--shutdown-grace',
        '2000',
      ],
      { timeoutMs: 600_000 },
    );
    await waitForMetrics(`http://${agentMetrics}/metrics`, agent);
    await waitForMetrics(`http://${workerMetrics}/metrics`, worker);
    prometheus = await startPrometheus({ targets: [workerMetrics, agentMetrics] });

    const file = join(dir, 'telemetry.yaml');
    await writeFile(file, manifest(`http://${host.ip}:${host.port}/`));
    const run = await runCli(['run', file, '--address', temporal.address, '--task-queue', taskQueue], {
      timeoutMs: 120_000,
    });
    if (run.code !== 0) throw new Error(`the run failed (${run.code}):\n${run.stderr}\n${worker.stderr}`);
  });

  afterAll(async () => {
    for (const child of [worker, agent]) {
      if (child && child.child.exitCode === null) child.child.kill('SIGKILL');
    }
    await prometheus?.stop();
    await host?.destroy();
    await temporal?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it("shows the run in the worker's metrics: fault and probe histograms, runs by phase, the Temporal SDK's own", async () => {
    const started = performance.now();
    const { text, contentType } = await scrape(`http://${workerMetrics}/metrics`);
    const ms = performance.now() - started;
    const bytes = (prefix: RegExp) =>
      text
        .split('\n')
        .filter((line) => prefix.test(line.replace(/^# (HELP|TYPE) /, '')))
        .reduce((n, line) => n + line.length + 1, 0);
    process.stderr.write(
      `worker scrape: ${text.length} bytes (chaosflow_ ${bytes(/^chaosflow_/)}, temporal_ ${bytes(/^temporal_/)}, ` +
        `process_/nodejs_ ${bytes(/^(process|nodejs)_/)}), ${text.split('\n').length} lines, ${ms.toFixed(1)} ms\n`,
    );
    expect(contentType).toMatch(/^text\/plain; version=0\.0\.4/);

    // Every line parses; counters and gauges read directly.
    const families = parsePrometheusText(text);
    expect(valueOf(families, 'chaosflow_runs_finished_total', { phase: 'Succeeded' })).toBe(1);
    expect(valueOf(families, 'chaosflow_probe_results_total', { type: 'HTTP', verdict: 'success' })).toBe(2);
    expect(valueOf(families, 'chaosflow_probe_results_total', { type: 'Command', verdict: 'success' })).toBe(
      2,
    );
    expect(valueOf(families, 'chaosflow_faults_held', { kind: 'NetworkChaos' })).toBe(0);
    for (const name of [
      'chaosflow_fault_inject_duration_seconds',
      'chaosflow_fault_recover_duration_seconds',
      'chaosflow_probe_duration_seconds',
    ]) {
      expect(family(families, name).type, name).toBe('HISTOGRAM');
    }
    expect(valueOf(families, 'chaosflow_upstream_metrics_up', {})).toBe(1);
    expect(families.some((f) => f.name.startsWith('temporal_'))).toBe(true);
    // No label value names a run, a target or a manifest.
    for (const f of families.filter((f) => f.name.startsWith('chaosflow_'))) {
      for (const sample of f.metrics) {
        expect(JSON.stringify(sample.labels ?? {})).not.toMatch(/telemetry|chaosflow\/|default\//);
      }
    }
    await expectLintClean(text);

    // Prometheus's own scrape of the same endpoint: the histograms have counts per kind and type.
    const count = async (query: string) =>
      Number(await prometheus.waitForValue(query, 30_000, (v) => Number(v) > 0));
    expect(
      await count('chaosflow_fault_inject_duration_seconds_count{kind="NetworkChaos",outcome="success"}'),
    ).toBe(1);
    expect(
      await count('chaosflow_fault_recover_duration_seconds_count{kind="NetworkChaos",outcome="success"}'),
    ).toBeGreaterThanOrEqual(1);
    expect(await count('chaosflow_probe_duration_seconds_count{type="HTTP"}')).toBe(2);
    expect(await count('chaosflow_probe_duration_seconds_count{type="Command"}')).toBe(2);
    expect(
      await count('sum(chaosflow_fault_inject_duration_seconds_bucket{kind="NetworkChaos",le="+Inf"})'),
    ).toBe(1);
    // The SDK's worker metrics, in seconds with _total counters (Prometheus conventions).
    expect(await count('sum(temporal_activity_execution_latency_seconds_count)')).toBeGreaterThanOrEqual(4);
    expect(await count('sum(temporal_workflow_completed_total)')).toBeGreaterThanOrEqual(1);
  });

  it("shows the daemon calls in the agent's metrics", async () => {
    const { text } = await scrape(`http://${agentMetrics}/metrics`);
    process.stderr.write(`agent scrape: ${text.length} bytes, ${text.split('\n').length} lines\n`);
    const families = parsePrometheusText(text);
    expect(family(families, 'chaosflow_agent_rpc_duration_seconds').type).toBe('HISTOGRAM');
    expect(valueOf(families, 'chaosflow_agent_faults_held', { family: 'network' })).toBe(0);
    await expectLintClean(text);
    // Prometheus may have scraped between inject and recover: wait for a scrape that has both.
    const count = async (query: string, atLeast = 1) =>
      Number(await prometheus.waitForValue(query, 30_000, (v) => Number(v) >= atLeast));
    // A partition is FlushIPSets + SetIptablesChains on inject, and again (emptied) on recover.
    expect(
      await count('chaosflow_agent_rpc_duration_seconds_count{rpc="SetIptablesChains",code="OK"}', 2),
    ).toBeGreaterThanOrEqual(2);
    expect(
      await count('chaosflow_agent_rpc_duration_seconds_count{rpc="FlushIPSets",code="OK"}'),
    ).toBeGreaterThanOrEqual(1);
  });

  it('logs every inject and recover with the run, the node and the target', () => {
    const lines = worker.stderr
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    const faults = lines.filter((l) => l['msg'] === 'fault injected' || l['msg'] === 'fault recovered');
    expect(faults.map((l) => l['msg'])).toEqual(
      expect.arrayContaining(['fault injected', 'fault recovered']),
    );
    for (const line of faults) {
      expect(String(line['workflowId'])).toMatch(/^chaosflow\/default\/telemetry\//);
      expect(String(line['runId'])).toMatch(/^[0-9a-f-]{36}$/);
      expect(line).toMatchObject({
        node: 'day/partition',
        kind: 'NetworkChaos',
        target: 'default/telemetry-0/server',
      });
    }
    // Every line an activity writes carries its run.
    const activityLines = lines.filter((l) => l['activity'] !== undefined);
    expect(activityLines.length).toBeGreaterThanOrEqual(faults.length + 4);
    for (const line of activityLines) expect(line).toHaveProperty('runId', expect.any(String));
  });

  it('stops worker and agent on SIGTERM with exit code 0, closing their endpoints', async () => {
    worker.child.kill('SIGTERM');
    agent.child.kill('SIGTERM');
    const [w, a] = await Promise.all([worker.done, agent.done]);
    expect(w.code, w.stderr).toBe(0);
    expect(a.code, a.stderr).toBe(0);
    for (const address of [workerMetrics, agentMetrics]) {
      await expect(fetch(`http://${address}/metrics`)).rejects.toThrow();
    }
  });
});

/** promtool parses the whole scrape; it may only find fault with prom-client's `nodejs_*` defaults. */
async function expectLintClean(text: string): Promise<void> {
  const check = await promtoolCheckMetrics(text);
  if (!check.ran) throw new Error(check.reason);
  const findings = check.output.split('\n').filter(Boolean);
  expect(check.code === 0 || check.code === 3, check.output).toBe(true);
  expect(findings.filter((line) => !/^nodejs_\w+ /.test(line))).toEqual([]);
}
