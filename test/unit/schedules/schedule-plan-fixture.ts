/** Schedule manifests compiled by the real `manifests/` code, for the mapping tests. */
import type { SchedulePlan } from '../../../common/schedule-plan.js';
import { readManifestText } from '../../../manifests/read-manifests.js';

/** A Chaos Mesh Schedule of a one-node NetworkChaos; `extra` is spliced into `spec` (YAML flow fields). */
export function schedulePlan(extra = '', schedule = '@every 2s', file = 'schedule.yaml'): SchedulePlan {
  const text = `apiVersion: chaos-mesh.org/v1alpha1
kind: Schedule
metadata: { name: drill, namespace: team-a }
spec:
  schedule: "${schedule}"
  type: NetworkChaos
  ${extra}
  networkChaos:
    action: partition
    mode: all
    selector: { pods: { team-a: [web-1] } }
    duration: 1s
`;
  const result = readManifestText(text, file);
  if (result.errors.length > 0) throw new Error(result.errors.map((e) => e.message).join('; '));
  const plan = result.schedulePlans[0];
  if (!plan) throw new Error('no schedule plan');
  return plan;
}
