/**
 * The chaosflow agent as a host process on the one-node Kubernetes (embedded/kube-node.ts), commanded with
 * pods' own runtime ids (`containerd://…` from their status), the way chaosflow's drivers send them:
 * - the id resolves to the container's host pid (the same pid containerd reports);
 * - a partition in the pod's network namespace: a request from another pod times out while it holds, the host
 *   still gets answers, and recovery leaves the pod's iptables, ipsets and qdiscs exactly as before;
 * - a container the kubelet restarts during a partition (new container id): recovery under the old id
 *   succeeds, cleans the pod's namespace, and the new container is not partitioned (Chaos Mesh #4827);
 * - stress-ng runs in the container's cgroup, and cancelling stops it.
 */
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { promisify } from 'node:util';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { FaultKey } from '../../activities/daemon/daemon-client.js';
import { describeUnless } from '../harness/describe-unless.js';
import {
  BUSYBOX_IMAGE,
  kubeNodeUnavailableReason,
  podOnNode,
  startKubeNode,
  webPod,
  type KubeNode,
} from '../../embedded/kube-node.js';
import { startAgentFixture, type AgentFixture } from '../integration/agent/agent-fixture.js';

const run = promisify(execFile);

describeUnless(kubeNodeUnavailableReason(), 'the chaosflow agent on a real node (containerd pods)', () => {
  let node: KubeNode;
  let agent: AgentFixture;
  let ns: string;
  let clientId: string;
  let clientIp: string;

  beforeAll(async () => {
    node = await startKubeNode();
    agent = await startAgentFixture();
    ns = await node.kube.freshNamespace('agent');
    const client = await node.runPod(
      ns,
      podOnNode('client', {
        containers: [{ name: 'client', image: BUSYBOX_IMAGE, command: ['sleep', '3600'] }],
      }),
    );
    clientId = client.status?.containerStatuses?.[0]?.containerID ?? '';
    clientIp = client.status?.podIP ?? '';
  });
  afterAll(async () => {
    await agent?.stop();
    await node?.stop();
  });

  /** A request from the client pod (wget inside its container, cut after 2 s). */
  /** A request from the client pod. */
  const fromClient = (url: string) => node.requestFrom(clientId, url);

  async function fromHost(url: string): Promise<number | 'timeout'> {
    try {
      return (await fetch(url, { signal: AbortSignal.timeout(2000) })).status;
    } catch {
      return 'timeout';
    }
  }

  /**
   * The pod's network namespace as the agent leaves it: iptables (counters dropped), ipsets, qdiscs. The filter
   * and mangle tables are initialised first (as netns-host.ts does): a fresh pod namespace has no tables, and one
   * the agent used keeps them, empty.
   */
  async function netnsState(pid: number): Promise<string> {
    const inNs = async (argv: string[]): Promise<string> =>
      (await run('nsenter', [`--net=/proc/${pid}/ns/net`, '--', ...argv])).stdout;
    for (const table of ['filter', 'mangle']) {
      await inNs(['iptables', '-w', '5', '-t', table, '-N', 'CFPRIME']);
      await inNs(['iptables', '-w', '5', '-t', table, '-X', 'CFPRIME']);
    }
    const iptables = (await inNs(['iptables-save']))
      .split('\n')
      .filter((l) => l && !l.startsWith('#'))
      .map((l) => l.replace(/\[\d+:\d+\]/g, '[]'))
      .join('\n');
    const ipsets = (await inNs(['ipset', 'list', '-n'])).split('\n').filter(Boolean).sort().join('\n');
    const qdiscs = (await inNs(['tc', 'qdisc', 'show'])).replace(/refcnt \d+ /g, '').trim();
    return `${iptables}\n--\n${ipsets}\n--\n${qdiscs}`;
  }

  async function partition(containerId: string, faultKey: FaultKey): Promise<void> {
    await agent.client.call(
      'FlushIPSets',
      {
        container_id: containerId,
        enterNS: true,
        ipsets: [{ name: 'cf_client', type: 'hash:net', cidrs: [`${clientIp}/32`] }],
      },
      { faultKey },
    );
    await agent.client.call(
      'SetIptablesChains',
      {
        container_id: containerId,
        enterNS: true,
        chains: [{ name: 'INPUT/cf_part', direction: 'INPUT', ipsets: ['cf_client'], target: 'DROP' }],
      },
      { faultKey },
    );
  }

  async function recover(containerId: string, faultKey: FaultKey): Promise<void> {
    await agent.client.call(
      'SetIptablesChains',
      { container_id: containerId, enterNS: true, chains: [] },
      { faultKey },
    );
    await agent.client.call(
      'FlushIPSets',
      { container_id: containerId, enterNS: true, ipsets: [] },
      { faultKey },
    );
  }

  it('resolves a containerd:// id to the container host pid, and a gone id to NOT_FOUND', async () => {
    const pid = await node.containerPid(clientId);
    expect(await agent.client.call('ContainerGetPid', { container_id: clientId })).toMatchObject({ pid });
    await expect(
      agent.client.call('ContainerGetPid', { container_id: `containerd://${'0'.repeat(64)}` }),
    ).rejects.toMatchObject({ context: { status: 'NOT_FOUND' } });
  });

  it("partitions a pod from another pod in the pod's own namespace; recovery leaves it as before", async () => {
    const web = await node.runPod(ns, webPod('web-a'));
    const url = `http://${web.status?.podIP}:8080/`;
    const id = web.status?.containerStatuses?.[0]?.containerID ?? '';
    const pid = await node.containerPid(id);
    const before = await netnsState(pid);
    expect(await fromClient(url)).toBe('ok');
    const faultKey = { run: 'run-a', node: 'partition', target: `${ns}/web-a/web` };

    await partition(id, faultKey);
    expect(await fromClient(url)).toBe('timeout');
    expect(await fromHost(url)).toBe(200);
    expect(await netnsState(pid)).toContain('-A INPUT/cf_part -m set --match-set cf_client src -j DROP');

    await recover(id, faultKey);
    expect(await fromClient(url)).toBe('ok');
    expect(await netnsState(pid)).toBe(before);
  });

  it('recovers a partition whose container the kubelet restarted meanwhile; the new container is not partitioned', async () => {
    const web = await node.runPod(ns, webPod('web-b'));
    const url = `http://${web.status?.podIP}:8080/`;
    const oldId = web.status?.containerStatuses?.[0]?.containerID ?? '';
    const oldPid = await node.containerPid(oldId);
    const before = await netnsState(oldPid);
    const faultKey = { run: 'run-b', node: 'partition', target: `${ns}/web-b/web` };
    await partition(oldId, faultKey);
    expect(await fromClient(url)).toBe('timeout');

    process.kill(oldPid, 'SIGKILL');
    const restarted = await node.waitForPod(
      ns,
      'web-b',
      (p) =>
        (p?.status?.containerStatuses?.[0]?.restartCount ?? 0) >= 1 &&
        p?.status?.containerStatuses?.[0]?.ready === true,
      30_000,
    );
    const newId = restarted?.status?.containerStatuses?.[0]?.containerID ?? '';
    expect(newId).not.toBe(oldId);
    // The pod's namespace outlives the container: the new one is still partitioned until recovery.
    expect(await fromClient(url)).toBe('timeout');

    await recover(oldId, faultKey);
    expect(await fromClient(url)).toBe('ok');
    expect(await netnsState(await node.containerPid(newId))).toBe(before);
    const log = await agent.log();
    expect(log).toContain('target gone; counting the clear as done');
  });

  it("runs stress-ng in the container's cgroup and stops it on cancel", async () => {
    const web = await node.runPod(ns, webPod('web-c'));
    const id = web.status?.containerStatuses?.[0]?.containerID ?? '';
    const faultKey = { run: 'run-c', node: 'stress', target: `${ns}/web-c/web` };
    const started = await agent.client.call(
      'ExecStressors',
      { scope: 'CONTAINER', target: id, cpuStressors: '--cpu 1 --cpu-load 50', enterNS: true },
      { faultKey },
    );
    const pid = Number(started.cpuInstance);
    expect(pid).toBeGreaterThan(1);
    const cgroups = await readFile(`/proc/${pid}/cgroup`, 'utf8');
    const containerHex = id.replace('containerd://', '');
    expect(cgroups).toMatch(
      new RegExp(`:cpu[^:]*:/kubepods/[^\\n]*pod${web.metadata?.uid}/${containerHex}\\n`),
    );
    await agent.client.call('CancelStressors', started, { faultKey });
    const until = Date.now() + 5000;
    while (Date.now() < until && (await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => '')) !== '') {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => '')).toBe('');
  });
});
