/**
 * The fault drivers of every chaos kind, built from the worker's dependencies (`ActivityDeps.drivers`).
 *
 * | kind / action                         | RPCs                                                        | path      |
 * | ------------------------------------- | ----------------------------------------------------------- | --------- |
 * | NetworkChaos partition                | FlushIPSets, SetIptablesChains, SetTcs (whole pod state)    | entity    |
 * | NetworkChaos delay/loss/duplicate/... | FlushIPSets, SetIptablesChains, SetTcs (whole pod state)    | entity    |
 * | IOChaos                               | ApplyIOChaos (whole container state)                        | entity    |
 * | HTTPChaos                             | ApplyHttpChaos (whole pod state)                            | entity    |
 * | StressChaos                           | ExecStressors / CancelStressors                             | direct    |
 * | TimeChaos                             | SetTimeOffset / RecoverTimeOffset                           | direct    |
 * | PodChaos container-kill               | ContainerKill (one-shot)                                    | direct    |
 * | PodChaos pod-kill                     | Kubernetes: delete the pod; host: ContainerKill per process | k8s API   |
 * | PodChaos pod-failure                  | Kubernetes: images to a pause image and back (JSON patch)   | k8s API   |
 * | DNSChaos                              | chaos-dns-server rules + SetDNSServer; agent: SetDNSChaos   | direct    |
 *
 * "entity": the driver adds or removes its fragment in the pod's `chaosflowTargetState` workflow, which sends
 * the merged state through `applyTargetState` (`per-target-state/apply-target-state.ts`).
 */
import type { DaemonClientPool } from '../daemon/daemon-client-pool.js';
import type { PodApi } from '../kubernetes/pod-api.js';
import type { TargetSource } from '../targets/target-source.js';
import { createContainerKillDriver } from './pod-chaos/container-kill.js';
import { createDaemonConnector, type DaemonConnector } from './daemon-connector.js';
import { createDNSChaosDriver, type DnsChaosServer } from './dns-chaos.js';
import type { FaultDrivers } from './fault-driver.js';
import { createHTTPChaosDriver } from './http-chaos/http-chaos.js';
import { createIOChaosDriver } from './io-chaos/io-chaos.js';
import { createNetworkChaosDriver } from './network-chaos/network-chaos.js';
import { createPodChaosDriver } from './pod-chaos/pod-chaos.js';
import { createPodFailureDriver } from './pod-chaos/pod-failure.js';
import { createPodKillDriver } from './pod-chaos/pod-kill.js';
import { createStressChaosDriver } from './stress-chaos.js';
import type { TargetStateClient } from './per-target-state/entity-client.js';
import { createTimeChaosDriver } from './time-chaos.js';

export interface FaultDriversOptions {
  pool: DaemonClientPool;
  /** Where pods and daemons are: the same source the target resolver uses. */
  source: Pick<TargetSource, 'listPods' | 'daemonFor'>;
  targetState: TargetStateClient;
  /** Chaos Mesh's chaos-dns-server, for DNSChaos; without it DNSChaos is refused as UNSUPPORTED. */
  dnsServer?: DnsChaosServer;
  /** Overrides how daemons are reached (tests). Default: `pool` and `source.daemonFor`. */
  connector?: DaemonConnector;
  /** The Kubernetes API for pod-kill and pod-failure, when targets come from a cluster. */
  pods?: PodApi;
  /** The image pod-failure switches containers to (default Chaos Mesh's pause image). */
  pauseImage?: string;
}

export function createFaultDrivers(options: FaultDriversOptions): FaultDrivers {
  const connector = options.connector ?? createDaemonConnector(options.pool, options.source);
  return {
    PodChaos: createPodChaosDriver({
      'pod-kill': createPodKillDriver(connector, options.source, options.pods),
      'pod-failure': createPodFailureDriver({
        pods: options.pods,
        ...(options.pauseImage ? { pauseImage: options.pauseImage } : {}),
      }),
      'container-kill': createContainerKillDriver(connector),
    }),
    NetworkChaos: createNetworkChaosDriver(options.targetState),
    StressChaos: createStressChaosDriver(connector),
    IOChaos: createIOChaosDriver(options.targetState),
    TimeChaos: createTimeChaosDriver(connector),
    HTTPChaos: createHTTPChaosDriver(options.targetState),
    DNSChaos: createDNSChaosDriver(connector, options.dnsServer),
  };
}
