/**
 * The one way chaosflow's processes find their Kubernetes cluster: a kubeconfig file when one is given, otherwise
 * the in-cluster service account (a pod of `deploy/`). One `KubeConfig` per process, passed to every client.
 */
import { KubeConfig } from '@kubernetes/client-node';

/** Whether this process runs in a pod with a service account (what `loadFromCluster` needs). */
export function inCluster(env: Readonly<Record<string, string | undefined>>): boolean {
  return Boolean(env['KUBERNETES_SERVICE_HOST'] && env['KUBERNETES_SERVICE_PORT']);
}

export function loadKubeConfig(file: string | undefined): KubeConfig {
  const kubeConfig = new KubeConfig();
  if (file) kubeConfig.loadFromFile(file);
  else kubeConfig.loadFromCluster();
  return kubeConfig;
}
