/**
 * The Kubernetes demo (`npm run demo -- --kubernetes`, root): a real chaos playground with no Docker, kind or
 * cloud account. It starts the one-node Kubernetes next to the embedded Temporal stack in Kubernetes mode
 * (embedded/kube-playground.ts: kubelet and containerd, the agent on the node, a worker, the controller), runs a
 * small web workload in namespace `chaosflow-demo` (pods web-0 and web-1 labelled app=web, a client pod), applies
 * `examples/k8s/game-day.yaml` with the real kubectl, and shows `kubectl get` of the Workflow moving through its
 * phases, what a request from the client pod sees meanwhile, and the Workflow's Events. Then it cleans up
 * everything it started.
 *
 *   npx tsx scripts/demo/kubernetes-demo.ts [--keep]
 *     --keep   after the game day, leaves the cluster and the stack running until Ctrl-C and prints
 *              `kubeconfig: PATH` and `temporal: HOST:PORT`, each on a line of its own, for your own experiments
 *
 * Ctrl-C during the game day deletes the Workflow (its finalizer holds it until every fault is recovered), then
 * cleans up.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { V1Pod } from '@kubernetes/client-node';
import { errorMessage } from '../../common/errors/chaosflow-error.js';
import { toolPath } from '../../embedded/installed-tools.js';
import { kubeNodeUnavailableReason } from '../../embedded/kube-node.js';
import { DEMO_NAMESPACE, startKubePlayground, type KubePlayground } from '../../embedded/kube-playground.js';

const NS = DEMO_NAMESPACE;
const keep = process.argv.includes('--keep');
const root = fileURLToPath(new URL('../../', import.meta.url));
const say = (text: string) => process.stderr.write(`demo: ${text}\n`);

const unavailable = kubeNodeUnavailableReason();
if (unavailable) {
  say(`the Kubernetes demo cannot run here: ${unavailable}`);
  process.exit(1);
}

const dataDir = await mkdtemp(join(tmpdir(), 'chaosflow-k8s-demo-'));
let playground: KubePlayground | undefined;
let interrupted = false;
process.on('SIGINT', () => {
  interrupted = true;
});

try {
  say('starting the one-node Kubernetes and the embedded stack (about a minute)');
  playground = await startKubePlayground({
    temporalExecutable: toolPath('temporal'),
    dataDir,
    logLevel: 'warn',
    cli: [process.execPath, '--import', 'tsx', join(root, 'cli', 'main.ts')],
    onEvent: say,
  });
  const { node, stack } = playground;
  say(`node ${node.nodeName} Ready in ${(node.startupMs / 1000).toFixed(1)} s; Temporal UI: ${stack.uiUrl}`);
  const { web0, client } = await playground.runDemoWorkload();
  process.stdout.write(`${await playground.kubectl(['get', 'pods', '-n', NS, '-o', 'wide'])}\n`);

  const manifest = (await readFile(join(root, 'examples', 'k8s', 'game-day.yaml'), 'utf8')).replaceAll(
    'WEB_POD_IP',
    web0.status?.podIP ?? '',
  );
  process.stdout.write(await playground.kubectl(['apply', '-f', '-'], manifest));
  const phase = await watchGameDay(playground, web0, client);
  process.stdout.write(`\nEvents of workflow/game-day:\n`);
  process.stdout.write(
    await playground.kubectl([
      'get',
      'events',
      '-n',
      NS,
      '--field-selector',
      'involvedObject.name=game-day',
      '--sort-by',
      '.metadata.creationTimestamp',
      '-o',
      'custom-columns=REASON:.reason,MESSAGE:.message',
    ]),
  );
  if (phase !== 'Succeeded') process.exitCode = 1;
  if (keep && !interrupted) {
    process.stdout.write(`\nkubeconfig: ${playground.kubeconfigFile}\ntemporal: ${stack.temporalAddress}\n`);
    say(
      `the cluster and the stack keep running (workload: pods labelled app=web in namespace ${NS}; the ` +
        'controller, worker and agent are running): kubectl apply your own experiments; Ctrl-C to stop',
    );
    await new Promise<void>((resolve) => {
      const tick = setInterval(() => interrupted && (clearInterval(tick), resolve()), 200);
    });
  }
} catch (err) {
  say(errorMessage(err));
  process.exitCode = 1;
} finally {
  say('cleaning up: the stack (the agent undoes any fault), then the node');
  await playground?.stop().catch((err: unknown) => say(`cleaning up: ${errorMessage(err)}`));
  const left = await playground?.node.leftovers().catch(() => []);
  if (left && left.length > 0) {
    say(`LEFT BEHIND: ${left.join('; ')}`);
    process.exitCode = 1;
  }
  await rm(dataDir, { recursive: true, force: true });
}

/** Prints each new `kubectl get` line of the game day and what the client pod sees; resolves with the end phase. */
async function watchGameDay(p: KubePlayground, web: V1Pod, client: V1Pod): Promise<string> {
  const clientId = client.status?.containerStatuses?.[0]?.containerID ?? '';
  const url = `http://${web.status?.podIP}:8080/`;
  let last = '';
  let header = true;
  let deleting = false;
  for (;;) {
    if (interrupted && !deleting) {
      deleting = true;
      say('Ctrl-C: deleting the Workflow; its finalizer holds it until every fault is recovered');
      await p.kubectl(['delete', 'workflows.chaosflow.dev', 'game-day', '-n', NS, '--wait=false']);
    }
    const table = await p
      .kubectl(['get', 'workflows.chaosflow.dev', 'game-day', '-n', NS])
      .catch(() => undefined);
    if (table === undefined) return deleting ? 'Deleted' : 'Unknown';
    const [head = '', row = ''] = table.trimEnd().split('\n');
    const seen = await p.node.requestFrom(clientId, url);
    const line = `${row.replace(/\s+\S+$/, '')}   client → web-0: ${seen}`;
    if (header) process.stdout.write(`\n${head.replace(/\s+AGE$/, '')}\n`);
    header = false;
    if (line !== last) process.stdout.write(`${line}\n`);
    last = line;
    const phase = row.trim().split(/\s+/)[1] ?? '';
    if (['Succeeded', 'Failed', 'Aborted'].includes(phase)) return phase;
    await new Promise((resolve) => setTimeout(resolve, 1_000));
  }
}
