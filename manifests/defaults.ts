/**
 * The defaults Chaos Mesh's admission webhook applies (chaosflow reads raw YAML, so it must apply them
 * itself), plus the defaults of chaosflow's extensions. The schemas carry the same values as `default`
 * annotations; a test keeps the two in step.
 */
import type { ChaosKind } from '../common/chaos-kinds.js';

export const STATUS_CHECK_DEFAULTS = {
  mode: 'Synchronous',
  type: 'HTTP',
  timeoutSeconds: 1,
  intervalSeconds: 10,
  failureThreshold: 3,
  successThreshold: 1,
  recordsHistoryLimit: 100,
  method: 'GET',
} as const;

/** chaosflow's own: a Workflow's stop conditions and notifications. */
export const RUN_GUARD_DEFAULTS = {
  stopConditionIntervalMs: 5_000,
  onUnavailable: 'Continue',
  notificationFormat: 'Slack',
  notificationTimeoutMs: 10_000,
  notificationAttempts: 5,
} as const;

export const NETWORK_CHAOS_DEFAULTS = {
  direction: 'to',
  /** netem `jitter` of `delay`. */
  jitter: '0ms',
  /** `correlation` of delay, reorder, loss, duplicate and corrupt. */
  correlation: '0',
} as const;

export const TIME_CHAOS_DEFAULT_CLOCK_IDS: readonly string[] = ['CLOCK_REALTIME'];
export const IO_CHAOS_DEFAULT_PERCENT = 100;
export const POD_CHAOS_DEFAULT_GRACE_PERIOD = 0;
export const MEMORY_STRESSOR_DEFAULT_OOM_SCORE_ADJ = 0;
export const SCHEDULE_DEFAULT_CONCURRENCY_POLICY = 'Forbid';

/** Chaos Mesh's annotation that pauses a Schedule (`"true"`); compiled into `suspend`. */
export const CHAOS_MESH_PAUSE_ANNOTATION = 'experiment.chaos-mesh.org/pause';

/** A host inventory pod without `phase` is running. */
export const INVENTORY_POD_DEFAULT_PHASE = 'Running';

/** chaosflow `retry.backoff` when not written: 1 s, doubling, no cap. */
export const RETRY_BACKOFF_DEFAULTS = { duration: '1s', factor: 2 } as const;

type Spec = Record<string, unknown>;

/**
 * A copy of a chaos spec with the webhook defaults applied. `namespace` is the manifest's namespace, which
 * selectors without `namespaces` (and without an explicit `pods` map) are limited to.
 */
export function applyChaosDefaults(kind: ChaosKind, spec: Readonly<Spec>, namespace: string): Spec {
  const out = structuredClone(spec) as Spec;
  defaultSelector(out, namespace);
  switch (kind) {
    case 'PodChaos':
      out.gracePeriod ??= POD_CHAOS_DEFAULT_GRACE_PERIOD;
      break;
    case 'NetworkChaos':
      out.direction ??= NETWORK_CHAOS_DEFAULTS.direction;
      if (isObject(out.target)) defaultSelector(out.target, namespace);
      defaultNetem(out);
      break;
    case 'StressChaos': {
      const memory = isObject(out.stressors) ? out.stressors.memory : undefined;
      if (isObject(memory)) memory.oomScoreAdj ??= MEMORY_STRESSOR_DEFAULT_OOM_SCORE_ADJ;
      break;
    }
    case 'IOChaos':
      out.percent ??= IO_CHAOS_DEFAULT_PERCENT;
      break;
    case 'TimeChaos':
      if (!Array.isArray(out.clockIds) || out.clockIds.length === 0)
        out.clockIds = [...TIME_CHAOS_DEFAULT_CLOCK_IDS];
      break;
    case 'HTTPChaos':
    case 'DNSChaos':
      break;
  }
  return out;
}

function defaultSelector(holder: Spec, namespace: string): void {
  const selector = holder.selector;
  if (!isObject(selector)) return;
  const namespaces = selector.namespaces;
  if (!Array.isArray(namespaces) || namespaces.length === 0) selector.namespaces = [namespace];
}

function defaultNetem(spec: Spec): void {
  const delay = spec.delay;
  if (isObject(delay)) {
    delay.jitter ??= NETWORK_CHAOS_DEFAULTS.jitter;
    delay.correlation ??= NETWORK_CHAOS_DEFAULTS.correlation;
    if (isObject(delay.reorder)) delay.reorder.correlation ??= NETWORK_CHAOS_DEFAULTS.correlation;
  }
  for (const key of ['loss', 'duplicate', 'corrupt'] as const) {
    const part = spec[key];
    if (isObject(part)) part.correlation ??= NETWORK_CHAOS_DEFAULTS.correlation;
  }
}

function isObject(value: unknown): value is Spec {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
