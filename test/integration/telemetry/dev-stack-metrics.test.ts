/**
 * The embedded stack (`chaosflow dev --metrics-address`) serves one `/metrics` for its worker, its agent and the
 * Temporal SDK: the agent's families and the worker's share the registry, the SDK's are proxied in, and
 * stopping the stack closes the endpoint.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startDevStack, type DevStack } from '../../../embedded/dev-stack.js';
import { freePort } from '../../../embedded/free-port.js';
import { describeUnless } from '../../harness/describe-unless.js';
import { family, parsePrometheusText, promtoolCheckMetrics, scrape } from '../../harness/prometheus-text.js';
import { missingTools, requireTool } from '../../../embedded/installed-tools.js';

const unavailable =
  (process.getuid?.() === 0 ? undefined : 'the embedded agent needs root') ??
  missingTools(['temporal', 'promtool']);

describeUnless(unavailable, 'metrics of the embedded stack', () => {
  let dir: string;
  let stack: DevStack;
  let address: string;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'chaosflow-dev-metrics-'));
    address = `127.0.0.1:${await freePort()}`;
    stack = await startDevStack({
      temporalExecutable: requireTool('temporal'),
      dataDir: dir,
      port: 0,
      uiPort: false,
      agentListen: '127.0.0.1:0',
      metricsAddress: address,
      logger: pino({ level: 'warn' }),
    });
  });
  afterAll(async () => {
    await stack?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it("serves the worker's, the agent's and the Temporal SDK's metrics on one endpoint", async () => {
    expect(stack.worker.metricsUrl).toBe(`http://${address}/metrics`);
    const { text } = await scrape(`http://${address}/metrics`);
    const families = parsePrometheusText(text);
    const names = new Set(families.map((f) => f.name));
    for (const name of [
      'chaosflow_fault_inject_duration_seconds',
      'chaosflow_runs_finished_total',
      'chaosflow_agent_rpc_duration_seconds',
      'chaosflow_agent_faults_held',
      'process_cpu_seconds_total',
    ]) {
      expect(names, name).toContain(name);
    }
    expect(family(families, 'chaosflow_upstream_metrics_up').metrics[0]?.value).toBe('1');
    expect([...names].some((name) => name.startsWith('temporal_'))).toBe(true);
    // One registry: each process-wide family once.
    expect(text.match(/^# TYPE process_cpu_seconds_total /gm)).toHaveLength(1);
    const check = await promtoolCheckMetrics(text);
    if (!check.ran) throw new Error(check.reason);
    expect(check.output.split('\n').filter((line) => line && !/^nodejs_\w+ /.test(line))).toEqual([]);
  });

  it('closes the endpoint when the stack stops', async () => {
    await stack.stop();
    await expect(fetch(`http://${address}/metrics`)).rejects.toThrow();
  });
});
