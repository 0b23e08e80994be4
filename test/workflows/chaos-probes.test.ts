/**
 * Probes attached to a chaos node, against the real dev server and worker, with real HTTP requests to a server of
 * this test and real commands; the fault itself is the FAKE driver (the point is when each probe runs relative to
 * the inject and the recover). SOT before the inject, EOT after the recover, Edge both, Continuous around the
 * fault, OnChaos only while it is held; a failed probe fails the node after recovery, and stopOnFailure cuts
 * the hold short (or skips the fault).
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PlanChaosProbe, PlanTemplate } from '../../common/plan.js';
import type { ProbeRecord } from '../../common/run-status.js';
import { startInterpreterEnv, type InterpreterEnv } from './interpreter-env.js';
import { chaos, plan } from './plan-builder.js';

describe('probes of a chaos node (real dev server, real HTTP and commands, FAKE fault)', () => {
  let env: InterpreterEnv;
  let server: Server;
  let base: string;
  /** The status code the server answers with now. */
  let answer = 200;

  beforeAll(async () => {
    env = await startInterpreterEnv();
    server = createServer((_req, res) => {
      res.statusCode = answer;
      res.end(answer === 200 ? 'ok' : 'down');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  });
  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
    await env?.stop();
  });

  const http = (
    name: string,
    mode: PlanChaosProbe['mode'],
    o: Partial<PlanChaosProbe> = {},
  ): PlanChaosProbe =>
    ({
      name,
      mode,
      intervalSeconds: 1,
      timeoutSeconds: 2,
      retries: 0,
      stopOnFailure: false,
      weight: 1,
      type: 'HTTP',
      http: { url: base, method: 'GET', headers: {}, criteria: { statusCode: { min: 200, max: 299 } } },
      ...o,
    }) as PlanChaosProbe;

  const httpExpecting = (
    name: string,
    mode: PlanChaosProbe['mode'],
    statusCode: { min: number; max: number },
  ): PlanChaosProbe => ({
    ...http(name, mode),
    type: 'HTTP',
    http: { url: base, method: 'GET', headers: {}, criteria: { statusCode } },
  });

  function withProbes(name: string, deadlineMs: number, probes: PlanChaosProbe[]): PlanTemplate {
    return { ...chaos(name, ['pod-a'], { deadlineMs }), probes } as PlanTemplate;
  }

  const times = (records: readonly ProbeRecord[] | undefined) => (records ?? []).map((r) => Date.parse(r.at));

  it('runs each probe at the moments of its mode, and keeps every result with its value', async () => {
    answer = 200;
    const command: PlanChaosProbe = {
      ...http('command', 'OnChaos'),
      type: 'Command',
      command: {
        argv: [process.execPath, '-e', 'console.log(42)'],
        env: {},
        exitCode: 0,
        stdout: { compare: { op: '==', value: 42 } },
      },
    };
    const handle = await env.start(
      plan(
        'cut',
        withProbes('cut', 8_000, [
          http('sot', 'SOT'),
          http('eot', 'EOT'),
          http('edge', 'Edge'),
          http('continuous', 'Continuous'),
          command,
        ]),
      ),
    );
    const status = await handle.result();
    const node = status.nodes['cut'];
    expect(node?.phase).toBe('Succeeded');
    const inject = env.driver.calls.find((c) => c.op === 'inject' && c.nodeId === 'cut')?.at ?? 0;
    const recover = env.driver.calls.find((c) => c.op === 'recover' && c.nodeId === 'cut')?.at ?? 0;
    const r = node?.probeResults ?? {};
    expect(times(r['sot'])).toHaveLength(1);
    expect(times(r['sot'])[0]).toBeLessThanOrEqual(inject);
    expect(times(r['eot'])).toHaveLength(1);
    expect(times(r['eot'])[0]).toBeGreaterThanOrEqual(recover);
    const edge = times(r['edge']);
    expect(edge).toHaveLength(2);
    expect(edge[0]).toBeLessThanOrEqual(inject);
    expect(edge[1]).toBeGreaterThanOrEqual(recover);
    // OnChaos only while the fault was held; Continuous around it too.
    const onChaos = times(r['command']);
    expect(onChaos.length).toBeGreaterThanOrEqual(2);
    for (const t of onChaos) expect(t).toBeGreaterThanOrEqual(inject);
    for (const t of onChaos) expect(t).toBeLessThanOrEqual(recover);
    expect(r['command']?.[0]).toMatchObject({ outcome: 'Success', value: '42', probe: 'command' });
    expect(times(r['continuous']).length).toBeGreaterThanOrEqual(3);
    expect(r['sot']?.[0]).toMatchObject({ outcome: 'Success', value: '200' });
  });

  it('fails the node after recovery when a probe fails, with the probe named in the error', async () => {
    answer = 200;
    const handle = await env.start(
      plan('cut2', withProbes('cut2', 1_000, [httpExpecting('needs-500', 'EOT', { min: 500, max: 599 })])),
    );
    const failure = await handle.result().then(
      () => undefined,
      (err: unknown) => err,
    );
    expect(failure).toBeDefined();
    const status = await env.waitForStatus(handle, () => true);
    const node = status.nodes['cut2'];
    expect(node?.phase).toBe('Failed');
    expect(node?.errors.join(' ')).toContain('probe needs-500 (EOT) failed: 200');
    expect(env.driver.active.size).toBe(0);
  });

  it('cuts the hold short when a stopOnFailure probe fails while the fault is held, and recovers', async () => {
    answer = 200;
    const handle = await env.start(
      plan('cut3', withProbes('cut3', 60_000, [http('guard', 'OnChaos', { stopOnFailure: true })])),
    );
    await env.waitForStatus(handle, (s) => (s.nodes['cut3']?.probeResults?.['guard']?.length ?? 0) >= 1);
    answer = 500;
    const started = Date.now();
    await handle.result().catch(() => undefined);
    expect(Date.now() - started).toBeLessThan(30_000);
    const status = await env.waitForStatus(handle, () => true);
    expect(status.nodes['cut3']?.phase).toBe('Failed');
    expect(status.nodes['cut3']?.errors.join(' ')).toContain('probe guard (OnChaos) failed: 500');
    expect(env.driver.active.size).toBe(0);
  });

  it('skips the fault when a stopOnFailure SOT probe fails', async () => {
    answer = 500;
    const before = env.driver.calls.length;
    const handle = await env.start(
      plan(
        'cut4',
        withProbes('cut4', 10_000, [http('precheck', 'SOT', { stopOnFailure: true, retries: 1 })]),
      ),
    );
    await handle.result().catch(() => undefined);
    const status = await env.waitForStatus(handle, () => true);
    expect(status.nodes['cut4']?.phase).toBe('Failed');
    expect(status.nodes['cut4']?.probeResults?.['precheck']).toHaveLength(2);
    expect(env.driver.calls.slice(before).filter((c) => c.nodeId === 'cut4' && c.op === 'inject')).toEqual(
      [],
    );
    answer = 200;
  });
});
