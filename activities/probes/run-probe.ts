/**
 * `runProbe`: any probe, by its type (the StatusCheck's HTTP probe keeps its own activity, `probeHttp`).
 */
import type { KubeConfig } from '@kubernetes/client-node';
import type { ProbeRecord } from '../../common/run-status.js';
import type { RunProbeInput } from '../contract.js';
import type { RunAsUser } from '../tasks/run-as.js';
import { commandProbe } from './command-probe.js';
import { httpProbe } from './http-probe.js';
import { kubernetesProbe } from './kubernetes-probe.js';
import { prometheusProbe } from './prometheus-probe.js';

export interface ProbeDeps {
  /** The default Prometheus of Prometheus probes and stop conditions. */
  prometheusUrl?: string;
  /** The cluster Kubernetes probes read. */
  kubeConfig?: KubeConfig;
  /** The user Command probes run as. */
  runAs?: RunAsUser;
}

export function runProbe(input: RunProbeInput, deps: ProbeDeps, signal?: AbortSignal): Promise<ProbeRecord> {
  const { probe, timeoutSeconds } = input;
  switch (probe.type) {
    case 'HTTP':
      return httpProbe({ http: probe.http, timeoutSeconds }, signal);
    case 'Command':
      return commandProbe(probe.command, timeoutSeconds, signal, deps.runAs);
    case 'Prometheus':
      return prometheusProbe(probe.prometheus, deps.prometheusUrl, timeoutSeconds, signal);
    case 'Kubernetes':
      return kubernetesProbe(probe.kubernetes, deps.kubeConfig, input.namespace, timeoutSeconds);
  }
}
