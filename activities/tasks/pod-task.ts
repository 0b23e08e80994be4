/**
 * Kubernetes mode of a Task: its `container` runs as a Pod in the Workflow's namespace (image, command, args,
 * env with valueFrom, workingDir, every other Container field as given (resources, volumeMounts, ...), volumes,
 * the task's labels; `restartPolicy: Never`), the activity waits for it, takes the
 * exit code of its container and its log (bounded, at most 1 MiB) for `conditionalBranches`, and deletes it.
 *
 * One attempt never runs twice (Chaos Mesh #4878):
 * - the pod's name is derived from the run and the node (`cf-task-<digest>`), so an activity retried after a
 *   worker crash finds the pod it created and waits for that one instead of creating another;
 * - the pod's uid, and once known its result, go into the activity's heartbeat details (Temporal keeps them
 *   across attempts): a retry whose pod has disappeared (deleted by someone, or by this activity after the result
 *   was recorded) returns the recorded result, or fails without running the Task again.
 *
 * A pod that can never start (an image that cannot be pulled, a bad container configuration) fails the Task with
 * the kubelet's reason and message instead of waiting for the node's deadline (Chaos Mesh #2407).
 */
import { createHash } from 'node:crypto';
import {
  ApiException,
  CoreV1Api,
  type KubeConfig,
  type V1Container,
  type V1EnvVar,
  type V1EnvVarSource,
  type V1Pod,
} from '@kubernetes/client-node';
import type { TaskInput, TaskResult } from '../contract.js';
import { ActivityError } from '../errors.js';
import { apiError } from '../kubernetes/pod-api.js';

/** What a retried attempt reads back from the heartbeat details of the one before. */
export interface PodTaskProgress {
  pod: string;
  uid: string;
  result?: TaskResult;
}

export interface PodTaskRunnerOptions {
  kubeConfig: KubeConfig;
  /** How often the pod is read. Default 500 ms. */
  pollMs?: number;
}

export type PodTaskRunner = (
  input: TaskInput,
  signal: AbortSignal,
  heartbeat: (progress: PodTaskProgress) => void,
  previous: PodTaskProgress | undefined,
) => Promise<TaskResult>;

const LOG_LIMIT_BYTES = 1024 * 1024;

/** Waiting reasons after which the container will never start without someone changing the pod. */
const NEVER_STARTS = new Set([
  'ErrImageNeverPull',
  'ImagePullBackOff',
  'InvalidImageName',
  'CreateContainerConfigError',
  'CreateContainerError',
]);

/** `cf-task-` and 20 hex of the run and node: a valid pod name, the same for every attempt. */
export function taskPodName(input: Pick<TaskInput, 'run' | 'nodeId'>): string {
  const digest = createHash('sha256').update(`${input.run.workflowId}\n${input.nodeId}`).digest('hex');
  return `cf-task-${digest.slice(0, 20)}`;
}

export function taskPod(input: TaskInput): V1Pod {
  const { container, volumes, labels } = input.task;
  if (!container.image) {
    throw new ActivityError(
      'INVALID_INPUT',
      `task '${input.nodeId}' has no container.image: in Kubernetes mode chaosflow runs the Task as a pod; set task.container.image`,
    );
  }
  return {
    metadata: {
      name: taskPodName(input),
      namespace: input.run.namespace,
      labels: { ...labels, 'app.kubernetes.io/managed-by': 'chaosflow', 'chaosflow.dev/task': 'true' },
      annotations: { 'chaosflow.dev/workflow-id': input.run.workflowId, 'chaosflow.dev/node': input.nodeId },
    },
    spec: {
      restartPolicy: 'Never',
      automountServiceAccountToken: false,
      containers: [
        {
          // The Container's other fields first, so that the ones chaosflow reads win.
          ...(container.more as V1Container | undefined),
          name: container.name || 'task',
          image: container.image,
          ...(container.command.length > 0 ? { command: [...container.command] } : {}),
          ...(container.args.length > 0 ? { args: [...container.args] } : {}),
          ...(container.env.length > 0 ? { env: container.env.map(envVar) } : {}),
          ...(container.workingDir ? { workingDir: container.workingDir } : {}),
        },
      ],
      ...(volumes.length > 0 ? { volumes: volumes as NonNullable<V1Pod['spec']>['volumes'] } : {}),
    },
  };
}

