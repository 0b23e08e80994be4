import type { ResolveTargetsInput, ResolveTargetsResult, TargetGroup } from '../../activities/contract.js';
import type { TargetResolver } from '../../activities/targets-resolver.js';

/**
 * FAKE target resolver for orchestration tests: the targets are the pods named in the spec's `selector.pods`
 * (namespace → names), one container `main` each; a pod named `<node>.<pod>` lives on `<node>`, whose daemon
 * endpoint is `fake://<node>`. Resolution never touches a real process.
 */
export class FakeTargetResolver implements TargetResolver {
  readonly calls: ResolveTargetsInput[] = [];

  resolve(input: ResolveTargetsInput): Promise<ResolveTargetsResult> {
    this.calls.push(input);
    const selector = input.chaos.spec['selector'] as { pods?: Record<string, string[]> } | undefined;
    const groups = new Map<string, TargetGroup>();
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
