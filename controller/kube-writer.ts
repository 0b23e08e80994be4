/**
 * What the controller writes to the Kubernetes API: an object's finalizers (a merge patch carrying the
 * resourceVersion it decided on, so a concurrent change makes it decide again), its status (the status
 * subresource), and Events on the object and on the pods its faults touch.
 */
import {
  ApiException,
  CoreV1Api,
  CustomObjectsApi,
  PatchStrategy,
  setHeaderOptions,
  type CoreV1Event,
  type KubeConfig,
} from '@kubernetes/client-node';
import { randomBytes } from 'node:crypto';
import type { Logger } from 'pino';
import { RECOVERY_FINALIZER } from './annotations.js';
import type { ObjectStatus } from './object-status.js';
import {
  CHAOSFLOW_API_VERSION,
  CHAOSFLOW_GROUP,
  CHAOSFLOW_VERSION,
  type ResourceKind,
} from './resource-kinds.js';
import type { KubeEvent } from './status-events.js';

/** The object as the informer delivers it: what the writer needs of it. */
export interface ChaosflowObject {
  apiVersion?: string;
  kind?: string;
  metadata: {
    name: string;
    namespace: string;
    uid: string;
    resourceVersion?: string;
    generation?: number;
    deletionTimestamp?: Date;
    finalizers?: string[];
    annotations?: Record<string, string>;
    labels?: Record<string, string>;
  };
  spec?: unknown;
  status?: ObjectStatus;
}

export const EVENT_SOURCE = 'chaosflow-controller';

export class KubeWriter {
  readonly #custom: CustomObjectsApi;
  readonly #core: CoreV1Api;

  constructor(
    kubeConfig: KubeConfig,
    private readonly logger: Logger,
  ) {
    this.#custom = kubeConfig.makeApiClient(CustomObjectsApi);
    this.#core = kubeConfig.makeApiClient(CoreV1Api);
  }

  async setFinalizer(resource: ResourceKind, object: ChaosflowObject, present: boolean): Promise<void> {
    const others = (object.metadata.finalizers ?? []).filter((f) => f !== RECOVERY_FINALIZER);
    const finalizers = present ? [...others, RECOVERY_FINALIZER] : others;
    await this.#custom.patchNamespacedCustomObject(
      {
        ...this.#where(resource, object),
        body: { metadata: { finalizers, resourceVersion: object.metadata.resourceVersion } },
      },
      setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
    );
  }

  /** Replaces the status (a merge patch of `status` would keep keys the new status dropped). */
  async setStatus(resource: ResourceKind, object: ChaosflowObject, status: ObjectStatus): Promise<void> {
    try {
      await this.#custom.patchNamespacedCustomObjectStatus(
        {
          ...this.#where(resource, object),
          body: [{ op: object.status ? 'replace' : 'add', path: '/status', value: status }],
        },
        setHeaderOptions('Content-Type', PatchStrategy.JsonPatch),
      );
    } catch (err) {
      // The object went away meanwhile: nothing to report on.
      if (err instanceof ApiException && err.code === 404) return;
      throw err;
    }
  }

  /** Records the events; a failure to record one is logged, never fatal (events are best effort). */
  async record(resource: ResourceKind, object: ChaosflowObject, events: readonly KubeEvent[]): Promise<void> {
    for (const event of events) {
      const involved = {
        apiVersion: CHAOSFLOW_API_VERSION,
        kind: resource.kind,
        name: object.metadata.name,
        namespace: object.metadata.namespace,
        uid: object.metadata.uid,
      };
      await this.#create(object.metadata.namespace, involved, event);
      if (event.pod) {
        await this.#create(
          event.pod.namespace,
          { apiVersion: 'v1', kind: 'Pod', name: event.pod.name, namespace: event.pod.namespace },
          {
            ...event,
            message: `${event.message} (by ${resource.kind} ${object.metadata.namespace}/${object.metadata.name})`,
          },
        );
      }
    }
  }

  async #create(
    namespace: string,
    involvedObject: CoreV1Event['involvedObject'],
    event: KubeEvent,
  ): Promise<void> {
    const now = new Date();
    const body: CoreV1Event = {
      metadata: { name: `${involvedObject.name}.${randomBytes(8).toString('hex')}`, namespace },
      involvedObject,
      type: event.type,
      reason: event.reason,
      message: event.message,
      source: { component: EVENT_SOURCE },
      reportingComponent: EVENT_SOURCE,
      reportingInstance: EVENT_SOURCE,
      firstTimestamp: now,
      lastTimestamp: now,
      count: 1,
    };
    try {
      await this.#core.createNamespacedEvent({ namespace, body });
    } catch (err) {
      this.logger.warn({ err, reason: event.reason, namespace }, 'could not record an event');
    }
  }

  #where(resource: ResourceKind, object: ChaosflowObject) {
    return {
      group: CHAOSFLOW_GROUP,
      version: CHAOSFLOW_VERSION,
      namespace: object.metadata.namespace,
      plural: resource.plural,
      name: object.metadata.name,
    };
  }
}
