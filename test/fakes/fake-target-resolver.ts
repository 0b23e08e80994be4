import type { ResolveTargetsInput, ResolveTargetsResult, TargetGroup } from '../../activities/contract.js';
import type { TargetResolver } from '../../activities/targets/target-resolver.js';
import type { PodInfo } from '../../common/selection/pod-info.js';
import { selectTargets } from '../../common/selection/select-targets.js';

/**
 * FAKE target resolver for orchestration tests: the targets are the pods named in the spec's `selector.pods`
 * (namespace → names), one container `main` each; a pod named `<node>.<pod>` lives on `<node>`, whose daemon
 * endpoint is `fake://<node>`. Resolution never touches a real process.
 *
 * With an inventory of FAKE pods (`new FakeTargetResolver({ pods })`, or pushed into `inventory` later), a
 * selector without `pods` (labels, namespaces, ..., as Chaos Mesh manifests write them) is matched against it
 * with chaosflow's real selection code; `one` and the random modes pick deterministically (random source: 0).
 */
export class FakeTargetResolver implements TargetResolver {
  readonly calls: ResolveTargetsInput[] = [];
  /** FAKE pods that label selectors are matched against. */
  readonly inventory: PodInfo[];

  constructor(options: { pods?: readonly PodInfo[] } = {}) {
    this.inventory = [...(options.pods ?? [])];
  }

  resolve(input: ResolveTargetsInput): Promise<ResolveTargetsResult> {
    this.calls.push(input);
    const selector = input.chaos.spec['selector'] as { pods?: Record<string, string[]> } | undefined;
    const groups = new Map<string, TargetGroup>();
    if (selector?.pods === undefined && this.inventory.length > 0) {
      const { targets } = selectTargets(
        this.inventory,
        input.chaos.spec,
        { defaultNamespace: input.run.namespace, nodeLabels: {} },
        () => 0,
      );
      for (const target of targets) {
        const endpoint = `fake://${target.node}`;
        const group = groups.get(endpoint) ?? { endpoint, targets: [] };
        group.targets.push(target);
        groups.set(endpoint, group);
      }
      return Promise.resolve({ groups: [...groups.values()] });
    }
    for (const [namespace, names] of Object.entries(selector?.pods ?? {})) {
      for (const pod of names) {
        const node = pod.includes('.') ? pod.slice(0, pod.indexOf('.')) : 'node-1';
        const endpoint = `fake://${node}`;
        const group = groups.get(endpoint) ?? { endpoint, targets: [] };
        group.targets.push({
          key: `${namespace}/${pod}/main`,
          namespace,
          pod,
          container: 'main',
          containerId: `fake://${namespace}/${pod}`,
          node,
        });
        groups.set(endpoint, group);
      }
    }
    return Promise.resolve({ groups: [...groups.values()] });
  }
}
