/**
 * The pod behind a target as its source sees it now (container ids change when a container restarts), and
 * Chaos Mesh's way of reaching a pod's network namespace: try each container of the pod in turn until the
 * daemon accepts one, since they all share it (`ipset.FlushIPSets`, `iptable.SetIptablesChains`, `tc.SetTcs`).
 */
import { ChaosflowError, errorMessage } from '../../common/errors/chaosflow-error.js';
import type { Target } from '../../common/target.js';
import type { PodInfo } from '../../common/selection/pod-info.js';
import type { GrpcStatusName } from '../../proto/grpc-status.js';
import { DaemonError } from '../daemon/daemon-error.js';
import { ActivityError } from '../errors.js';
import type { TargetSource } from '../targets/target-source.js';

/** The target's pod, or undefined when the source no longer has it. */
export async function currentPod(
  source: Pick<TargetSource, 'listPods'>,
  target: Target,
): Promise<PodInfo | undefined> {
  let pods: PodInfo[];
  try {
    pods = await source.listPods([target.namespace]);
  } catch (err) {
    throw new ActivityError(
      'UNAVAILABLE',
      `cannot list the pods of ${target.namespace}: ${errorMessage(err)}`,
      {
        cause: err,
      },
    );
  }
  return pods.find((p) => p.namespace === target.namespace && p.name === target.pod);
}

/** Raised when every container of the pod is gone (the daemon said NOT_FOUND for each). */
export class PodGoneError extends ChaosflowError<'POD_GONE', { readonly pod: string }> {
  static override readonly codes: readonly string[] = ['POD_GONE'];
  override readonly name = 'PodGoneError';
  constructor(pod: string) {
    super('POD_GONE', `pod ${pod} is gone (no container of it exists any more)`, { pod });
  }
}

/** Answers about the request itself: another container of the same pod would get the same answer. */
const ABOUT_THE_REQUEST: ReadonlySet<GrpcStatusName> = new Set([
  'INVALID_ARGUMENT',
  'UNIMPLEMENTED',
  'FAILED_PRECONDITION',
  'PERMISSION_DENIED',
  'UNAUTHENTICATED',
]);

/** Calls `call` with each container id in turn until one succeeds; see the file comment. */
export async function tryContainers<T>(
  pod: string,
  containerIds: readonly string[],
  call: (containerId: string) => Promise<T>,
): Promise<T> {
  if (containerIds.length === 0) {
    throw new ActivityError(
      'UNAVAILABLE',
      `pod ${pod} has no running container to reach its network namespace`,
    );
  }
  const errors: unknown[] = [];
  for (const id of containerIds) {
    try {
      return await call(id);
    } catch (err) {
      if (!(err instanceof DaemonError) || ABOUT_THE_REQUEST.has(err.context.status))
        throw asActivityError(err);
      errors.push(err);
    }
  }
  if (errors.every((e) => e instanceof DaemonError && e.context.status === 'NOT_FOUND')) {
    throw new PodGoneError(pod);
  }
  const last = errors.at(-1);
  throw new ActivityError(
    'UNAVAILABLE',
    `every container of pod ${pod} failed: ${errors.map((e) => errorMessage(e)).join('; ')}`,
    { cause: last },
  );
}

/** A daemon refusal as the activity error the entity workflow understands (permanent or not). */
export function asActivityError(err: unknown): ActivityError {
  if (err instanceof ActivityError) return err;
  if (err instanceof DaemonError) {
    if (err.retryable) return new ActivityError('UNAVAILABLE', err.message, { cause: err });
    const code =
      err.context.status === 'INVALID_ARGUMENT' || err.context.status === 'NOT_FOUND'
        ? 'INVALID_INPUT'
        : 'UNSUPPORTED';
    return new ActivityError(code, err.message, { cause: err });
  }
  return new ActivityError('UNAVAILABLE', errorMessage(err), { cause: err });
}

/** Ids of the pod's started containers, in the pod's order. */
export function containerIdsOf(pod: PodInfo): string[] {
  return pod.containers.map((c) => c.containerId ?? '').filter((id) => id !== '');
}
