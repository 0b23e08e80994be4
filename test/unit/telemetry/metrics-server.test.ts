import { createServer, type Server } from 'node:http';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { createMetricRegistry } from '../../../telemetry/metric-registry.js';
import { parseMetricsAddress } from '../../../telemetry/metrics-address.js';
import { startMetricsServer, type MetricsServer } from '../../../telemetry/metrics-server.js';
import { TelemetryError } from '../../../telemetry/telemetry-error.js';
import { createWorkerMetrics } from '../../../telemetry/worker-metrics.js';
import { family, parsePrometheusText, promtoolCheckMetrics } from '../../harness/prometheus-text.js';

const logger = pino({ level: 'silent' });
const loopback = { host: '127.0.0.1', port: 0 };
const UPSTREAM = [
  '# HELP temporal_worker_task_slots_available Slots',
  '# TYPE temporal_worker_task_slots_available gauge',
  'temporal_worker_task_slots_available{worker_type="ActivityWorker"} 100',
  '',
].join('\n');

const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const close of closers.splice(0).reverse()) await close();
});

async function serve(options: { upstream?: string } = {}): Promise<MetricsServer> {
  const registry = createMetricRegistry();
  const metrics = createWorkerMetrics(registry);
  metrics.runs.finished('Succeeded');
  metrics.faults.observe('inject', 'NetworkChaos', 0.2, { outcome: 'success', succeeded: ['k'], failed: 0 });
  const server = await startMetricsServer({ address: loopback, registry, logger, ...options });
  closers.push(() => server.close());
  return server;
}

async function upstreamServer(): Promise<string> {
  const server: Server = createServer((_request, response) => response.end(UPSTREAM));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  closers.push(() => new Promise((resolve) => server.close(() => resolve())));
  const address = server.address();
  if (typeof address !== 'object' || !address) throw new Error('no address');
  return `http://127.0.0.1:${address.port}/metrics`;
}

describe('metrics server', () => {
  it('serves the registry in the text format at /metrics and nothing elsewhere', async () => {
    const server = await serve();
    const response = await fetch(server.url);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    const families = parsePrometheusText(await response.text());
    expect(family(families, 'chaosflow_runs_finished_total').metrics).toEqual([
      { labels: { phase: 'Succeeded' }, value: '1' },
    ]);
    expect(family(families, 'chaosflow_fault_inject_duration_seconds').type).toBe('HISTOGRAM');
    expect((await fetch(server.url.replace('/metrics', '/'))).status).toBe(404);
    expect((await fetch(server.url, { method: 'POST' })).status).toBe(404);
  });

  it("appends the upstream exporter's families, and says when it cannot read them", async () => {
    const upstream = await upstreamServer();
    const server = await serve({ upstream });
    const text = await (await fetch(server.url)).text();
    const families = parsePrometheusText(text);
    expect(family(families, 'temporal_worker_task_slots_available').metrics[0]?.value).toBe('100');
    expect(family(families, 'chaosflow_upstream_metrics_up').metrics[0]?.value).toBe('1');
    const check = await promtoolCheckMetrics(text);
    if (check.ran) expect(check.output).toBe('');
    else process.stderr.write(`promtool check skipped: ${check.reason}\n`);

    const down = await serve({ upstream: 'http://127.0.0.1:1/metrics' });
    const alone = parsePrometheusText(await (await fetch(down.url)).text());
    expect(family(alone, 'chaosflow_upstream_metrics_up').metrics[0]?.value).toBe('0');
    expect(alone.some((f) => f.name.startsWith('temporal_'))).toBe(false);
  });

  it('frees its port on close and names the address it cannot take', async () => {
    const server = await serve();
    const taken = { host: '127.0.0.1', port: server.port };
    const error = await startMetricsServer({
      address: taken,
      registry: createMetricRegistry(),
      logger,
    }).catch((err: unknown) => err);
    expect(error).toBeInstanceOf(TelemetryError);
    expect((error as TelemetryError).message).toContain(`127.0.0.1:${server.port}`);
    await server.close();
    const again = await startMetricsServer({ address: taken, registry: createMetricRegistry(), logger });
    closers.push(() => again.close());
    expect(again.port).toBe(server.port);
  });
});

describe('metrics address', () => {
  it('reads HOST:PORT and [v6]:PORT, and nothing else', () => {
    expect(parseMetricsAddress('127.0.0.1:9464')).toEqual({ host: '127.0.0.1', port: 9464 });
    expect(parseMetricsAddress('0.0.0.0:0')).toEqual({ host: '0.0.0.0', port: 0 });
    expect(parseMetricsAddress('[::1]:9464')).toEqual({ host: '::1', port: 9464 });
    for (const bad of ['9464', ':9464', '127.0.0.1', '127.0.0.1:99999', 'http://127.0.0.1:9464', 'a b:1']) {
      expect(parseMetricsAddress(bad), bad).toBeUndefined();
    }
  });
});
