/**
 * One controller replica at a time acts: the leader holds a Lease (`coordination.k8s.io/v1`) in the controller's
 * namespace, renewing it every `renewMs`; another replica takes it over once it has not been renewed for its
 * duration. Every change is an update with the Lease's resourceVersion, so two replicas can never both win.
 * A leader that cannot renew in time stops acting before its lease can expire elsewhere.
 */
import {
  ApiException,
  CoordinationV1Api,
  V1MicroTime,
  type KubeConfig,
  type V1Lease,
} from '@kubernetes/client-node';
import type { Logger } from 'pino';

export interface LeaderElectionOptions {
  kubeConfig: KubeConfig;
  namespace: string;
  name: string;
  identity: string;
  leaseDurationMs: number;
  renewMs: number;
  onStartedLeading: () => void;
  onStoppedLeading: () => void;
  logger: Logger;
}

export class LeaderElector {
  readonly #api: CoordinationV1Api;
  #timer: NodeJS.Timeout | undefined;
  #leading = false;
  #lastRenewed = 0;
  #stopped = false;

  constructor(private readonly options: LeaderElectionOptions) {
    this.#api = options.kubeConfig.makeApiClient(CoordinationV1Api);
  }

  get leading(): boolean {
    return this.#leading;
  }

  start(): void {
    void this.#tick();
  }

  /** Gives the lease up (so another replica takes over at once) and stops trying. */
  async stop(): Promise<void> {
    this.#stopped = true;
    clearTimeout(this.#timer);
    if (this.#leading) {
      this.#setLeading(false);
      await this.#release().catch(() => undefined);
    }
  }

  async #tick(): Promise<void> {
    try {
      const won = await this.#tryAcquireOrRenew();
      if (won) this.#lastRenewed = Date.now();
      if (won !== this.#leading) this.#setLeading(won);
    } catch (err) {
      this.options.logger.warn({ err }, 'leader election: could not reach the lease');
    }
    // A leader that could not renew for most of the lease stops before another replica may take over.
    if (this.#leading && Date.now() - this.#lastRenewed > this.options.leaseDurationMs * 0.8)
      this.#setLeading(false);
    if (!this.#stopped) this.#timer = setTimeout(() => void this.#tick(), this.options.renewMs);
  }

  #setLeading(leading: boolean): void {
    this.#leading = leading;
    this.options.logger.info({ identity: this.options.identity, leading }, 'leader election');
    if (leading) this.options.onStartedLeading();
    else this.options.onStoppedLeading();
  }

  async #tryAcquireOrRenew(): Promise<boolean> {
    const { namespace, name, identity } = this.options;
    const now = new Date();
    let lease: V1Lease;
    try {
      lease = await this.#api.readNamespacedLease({ namespace, name });
    } catch (err) {
      if (!(err instanceof ApiException && err.code === 404)) throw err;
      try {
        await this.#api.createNamespacedLease({ namespace, body: this.#lease(now, now, 0) });
        return true;
      } catch (createErr) {
        if (createErr instanceof ApiException && createErr.code === 409) return false;
        throw createErr;
      }
    }
    const spec = lease.spec ?? {};
    const holder = spec.holderIdentity;
    const renewed = spec.renewTime ? new Date(spec.renewTime).getTime() : 0;
    const durationMs = (spec.leaseDurationSeconds ?? 0) * 1000;
    const expired = !holder || renewed + durationMs < now.getTime();
    if (holder !== identity && !expired) return false;
    const transitions = (spec.leaseTransitions ?? 0) + (holder === identity ? 0 : 1);
    const acquired = holder === identity && spec.acquireTime ? new Date(spec.acquireTime) : now;
    try {
      await this.#api.replaceNamespacedLease({
        namespace,
        name,
        body: {
          ...this.#lease(acquired, now, transitions),
          metadata: { ...lease.metadata, name, namespace },
        },
      });
      return true;
    } catch (err) {
      if (err instanceof ApiException && err.code === 409) return false;
      throw err;
    }
  }

  async #release(): Promise<void> {
    const { namespace, name } = this.options;
    const lease = await this.#api.readNamespacedLease({ namespace, name });
    if (lease.spec?.holderIdentity !== this.options.identity) return;
    await this.#api.replaceNamespacedLease({
      namespace,
      name,
      body: { ...lease, spec: { ...lease.spec, holderIdentity: '', renewTime: new V1MicroTime(0) } },
    });
  }

  #lease(acquired: Date, renewed: Date, transitions: number): V1Lease {
    return {
      apiVersion: 'coordination.k8s.io/v1',
      kind: 'Lease',
      metadata: { name: this.options.name, namespace: this.options.namespace },
      spec: {
        holderIdentity: this.options.identity,
        leaseDurationSeconds: Math.ceil(this.options.leaseDurationMs / 1000),
        // MicroTime: the API server wants six fractional digits, which V1MicroTime writes.
        acquireTime: new V1MicroTime(acquired.getTime()),
        renewTime: new V1MicroTime(renewed.getTime()),
        leaseTransitions: transitions,
      },
    };
  }
}
