/**
 * The dry run of `chaosflow plan --inventory FILE` (or `--kubeconfig FILE`): which targets each chaos template
 * would hit, resolved from the host inventory (or the cluster's pods) exactly as a run would (random modes show
 * one possible choice). Nothing is injected.
 */
import { errorMessage } from '../common/errors/chaosflow-error.js';
import type { TargetSource } from '../activities/targets/target-source.js';
import type { Plan } from '../common/plan.js';
import type { TargetSummaries } from './output/plan-tree.js';

export async function inventoryTargets(file: string, plan: Plan): Promise<TargetSummaries> {
  const { InventoryTargetSource } = await import('../activities/targets/inventory.js');
  return targetsFrom(new InventoryTargetSource(file), plan);
}

export async function kubernetesTargets(kubeconfigFile: string, plan: Plan): Promise<TargetSummaries> {
  const [{ KubernetesTargetSource }, { loadKubeConfig }] = await Promise.all([
    import('../activities/targets/kubernetes-source.js'),
    import('../activities/kubernetes/kube-config.js'),
  ]);
  return targetsFrom(new KubernetesTargetSource({ kubeConfig: loadKubeConfig(kubeconfigFile) }), plan);
}

async function targetsFrom(source: TargetSource, plan: Plan): Promise<TargetSummaries> {
  const { resolveTargets } = await import('../activities/targets/resolve-targets.js');
  const summaries = new Map<string, string>();
  for (const template of Object.values(plan.templates)) {
    if (template.type !== 'Chaos' && template.type !== 'Schedule') continue;
    try {
      const resolved = await resolveTargets({
        spec: template.chaos.spec,
        namespace: plan.source.namespace,
        source,
        random: Math.random,
      });
      const keys = resolved.groups.flatMap((g) => g.targets.map((t) => t.key));
      const random = ['one', 'fixed', 'fixed-percent', 'random-max-percent'].includes(
        String(template.chaos.spec['mode']),
      );
      summaries.set(
        template.name,
        `${keys.length} of ${resolved.matched} matching${random ? ' (e.g.)' : ''}: ${keys.join(' ') || 'none'}`,
      );
    } catch (err) {
      summaries.set(template.name, `error: ${errorMessage(err)}`);
    }
  }
  return summaries;
}
