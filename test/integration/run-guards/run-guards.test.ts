/**
 * The two run-guard activities against real parts: stop conditions read a real Prometheus (an alerting rule and
 * PromQL over an exporter the test steers; a port with nothing behind it for the unreachable case), and
 * notifications are POSTed to a real HTTP receiver that answers as the test tells it to. Each reading is shown
 * both ways, so a condition that always fired (or never did) would fail here.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ActivityError } from '../../../activities/errors.js';
import { checkStopCondition } from '../../../activities/run-guards/check-stop-condition.js';
import { sendNotification, slackMessage } from '../../../activities/run-guards/send-notification.js';
import type { PlanNotification, PlanStopCondition } from '../../../common/plan.js';
import type { RunEventNotice } from '../../../common/run-event.js';
import { freePort } from '../../../embedded/free-port.js';
import { describeWithTools } from '../../harness/describe-with-tools.js';
import { startPrometheus, type TestPrometheus } from '../../harness/prometheus.js';
import { startTestExporter, type TestExporter } from '../../harness/test-exporter.js';

const RULES = `groups:
  - name: test
    rules:
      - alert: Burning
        expr: chaosflow_test_value{series="errors"} > 5
        labels: { severity: page }
`;

const condition = (watch: PlanStopCondition['watch'], endpoint?: string): PlanStopCondition => ({
  name: 'guard',
  watch,
  intervalMs: 1_000,
  onUnavailable: 'Continue',
  ...(endpoint ? { endpoint } : {}),
});

describeWithTools(['prometheus'], 'stop conditions read from a real Prometheus', () => {
  let exporter: TestExporter;
  let prometheus: TestPrometheus;
  beforeAll(async () => {
    exporter = await startTestExporter();
    exporter.set('errors', 0);
    prometheus = await startPrometheus({ targets: [exporter.target], rules: RULES });
    await prometheus.waitForValue('chaosflow_test_value{series="errors"}');
  }, 90_000);
  afterAll(() => Promise.all([prometheus?.stop(), exporter?.stop()]));

  it('fires on an alert only while it is firing with every label asked for', async () => {
    const alert = condition({ type: 'Alert', alert: 'Burning', labels: { severity: 'page' } });
    const otherLabel = condition({ type: 'Alert', alert: 'Burning', labels: { severity: 'ticket' } });
    expect(await checkStopCondition(alert, prometheus.url)).toMatchObject({
      fired: false,
      unavailable: false,
      detail: 'alert Burning is not firing',
    });

    exporter.set('errors', 9);
    await prometheus.waitForAlert('Burning', 'firing', 30_000);
    const fired = await checkStopCondition(alert, prometheus.url);
    expect(fired).toMatchObject({ fired: true, unavailable: false });
    expect(fired.detail).toMatch(/^alert Burning\{.*severity=page.*\} is firing \(value 9\)$/);
    expect(await checkStopCondition(otherLabel, prometheus.url)).toMatchObject({ fired: false });
    exporter.set('errors', 0);
  }, 60_000);

  it('fires on PromQL when a sample meets the criteria, or without criteria when there is a sample', async () => {
    exporter.set('latency', 0.8);
    await prometheus.waitForValue('chaosflow_test_value{series="latency"}', 20_000, (v) => v === '0.8');
    const query = 'chaosflow_test_value{series="latency"}';
    const above = (value: number) =>
      condition({ type: 'PromQL', query, criteria: { compare: { op: '>', value } } });
    expect(await checkStopCondition(above(0.5), prometheus.url)).toMatchObject({
      fired: true,
      detail: `${query} = 0.8`,
    });
    expect(await checkStopCondition(above(1), prometheus.url)).toMatchObject({
      fired: false,
      detail: `${query} = 0.8`,
    });
    const absent = 'chaosflow_test_value{series="nothing"}';
    expect(
      await checkStopCondition(condition({ type: 'PromQL', query: absent }), prometheus.url),
    ).toMatchObject({ fired: false, detail: `${absent} returned no sample` });
    expect(await checkStopCondition(condition({ type: 'PromQL', query }), prometheus.url)).toMatchObject({
      fired: true,
    });
  }, 60_000);

  it('answers unavailable, never fired, when Prometheus cannot be read or refuses the query', async () => {
    const nobody = `http://127.0.0.1:${await freePort()}/`;
    const down = await checkStopCondition(condition({ type: 'PromQL', query: 'up' }), nobody);
    expect(down).toMatchObject({ fired: false, unavailable: true });
    expect(down.detail).toContain(nobody);
    // The condition's own endpoint wins over the worker's.
    const own = await checkStopCondition(condition({ type: 'PromQL', query: 'up' }, prometheus.url), nobody);
    expect(own).toMatchObject({ unavailable: false });
    const bad = await checkStopCondition(condition({ type: 'PromQL', query: 'sum(' }), prometheus.url);
    expect(bad).toMatchObject({ fired: false, unavailable: true });
    expect(bad.detail).toMatch(/parse error/);
    const none = await checkStopCondition(condition({ type: 'PromQL', query: 'up' }), undefined);
    expect(none).toMatchObject({ fired: false, unavailable: true });
    expect(none.detail).toMatch(/--prometheus-url/);
  });
});

describe('notifications to a real HTTP receiver', () => {
  let server: Server;
  let url: string;
  let answer: number | 'hang' = 200;
  const received: { path: string; body: unknown }[] = [];
  beforeAll(async () => {
    server = createServer((request, response) => {
      let body = '';
      request.on('data', (chunk: Buffer) => (body += chunk.toString()));
      request.on('end', () => {
        received.push({ path: request.url ?? '', body: JSON.parse(body) });
        if (answer !== 'hang') response.writeHead(answer).end();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  const notice: RunEventNotice = {
    event: 'Aborted',
    at: '2026-12-02T07:00:00.000Z',
    run: { kind: 'Workflow', namespace: 'default', name: 'game-day', workflowId: 'w', runId: 'r' },
    phase: 'Running',
    detail: 'stop condition error-budget: alert is firing',
    faults: { injected: 1, recovered: 0 },
  };
  const notification = (format: 'Slack' | 'JSON', path: string): PlanNotification => ({
    name: 'hook',
    url: `${url}${path}`,
    format,
    events: ['Aborted'],
    timeoutMs: 500,
    attempts: 2,
  });

  it('posts Slack text or the JSON notice', async () => {
    answer = 200;
    await sendNotification(notification('Slack', '/slack'), notice);
    await sendNotification(notification('JSON', '/json'), notice);
    expect(received.slice(-2)).toEqual([
      {
        path: '/slack',
        body: {
          text: 'chaosflow: Workflow default/game-day Aborted (Running): stop condition error-budget: alert is firing',
        },
      },
      { path: '/json', body: notice },
    ]);
    expect(slackMessage(notice)).toEqual(received.at(-2)?.body);
  });

  it('asks for a retry on 5xx, 429 and no answer, and gives up at once on another 4xx', async () => {
    const codeOf = async (): Promise<[string, boolean]> => {
      const err = await sendNotification(notification('JSON', '/'), notice).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(ActivityError);
      return [(err as ActivityError).code, (err as ActivityError).retryable];
    };
    answer = 503;
    expect(await codeOf()).toEqual(['UNAVAILABLE', true]);
    answer = 429;
    expect(await codeOf()).toEqual(['UNAVAILABLE', true]);
    answer = 404;
    expect(await codeOf()).toEqual(['INVALID_INPUT', false]);
    answer = 'hang';
    const started = Date.now();
    expect(await codeOf()).toEqual(['UNAVAILABLE', true]);
    expect(Date.now() - started).toBeLessThan(5_000);
  });
});
