/**
 * Shared by the fault driver tests: compiled chaos specs (from `examples/` or inline YAML, through the real
 * manifest compiler, so the specs carry the webhook defaults), batches of targets, and a FAKE daemon caller
 * that records every request and answers as scripted.
 */
import type { AgentExtensionRpc } from '../../../proto/agent-extensions-proto.js';
import { join } from 'node:path';
import type { FaultBatchOf } from '../../../activities/contract.js';
import type { DaemonCallOptions } from '../../../activities/daemon/daemon-client.js';
import type { ChaosDaemonRpc } from '../../../proto/chaos-daemon-rpcs.js';
import type { DaemonCaller, DaemonConnector } from '../../../activities/faults/daemon-connector.js';
import type { ChaosKind } from '../../../common/chaos-kinds.js';
import type { PlanChaosOf } from '../../../common/plan.js';
import type { Target } from '../../../common/target.js';
import { readManifestFile, readManifestText } from '../../../manifests/read-manifests.js';

const EXAMPLES = join(import.meta.dirname, '..', '..', '..', 'examples');

export interface CompiledChaos<K extends ChaosKind> {
  name: string;
  namespace: string;
  chaos: PlanChaosOf<K>;
}

function single<K extends ChaosKind>(
  result: Awaited<ReturnType<typeof readManifestFile>>,
  kind: K,
): CompiledChaos<K> {
  if (result.errors.length > 0) throw new Error(JSON.stringify(result.errors, null, 2));
  const plan = result.plans[0];
  const template = plan?.templates[plan.entry];
  if (!plan || template?.type !== 'Chaos') throw new Error('expected one standalone chaos manifest');
  const chaos = template.chaos;
  if (chaos.kind !== kind) throw new Error(`expected a ${kind}, the manifest is a ${chaos.kind}`);
  return { name: plan.source.name, namespace: plan.source.namespace, chaos: chaos as PlanChaosOf<K> };
}

/** A manifest of `examples/`, compiled; it must be of `kind`. */
export async function example<K extends ChaosKind>(file: string, kind: K): Promise<CompiledChaos<K>> {
  return single(await readManifestFile(join(EXAMPLES, file)), kind);
}

/** An inline chaos manifest, compiled; it must be of `kind`. */
export function manifest<K extends ChaosKind>(yaml: string, kind: K): CompiledChaos<K> {
  return single(readManifestText(yaml, 'inline.yaml'), kind);
}

export function target(pod: string, overrides: Partial<Target> = {}): Target {
  return {
    key: `default/${pod}/main`,
    namespace: 'default',
    pod,
    podUid: `uid-${pod}`,
    container: 'main',
    containerId: `containerd://${pod}-main`,
    node: 'node-1',
    ...overrides,
  };
}

export function batch<K extends ChaosKind>(
  compiled: CompiledChaos<K>,
  targets: readonly Target[],
  extra: { context?: Record<string, unknown>; recoveryData?: Record<string, string>; nodeId?: string } = {},
): FaultBatchOf<K> {
  const nodeId = extra.nodeId ?? compiled.name;
  return {
    run: { workflowId: 'run-1', namespace: compiled.namespace, name: compiled.name },
    nodeId,
    chaos: compiled.chaos,
    endpoint: '10.0.0.1:31767',
    ...(extra.context ? { context: extra.context } : {}),
    targets: targets.map((t) => ({
      target: t,
      key: `run-1/${nodeId}/${t.key}`,
      ...(extra.recoveryData ? { recoveryData: extra.recoveryData } : {}),
    })),
  };
}

export interface RecordedCall {
  node: string;
  rpc: ChaosDaemonRpc | AgentExtensionRpc;
  request: Record<string, unknown>;
  options: DaemonCallOptions | undefined;
}

/** FAKE daemons: record each call; `answer` scripts a response or throws per call. */
export class FakeDaemons implements DaemonConnector {
  readonly calls: RecordedCall[] = [];
  answer: (call: RecordedCall) => unknown = () => ({});

  forNode(node: string): Promise<DaemonCaller> {
    const caller = {
      callExtension: (rpc: AgentExtensionRpc, request: unknown, options?: DaemonCallOptions) =>
        caller.call(rpc, request, options),
      call: (rpc: ChaosDaemonRpc | AgentExtensionRpc, request: unknown, options?: DaemonCallOptions) => {
        const recorded: RecordedCall = { node, rpc, request: request as Record<string, unknown>, options };
        this.calls.push(recorded);
        try {
          return Promise.resolve(this.answer(recorded));
        } catch (err) {
          return Promise.reject(err instanceof Error ? err : new Error(String(err)));
        }
      },
    };
    return Promise.resolve(caller as unknown as DaemonCaller);
  }
}

export const neverAborted = new AbortController().signal;
