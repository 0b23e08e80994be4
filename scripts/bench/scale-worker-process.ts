/**
 * One worker process of the scale benchmark (`scale-workers.ts`): the chaosflow worker as `worker/run-worker.ts`
 * builds it (workflow bundle, interpreter, the real HTTP probe, activity slots, the lease renewal and the halt
 * guard through its own Temporal client) with a FAKE target resolver, FAKE fault effects and FAKE agents that
 * hold every lease. Faults then cost nothing, so what the benchmark measures is the worker and Temporal, not an
 * agent. Arguments: <temporal address> <task queue>. Prints `worker ready` once polling; SIGTERM (the SDK's
 * shutdown signals) stops it.
 */
import { Client, Connection } from '@temporalio/client';
import { DefaultLogger, NativeConnection, Runtime } from '@temporalio/worker';
import { createActivities } from '../../activities/create-activities.js';
import type { DaemonCaller, DaemonConnector } from '../../activities/faults/daemon-connector.js';
import { createChaosflowWorker } from '../../worker/create-worker.js';
import { bundleWorkflows } from '../../worker/workflow-bundle.js';
import { FakeFaultDriver, sameDriverForEveryKind } from '../../test/fakes/fake-fault-driver.js';
import { FakeTargetResolver } from '../../test/fakes/fake-target-resolver.js';

const [address, taskQueue] = process.argv.slice(2);
if (!address || !taskQueue) throw new Error('usage: scale-worker-process <temporal address> <task queue>');

/** The agents' default lease (60 s): a run's renewal asks it what it holds every 5 s, as against real agents. */
const LEASE_MS = 60_000;
const notAnAgent = () => Promise.reject(new Error('the scale benchmark has no agents'));
/** FAKE agents: every key a run holds is HELD under a 60 s lease; no other RPC is ever sent. */
const fakeAgent: DaemonCaller = {
  call: notAnAgent,
  callExtension: notAnAgent,
  renewLeases: (keys) =>
    Promise.resolve(
      keys.map((key) => ({
        key,
        state: 'HELD' as const,
        lease_ms: LEASE_MS,
        expires_at: '',
        renewed_at: '',
        recovered_at: '',
        message: '',
      })),
    ),
};
const daemons: DaemonConnector = { forNode: () => Promise.resolve(fakeAgent) };

Runtime.install({ logger: new DefaultLogger('WARN') });
const connection = await Connection.connect({ address });
const worker = await createChaosflowWorker({
  connection: await NativeConnection.connect({ address }),
  namespace: 'default',
  taskQueue,
  activities: createActivities({
    targets: new FakeTargetResolver(),
    drivers: sameDriverForEveryKind(new FakeFaultDriver()),
    applyTargetState: () => Promise.reject(new Error('not used by the scale benchmark')),
    client: new Client({ connection, namespace: 'default' }),
    daemons,
  }),
  bundle: await bundleWorkflows(),
  shutdownGraceMs: 1_000,
});
process.stdout.write('worker ready\n');
await worker.run();
await connection.close();
