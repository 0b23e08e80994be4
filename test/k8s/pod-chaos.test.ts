/**
 * PodChaos through the API server against real pods (the one-node Kubernetes of embedded/kube-node.ts):
 * targets resolved from the cluster by Chaos Mesh's selectors, faults sent by chaosflow's real drivers.
 * - pod-kill deletes with the spec's gracePeriod: the pod stays Terminating for it, then it and its processes
 *   are gone;
 * - pod-failure switches every container and init container image to the pause image (the kubelet really
 *   restarts the containers with it and the web server stops answering), keeps the originals in an
 *   annotation, and restores them on recover (the kubelet restarts them again, the server answers); both are
 *   idempotent, and a pod recreated meanwhile counts as recovered with a warning.
 */
import { existsSync } from 'node:fs';
import type { V1Pod } from '@kubernetes/client-node';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { FaultBatchOf } from '../../activities/contract.js';
import { DaemonClientPool } from '../../activities/daemon/daemon-client-pool.js';
import { createFaultDrivers } from '../../activities/faults/drivers.js';
import { POD_FAILURE_ANNOTATION } from '../../activities/faults/pod-chaos/pod-failure.js';
import { KubernetesPodApi } from '../../activities/kubernetes/pod-api.js';
import { KubernetesTargetSource } from '../../activities/targets/kubernetes-source.js';
import { resolveTargets } from '../../activities/targets/resolve-targets.js';
import { describeUnless } from '../harness/describe-unless.js';
import {
  BUSYBOX_IMAGE,
  kubeNodeUnavailableReason,
  PAUSE_IMAGE,
  podOnNode,
  podReady,
  startKubeNode,
  WEB_IMAGE,
  type KubeNode,
} from '../../embedded/kube-node.js';

