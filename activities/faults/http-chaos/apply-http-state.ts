/**
 * Sends a pod's merged HTTP state, as Chaos Mesh's PodHttpChaos controller does: one ApplyHttpChaos to the
 * pod's first container with every rule as JSON, the ports tproxy must intercept (each once; sorted, where
 * Chaos Mesh's map gives a random order), `enterNS: true`, no TLS, and the tproxy process the previous call
 * started, which the daemon replaces. The answer's `statusCode` must be 200; its process is kept in
 * `daemonState` for the next call. An empty rule list stops tproxy.
 */
import type { ApplyTargetStateInputOf, ApplyTargetStateResult } from '../../contract.js';
import { DaemonError } from '../../daemon/daemon-error.js';
import { ActivityError } from '../../errors.js';
import { targetStateCallOptions, type StateApplierDeps } from '../per-target-state/applier-deps.js';
import { asActivityError, containerIdsOf, currentPod } from '../pod-containers.js';

export async function applyHttpState(
  input: ApplyTargetStateInputOf<'http'>,
  deps: StateApplierDeps,
  signal: AbortSignal,
): Promise<ApplyTargetStateResult> {
  const items = input.lists.rules ?? [];
  const previous = input.daemonState ?? {};
  const podName = `${input.target.namespace}/${input.target.pod}`;
  const pod = await currentPod(deps.source, input.target);
  if (!pod) return { warning: `pod ${podName} is gone: nothing left to change` };
  const containerId = containerIdsOf(pod)[0];
  if (!containerId) {
    throw new ActivityError('UNAVAILABLE', `pod ${podName} has no running container for tproxy`);
  }
  const daemon = await deps.connector.forNode(pod.nodeName ?? input.target.node);
  let response;
  try {
    response = await daemon.call(
      'ApplyHttpChaos',
      {
        rules: JSON.stringify(items.map((i) => i.rule)),
        proxy_ports: [...new Set(items.map((i) => i.port))].sort((a, b) => a - b),
        container_id: containerId,
        instance: previous['instance'] ?? '0',
        startTime: previous['startTime'] ?? '0',
        enterNS: true,
        instance_uid: previous['uid'] ?? '',
        tls: '',
      },
      targetStateCallOptions('http', input.target, signal),
    );
  } catch (err) {
    if (err instanceof DaemonError && err.context.status === 'NOT_FOUND') {
      return { daemonState: {}, warning: `pod ${podName} is gone: ${err.context.serverMessage}` };
    }
    throw asActivityError(err);
  }
  if (response.statusCode !== 200) {
    const detail = `ApplyHttpChaos on ${podName} answered status ${response.statusCode}: ${response.error || 'no reason given'}`;
    throw new ActivityError(response.statusCode >= 500 ? 'UNAVAILABLE' : 'INVALID_INPUT', detail);
  }
  return {
    daemonState:
      items.length > 0
        ? { instance: response.instance, startTime: response.startTime, uid: response.instance_uid }
        : {},
  };
}
