/**
 * PodChaos `pod-failure`, as Chaos Mesh's `podfailure.Impl`: every container and init container image of the
 * pod becomes a pause image (the kubelet restarts them with it, so the pod stops serving) and the originals are
 * kept in an annotation of the pod; recover patches them back and removes the annotation.
 *
 * - One JSON patch per change, guarded by a `test` of the pod's uid: a pod recreated meanwhile (same name, new
 *   uid) is never patched, and counts as recovered with a warning (its images were never changed).
 * - Idempotent: an inject that finds the annotation keeps the originals it recorded (it never records the pause
 *   image as an original); a recover that finds no annotation has nothing left to undo; a pod that is gone is
 *   recovered.
 * - The originals live in one annotation, `chaosflow.dev/pod-failure`, as JSON (Chaos Mesh uses one annotation
 *   per container, whose names it must shorten past 63 characters; one JSON value needs no shortening).
 * - A host process (inventory target) has no image: refused as UNSUPPORTED, saying what to use instead.
 */
import type { V1Pod } from '@kubernetes/client-node';
import type { FaultTarget } from '../fault-outcome.js';
import { ActivityError } from '../../errors.js';
import type { JsonPatchOperation, PodApi } from '../../kubernetes/pod-api.js';
import type { FaultDriver } from '../fault-driver.js';
import { eachTarget, type TargetOutcome } from '../fault-outcome.js';

/** Chaos Mesh's default (`POD_FAILURE_PAUSE_IMAGE`). */
export const DEFAULT_PAUSE_IMAGE = 'gcr.io/google-containers/pause:latest';

export const POD_FAILURE_ANNOTATION = 'chaosflow.dev/pod-failure';

/** What the annotation holds. */
export interface OriginalImages {
  /** The uid of the pod the images were changed on. */
  podUid: string;
  containers: Record<string, string>;
  initContainers: Record<string, string>;
}

export interface PodFailureOptions {
  pods: PodApi | undefined;
  /** The image containers are switched to. Default `DEFAULT_PAUSE_IMAGE`. */
  pauseImage?: string;
}

export function createPodFailureDriver(options: PodFailureOptions): FaultDriver<'PodChaos'> {
  const pauseImage = options.pauseImage ?? DEFAULT_PAUSE_IMAGE;
  const { pods } = options;
  return {
    inject: (batch) =>
      eachTarget(batch, async ({ target }) => {
        if (!pods) throw hostTarget(target);
        const pod = await pods.read(target.namespace, target.pod);
        if (!pod || (target.podUid && pod.metadata?.uid !== target.podUid)) {
          return { ok: false, retryable: false, message: `pod ${podName(target)} is gone: nothing to fail` };
        }
        const outcome = await pods.patch(target.namespace, target.pod, failurePatch(pod, pauseImage));
        return outcome === 'gone'
          ? { ok: false, retryable: false, message: `pod ${podName(target)} is gone: nothing to fail` }
          : { ok: true };
      }),
    recover: (batch) =>
      eachTarget(batch, async ({ target }): Promise<TargetOutcome> => {
        if (!pods) return { ok: true, message: 'a host process has no image: nothing was changed' };
        const pod = await pods.read(target.namespace, target.pod);
        if (!pod) return { ok: true, message: `pod ${podName(target)} is gone: counted as recovered` };
        const recorded = originalsOf(pod);
        const recreated = {
          ok: true,
          message: `pod ${podName(target)} was recreated during the fault (new uid): its images were never changed`,
        };
        // The uid the target was resolved with (no annotation on a new pod), or the one the annotation names.
        if (target.podUid && pod.metadata?.uid !== target.podUid) return recreated;
        if (!recorded) return { ok: true };
        if (recorded.podUid !== pod.metadata?.uid) return recreated;
        const outcome = await pods.patch(target.namespace, target.pod, restorePatch(pod, recorded));
        return outcome === 'gone'
          ? { ok: true, message: `pod ${podName(target)} is gone: counted as recovered` }
          : { ok: true };
      }),
  };
}

