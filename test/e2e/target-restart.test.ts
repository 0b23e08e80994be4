/**
 * A target that restarts while its faults are held (issue: Chaos Mesh's #4827, where recovery failed with
 * "task not found" for the new container and the fault stayed). The demo service is partitioned and stressed in
 * parallel; mid-fault its process is killed and a new one starts in the same network namespace and cgroups (a
 * new pid, as a container restart inside its pod). The run must still end Succeeded with every fault
 * Recovered, the new process must not inherit the partition (it answers, the namespace equals its snapshot
 * from before) and no stressor may be left in its cgroup.
 */
import { writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { faultsQuery, statusQuery } from '../../workflows/messages.js';
import { runCli } from '../harness/cli.js';
import { describeWithNetns } from '../harness/describe-with-netns.js';
import { startGameDayEnv, type GameDayEnv } from './game-day-env.js';

let env: GameDayEnv;

const MANIFEST = `apiVersion: chaos-mesh.org/v1alpha1
kind: Workflow
metadata: { name: restart-during-fault, namespace: default }
spec:
  entry: both
  templates:
    - name: both
      templateType: Parallel
      deadline: 1m
      children: [partition, stress]
    - name: partition
      templateType: NetworkChaos
      deadline: 12s
      networkChaos:
        action: partition
        mode: all
        direction: to
        externalTargets: [10.200.0.1]
        selector: { labelSelectors: { app: demo } }
    - name: stress
      templateType: StressChaos
      deadline: 12s
      stressChaos:
        mode: all
        selector: { labelSelectors: { app: demo } }
        stressors: { cpu: { workers: 1, load: 50 } }
`;

async function answers(): Promise<boolean> {
  const response = await fetch('http://10.200.0.2:8080/', { signal: AbortSignal.timeout(1_000) }).catch(
    () => undefined,
  );
  return response?.ok ?? false;
}

describeWithNetns('a target that restarts during a held fault', () => {
  beforeAll(async () => {
    env = await startGameDayEnv();
  });
  afterAll(async () => {
    await env?.stop();
  });

  it('ends Recovered, and the restarted process inherits neither the partition nor the stressor', async () => {
    const file = join(tmpdir(), `restart-during-fault-${process.pid}.yaml`);
    await writeFile(file, MANIFEST);
    const started = await runCli(['run', file, '--detach', ...env.cliFlags]);
    expect(started.code, started.stderr).toBe(0);
    const handle = env.client.workflow.getHandle(started.stdout.trim());
    const cgroup = env.host.cgroup;
    if (!cgroup) throw new Error('the game-day host has cgroups');
    const oldPid = env.host.pid;
    await expect
      .poll(async () => (await env.host.snapshot()).iptables, { timeout: 30_000 })
      .toMatch(/CHAOS-OUTPUT/);
    await expect.poll(async () => (await cgroup.pids()).length, { timeout: 30_000 }).toBeGreaterThan(1);
    expect(await answers()).toBe(false);

    await env.host.restartProcess();
    expect(env.host.pid).not.toBe(oldPid);
    // The namespace survives its process, as a pod's does: the new process is partitioned meanwhile.
    expect(await answers()).toBe(false);

    await handle.result();
    const status = await handle.query(statusQuery);
    expect(status.phase).toBe('Succeeded');
    const faults = await handle.query(faultsQuery);
    expect(faults.length).toBe(2);
    expect(faults.map((f) => f.state)).toEqual(['Recovered', 'Recovered']);
    // The partition's recover says why it counts as recovered.
    expect(faults.find((f) => f.kind === 'NetworkChaos')?.lastError).toMatch(
      new RegExp(`target process ${oldPid} is gone \\(it exited or restarted\\): counted as recovered`),
    );
    expect(await env.host.snapshot()).toEqual(env.before);
    expect(await answers()).toBe(true);
    await expect.poll(() => cgroup.pids(), { timeout: 10_000 }).toEqual([env.host.pid]);
  });
});
