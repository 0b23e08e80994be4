/**
 * Every probe type against real parts: a real Prometheus scraping an exporter the test steers, the real
 * kube-apiserver, real commands and a real HTTP server. Each comparator is shown both passing and failing, so a
 * probe that always answered the same would fail here.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { CoreV1Api } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunProbeInput } from '../../../activities/contract.js';
import { runProbe, type ProbeDeps } from '../../../activities/probes/run-probe.js';
import type { PlanProbe, PlanValueCriteria } from '../../../common/plan.js';
import { describeWithTools } from '../../harness/describe-with-tools.js';
import { startKubeApiServer, type TestKubeApiServer } from '../../../embedded/kube-apiserver.js';
import { startPrometheus, type TestPrometheus } from '../../harness/prometheus.js';
import { startTestExporter, type TestExporter } from '../../harness/test-exporter.js';

const probe = (p: PlanProbe, deps: ProbeDeps = {}, timeoutSeconds = 5) =>
  runProbe({ probe: p, timeoutSeconds, namespace: 'default' } satisfies RunProbeInput, deps);

describeWithTools(['prometheus'], 'Prometheus probes against a real Prometheus', () => {
  let exporter: TestExporter;
  let prometheus: TestPrometheus;
  beforeAll(async () => {
    exporter = await startTestExporter();
    exporter.set('latency', 0.25);
    exporter.set('errors', 3);
    prometheus = await startPrometheus({ targets: [exporter.target] });
    await prometheus.waitForValue('chaosflow_test_value{series="errors"}');
  }, 90_000);
  afterAll(() => Promise.all([prometheus?.stop(), exporter?.stop()]));

  const query = (q: string, criteria: PlanValueCriteria, endpoint?: string): PlanProbe => ({
    type: 'Prometheus',
    prometheus: { query: q, criteria, ...(endpoint ? { endpoint } : {}) },
  });

  it('compares the value of an instant query with every operator and a range', async () => {
    const deps = { prometheusUrl: prometheus.url };
    const latency = 'chaosflow_test_value{series="latency"}';
    const cases: [PlanValueCriteria, boolean][] = [
      [{ compare: { op: '<', value: 0.5 } }, true],
      [{ compare: { op: '<', value: 0.1 } }, false],
      [{ compare: { op: '<=', value: 0.25 } }, true],
      [{ compare: { op: '>', value: 0.25 } }, false],
      [{ compare: { op: '>=', value: 0.25 } }, true],
      [{ compare: { op: '==', value: 0.25 } }, true],
      [{ compare: { op: '!=', value: 0.25 } }, false],
      [{ between: { min: 0.2, max: 0.3 } }, true],
      [{ between: { min: 0.3, max: 1 } }, false],
    ];
    for (const [criteria, ok] of cases) {
      const record = await probe(query(latency, criteria), deps);
      expect({ criteria, outcome: record.outcome, value: record.value }).toEqual({
        criteria,
        outcome: ok ? 'Success' : 'Failure',
        value: '0.25',
      });
    }
  });

  it('reads a value the exporter changes, through PromQL functions', async () => {
    exporter.set('errors', 7);
    await prometheus.waitForValue('chaosflow_test_value{series="errors"}', 30_000, (v) => v === '7');
    const record = await probe(
      query('sum(chaosflow_test_value{series=~"errors|latency"})', { compare: { op: '==', value: 7.25 } }),
      { prometheusUrl: prometheus.url },
    );
    expect(record).toMatchObject({ outcome: 'Success', value: '7.25' });
  });

  it('fails, saying why, on an empty result, a bad query, no Prometheus and an unreachable one', async () => {
    const deps = { prometheusUrl: prometheus.url };
    const empty = await probe(
      query('chaosflow_test_value{series="none"}', { compare: { op: '>', value: 0 } }),
      deps,
    );
    expect(empty.outcome).toBe('Failure');
    expect(empty.detail).toMatch(/no result/);
    const bad = await probe(query('sum(', { compare: { op: '>', value: 0 } }), deps);
    expect(bad.outcome).toBe('Failure');
    expect(bad.detail).toMatch(/parse error/);
    const none = await probe(query('up', { compare: { op: '>', value: 0 } }));
    expect(none.detail).toMatch(/--prometheus-url/);
    const gone = await probe(query('up', { compare: { op: '>', value: 0 } }, 'http://127.0.0.1:9/'), deps);
    expect(gone.outcome).toBe('Failure');
    // The probe's own endpoint wins over the worker's.
    const own = await probe(query('up', { compare: { op: '==', value: 1 } }, prometheus.url), {
      prometheusUrl: 'http://127.0.0.1:9/',
    });
    expect(own.outcome).toBe('Success');
  });
});

describeWithTools(['etcd', 'kube-apiserver'], 'Kubernetes probes against a real kube-apiserver', () => {
  let kube: TestKubeApiServer;
  let namespace: string;
  beforeAll(async () => {
    kube = await startKubeApiServer();
    namespace = await kube.freshNamespace('probe');
    await kube.kubeConfig.makeApiClient(CoreV1Api).createNamespacedConfigMap({
      namespace,
      body: {
        metadata: { name: 'settings', labels: { app: 'shop' } },
        data: { replicas: '3', mode: 'steady' },
      },
    });
  }, 120_000);
  afterAll(() => kube?.stop());

  const configMaps = (
    rest: Partial<Extract<PlanProbe, { type: 'Kubernetes' }>['kubernetes']>,
  ): PlanProbe => ({
    type: 'Kubernetes',
    kubernetes: { group: '', version: 'v1', resource: 'configmaps', namespace, expect: 'present', ...rest },
  });

  it('checks a resource present or absent, by name and by label selector', async () => {
    const deps = { kubeConfig: kube.kubeConfig };
    expect((await probe(configMaps({ name: 'settings' }), deps)).outcome).toBe('Success');
    expect((await probe(configMaps({ name: 'missing' }), deps)).outcome).toBe('Failure');
    expect((await probe(configMaps({ name: 'missing', expect: 'absent' }), deps)).outcome).toBe('Success');
    expect((await probe(configMaps({ name: 'settings', expect: 'absent' }), deps)).outcome).toBe('Failure');
    expect((await probe(configMaps({ labelSelector: 'app=shop' }), deps)).outcome).toBe('Success');
    expect((await probe(configMaps({ labelSelector: 'app=other' }), deps)).outcome).toBe('Failure');
    expect((await probe(configMaps({ labelSelector: 'app=other', expect: 'absent' }), deps)).outcome).toBe(
      'Success',
    );
  });

  it('compares a field of the resource', async () => {
    const deps = { kubeConfig: kube.kubeConfig };
    const field = (field: PlanValueCriteria & { path: string }) =>
      probe(configMaps({ name: 'settings', expect: 'field', field }), deps);
    expect(await field({ path: '$.data.replicas', compare: { op: '>=', value: 3 } })).toMatchObject({
      outcome: 'Success',
      value: '3',
    });
    expect((await field({ path: '$.data.replicas', compare: { op: '>', value: 3 } })).outcome).toBe(
      'Failure',
    );
    expect((await field({ path: '$.data.mode', equals: 'steady' })).outcome).toBe('Success');
    expect((await field({ path: '$.data.mode', equals: 'degraded' })).outcome).toBe('Failure');
    expect((await field({ path: '$.metadata.labels.app', matches: '^sh' })).outcome).toBe('Success');
  });

  it('fails, saying why, for an unknown resource and without a cluster', async () => {
    const unknown = await probe(
      {
        type: 'Kubernetes',
        kubernetes: {
          group: 'example.com',
          version: 'v1',
          resource: 'widgets',
          namespace,
          expect: 'present',
        },
      },
      { kubeConfig: kube.kubeConfig },
    );
    expect(unknown.outcome).toBe('Failure');
    expect(unknown.detail).toMatch(/404|not found/i);
    const none = await probe(configMaps({ name: 'settings' }));
    expect(none).toMatchObject({ outcome: 'Failure' });
  });
});

describe('Command and HTTP probes against real processes and servers', () => {
  const node = process.execPath;
  const command = (script: string, rest: Partial<Extract<PlanProbe, { type: 'Command' }>['command']> = {}) =>
    ({ type: 'Command', command: { argv: [node, '-e', script], env: {}, exitCode: 0, ...rest } }) as const;

  it('judges a command by its exit code and its stdout', async () => {
    expect((await probe(command('process.exit(0)'))).outcome).toBe('Success');
    expect((await probe(command('process.exit(3)'))).outcome).toBe('Failure');
    expect((await probe(command('process.exit(3)', { exitCode: 3 }))).outcome).toBe('Success');
    const printed = (stdout: PlanValueCriteria) => probe(command('console.log("ready: 12 ok")', { stdout }));
    expect((await printed({ contains: '12 ok' })).outcome).toBe('Success');
    expect((await printed({ contains: 'down' })).outcome).toBe('Failure');
    expect((await printed({ matches: '^ready: \\d+' })).outcome).toBe('Success');
    expect((await printed({ equals: 'ready: 12 ok' })).outcome).toBe('Success');
    const number = (stdout: PlanValueCriteria) => probe(command('console.log(41.5)', { stdout }));
    expect(await number({ compare: { op: '>', value: 41 } })).toMatchObject({
      outcome: 'Success',
      value: '41.5',
    });
    expect((await number({ between: { min: 0, max: 41 } })).outcome).toBe('Failure');
  });

  it('passes argv as it is (no shell), its environment and its working folder', async () => {
    const record = await probe(
      command('console.log([process.argv[1], process.env.PROBE_ENV, process.cwd()].join("|"))', {
        argv: [
          node,
          '-e',
          'console.log([process.argv[1], process.env.PROBE_ENV, process.cwd()].join("|"))',
          '$(id) ; *',
        ],
        env: { PROBE_ENV: 'set' },
        workingDir: '/tmp',
        stdout: { equals: '$(id) ; *|set|/tmp' },
      }),
    );
    expect(record).toMatchObject({ outcome: 'Success' });
  });

  it('kills a command that outlives its timeout and fails on a missing program', async () => {
    const started = Date.now();
    const slow = await probe(command('setTimeout(() => {}, 60_000)'), {}, 1);
    expect(slow.outcome).toBe('Failure');
    expect(Date.now() - started).toBeLessThan(30_000);
    const missing = await probe({
      type: 'Command',
      command: { argv: ['/nonexistent/program'], env: {}, exitCode: 0 },
    });
    expect(missing.outcome).toBe('Failure');
    expect(missing.detail).toMatch(/ENOENT|not found|no such/i);
  });

  let server: Server;
  let base: string;
  beforeAll(async () => {
    server = createServer((request, response) => {
      if (request.url === '/slow') {
        setTimeout(() => response.writeHead(200).end('late'), 700);
        return;
      }
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ status: 'ok', items: [{ name: 'a' }, { name: 'b' }] }));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => server?.close(() => resolve())));

  const http = (
    path: string,
    criteria: Partial<Extract<PlanProbe, { type: 'HTTP' }>['http']['criteria']>,
  ): PlanProbe => ({
    type: 'HTTP',
    http: {
      url: `${base}${path}`,
      method: 'GET',
      headers: {},
      criteria: { statusCode: { min: 200, max: 299 }, ...criteria },
    },
  });

  it('checks an HTTP body by substring, regex and JSON path, and the response time', async () => {
    expect((await probe(http('/', { body: { contains: '"ok"' } }))).outcome).toBe('Success');
    expect((await probe(http('/', { body: { contains: 'degraded' } }))).outcome).toBe('Failure');
    expect((await probe(http('/', { body: { matches: 'items.*name' } }))).outcome).toBe('Success');
    expect(
      (await probe(http('/', { body: { json: { path: '$.items[1].name', equals: 'b' } } }))).outcome,
    ).toBe('Success');
    expect((await probe(http('/', { body: { json: { path: '$.status', equals: 'down' } } }))).outcome).toBe(
      'Failure',
    );
    expect((await probe(http('/slow', { maxResponseMs: 100 }))).outcome).toBe('Failure');
    expect((await probe(http('/slow', { maxResponseMs: 20_000 }))).outcome).toBe('Success');
    expect((await probe(http('/', { statusCode: { min: 500, max: 599 } }))).outcome).toBe('Failure');
  });
});
