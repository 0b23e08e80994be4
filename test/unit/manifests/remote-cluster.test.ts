/**
 * remoteCluster and RemoteCluster in manifests: a chaos names the cluster whose worker runs it, and the compiled
 * plan carries that name beside the spec (the interpreter picks the cluster's queue from it); a RemoteCluster
 * declares names and compiles to nothing.
 */
import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import type { ChaosTemplate } from '../../../common/plan.js';
import { readManifestText } from '../../../manifests/read-manifests.js';

const networkChaos = (spec: object) => ({
  apiVersion: 'chaos-mesh.org/v1alpha1',
  kind: 'NetworkChaos',
  metadata: { name: 'n' },
  spec: {
    action: 'partition',
    mode: 'all',
    selector: { pods: { default: ['p'] } },
    duration: '30s',
    ...spec,
  },
});
const remoteCluster = (name: string, spec: object = {}) => ({
  apiVersion: 'chaos-mesh.org/v1alpha1',
  kind: 'RemoteCluster',
  metadata: { name },
  spec,
});
const read = (...docs: object[]) => readManifestText(docs.map((d) => stringify(d)).join('---\n'), 'm.yaml');

describe('remoteCluster in manifests', () => {
  it("compiles to the plan's chaos, out of the spec the drivers read", () => {
    const result = read(networkChaos({ remoteCluster: 'east-1' }));
    expect(result.errors).toEqual([]);
    expect(result.warnings).toEqual([]);
    const template = result.plans[0]?.templates['n'] as ChaosTemplate;
    expect(template.chaos.remoteCluster).toBe('east-1');
    expect(template.chaos.spec).not.toHaveProperty('remoteCluster');
    const local = read(networkChaos({})).plans[0]?.templates['n'] as ChaosTemplate;
    expect(local.chaos).not.toHaveProperty('remoteCluster');
  });

  it("is carried by a top-level Schedule's chaos to every tick", () => {
    const result = read({
      apiVersion: 'chaos-mesh.org/v1alpha1',
      kind: 'Schedule',
      metadata: { name: 's' },
      spec: {
        schedule: '@hourly',
        type: 'PodChaos',
        podChaos: {
          action: 'pod-kill',
          mode: 'one',
          selector: { pods: { default: ['p'] } },
          remoteCluster: 'b',
        },
      },
    });
    expect(result.errors).toEqual([]);
    expect(JSON.stringify(result.schedulePlans[0])).toContain('"remoteCluster":"b"');
  });

  it('refuses a cluster name that is not a DNS label, saying what one is', () => {
    const [error, ...more] = read(networkChaos({ remoteCluster: 'East_1' })).errors;
    expect(more).toEqual([]);
    expect(error).toMatchObject({ code: 'CLUSTER_NAME_INVALID', pointer: '/spec/remoteCluster' });
    expect(error?.message).toMatch(/^invalid cluster name 'East_1': a cluster name is a DNS label/);
  });
});

describe('RemoteCluster objects', () => {
  it('declare cluster names, compile to nothing, and leave declared clusters without a warning', () => {
    const result = read(
      remoteCluster('east-1'),
      remoteCluster('west'),
      networkChaos({ remoteCluster: 'west' }),
    );
    expect(result.errors).toEqual([]);
    expect(result.warnings).toEqual([]);
    expect(result.clusters).toEqual(['east-1', 'west']);
    expect(result.documents.map((d) => [d.kind, d.valid])).toEqual([
      ['RemoteCluster', true],
      ['RemoteCluster', true],
      ['NetworkChaos', true],
    ]);
    expect(result.plans).toHaveLength(1);
  });

  it('warn of a remoteCluster none of them declares, which still compiles (its worker may exist)', () => {
    const result = read(remoteCluster('east-1'), networkChaos({ remoteCluster: 'west' }));
    expect(result.errors).toEqual([]);
    expect(result.plans).toHaveLength(1);
    expect(result.warnings).toMatchObject([
      {
        code: 'REMOTE_CLUSTER_UNDECLARED',
        pointer: '/spec/remoteCluster',
        message: expect.stringMatching(
          /^remoteCluster "west" is not declared by a RemoteCluster here \(declared: east-1\)/,
        ) as unknown,
      },
    ]);
    // Without RemoteCluster objects, naming a cluster is enough: no warning.
    expect(read(networkChaos({ remoteCluster: 'west' })).warnings).toEqual([]);
  });

  it("say that the fields chaosflow does not use are not used, and that the cluster's own worker acts there", () => {
    const result = read(
      remoteCluster('east-1', {
        namespace: 'chaos-mesh',
        version: '2.8.0',
        kubeConfig: { secretRef: { name: 'kc', namespace: 'chaos-mesh', key: 'kubeconfig' } },
        configOverride: { dashboard: { create: false } },
      }),
    );
    expect(result.errors).toEqual([]);
    expect(result.warnings.map((w) => [w.code, w.pointer])).toEqual([
      ['FIELD_IGNORED', '/spec/namespace'],
      ['FIELD_IGNORED', '/spec/version'],
      ['FIELD_IGNORED', '/spec/kubeConfig'],
      ['FIELD_IGNORED', '/spec/configOverride'],
    ]);
    const kubeConfig = result.warnings.find((w) => w.pointer === '/spec/kubeConfig');
    expect(kubeConfig?.message).toMatch(
      /reads no kubeconfig Secret; chaosflow acts in that cluster through the cluster's own worker \(chaosflow worker --cluster NAME\)/,
    );
    expect(kubeConfig?.fix).toBe(
      'remove spec.kubeConfig, and run chaosflow worker --cluster east-1 in that cluster',
    );
  });

  it('refuse a name that is not a DNS label', () => {
    const [error] = read(remoteCluster('east.example')).errors;
    expect(error).toMatchObject({ code: 'CLUSTER_NAME_INVALID', pointer: '/metadata/name' });
  });
});
