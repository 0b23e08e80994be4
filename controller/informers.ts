/**
 * One informer per chaosflow kind, cluster-wide: the list-then-watch caches the reconciler reads objects from,
 * and the events that put their keys in the work queue. An informer that stops on an error (client-node 1.x
 * stops on anything but a normal watch end or 410 Gone) is started again after a second.
 */
import {
  CustomObjectsApi,
  makeInformer,
  type Informer,
  type KubeConfig,
  type ObjectCache,
} from '@kubernetes/client-node';
import type { Logger } from 'pino';
import type { ChaosflowObject } from './kube-writer.js';
import { CHAOSFLOW_GROUP, CHAOSFLOW_VERSION, type ResourceKind } from './resource-kinds.js';

const RESTART_MS = 1_000;

/** `<plural>/<namespace>/<name>`: one key per object. */
export function objectKey(resource: ResourceKind, namespace: string, name: string): string {
  return `${resource.plural}/${namespace}/${name}`;
}

export class ObjectInformers {
  readonly #informers = new Map<string, Informer<ChaosflowObject> & ObjectCache<ChaosflowObject>>();
  #stopped = false;

  constructor(
    private readonly kubeConfig: KubeConfig,
    private readonly resources: readonly ResourceKind[],
    private readonly onChange: (key: string) => void,
    private readonly logger: Logger,
  ) {}

  /** Resolves once every cache holds its initial list. */
  async start(): Promise<void> {
    const api = this.kubeConfig.makeApiClient(CustomObjectsApi);
    await Promise.all(
      this.resources.map(async (resource) => {
        const informer = makeInformer<ChaosflowObject>(
          this.kubeConfig,
          `/apis/${CHAOSFLOW_GROUP}/${CHAOSFLOW_VERSION}/${resource.plural}`,
          () =>
            api.listClusterCustomObject({
              group: CHAOSFLOW_GROUP,
              version: CHAOSFLOW_VERSION,
              plural: resource.plural,
            }) as never,
        );
        const changed = (object: ChaosflowObject): void =>
          this.onChange(objectKey(resource, object.metadata.namespace, object.metadata.name));
        informer.on('add', changed);
        informer.on('update', changed);
        informer.on('delete', changed);
        informer.on('error', (err: unknown) => {
          if (this.#stopped) return;
          this.logger.warn({ err, plural: resource.plural }, 'informer stopped; starting it again');
          setTimeout(() => {
            if (!this.#stopped) informer.start().catch(() => undefined);
          }, RESTART_MS);
        });
        this.#informers.set(resource.plural, informer);
        await informer.start();
      }),
    );
  }

  get(resource: ResourceKind, namespace: string, name: string): ChaosflowObject | undefined {
    return this.#informers.get(resource.plural)?.get(name, namespace);
  }

  /** Every key the caches hold (the work a new leader starts with). */
  keys(): string[] {
    return this.resources.flatMap((resource) =>
      (this.#informers.get(resource.plural)?.list() ?? []).map((o) =>
        objectKey(resource, o.metadata.namespace, o.metadata.name),
      ),
    );
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    await Promise.all([...this.#informers.values()].map((i) => i.stop().catch(() => undefined)));
  }
}
