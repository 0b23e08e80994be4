/**
 * A stop condition and notifications end to end, on real parts: a real Prometheus evaluates an alerting rule
 * over an exporter the test steers; a run through `chaosflow run` holds a real partition of the demo service
 * (the agent, a network namespace); when the test makes the alert fire the run aborts, recovers, and says which
 * condition stopped it. Two webhooks listen: one sees every event in order, the other hangs, and the faults are
 * recovered long before its deliveries give up.
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { finalStatus } from '../../client/runs.js';
import type { RunEventNotice } from '../../common/run-event.js';
import type { RunReport } from '../../report/report-model.js';
import { faultsQuery } from '../../workflows/messages.js';
import { describeUnless } from '../harness/describe-unless.js';
import { startCli } from '../harness/cli.js';
import { startPrometheus, type TestPrometheus } from '../harness/prometheus.js';
import { startTestExporter, type TestExporter } from '../harness/test-exporter.js';
import { missingTools } from '../../embedded/installed-tools.js';
import { freePort } from '../../embedded/free-port.js';
import { netnsUnavailableReason } from '../../embedded/netns-host.js';
import { startGameDayEnv, type GameDayEnv } from './game-day-env.js';

interface Received {
  path: string;
  body: unknown;
  at: number;
}

async function listen(handler: (request: IncomingMessage, body: string) => boolean): Promise<{
  server: Server;
  url: string;
}> {
  const server = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk: Buffer) => (body += chunk.toString()));
    request.on('end', () => {
      if (handler(request, body)) response.writeHead(200).end('ok');
      // Otherwise never answer: a receiver that hangs.
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

const RULES = `groups:
  - name: test
    rules:
      - alert: ErrorBudgetBurn
        expr: chaosflow_test_value{series="errors"} > 5
        labels: { severity: page }
`;

describeUnless(
  missingTools(['prometheus', 'temporal']) ?? netnsUnavailableReason(),
  'a stop condition and notifications on a held partition',
  () => {
    let exporter: TestExporter;
    let prometheus: TestPrometheus;
    let env: GameDayEnv;
    let dir: string;
    const received: Received[] = [];
    const hung: number[] = [];
    let good: { server: Server; url: string };
    let stuck: { server: Server; url: string };

    beforeAll(async () => {
      dir = await mkdtemp(join(tmpdir(), 'chaosflow-stop-'));
      exporter = await startTestExporter();
      exporter.set('errors', 0);
      prometheus = await startPrometheus({ targets: [exporter.target], rules: RULES });
      await prometheus.waitForValue('chaosflow_test_value{series="errors"}');
      good = await listen((request, body) => {
        received.push({ path: request.url ?? '', body: JSON.parse(body), at: Date.now() });
        return true;
      });
      stuck = await listen(() => {
        hung.push(Date.now());
        return false;
      });
      env = await startGameDayEnv({ prometheusUrl: prometheus.url });
    }, 180_000);
    afterAll(async () => {
      for (const s of [good?.server, stuck?.server]) {
        s?.closeAllConnections();
        await new Promise<void>((resolve) => (s ? s.close(() => resolve()) : resolve()));
      }
      await env?.stop();
      await Promise.all([prometheus?.stop(), exporter?.stop()]);
      if (dir) await rm(dir, { recursive: true, force: true });
    });

    it('aborts and recovers when the alert fires, names the condition, and tells the webhooks in order', async () => {
      const manifest = join(dir, 'stopped.yaml');
      await writeFile(
        manifest,
        `apiVersion: chaosflow.dev/v1alpha1
kind: Workflow
metadata: { name: stopped-game-day, namespace: default }
spec:
  entry: partition
  stopConditions:
    - name: error-budget
      alert: { name: ErrorBudgetBurn, labels: { severity: page } }
      interval: 1s
    - name: never
      promql: { query: 'chaosflow_test_value{series="errors"}', criteria: { compare: { op: '>', value: 1000 } } }
      interval: 1s
  notifications:
    - { name: team, url: '${good.url}/json', format: JSON }
    - { name: chat, url: '${good.url}/slack', events: [Finished, Aborted] }
    - { name: stuck, url: '${stuck.url}/', timeout: 5s, attempts: 2 }
  templates:
    - name: partition
      templateType: NetworkChaos
      deadline: 4m
      networkChaos:
        action: partition
        mode: all
        selector: { labelSelectors: { app: demo } }
        direction: to
`,
      );
      const reportFile = join(dir, 'stopped-report.json');
      const cli = startCli(['run', manifest, '--report', reportFile, ...env.cliFlags], {
        timeoutMs: 300_000,
      });
      await expect
        .poll(async () => (await env.host.snapshot()).iptables, { timeout: 60_000, interval: 250 })
        .toMatch(/CHAOS-OUTPUT/);
      // Held, and nothing has stopped it: the other condition reads a value far from its threshold.
      await new Promise((resolve) => setTimeout(resolve, 3_000));
      expect((await env.host.snapshot()).iptables).toMatch(/CHAOS-OUTPUT/);

      exporter.set('errors', 9);
      const fired = Date.now();
      const result = await cli.done;
      expect(result.code, result.stderr).not.toBe(0);

      let workflowId: string | undefined;
      for await (const run of env.client.workflow.list({ query: `ChaosflowName = 'stopped-game-day'` })) {
        workflowId = run.workflowId;
        break;
      }
      expect(workflowId).toBeDefined();
      const handle = env.client.workflow.getHandle(workflowId!);
      const status = await finalStatus(handle);
      expect(status?.phase).toBe('Aborted');
      expect(status?.stoppedBy).toMatchObject({ condition: 'error-budget' });
      expect(status?.stoppedBy?.detail).toMatch(/ErrorBudgetBurn\{.*severity=page.*\} is firing/);
      expect(status?.abortReason).toMatch(/^stop condition error-budget: /);
      const faults = await handle.query(faultsQuery);
      expect(faults.length).toBe(1);
      expect(faults.every((f) => f.state === 'Recovered')).toBe(true);
      expect(await env.host.snapshot()).toEqual(env.before);

      // The team's webhook saw every event, in order, each a JSON notice.
      const team = received.filter((r) => r.path === '/json').map((r) => r.body as RunEventNotice);
      expect(team.map((n) => n.event)).toEqual(['Started', 'Aborted', 'Recovered', 'Finished']);
      expect(team[1]).toMatchObject({ stoppedBy: { condition: 'error-budget' }, faults: { injected: 1 } });
      expect(team[2]).toMatchObject({ faults: { injected: 1, recovered: 1 } });
      expect(team[3]).toMatchObject({
        phase: 'Aborted',
        run: { name: 'stopped-game-day', kind: 'Workflow' },
      });
      // The chat's only the events it asked for, as Slack text.
      const chat = received.filter((r) => r.path === '/slack').map((r) => r.body as { text: string });
      expect(chat.map((c) => c.text)).toEqual([
        expect.stringMatching(
          /^chaosflow: Workflow default\/stopped-game-day Aborted.*stop condition error-budget/,
        ),
        expect.stringMatching(/^chaosflow: Workflow default\/stopped-game-day Finished \(Aborted\)/),
      ]);

      // The hanging webhook held none of it up: the fault was recovered soon after the alert fired, while that
      // receiver was still being retried; its deliveries are recorded as failed.
      const recoveredAt = Date.parse(faults[0]!.recoveredAt!);
      expect(recoveredAt - fired).toBeLessThan(30_000);
      const deliveries = status?.notifications ?? [];
      const stuckDeliveries = deliveries.filter((d) => d.notification === 'stuck');
      expect(stuckDeliveries.length).toBeGreaterThan(0);
      expect(stuckDeliveries.every((d) => !d.ok)).toBe(true);
      expect(Math.max(...stuckDeliveries.map((d) => Date.parse(d.at)))).toBeGreaterThan(recoveredAt);
      expect(hung.length).toBeGreaterThanOrEqual(2);
      expect(deliveries.filter((d) => d.notification === 'team').every((d) => d.ok)).toBe(true);

      // The report `chaosflow run` wrote names the condition (in the verdict and on the timeline) and the deliveries.
      expect(result.stderr).toContain(`report: ${reportFile}`);
      const report = JSON.parse(await readFile(reportFile, 'utf8')) as RunReport;
      expect(report.verdict.passed).toBe(false);
      expect(report.verdict.headline).toMatch(
        /^Aborted \(stopped by error-budget\): every fault recovered \(1\)$/,
      );
      expect(report.verdict.reasons[0]).toMatch(
        /^stopped by stop condition error-budget at .*ErrorBudgetBurn/,
      );
      expect(report.markers.filter((m) => m.kind === 'stop-condition')).toHaveLength(1);
      expect(report.stopConditions).toEqual(['error-budget', 'never']);
      expect(report.faults.map((f) => f.state)).toEqual(['Recovered']);
      expect(report.notifications.filter((n) => n.notification === 'team').map((n) => n.event)).toEqual([
        'Started',
        'Aborted',
        'Recovered',
        'Finished',
      ]);
      expect(report.verdict.reasons.some((r) => r.startsWith('notification stuck of '))).toBe(true);
    }, 300_000);

    it('stops the run when Prometheus cannot be read only if the condition says Stop', async () => {
      const nobody = `http://127.0.0.1:${await freePort()}/`;
      const guarded = async (name: string, onUnavailable: 'Stop' | 'Continue') => {
        const manifest = join(dir, `${name}.yaml`);
        await writeFile(
          manifest,
          `apiVersion: chaosflow.dev/v1alpha1
kind: Workflow
metadata: { name: ${name}, namespace: default }
spec:
  entry: wait
  stopConditions:
    - name: blind
      promql: { query: up }
      endpoint: '${nobody}'
      interval: 1s
      onUnavailable: ${onUnavailable}
  templates:
    - name: wait
      templateType: Suspend
      deadline: 8s
`,
        );
        const report = ['--report', join(dir, `${name}-report.md`)];
        const result = await startCli(['run', manifest, ...report, ...env.cliFlags], { timeoutMs: 120_000 })
          .done;
        let workflowId: string | undefined;
        for await (const run of env.client.workflow.list({ query: `ChaosflowName = '${name}'` })) {
          workflowId = run.workflowId;
          break;
        }
        return { code: result.code, status: await finalStatus(env.client.workflow.getHandle(workflowId!)) };
      };
      const [stopped, continued] = await Promise.all([
        guarded('blind-stop', 'Stop'),
        guarded('blind-go', 'Continue'),
      ]);
      expect(stopped.code).not.toBe(0);
      expect(stopped.status?.phase).toBe('Aborted');
      expect(stopped.status?.stoppedBy).toMatchObject({ condition: 'blind' });
      expect(stopped.status?.stoppedBy?.detail).toContain(nobody);
      expect(continued.code).toBe(0);
      expect(continued.status?.phase).toBe('Succeeded');
      expect(continued.status?.stoppedBy).toBeUndefined();
    }, 180_000);
  },
);