/** Pause images in, originals kept (the ones recorded before, if this pod was failed already). */
export function failurePatch(pod: V1Pod, pauseImage: string): JsonPatchOperation[] {
  const uid = pod.metadata?.uid ?? '';
  const recorded = originalsOf(pod);
  const originals: OriginalImages =
    recorded?.podUid === uid
      ? recorded
      : {
          podUid: uid,
          containers: imagesOf(pod.spec?.containers),
          initContainers: imagesOf(pod.spec?.initContainers),
        };
  return [
    { op: 'test', path: '/metadata/uid', value: uid },
    ...annotationOps(pod, JSON.stringify(originals)),
    ...imageOps('containers', pod.spec?.containers, () => pauseImage),
    ...imageOps('initContainers', pod.spec?.initContainers, () => pauseImage),
  ];
}

/** The originals back, the annotation removed. */
export function restorePatch(pod: V1Pod, originals: OriginalImages): JsonPatchOperation[] {
  return [
    { op: 'test', path: '/metadata/uid', value: originals.podUid },
    ...imageOps('containers', pod.spec?.containers, (name) => originals.containers[name]),
    ...imageOps('initContainers', pod.spec?.initContainers, (name) => originals.initContainers[name]),
    { op: 'remove', path: `/metadata/annotations/${pointerEscape(POD_FAILURE_ANNOTATION)}` },
  ];
}

export function originalsOf(pod: V1Pod): OriginalImages | undefined {
  const text = pod.metadata?.annotations?.[POD_FAILURE_ANNOTATION];
  if (text === undefined) return undefined;
  try {
    const value = JSON.parse(text) as Partial<OriginalImages>;
    if (typeof value.podUid === 'string' && value.containers && value.initContainers) {
      return value as OriginalImages;
    }
  } catch {
    // fall through
  }
  throw new ActivityError(
    'INVALID_INPUT',
    `pod ${pod.metadata?.namespace}/${pod.metadata?.name} has an unreadable ${POD_FAILURE_ANNOTATION} annotation; restore its images by hand and remove the annotation`,
  );
}

function imagesOf(
  containers: readonly { name: string; image?: string }[] | undefined,
): Record<string, string> {
  return Object.fromEntries((containers ?? []).map((c) => [c.name, c.image ?? '']));
}

function imageOps(
  field: 'containers' | 'initContainers',
  containers: readonly { name: string; image?: string }[] | undefined,
  imageFor: (name: string) => string | undefined,
): JsonPatchOperation[] {
  return (containers ?? []).flatMap((c, i) => {
    const image = imageFor(c.name);
    return image === undefined || image === c.image
      ? []
      : [{ op: 'replace' as const, path: `/spec/${field}/${i}/image`, value: image }];
  });
}

function annotationOps(pod: V1Pod, value: string): JsonPatchOperation[] {
  if (!pod.metadata?.annotations) {
    return [{ op: 'add', path: '/metadata/annotations', value: { [POD_FAILURE_ANNOTATION]: value } }];
  }
  return [{ op: 'add', path: `/metadata/annotations/${pointerEscape(POD_FAILURE_ANNOTATION)}`, value }];
}

/** RFC 6901: `~` and `/` inside a reference token. */
function pointerEscape(token: string): string {
  return token.replace(/~/g, '~0').replace(/\//g, '~1');
}

function podName(target: FaultTarget['target']): string {
  return `${target.namespace}/${target.pod}`;
}

function hostTarget(target: FaultTarget['target']): ActivityError {
  return new ActivityError(
    'UNSUPPORTED',
    `pod-failure needs Kubernetes: it replaces the container images of a pod with a pause image, and ${podName(target)} is a host process with no image. Use container-kill, or StressChaos, for host processes`,
  );
}
