/**
 * The one-node Kubernetes of the real-pod tests (embedded/kube-node.ts): a web server pod really runs (it
 * answers HTTP from the host on its pod address), the kubelet really restarts a killed container, and after
 * `stop()` nothing is left: no processes, shims, mounts, veths, bridge, cgroups, host folders or data folder, and
 * the sysctls the kubelet wrote are back.
 */
import { execFileSync, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { readFile } from 'node:fs/promises';
import { afterAll, expect, it } from 'vitest';
import { describeUnless } from '../harness/describe-unless.js';
import { kubeNodeUnavailableReason, startKubeNode, webPod, type KubeNode } from '../../embedded/kube-node.js';
import { KUBELET_SYSCTLS } from '../../embedded/kube-node-host-state.js';

describeUnless(kubeNodeUnavailableReason(), 'the one-node Kubernetes (real kubelet and containerd)', () => {
  let node: KubeNode | undefined;
  afterAll(async () => {
    await node?.stop();
  });

  it('runs a web server pod the host can reach, restarts its killed container, and leaves nothing behind', async () => {
    const sysctlsBefore = await Promise.all(KUBELET_SYSCTLS.map((k) => readFile(`/proc/sys/${k}`, 'utf8')));
    node = await startKubeNode();
    process.stderr.write(`one-node Kubernetes ready in ${node.startupMs} ms\n`);
    const ns = await node.kube.freshNamespace('node');
    const pod = await node.runPod(ns, webPod('web'));
    const ip = pod.status?.podIP ?? '';
    expect(ip).toMatch(/^10\.202\.0\.\d+$/);
    const response = await fetch(`http://${ip}:8080/`, { signal: AbortSignal.timeout(5000) });
    expect(await response.text()).toBe('chaosflow web\n');

    const containerId = pod.status?.containerStatuses?.[0]?.containerID ?? '';
    expect(containerId).toMatch(/^containerd:\/\/[0-9a-f]{64}$/);
    const pid = await node.containerPid(containerId);
    expect(await readFile(`/proc/${pid}/cmdline`, 'utf8')).toContain('httpd');
    process.kill(pid, 'SIGKILL');
    const restarted = await node.waitForPod(
      ns,
      'web',
      (p) =>
        (p?.status?.containerStatuses?.[0]?.restartCount ?? 0) >= 1 &&
        p?.status?.containerStatuses?.[0]?.ready === true,
      30_000,
    );
    expect(restarted?.status?.containerStatuses?.[0]?.containerID).not.toBe(containerId);
    const again = await fetch(`http://${ip}:8080/`, { signal: AbortSignal.timeout(5000) });
    expect(again.status).toBe(200);

    // While it runs, the leftover check sees it (so an empty list afterwards means something).
    const running = await node.leftovers();
    expect(running.some((l) => l.includes('containerd'))).toBe(true);
    expect(running.some((l) => l.startsWith('bridge '))).toBe(true);

    const stopping = Date.now();
    await node.stop();
    process.stderr.write(`one-node Kubernetes stopped in ${Date.now() - stopping} ms\n`);
    expect(await node.leftovers()).toEqual([]);
    const sysctlsAfter = await Promise.all(KUBELET_SYSCTLS.map((k) => readFile(`/proc/sys/${k}`, 'utf8')));
    expect(sysctlsAfter).toEqual(sysctlsBefore);
    // The pod's subnet is no longer routed here (the bridge, its veths and its route are gone).
    expect(
      execFileSync('ip', ['-4', 'route', 'show', 'to', 'match', ip], { encoding: 'utf8' }),
    ).not.toContain(node.layout.bridge);
  });

  it('cleans up after a node whose process was killed before its teardown, restoring the host as it was', async () => {
    const sysctlsBefore = await Promise.all(KUBELET_SYSCTLS.map((k) => readFile(`/proc/sys/${k}`, 'utf8')));
    const script = fileURLToPath(new URL('./start-node-and-hang.ts', import.meta.url));
    const spawnedAt = Date.now();
    const child = spawn(process.execPath, ['--import', 'tsx', script], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const ready = await new Promise<string>((resolve, reject) => {
      let out = '';
      child.stdout.on('data', (chunk: Buffer) => {
        out += chunk.toString();
        const match = /ready (\S+)/.exec(out);
        if (match) resolve(match[1] ?? '');
      });
      child.once('exit', (code) =>
        reject(new Error(`the node process exited (${code}) before it was ready`)),
      );
    });
    process.stderr.write(`the node to be killed was ready in ${Date.now() - spawnedAt} ms\n`);
    expect(ready).toMatch(/^10\.202\.0\.\d+$/);
    const killedAt = Date.now();
    child.kill('SIGKILL');
    await new Promise((resolve) => child.once('exit', resolve));
    // Its containerd, kubelet, etcd and apiserver outlive it; the next node cleans them up.
    node = await startKubeNode();
    process.stderr.write(`the node after a killed one was ready in ${Date.now() - killedAt} ms\n`);
    const ns = await node.kube.freshNamespace('after-crash');
    await node.runPod(ns, webPod('web'));
    const stopping = Date.now();
    await node.stop();
    process.stderr.write(`and stopped in ${Date.now() - stopping} ms\n`);
    expect(await node.leftovers()).toEqual([]);
    const sysctlsAfter = await Promise.all(KUBELET_SYSCTLS.map((k) => readFile(`/proc/sys/${k}`, 'utf8')));
    expect(sysctlsAfter).toEqual(sysctlsBefore);
    const strays = execFileSync('ps', ['-eo', 'args'], { encoding: 'utf8' })
      .split('\n')
      .filter((l) => /chaosflow-(node|kube)-/.test(l));
    expect(strays).toEqual([]);
  });
});
