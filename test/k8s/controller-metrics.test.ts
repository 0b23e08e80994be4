/**
 * The controller's `/metrics` (the real `chaosflow controller --metrics-address`, on the real kube-apiserver
 * with the dev server and a worker): after a Workflow applied with kubectl has run, the scrape parses with the
 * npm text-format parser and promtool, says this replica leads, and a real Prometheus scraping it shows the
 * reconcile histogram with counts for the kind; SIGTERM closes the endpoint.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { freePort } from '../../embedded/free-port.js';
import type { CliProcess } from '../harness/cli.js';
import { describeUnless } from '../harness/describe-unless.js';
import { startPrometheus, type TestPrometheus } from '../harness/prometheus.js';
import { family, parsePrometheusText, promtoolCheckMetrics, scrape } from '../harness/prometheus-text.js';
import { missingTools } from '../../embedded/installed-tools.js';
import { netnsUnavailableReason } from '../../embedded/netns-host.js';
import { startControllerEnv, type ControllerEnv } from './controller-env.js';

const unavailable =
  netnsUnavailableReason() ??
  missingTools(['kube-apiserver', 'etcd', 'kubectl', 'temporal', 'prometheus', 'promtool']);

describeUnless(unavailable, "the controller's metrics", () => {
  let env: ControllerEnv;
  let controller: CliProcess;
  let prometheus: TestPrometheus;
  let address: string;

  beforeAll(async () => {
    env = await startControllerEnv();
    address = `127.0.0.1:${await freePort()}`;
    controller = env.startController('metrics-a', ['--metrics-address', address]);
    prometheus = await startPrometheus({ targets: [address] });
  }, 180_000);
  afterAll(async () => {
    await prometheus?.stop();
    await env?.stop();
  }, 60_000);

  it('times every reconcile by kind and shows the leader, within bounded labels', async () => {
    const ns = await env.kube.freshNamespace('cfm');
    await env.kubectl(
      ['apply', '-f', '-'],
      `apiVersion: chaosflow.dev/v1alpha1
kind: Workflow
metadata: { name: pause, namespace: ${ns} }
spec:
  entry: main
  templates:
    - { name: main, templateType: Suspend, deadline: 1s }
`,
    );
    const succeeded = await prometheus.waitForValue(
      'chaosflow_controller_reconcile_duration_seconds_count{kind="Workflow",outcome="success"}',
      60_000,
      (v) => Number(v) >= 2,
    );
    expect(Number(succeeded)).toBeGreaterThanOrEqual(2);
    expect(await prometheus.waitForValue('chaosflow_controller_leader', 30_000, (v) => v === '1')).toBe('1');

    const { text } = await scrape(`http://${address}/metrics`);
    const families = parsePrometheusText(text);
    expect(family(families, 'chaosflow_controller_reconcile_duration_seconds').type).toBe('HISTOGRAM');
    expect(family(families, 'chaosflow_controller_leader').metrics[0]?.value).toBe('1');
    expect(text).not.toContain(ns);
    const check = await promtoolCheckMetrics(text);
    if (!check.ran) throw new Error(check.reason);
    expect(check.output.split('\n').filter((line) => line && !/^nodejs_\w+ /.test(line))).toEqual([]);
  });

  it('closes the endpoint on SIGTERM', async () => {
    controller.child.kill('SIGTERM');
    const result = await controller.done;
    expect(result.code, result.stderr).toBe(0);
    await expect(fetch(`http://${address}/metrics`)).rejects.toThrow();
  });
});
