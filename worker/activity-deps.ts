/**
 * What the activities act on, for the worker's composition root: targets from the host inventory or from the
 * Kubernetes API (with the pod API for pod-kill and pod-failure, and Tasks as pods), the fault drivers of every kind over one
 * daemon client pool, and the appliers the per-target entity workflows send merged state through.
 */
import { join } from 'node:path';
import type { KubeConfig } from '@kubernetes/client-node';
import type { ActivityDeps } from '../activities/create-activities.js';
import { createDaemonConnector } from '../activities/faults/daemon-connector.js';
import { createFaultDrivers } from '../activities/faults/drivers.js';
import { createTargetStateApplier } from '../activities/faults/per-target-state/apply-target-state.js';
import { createTargetStateClient } from '../activities/faults/per-target-state/entity-client.js';
import { createTargetExpanders } from '../activities/faults/target-expanders.js';
import { loadKubeConfig } from '../activities/kubernetes/kube-config.js';
import { KubernetesPodApi, type PodApi } from '../activities/kubernetes/pod-api.js';
import { createPodTaskRunner } from '../activities/tasks/pod-task.js';
import { InventoryTargetSource } from '../activities/targets/inventory.js';
import { KubernetesTargetSource } from '../activities/targets/kubernetes-source.js';
import { createTargetResolver } from '../activities/targets/resolve-targets.js';
import type { TargetSource } from '../activities/targets/target-source.js';
import { WorkerConfigError, type WorkerConfig } from './config.js';
import type { DepsContext } from './run-worker.js';

export function buildActivityDeps({ config, client, pool, logger, metrics }: DepsContext): ActivityDeps {
  // The cluster, when one is configured: the targets when no inventory is given, and Kubernetes probes either way.
  const kubeConfig = config.kubernetes ? loadKubeConfig(config.kubernetes.kubeconfigFile) : undefined;
  const { source, pods } = targetsOf(config, kubeConfig);
  const targetState = createTargetStateClient(client, config.temporal.taskQueue, config.cluster);
  const runAs = config.runAs;
  const daemons = createDaemonConnector(pool, source);
  return {
    runAs,
    // Targets from the cluster: Tasks run as pods there too.
    ...(pods && kubeConfig ? { podTasks: createPodTaskRunner({ kubeConfig }) } : {}),
    targets: createTargetResolver(source, Math.random, createTargetExpanders(source)),
    drivers: createFaultDrivers({
      pool,
      source,
      connector: daemons,
      targetState,
      ...(pods ? { pods } : {}),
      ...(config.kubernetes?.pauseImage ? { pauseImage: config.kubernetes.pauseImage } : {}),
      ...(config.dnsServer ? { dnsServer: { address: config.dnsServer } } : {}),
    }),
    applyTargetState: createTargetStateApplier({ pool, source }),
    client,
    daemons,
    probes: {
      ...(config.prometheusUrl ? { prometheusUrl: config.prometheusUrl } : {}),
      ...(kubeConfig ? { kubeConfig } : {}),
      runAs,
    },
    logger,
    metrics,
  };
}

/** The host inventory when one is given, otherwise the cluster. */
function targetsOf(
  config: WorkerConfig,
  kubeConfig: KubeConfig | undefined,
): { source: TargetSource; pods?: PodApi } {
  if (config.inventoryFile) return { source: new InventoryTargetSource(config.inventoryFile) };
  const kube = config.kubernetes;
  if (!kube || !kubeConfig) {
    throw new WorkerConfigError(
      'no target source: give the host inventory with --inventory FILE (or CHAOSFLOW_INVENTORY), or a cluster ' +
        'with --kubeconfig FILE (in a pod, the service account is used); see activities/targets/README.md',
      { setting: 'inventory' },
    );
  }
  const tlsDir = kube.daemonTlsDir;
  return {
    source: new KubernetesTargetSource({
      kubeConfig,
      namespaceFilter: kube.namespaceFilter,
      ...(kube.daemonSelectors ? { daemonSelectors: kube.daemonSelectors } : {}),
      ...(tlsDir
        ? {
            daemonTls: {
              caFile: join(tlsDir, 'ca.crt'),
              certFile: join(tlsDir, 'tls.crt'),
              keyFile: join(tlsDir, 'tls.key'),
            },
          }
        : {}),
    }),
    pods: new KubernetesPodApi(kubeConfig),
  };
}
