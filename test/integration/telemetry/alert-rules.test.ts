/**
 * The alerting rules shipped in deploy/prometheus/: Prometheus's own `promtool` checks them, and `promtool test
 * rules` replays series like the ones chaosflow serves and asserts which alerts fire and when (and which do
 * not). Every chaosflow metric they name is one the worker, the agent or the controller registers.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { AgentMetrics } from '../../../agent/agent-metrics.js';
import { ControllerMetrics } from '../../../controller/controller-metrics.js';
import { createMetricRegistry } from '../../../telemetry/metric-registry.js';
import { createWorkerMetrics } from '../../../telemetry/worker-metrics.js';
import { describeWithTools } from '../../harness/describe-with-tools.js';
import { toolPath } from '../../../embedded/installed-tools.js';

const run = promisify(execFile);
const RULES = join(import.meta.dirname, '..', '..', '..', 'deploy', 'prometheus', 'chaosflow-alerts.yaml');

/** `promtool test rules` cases (JSON is YAML). */
function tests(rules: string) {
  const worker = { instance: 'worker:9464', job: 'chaosflow' };
  const agent = { instance: 'agent:9464', job: 'chaosflow' };
  const series = (name: string, labels: Record<string, string>, values: string) => ({
    series: `${name}{${Object.entries(labels)
      .map(([k, v]) => `${k}="${v}"`)
      .join(',')}}`,
    values,
  });
  return {
    rule_files: [rules],
    evaluation_interval: '1m',
    tests: [
      {
        interval: '1m',
        input_series: [
          // NetworkChaos recovers keep failing; PodChaos failed once long ago and then stayed flat.
          series('chaosflow_fault_recover_failures_total', { ...worker, kind: 'NetworkChaos' }, '0+1x20'),
          series('chaosflow_fault_recover_failures_total', { ...worker, kind: 'PodChaos' }, '1x20'),
          series('chaosflow_runs_finished_total', { ...worker, phase: 'Succeeded' }, '0+1x20'),
          series('chaosflow_runs_finished_total', { ...worker, phase: 'RecoveryFailed' }, '0 0 0 1x17'),
          series(
            'temporal_worker_task_slots_available',
            { ...worker, worker_type: 'ActivityWorker' },
            '100x20',
          ),
          series('chaosflow_upstream_metrics_up', worker, '1x20'),
        ],
        alert_rule_test: [
          { eval_time: '1m', alertname: 'ChaosflowRecoverFailing', exp_alerts: [] },
          {
            eval_time: '5m',
            alertname: 'ChaosflowRecoverFailing',
            exp_alerts: [
              {
                exp_labels: { kind: 'NetworkChaos', severity: 'critical' },
                exp_annotations: {
                  summary: 'chaosflow cannot recover NetworkChaos faults',
                  description:
                    'Recover calls for NetworkChaos have failed for 2 minutes; a fault may still be injected. The ' +
                    'workflow keeps retrying; `chaosflow list --phase RecoveryFailed` names the runs.',
                },
              },
            ],
          },
          { eval_time: '2m', alertname: 'ChaosflowRunRecoveryFailed', exp_alerts: [] },
          {
            eval_time: '4m',
            alertname: 'ChaosflowRunRecoveryFailed',
            exp_alerts: [
              {
                exp_labels: { severity: 'critical' },
                exp_annotations: {
                  summary: 'a chaosflow run ended RecoveryFailed',
                  description:
                    'A run could not recover every fault it injected; see `chaosflow list --phase RecoveryFailed`.',
                },
              },
            ],
          },
          { eval_time: '20m', alertname: 'ChaosflowWorkerActivitySlotsExhausted', exp_alerts: [] },
          { eval_time: '20m', alertname: 'ChaosflowSdkMetricsMissing', exp_alerts: [] },
        ],
      },
      {
        interval: '1m',
        input_series: [
          // One agent holds a network fault for 3 hours; another held one for 1 hour only.
          series('chaosflow_agent_faults_held', { ...agent, family: 'network' }, '1x180'),
          series(
            'chaosflow_agent_faults_held',
            { instance: 'agent-2:9464', job: 'chaosflow', family: 'network' },
            '1x60 0x120',
          ),
          series(
            'temporal_worker_task_slots_available',
            { ...worker, worker_type: 'ActivityWorker' },
            '0x180',
          ),
          series('chaosflow_upstream_metrics_up', worker, '0x180'),
        ],
        alert_rule_test: [
          { eval_time: '1h50m', alertname: 'ChaosflowAgentHoldsFaultsLong', exp_alerts: [] },
          {
            eval_time: '2h30m',
            alertname: 'ChaosflowAgentHoldsFaultsLong',
            exp_alerts: [
              {
                exp_labels: { instance: 'agent:9464', family: 'network', severity: 'warning' },
                exp_annotations: {
                  summary: 'the chaosflow agent on agent:9464 has held network faults for 2 hours',
                  description:
                    'Longer than game days usually last: check that their runs are still going, or undo them ' +
                    'with `chaosflow agent --recover-all`.',
                },
              },
            ],
          },
          {
            eval_time: '30m',
            alertname: 'ChaosflowWorkerActivitySlotsExhausted',
            exp_alerts: [
              {
                exp_labels: { instance: 'worker:9464', severity: 'warning' },
                exp_annotations: {
                  summary: 'the chaosflow worker worker:9464 has no free activity slot',
                  description: 'Inject, recover and probe activities wait to start; add workers or slots.',
                },
              },
            ],
          },
          {
            eval_time: '30m',
            alertname: 'ChaosflowSdkMetricsMissing',
            exp_alerts: [
              {
                exp_labels: { instance: 'worker:9464', severity: 'info' },
                exp_annotations: {
                  summary: "the chaosflow worker worker:9464 does not serve the Temporal SDK's metrics",
                },
              },
            ],
          },
        ],
      },
    ],
  };
}

describeWithTools(['promtool'], 'the alerting rules in deploy/prometheus', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'chaosflow-rules-'));
  });
  afterAll(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('pass promtool check rules', async () => {
    const { stdout } = await run(toolPath('promtool'), ['check', 'rules', RULES]);
    expect(stdout).toMatch(/SUCCESS: 5 rules found/);
  });

  it('fire when recovery fails, a run ends RecoveryFailed, an agent holds faults for hours, slots run out; not otherwise', async () => {
    const file = join(dir, 'tests.yaml');
    await writeFile(file, JSON.stringify(tests(RULES), null, 2));
    const result = await run(toolPath('promtool'), ['test', 'rules', file]).catch(
      (err: { stdout?: string; stderr?: string }) => ({ stdout: err.stdout ?? '', stderr: err.stderr ?? '' }),
    );
    expect(`${result.stdout}${result.stderr}`).toMatch(/SUCCESS/);
    expect(`${result.stdout}${result.stderr}`).not.toMatch(/FAILED/);
  });

  it('name only metrics chaosflow registers', async () => {
    const registry = createMetricRegistry();
    createWorkerMetrics(registry);
    new AgentMetrics(registry);
    new ControllerMetrics(registry, () => true);
    const known = new Set((await registry.getMetricsAsJSON()).map((m) => m.name));
    known.add('chaosflow_upstream_metrics_up'); // the metrics server's, when it proxies the SDK's
    const named = new Set((await readFile(RULES, 'utf8')).match(/\bchaosflow_\w+/g));
    expect(named.size).toBeGreaterThanOrEqual(4);
    for (const name of named) expect(known, name).toContain(name);
  });
});