describeUnless(kubeNodeUnavailableReason(), 'PodChaos on real pods (real kubelet and containerd)', () => {
  let node: KubeNode;
  let drivers: ReturnType<typeof createFaultDrivers>;
  let source: KubernetesTargetSource;
  const signal = new AbortController().signal;

  beforeAll(async () => {
    node = await startKubeNode();
    // pod-kill and pod-failure never call it, but target resolution finds every target's daemon.
    await node.registerAgent(31767);
    source = new KubernetesTargetSource({ kubeConfig: node.kube.kubeConfig });
    drivers = createFaultDrivers({
      pool: new DaemonClientPool(),
      source,
      targetState: {
        set: () => Promise.reject(new Error('unused')),
        remove: () => Promise.reject(new Error('unused')),
      },
      pods: new KubernetesPodApi(node.kube.kubeConfig),
      pauseImage: PAUSE_IMAGE,
    });
  });
  afterAll(async () => {
    await node?.stop();
  });

  async function batch(
    ns: string,
    action: 'pod-kill' | 'pod-failure',
    app: string,
    gracePeriod = 0,
  ): Promise<FaultBatchOf<'PodChaos'>> {
    const resolved = await resolveTargets({
      spec: { selector: { labelSelectors: { app } }, mode: 'one' },
      namespace: ns,
      source,
      random: Math.random,
    });
    return {
      run: { workflowId: `run-${action}`, namespace: ns, name: action },
      nodeId: action,
      chaos: {
        kind: 'PodChaos',
        action,
        oneShot: action === 'pod-kill',
        spec: { action, mode: 'one', selector: { labelSelectors: { app } }, gracePeriod },
      },
      endpoint: 'unused',
      targets: (resolved.groups[0]?.targets ?? []).map((t) => ({ target: t, key: `run/${action}/${t.key}` })),
    };
  }

  /**
   * A web server (its image's entrypoint) with an init container and a sidecar that names its command; httpd as
   * PID 1 ignores SIGTERM.
   */
  function webWithSidecar(name: string, app: string): V1Pod {
    return podOnNode(
      name,
      {
        initContainers: [{ name: 'init', image: BUSYBOX_IMAGE, command: ['true'] }],
        containers: [
          {
            name: 'web',
            image: WEB_IMAGE,
            readinessProbe: { tcpSocket: { port: 8080 }, periodSeconds: 1 },
          },
          { name: 'sidecar', image: BUSYBOX_IMAGE, command: ['sleep', '3600'] },
        ],
      },
      { app },
    );
  }

  /** Container statuses come sorted by name, not in the order of the spec. */
  const status = (p: V1Pod | undefined, name: string) =>
    p?.status?.containerStatuses?.find((c) => c.name === name);

  const get = async (ip: string): Promise<number | 'refused'> => {
    try {
      return (await fetch(`http://${ip}:8080/`, { signal: AbortSignal.timeout(3000) })).status;
    } catch {
      return 'refused';
    }
  };

  it('pod-kill deletes the pod with the gracePeriod of the spec; its processes are gone after it', async () => {
    const ns = await node.kube.freshNamespace('kill');
    const pod = await node.runPod(ns, webWithSidecar('victim', 'victim'));
    const pid = await node.containerPid(pod.status?.containerStatuses?.[0]?.containerID ?? '');
    const kill = await batch(ns, 'pod-kill', 'victim', 3);
    expect(kill.targets).toHaveLength(1);
    const started = Date.now();
    expect((await drivers.PodChaos.inject(kill, signal)).results).toMatchObject([{ ok: true }]);
    const terminating = await node.core.readNamespacedPod({ namespace: ns, name: 'victim' });
    expect(terminating.metadata?.deletionGracePeriodSeconds).toBe(3);
    await node.waitForPod(ns, 'victim', (p) => p === undefined, 30_000);
    // httpd ignores SIGTERM: the kubelet waited out the grace period before SIGKILL.
    expect(Date.now() - started).toBeGreaterThanOrEqual(2500);
    expect(existsSync(`/proc/${pid}`)).toBe(false);
    // A pod already gone counts as killed.
    expect((await drivers.PodChaos.inject(kill, signal)).results[0]).toMatchObject({
      ok: true,
      message: expect.stringMatching(/already gone/) as unknown,
    });
  });

  it('pod-failure runs every container on the pause image and back, the kubelet restarting them both times', async () => {
    const ns = await node.kube.freshNamespace('failure');
    const pod = await node.runPod(ns, webWithSidecar('failing', 'failing'));
    const ip = pod.status?.podIP ?? '';
    expect(await get(ip)).toBe(200);
    const fail = await batch(ns, 'pod-failure', 'failing');
    expect((await drivers.PodChaos.inject(fail, signal)).results).toMatchObject([{ ok: true }]);
    // Idempotent: a repeated inject keeps the originals it recorded first.
    expect((await drivers.PodChaos.inject(fail, signal)).results).toMatchObject([{ ok: true }]);
    const restarts = (p: V1Pod | undefined): number[] =>
      (p?.status?.containerStatuses ?? []).map((c) => c.restartCount);
    // The kubelet restarts both on the pause image: the web server runs the pause program instead (its image's
    // entrypoint is replaced); the sidecar's own command does not exist there, so it fails to start (as with
    // Chaos Mesh's pause image): either way the pod no longer serves.
    const onPause = await node.waitForPod(
      ns,
      'failing',
      (p) => {
        const web = status(p, 'web');
        const sidecar = status(p, 'sidecar');
        return (
          web?.image === PAUSE_IMAGE &&
          web.state?.running !== undefined &&
          web.restartCount >= 1 &&
          sidecar?.image === PAUSE_IMAGE &&
          sidecar.restartCount >= 1
        );
      },
      60_000,
    );
    expect(onPause?.spec?.initContainers?.map((c) => c.image)).toEqual([PAUSE_IMAGE]);
    expect(JSON.parse(onPause?.metadata?.annotations?.[POD_FAILURE_ANNOTATION] ?? '{}')).toMatchObject({
      podUid: pod.metadata?.uid,
      containers: { web: WEB_IMAGE, sidecar: BUSYBOX_IMAGE },
      initContainers: { init: BUSYBOX_IMAGE },
    });
    expect(await get(ip)).toBe('refused');
    const failedRestarts = restarts(onPause);
    const original: Record<string, string> = { web: WEB_IMAGE, sidecar: BUSYBOX_IMAGE };

    expect((await drivers.PodChaos.recover(fail, signal)).results).toMatchObject([{ ok: true }]);
    const back = await node.waitForPod(
      ns,
      'failing',
      (p) =>
        podReady(p) &&
        (p?.status?.containerStatuses ?? []).every(
          (c, i) => c.image === original[c.name] && c.restartCount > (failedRestarts[i] ?? 0),
        ),
      60_000,
    );
    expect(back?.metadata?.annotations?.[POD_FAILURE_ANNOTATION]).toBeUndefined();
    expect(back?.spec?.initContainers?.map((c) => c.image)).toEqual([BUSYBOX_IMAGE]);
    expect(await get(ip)).toBe(200);
    // Recovering again is harmless and restarts nothing.
    expect((await drivers.PodChaos.recover(fail, signal)).results).toMatchObject([{ ok: true }]);
    const after = await node.core.readNamespacedPod({ namespace: ns, name: 'failing' });
    expect(restarts(after)).toEqual(restarts(back));
  });

  it('pod-failure counts a pod recreated during the fault as recovered, with a warning, and leaves it alone', async () => {
    const ns = await node.kube.freshNamespace('recreated');
    await node.runPod(ns, webWithSidecar('phoenix', 'phoenix'));
    const fail = await batch(ns, 'pod-failure', 'phoenix');
    expect((await drivers.PodChaos.inject(fail, signal)).results).toMatchObject([{ ok: true }]);
    // As a ReplicaSet would: the pod is replaced by a new one of the same name (new uid).
    await node.core.deleteNamespacedPod({ namespace: ns, name: 'phoenix', gracePeriodSeconds: 0 });
    await node.waitForPod(ns, 'phoenix', (p) => p === undefined, 30_000);
    const reborn = await node.runPod(ns, webWithSidecar('phoenix', 'phoenix'));
    const result = await drivers.PodChaos.recover(fail, signal);
    expect(result.results[0]).toMatchObject({
      ok: true,
      message: expect.stringMatching(/recreated during the fault/) as unknown,
    });
    const now = await node.core.readNamespacedPod({ namespace: ns, name: 'phoenix' });
    expect(now.metadata?.uid).toBe(reborn.metadata?.uid);
    expect(now.spec?.containers.map((c) => c.image)).toEqual([WEB_IMAGE, BUSYBOX_IMAGE]);
    expect([status(now, 'web')?.restartCount, status(now, 'sidecar')?.restartCount]).toEqual([0, 0]);
  });
});
