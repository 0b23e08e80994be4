/**
 * Random game days for the recovery campaign: a tree of Serial and Parallel nodes (at most three levels) whose
 * leaves are partition, bandwidth and stress faults of a few seconds each, on one of the campaign's targets or
 * on all of them (faults on one target from parallel branches overlap, as they may in a real game day). The
 * same seed gives the same manifest.
 */
export interface CampaignTarget {
  /** Pods are labelled `app: <label>` and `campaign: all`. */
  readonly label: string;
  /** The peer address a partition cuts the target off from. */
  readonly hostIp: string;
}

export type FaultKind = 'partition' | 'bandwidth' | 'stress';

export interface RandomGameDay {
  readonly name: string;
  readonly manifest: string;
  /** Labels of the targets some fault of the tree touches. */
  readonly labels: readonly string[];
  readonly faults: readonly FaultKind[];
}

export function randomGameDay(
  random: () => number,
  targets: readonly CampaignTarget[],
  name: string,
): RandomGameDay {
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;
  const templates: string[] = [];
  const labels = new Set<string>();
  const faults: FaultKind[] = [];
  let count = 0;

  const leaf = (): string => {
    const id = `f${count++}`;
    const kind = pick<FaultKind>(['partition', 'bandwidth', 'stress']);
    const all = random() < 0.25;
    const target = pick(targets);
    const selector = all
      ? '{ labelSelectors: { campaign: all } }'
      : `{ labelSelectors: { app: ${target.label} } }`;
    for (const t of all ? targets : [target]) labels.add(t.label);
    faults.push(kind);
    const deadline = `${2 + Math.floor(random() * 5)}s`;
    const spec =
      kind === 'stress'
        ? [
            '      stressChaos:',
            '        mode: all',
            `        selector: ${selector}`,
            `        stressors: { cpu: { workers: 1, load: ${10 + Math.floor(random() * 30)} } }`,
          ]
        : kind === 'partition'
          ? [
              '      networkChaos:',
              '        action: partition',
              '        mode: all',
              '        direction: to',
              // A partition from the host peer: for "all", each target's own peer is in its own /30.
              `        externalTargets: [${(all ? targets : [target]).map((t) => t.hostIp).join(', ')}]`,
              `        selector: ${selector}`,
            ]
          : [
              '      networkChaos:',
              '        action: bandwidth',
              '        mode: all',
              `        selector: ${selector}`,
              `        bandwidth: { rate: ${pick(['1mbps', '10mbps', '100kbps'])}, limit: 20971520, buffer: 10000 }`,
            ];
    templates.push(
      [
        `    - name: ${id}`,
        `      templateType: ${kind === 'stress' ? 'StressChaos' : 'NetworkChaos'}`,
        `      deadline: ${deadline}`,
        ...spec,
      ].join('\n'),
    );
    return id;
  };

  const composite = (depth: number): string => {
    const id = `g${count++}`;
    const children = Array.from({ length: 1 + Math.floor(random() * 3) }, () =>
      depth < 2 && random() < 0.3 ? composite(depth + 1) : leaf(),
    );
    templates.push(
      [
        `    - name: ${id}`,
        `      templateType: ${pick(['Serial', 'Parallel'])}`,
        '      deadline: 2m',
        `      children: [${children.join(', ')}]`,
      ].join('\n'),
    );
    return id;
  };

  const entry = composite(0);
  const manifest = [
    'apiVersion: chaos-mesh.org/v1alpha1',
    'kind: Workflow',
    `metadata: { name: ${name}, namespace: default }`,
    'spec:',
    `  entry: ${entry}`,
    '  templates:',
    ...templates,
    '',
  ].join('\n');
  return { name, manifest, labels: [...labels].sort(), faults };
}