/** An env entry as the pod gets it: `valueFrom` as written (the API server validates it), else the value. */
function envVar(e: TaskInput['task']['container']['env'][number]): V1EnvVar {
  return e.valueFrom === undefined
    ? { name: e.name, value: e.value }
    : { name: e.name, valueFrom: e.valueFrom as V1EnvVarSource };
}

export function createPodTaskRunner(options: PodTaskRunnerOptions): PodTaskRunner {
  const core = options.kubeConfig.makeApiClient(CoreV1Api);
  const pollMs = options.pollMs ?? 500;

  return async (input, signal, heartbeat, previous) => {
    const namespace = input.run.namespace;
    const name = taskPodName(input);
    const what = `task '${input.nodeId}' (pod ${namespace}/${name})`;
    const remove = () => deletePod(core, namespace, name);

    if (previous?.result) {
      await remove();
      return previous.result;
    }
    let pod = await readPod(core, namespace, name);
    if (previous && pod?.metadata?.uid !== previous.uid) {
      throw new ActivityError(
        'INVALID_INPUT',
        `${what} disappeared before its result was read; chaosflow never runs an attempt of a Task twice. Run the Workflow again to repeat it`,
      );
    }
    if (!pod) pod = await createPod(core, taskPod(input), what);
    const uid = pod.metadata?.uid ?? '';
    heartbeat({ pod: name, uid });

    const onAbort = (): void => void remove();
    signal.addEventListener('abort', onAbort, { once: true });
    try {
      for (;;) {
        if (signal.aborted)
          throw signal.reason instanceof Error ? signal.reason : new Error('task cancelled');
        const current = await readPod(core, namespace, name);
        if (!current || current.metadata?.uid !== uid) {
          throw new ActivityError(
            'INVALID_INPUT',
            `${what} disappeared before it finished; chaosflow never runs an attempt of a Task twice. Run the Workflow again to repeat it`,
          );
        }
        const status = current.status?.containerStatuses?.[0];
        const waiting = status?.state?.waiting;
        if (waiting?.reason && NEVER_STARTS.has(waiting.reason)) {
          await remove();
          throw new ActivityError(
            'INVALID_INPUT',
            `${what} cannot start: ${waiting.reason}${waiting.message ? `: ${waiting.message}` : ''}`,
          );
        }
        const terminated = status?.state?.terminated;
        const phase = current.status?.phase;
        if (terminated && (phase === 'Succeeded' || phase === 'Failed')) {
          const stdout = await readLog(core, namespace, name, status.name, what);
          const result = { exitCode: terminated.exitCode, stdout };
          heartbeat({ pod: name, uid, result });
          await remove();
          return result;
        }
        heartbeat({ pod: name, uid });
        await sleep(pollMs, signal);
      }
    } finally {
      signal.removeEventListener('abort', onAbort);
    }
  };
}

async function readPod(core: CoreV1Api, namespace: string, name: string): Promise<V1Pod | undefined> {
  try {
    return await core.readNamespacedPod({ namespace, name });
  } catch (err) {
    if (err instanceof ApiException && err.code === 404) return undefined;
    throw apiError(`read the task pod ${namespace}/${name}`, err);
  }
}

async function createPod(core: CoreV1Api, pod: V1Pod, what: string): Promise<V1Pod> {
  const namespace = pod.metadata?.namespace ?? '';
  try {
    return await core.createNamespacedPod({ namespace, body: pod });
  } catch (err) {
    // Created by an attempt that crashed before recording it: wait for that one.
    if (err instanceof ApiException && err.code === 409) {
      const existing = await readPod(core, namespace, pod.metadata?.name ?? '');
      if (existing) return existing;
    }
    throw apiError(`create ${what}`, err);
  }
}

async function readLog(
  core: CoreV1Api,
  namespace: string,
  name: string,
  container: string,
  what: string,
): Promise<string> {
  try {
    const text = await core.readNamespacedPodLog({ namespace, name, container, limitBytes: LOG_LIMIT_BYTES });
    return String(text).slice(0, LOG_LIMIT_BYTES).trim();
  } catch (err) {
    throw apiError(`read the log of ${what}`, err);
  }
}

async function deletePod(core: CoreV1Api, namespace: string, name: string): Promise<void> {
  try {
    await core.deleteNamespacedPod({ namespace, name, gracePeriodSeconds: 0 });
  } catch (err) {
    if (!(err instanceof ApiException && err.code === 404))
      throw apiError(`delete the task pod ${namespace}/${name}`, err);
  }
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done(): void {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });
}
