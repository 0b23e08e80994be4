/**
 * Interpreter overhead: a Serial chain of N zero-length chaos nodes (each needs three activity round trips:
 * resolve targets, inject, recover) against 3N plain activity round trips on the same dev server, with no-op
 * fault effects (FAKE driver) so only orchestration is measured. Goal: chaosflow within 25% of the raw round
 * trips it needs.
 *
 * With `--cluster`, the same on the tests' production-shaped Temporal cluster (four services, PostgreSQL;
 * `test/harness/temporal-cluster.ts`, `sh scripts/tools/install.sh temporal-server`) instead of the dev server.
 *
 *   npx tsx scripts/bench/interpreter-overhead.ts [N=200] [repeats=3] [--cluster]
 */
import { fileURLToPath } from 'node:url';
import { Context } from '@temporalio/activity';
import { bundleWorkflowCode, DefaultLogger, Runtime, Worker } from '@temporalio/worker';
import { startRun } from '../../client/start-run.js';
import { PLAN_VERSION, type Plan, type PlanTemplate } from '../../common/plan.js';
import { startTemporalCluster } from '../../test/harness/temporal-cluster.js';
import { startInterpreterEnv } from '../../test/workflows/interpreter-env.js';
import type { rawActivities } from './raw-activities-workflow.js';

// Only errors from the SDK: runs that end Aborted or Failed on purpose would otherwise log warnings.
Runtime.install({ logger: new DefaultLogger('ERROR') });

const onCluster = process.argv.includes('--cluster');
const [nArg, repeatsArg] = process.argv.slice(2).filter((a) => a !== '--cluster');
const n = Number(nArg ?? 200);
const repeats = Number(repeatsArg ?? 3);

const cluster = onCluster ? await startTemporalCluster() : undefined;
/**
 * FAKE lease renewer: holds until the run cancels it, heartbeating like the real one (the run starts one per run;
 * without it the run's renewal failed at once, and every run logged an error).
 */
async function holdFaultLeases(): Promise<void> {
  for (;;) {
    Context.current().heartbeat();
    await Context.current().sleep(5_000);
  }
}

const env = await startInterpreterEnv(
  {},
  {
    activities: { holdFaultLeases },
    ...(cluster ? { server: { address: cluster.address, namespace: cluster.namespace } } : {}),
  },
);
const rawWorker = await Worker.create({
  connection: env.temporal.nativeConnection,
  namespace: env.temporal.namespace,
  taskQueue: 'bench-raw',
  workflowBundle: await bundleWorkflowCode({
    workflowsPath: fileURLToPath(new URL('./raw-activities-workflow.ts', import.meta.url)),
  }),
  activities: { noop: () => Promise.resolve() },
});
const rawRunning = rawWorker.run();

const nodes: PlanTemplate[] = Array.from({ length: n }, (_, i) => ({
  type: 'Chaos',
  name: `c${i}`,
  deadlineMs: 0,
  chaos: {
    kind: 'NetworkChaos',
    action: 'partition',
    oneShot: false,
    spec: { selector: { pods: { default: ['pod-a'] } }, mode: 'all', action: 'partition' },
  },
}));
const plan: Plan = {
  planVersion: PLAN_VERSION,
  source: { kind: 'Workflow', apiVersion: 'chaosflow.dev/v1alpha1', namespace: 'default', name: 'bench' },
  entry: 'chain',
  templates: Object.fromEntries(
    [{ type: 'Serial', name: 'chain', children: nodes.map((t) => t.name) } as PlanTemplate, ...nodes].map(
      (t) => [t.name, t],
    ),
  ),
};

async function timeChaosflow(): Promise<number> {
  const started = performance.now();
  const handle = await startRun(env.temporal.client, { plan, taskQueue: env.taskQueue });
  await handle.result();
  return performance.now() - started;
}

async function timeRaw(count: number): Promise<number> {
  const started = performance.now();
  await env.temporal.client.workflow.execute<typeof rawActivities>('rawActivities', {
    taskQueue: 'bench-raw',
    workflowId: `bench-raw-${count}-${Date.now()}`,
    args: [count],
  });
  return performance.now() - started;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
await timeChaosflow(); // warm-up: bundle caches, sticky queues
await timeRaw(3 * n);
const chaosflow: number[] = [];
const raw: number[] = [];
for (let i = 0; i < repeats; i++) {
  chaosflow.push(await timeChaosflow());
  raw.push(await timeRaw(3 * n));
}
const c = median(chaosflow);
const r = median(raw);
const lines = [
  `interpreter overhead, ${n} zero-length chaos nodes in a Serial, median of ${repeats}, on ${cluster ? `the Temporal cluster (${cluster.historyShards} history shards, PostgreSQL)` : 'the dev server'}`,
  `  chaosflow:        ${(c / n).toFixed(2)} ms/node (${c.toFixed(0)} ms total; 3 activity round trips per node)`,
  `  raw activities:   ${(r / n).toFixed(2)} ms/node (${r.toFixed(0)} ms for ${3 * n} round trips, ${(r / (3 * n)).toFixed(2)} ms each)`,
  `  ratio:            ${(c / r).toFixed(3)} (goal <= 1.25)`,
];
process.stdout.write(`${lines.join('\n')}\n`);

rawWorker.shutdown();
await rawRunning;
await env.stop();
await cluster?.stop();
