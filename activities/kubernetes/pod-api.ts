/**
 * What the pod-level fault drivers ask of the Kubernetes API (Chaos Mesh's pod-kill and pod-failure act on pods
 * through the API, not through a daemon): read a pod, delete it with a grace period, and apply a JSON patch to
 * it. Errors of the API become ActivityErrors: a pod that is gone is `undefined` / `'gone'`, never an error.
 */
import {
  ApiException,
  CoreV1Api,
  PatchStrategy,
  setHeaderOptions,
  type KubeConfig,
  type V1Pod,
} from '@kubernetes/client-node';
import { errorMessage } from '../../common/errors/chaosflow-error.js';
import { ActivityError } from '../errors.js';

/** One operation of a JSON patch (RFC 6902), as the API server takes it. */
export interface JsonPatchOperation {
  op: 'add' | 'remove' | 'replace' | 'test';
  path: string;
  value?: unknown;
}

export interface PodApi {
  read(namespace: string, name: string): Promise<V1Pod | undefined>;
  delete(namespace: string, name: string, gracePeriodSeconds: number): Promise<'deleted' | 'gone'>;
  /** Applies the patch; `'gone'` when the pod no longer exists. */
  patch(
    namespace: string,
    name: string,
    operations: readonly JsonPatchOperation[],
  ): Promise<'patched' | 'gone'>;
}

export class KubernetesPodApi implements PodApi {
  readonly #core: CoreV1Api;

  constructor(kubeConfig: KubeConfig) {
    this.#core = kubeConfig.makeApiClient(CoreV1Api);
  }

  async read(namespace: string, name: string): Promise<V1Pod | undefined> {
    try {
      return await this.#core.readNamespacedPod({ namespace, name });
    } catch (err) {
      if (isNotFound(err)) return undefined;
      throw apiError(`read pod ${namespace}/${name}`, err);
    }
  }

  async delete(namespace: string, name: string, gracePeriodSeconds: number): Promise<'deleted' | 'gone'> {
    try {
      await this.#core.deleteNamespacedPod({ namespace, name, gracePeriodSeconds });
      return 'deleted';
    } catch (err) {
      if (isNotFound(err)) return 'gone';
      throw apiError(`delete pod ${namespace}/${name}`, err);
    }
  }

  async patch(
    namespace: string,
    name: string,
    operations: readonly JsonPatchOperation[],
  ): Promise<'patched' | 'gone'> {
    try {
      await this.#core.patchNamespacedPod(
        { namespace, name, body: operations },
        setHeaderOptions('Content-Type', PatchStrategy.JsonPatch),
      );
      return 'patched';
    } catch (err) {
      if (isNotFound(err)) return 'gone';
      throw apiError(`patch pod ${namespace}/${name}`, err);
    }
  }
}

function isNotFound(err: unknown): boolean {
  return err instanceof ApiException && err.code === 404;
}

/** 4xx answers other than conflicts and throttling are about the request: repeating cannot help. */
export function apiError(what: string, err: unknown): ActivityError {
  const status = err instanceof ApiException ? err.code : undefined;
  const permanent = status !== undefined && status >= 400 && status < 500 && status !== 409 && status !== 429;
  const detail = err instanceof ApiException ? apiMessage(err) : errorMessage(err);
  return new ActivityError(permanent ? 'INVALID_INPUT' : 'UNAVAILABLE', `cannot ${what}: ${detail}`, {
    cause: err,
    ...(status === undefined ? {} : { context: { status } }),
  });
}

/** The server's own message out of a Status body, which the 1.x client leaves as text for some codes. */
export function apiMessage(err: ApiException<unknown>): string {
  const body: unknown = typeof err.body === 'string' ? safeJson(err.body) : err.body;
  const message = (body as { message?: unknown } | undefined)?.message;
  return typeof message === 'string' ? `${err.code} ${message}` : `HTTP ${err.code}`;
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return { message: text.slice(0, 500) };
  }
}
