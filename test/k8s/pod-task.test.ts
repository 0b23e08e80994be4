/**
 * Tasks as Pods on the one-node Kubernetes (embedded/kube-node.ts): the Task's container runs as a real pod
 * in the Workflow's namespace, its exit code and log come back for the branches, and the pod is deleted. An
 * attempt never runs twice: a retry adopts the pod a crashed attempt created, returns a result already
 * recorded, and refuses to run again when the pod disappeared. A pod whose image cannot be pulled fails the Task
 * with the kubelet's reason.
 */
import type { V1Pod } from '@kubernetes/client-node';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { TaskInput } from '../../activities/contract.js';
import {
  createPodTaskRunner,
  taskPod,
  taskPodName,
  type PodTaskProgress,
  type PodTaskRunner,
} from '../../activities/tasks/pod-task.js';
import { describeUnless } from '../harness/describe-unless.js';
import {
  BUSYBOX_IMAGE,
  kubeNodeUnavailableReason,
  startKubeNode,
  type KubeNode,
} from '../../embedded/kube-node.js';

describeUnless(kubeNodeUnavailableReason(), 'Tasks as Pods (real kubelet and containerd)', () => {
  let node: KubeNode;
  let runner: PodTaskRunner;
  let ns: string;
  let counter = 0;
  const never = new AbortController().signal;

  beforeAll(async () => {
    node = await startKubeNode();
    runner = createPodTaskRunner({ kubeConfig: node.kube.kubeConfig, pollMs: 250 });
    ns = await node.kube.freshNamespace('tasks');
  });
  afterAll(async () => {
    await node?.stop();
  });

  function task(script: string, image = BUSYBOX_IMAGE): TaskInput {
    counter += 1;
    return {
      run: { workflowId: `wf-${counter}`, namespace: ns, name: 'game-day' },
      nodeId: 'check-ready',
      task: {
        container: {
          name: 'check',
          image,
          command: ['sh', '-c'],
          args: [script],
          env: [{ name: 'GREETING', value: 'ready' }],
        },
        volumes: [{ name: 'scratch', emptyDir: {} }],
        labels: { team: 'sre' },
      },
    };
  }

  const taskPods = async (): Promise<V1Pod[]> =>
    (await node.core.listNamespacedPod({ namespace: ns, labelSelector: 'chaosflow.dev/task=true' })).items;

  it("returns the pod's exit code and log for the branches, and deletes the pod", async () => {
    const progress: PodTaskProgress[] = [];
    const result = await runner(
      task('echo "state=$GREETING"; exit 3'),
      never,
      (p) => progress.push(p),
      undefined,
    );
    expect(result).toEqual({ exitCode: 3, stdout: 'state=ready' });
    expect(progress.at(-1)?.result).toEqual(result);
    await node.waitForPod(ns, progress[0]?.pod ?? '', (p) => p === undefined, 20_000);
  });

  it('gives the pod env valueFrom and the other Container fields as written (resources, volumeMounts)', async () => {
    const input = task(
      'echo "pod=$POD_NAME"; cat /sys/fs/cgroup/memory/memory.limit_in_bytes; ls -d /scratch',
    );
    const container = input.task.container;
    const withMore: TaskInput = {
      ...input,
      task: {
        ...input.task,
        container: {
          ...container,
          env: [
            ...container.env,
            { name: 'POD_NAME', value: '', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
          ],
          more: {
            resources: { limits: { memory: '64Mi' }, requests: { memory: '32Mi' } },
            volumeMounts: [{ name: 'scratch', mountPath: '/scratch' }],
          },
        },
      },
    };
    const result = await runner(withMore, never, () => undefined, undefined);
    expect(result).toEqual({
      exitCode: 0,
      stdout: `pod=${taskPodName(withMore)}\n${64 * 1024 * 1024}\n/scratch`,
    });
  });

  it('adopts the pod a crashed attempt created instead of running the Task again', async () => {
    const input = task('echo "ran once"; sleep 1');
    // What the crashed attempt left: its pod, created before it could record anything.
    const created = await node.core.createNamespacedPod({ namespace: ns, body: taskPod(input) });
    const progress: PodTaskProgress[] = [];
    const result = await runner(input, never, (p) => progress.push(p), undefined);
    expect(result).toEqual({ exitCode: 0, stdout: 'ran once' });
    expect(new Set(progress.map((p) => p.uid))).toEqual(new Set([created.metadata?.uid]));
  });

  it('returns a recorded result, and never runs again a Task whose pod disappeared', async () => {
    const input = task('echo again');
    const recorded = { exitCode: 0, stdout: 'from before' };
    expect(
      await runner(input, never, () => undefined, { pod: taskPodName(input), uid: 'u1', result: recorded }),
    ).toEqual(recorded);
    await expect(
      runner(input, never, () => undefined, { pod: taskPodName(input), uid: 'u1' }),
    ).rejects.toMatchObject({
      code: 'INVALID_INPUT',
      message: expect.stringMatching(/disappeared before its result was read/) as unknown,
    });
    expect((await taskPods()).map((p) => p.metadata?.name)).not.toContain(taskPodName(input));
  });

  it('fails a Task whose image cannot be pulled with the reason, and deletes its pod', async () => {
    const input = task('true', 'local.test/no-such-image:1');
    const started = Date.now();
    await expect(runner(input, never, () => undefined, undefined)).rejects.toMatchObject({
      code: 'INVALID_INPUT',
      message: expect.stringMatching(/cannot start: (ImagePullBackOff|ErrImageNeverPull)/) as unknown,
    });
    process.stderr.write(`a Task with a bad image failed after ${Date.now() - started} ms\n`);
    await node.waitForPod(ns, taskPodName(input), (p) => p === undefined, 20_000);
  });
});
