/**
 * Report rendering: a synthetic finished run of N chaos nodes under one Serial, each with T targets (a fault
 * ledger entry each) and P probe results, built into the report model and rendered as HTML, Markdown and JSON.
 * Prints the time and size of each. Goal: a 200-node game day with 10,000 probe results renders in under a
 * second and stays a file a browser opens at once (a few MB).
 *
 *   npx tsx scripts/bench/report-render.ts [N=200] [T=3] [P=50]
 */
import type { FaultEntry, NodeStatus, RunStatus } from '../../common/run-status.js';
import { buildRunReport } from '../../report/report-model.js';
import { renderReport, REPORT_FORMATS } from '../../report/report-format.js';

const n = Number(process.argv[2] ?? 200);
const targets = Number(process.argv[3] ?? 3);
const results = Number(process.argv[4] ?? 50);
const t0 = Date.parse('2026-01-01T00:00:00Z');
const at = (ms: number) => new Date(t0 + ms).toISOString();

const nodes: Record<string, NodeStatus> = {};
const faults: FaultEntry[] = [];
const children = Array.from({ length: n }, (_, i) => `run/c${i}`);
nodes['run'] = {
  id: 'run',
  template: 'run',
  type: 'Serial',
  children,
  phase: 'Succeeded',
  attempt: 1,
  errors: [],
  startedAt: at(0),
  endedAt: at(n * 10_000),
};
children.forEach((id, i) => {
  const start = i * 10_000;
  nodes[id] = {
    id,
    template: `c${i}`,
    type: 'Chaos',
    kind: 'NetworkChaos',
    action: 'partition',
    parent: 'run',
    children: [],
    phase: 'Succeeded',
    attempt: 1,
    errors: [],
    startedAt: at(start),
    endedAt: at(start + 9_000),
    probeResults: {
      during: Array.from({ length: results }, (_, r) => ({
        at: at(start + (r * 9_000) / results),
        outcome: r % 7 === 0 ? ('Failure' as const) : ('Success' as const),
        detail: r % 7 === 0 ? 'timed out after 1s' : '200',
        durationMs: 3,
        value: '200',
        probe: 'during',
      })),
    },
  };
  for (let t = 0; t < targets; t++) {
    faults.push({
      key: `w/${id}/default/pod-${t}/main`,
      nodeId: id,
      kind: 'NetworkChaos',
      action: 'partition',
      target: `default/pod-${t}/main`,
      endpoint: '127.0.0.1:31767',
      state: 'Recovered',
      injectedAt: at(start + 500),
      recoveredAt: at(start + 8_500),
      recoverAttempts: 1,
    });
  }
});
const status: RunStatus = {
  workflowId: 'chaosflow/default/bench/20260101T000000Z-0000',
  source: { kind: 'Workflow', namespace: 'default', name: 'bench' },
  phase: 'Succeeded',
  paused: false,
  startedAt: at(0),
  endedAt: at(n * 10_000),
  entry: 'run',
  nodes,
};

const timed = <T>(fn: () => T): [T, number] => {
  const started = performance.now();
  const value = fn();
  return [value, performance.now() - started];
};
// Warm up once, then measure.
renderReport(buildRunReport({ status, faults, generatedAt: at(n * 10_000) }), 'html');
const [report, buildMs] = timed(() => buildRunReport({ status, faults, generatedAt: at(n * 10_000) }));
console.log(
  `${n} nodes, ${faults.length} ledger entries, ${n * results} probe results: model built in ${buildMs.toFixed(1)} ms`,
);
for (const format of REPORT_FORMATS) {
  const [text, ms] = timed(() => renderReport(report, format));
  console.log(
    `  ${format.padEnd(4)} ${(Buffer.byteLength(text) / 1024).toFixed(0).padStart(6)} KiB in ${ms.toFixed(1)} ms`,
  );
}
