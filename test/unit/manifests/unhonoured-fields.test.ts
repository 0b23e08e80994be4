/**
 * Every field the drivers do not honour is refused or warned about, in every place a chaos spec can sit: one
 * case per rule of `manifests/unhonoured-fields.ts` (the cases cover the rules, and schemas/README.md lists
 * exactly the rules). Rejections also have fixtures in `invalid/`.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { SUPPORTED_CHAOS_KINDS, type ChaosKind } from '../../../common/chaos-kinds.js';
import { readManifestText } from '../../../manifests/read-manifests.js';
import { UNHONOURED_FIELDS } from '../../../manifests/unhonoured-fields.js';

type Spec = Record<string, unknown>;

const BASE: Record<ChaosKind, Spec> = {
  PodChaos: { action: 'pod-kill', mode: 'one', selector: {} },
  NetworkChaos: { action: 'partition', mode: 'all', selector: {}, duration: '30s' },
  StressChaos: { mode: 'one', selector: {}, stressors: { cpu: { workers: 1 } }, duration: '30s' },
  IOChaos: {
    action: 'latency',
    mode: 'one',
    selector: {},
    volumePath: '/data',
    delay: '10ms',
    duration: '30s',
  },
  TimeChaos: { mode: 'one', selector: {}, timeOffset: '-1m', duration: '30s' },
  HTTPChaos: { mode: 'one', selector: {}, target: 'Request', port: 80, abort: true, duration: '30s' },
  DNSChaos: { action: 'error', mode: 'one', selector: {}, duration: '30s' },
};

const chaos = (kind: ChaosKind, spec: Spec, metadata: Spec = {}) => ({
  apiVersion: 'chaos-mesh.org/v1alpha1',
  kind,
  metadata: { name: 'c', ...metadata },
  spec: { ...BASE[kind], ...spec },
});

const checkTemplate = (http: Spec) => ({
  apiVersion: 'chaos-mesh.org/v1alpha1',
  kind: 'Workflow',
  metadata: { name: 'w' },
  spec: {
    entry: 'check',
    templates: [
      {
        name: 'check',
        templateType: 'StatusCheck',
        deadline: '1m',
        statusCheck: { http: { url: 'http://10.0.0.1/', criteria: { statusCode: '200' }, ...http } },
      },
    ],
  },
});

/** field (as the rules name it), the manifest, and the one finding expected: `CODE pointer`. */
const CASES: readonly [string, object, string][] = [
  ['PodChaos.gracePeriod', chaos('PodChaos', { gracePeriod: 30 }), 'FIELD_IGNORED /spec/gracePeriod'],
  [
    'PodChaos.containerNames',
    chaos('PodChaos', { containerNames: ['a'] }),
    'FIELD_IGNORED /spec/containerNames',
  ],
  ['NetworkChaos.delay', chaos('NetworkChaos', { delay: { latency: '10ms' } }), 'FIELD_IGNORED /spec/delay'],
  [
    'NetworkChaos.loss',
    chaos('NetworkChaos', {
      action: 'bandwidth',
      bandwidth: { rate: '1mbps', limit: 10, buffer: 10 },
      loss: { loss: '5' },
    }),
    'FIELD_IGNORED /spec/loss',
  ],
  [
    'NetworkChaos.duplicate',
    chaos('NetworkChaos', { duplicate: { duplicate: '5' } }),
    'FIELD_IGNORED /spec/duplicate',
  ],
  [
    'NetworkChaos.corrupt',
    chaos('NetworkChaos', { corrupt: { corrupt: '5' } }),
    'FIELD_IGNORED /spec/corrupt',
  ],
  [
    'NetworkChaos.rate',
    chaos('NetworkChaos', {
      action: 'bandwidth',
      bandwidth: { rate: '1mbps', limit: 10, buffer: 10 },
      rate: { rate: '1mbps' },
    }),
    'FIELD_IGNORED /spec/rate',
  ],
  [
    'NetworkChaos.bandwidth',
    chaos('NetworkChaos', {
      action: 'delay',
      delay: { latency: '10ms' },
      bandwidth: { rate: '1mbps', limit: 10, buffer: 10 },
    }),
    'FIELD_IGNORED /spec/bandwidth',
  ],
  [
    'NetworkChaos.bandwidth.peakrate',
    chaos('NetworkChaos', {
      action: 'bandwidth',
      bandwidth: { rate: '1mbps', limit: 10, buffer: 10, peakrate: 2 },
    }),
    'FIELD_IGNORED /spec/bandwidth/peakrate',
  ],
  [
    'NetworkChaos.bandwidth.minburst',
    chaos('NetworkChaos', {
      action: 'bandwidth',
      bandwidth: { rate: '1mbps', limit: 10, buffer: 10, minburst: 2 },
    }),
    'FIELD_IGNORED /spec/bandwidth/minburst',
  ],
  [
    'NetworkChaos.loss.correlation',
    chaos('NetworkChaos', { action: 'loss', loss: { loss: '30', correlation: '25' } }),
    'FIELD_IGNORED /spec/loss/correlation',
  ],
  [
    'NetworkChaos.targetDevice',
    chaos('NetworkChaos', { targetDevice: 'eth1' }),
    'FIELD_IGNORED /spec/targetDevice',
  ],
  [
    'StressChaos.stressors',
    chaos('StressChaos', { stressngStressors: '--cpu 1' }),
    'FIELD_IGNORED /spec/stressors',
  ],
  ['IOChaos.delay', chaos('IOChaos', { action: 'fault', errno: 5 }), 'FIELD_IGNORED /spec/delay'],
  ['IOChaos.errno', chaos('IOChaos', { errno: 5 }), 'FIELD_IGNORED /spec/errno'],
  ['IOChaos.attr', chaos('IOChaos', { attr: { perm: 1 } }), 'FIELD_IGNORED /spec/attr'],
  ['IOChaos.mistake', chaos('IOChaos', { mistake: { filling: 'zero' } }), 'FIELD_IGNORED /spec/mistake'],
  ['HTTPChaos.code', chaos('HTTPChaos', { code: 500 }), 'FIELD_IGNORED /spec/code'],
  [
    'HTTPChaos.response_headers',
    chaos('HTTPChaos', { response_headers: { a: 'b' } }),
    'FIELD_IGNORED /spec/response_headers',
  ],
  [
    'HTTPChaos.replace.code',
    chaos('HTTPChaos', { replace: { code: 500 } }),
    'FIELD_IGNORED /spec/replace/code',
  ],
  [
    'HTTPChaos.replace.path',
    chaos('HTTPChaos', { target: 'Response', replace: { path: '/x' } }),
    'FIELD_IGNORED /spec/replace/path',
  ],
  [
    'HTTPChaos.replace.method',
    chaos('HTTPChaos', { target: 'Response', replace: { method: 'PUT' } }),
    'FIELD_IGNORED /spec/replace/method',
  ],
  [
    'HTTPChaos.replace.queries',
    chaos('HTTPChaos', { target: 'Response', replace: { queries: { a: 'b' } } }),
    'FIELD_IGNORED /spec/replace/queries',
  ],
  [
    'HTTPChaos.patch.queries',
    chaos('HTTPChaos', { target: 'Response', patch: { queries: [['a', 'b']] } }),
    'FIELD_IGNORED /spec/patch/queries',
  ],
  [
    'StatusCheck.http.body',
    checkTemplate({ body: '{}' }),
    'FIELD_IGNORED /spec/templates/0/statusCheck/http/body',
  ],
  [
    'metadata.annotations.experiment.chaos-mesh.org/pause',
    chaos('NetworkChaos', {}, { annotations: { 'experiment.chaos-mesh.org/pause': 'true' } }),
    'FIELD_UNSUPPORTED /metadata/annotations/experiment.chaos-mesh.org~1pause',
  ],
  [
    'metadata.annotations.experiment.chaos-mesh.org/pause (Schedule)',
    {
      apiVersion: 'chaos-mesh.org/v1alpha1',
      kind: 'Schedule',
      metadata: { name: 's', annotations: { 'experiment.chaos-mesh.org/pause': 'true' } },
      spec: { schedule: '@hourly', suspend: false, type: 'PodChaos', podChaos: BASE.PodChaos },
    },
    'FIELD_IGNORED /metadata/annotations/experiment.chaos-mesh.org~1pause',
  ],
  [
    'metadata.annotations.experiment.chaos-mesh.org/pause (Workflow)',
    {
      ...checkTemplate({}),
      metadata: { name: 'w', annotations: { 'experiment.chaos-mesh.org/pause': 'true' } },
    },
    'FIELD_IGNORED /metadata/annotations/experiment.chaos-mesh.org~1pause',
  ],
  [
    'metadata.annotations.workflow.chaos-mesh.org/abort',
    {
      ...checkTemplate({}),
      metadata: { name: 'w', annotations: { 'workflow.chaos-mesh.org/abort': 'true' } },
    },
    'FIELD_UNSUPPORTED /metadata/annotations/workflow.chaos-mesh.org~1abort',
  ],
];

function findings(manifest: object): string[] {
  const result = readManifestText(stringify(manifest), 'case.yaml');
  return [...result.errors, ...result.warnings].map((f) => `${f.code} ${f.pointer}`);
}

describe('fields the drivers do not honour', () => {
  it.each(CASES)('%s: refused or warned about, at the field', (_field, manifest, expected) => {
    expect(findings(manifest)).toEqual([expected]);
  });

  it('has a case for every rule, and every rule is a case', () => {
    expect(CASES.map(([field]) => field).sort()).toEqual(UNHONOURED_FIELDS.map((r) => r.field).sort());
  });

  it("honours remoteCluster on every chaos kind, standalone and in a top-level Schedule's chaos (remote-cluster.test.ts)", () => {
    for (const kind of SUPPORTED_CHAOS_KINDS)
      expect(findings(chaos(kind, { remoteCluster: 'cluster-b' }))).toEqual([]);
    const schedule = {
      apiVersion: 'chaos-mesh.org/v1alpha1',
      kind: 'Schedule',
      metadata: { name: 's' },
      spec: { schedule: '@hourly', type: 'DNSChaos', dnsChaos: { ...BASE.DNSChaos, remoteCluster: 'b' } },
    };
    expect(findings(schedule)).toEqual([]);
  });

  it('says nothing when the field is used: merged netem parts, peers with rules, container-kill names, gracePeriod 0', () => {
    const quiet = [
      chaos('NetworkChaos', {
        action: 'delay',
        delay: { latency: '10ms' },
        loss: { loss: '5' },
        rate: { rate: '1mbps' },
      }),
      chaos('NetworkChaos', { target: { mode: 'all', selector: {} }, targetDevice: 'eth1' }),
      chaos('NetworkChaos', {
        action: 'bandwidth',
        bandwidth: { rate: '1mbps', limit: 10, buffer: 10, peakrate: 2, minburst: 2 },
      }),
      chaos('PodChaos', { action: 'container-kill', containerNames: ['a'] }),
      chaos('PodChaos', { gracePeriod: 0 }),
      chaos('HTTPChaos', { target: 'Response', code: 500, replace: { code: 503 } }),
      checkTemplate({ method: 'POST', body: '{}' }),
    ];
    for (const manifest of quiet) expect(findings(manifest)).toEqual([]);
  });

  it('says what pod-kill does instead of waiting; a warned chaos still compiles', () => {
    const grace = readManifestText(stringify(chaos('PodChaos', { gracePeriod: 30 })), 'c.yaml');
    expect(grace.warnings[0]?.message).toMatch(/^gracePeriod 30 is not honoured: chaosflow's pod-kill kills/);
    const compiled = grace.plans[0]?.templates['c'];
    expect(compiled?.type).toBe('Chaos');
  });

  it('lists exactly these rules, with their treatment, in the table of schemas/README.md', () => {
    const readme = readFileSync(join(import.meta.dirname, '..', '..', '..', 'schemas', 'README.md'), 'utf8');
    const section = readme.slice(readme.indexOf('## Fields the drivers do not honour'));
    const rows = [...section.matchAll(/^\| `([^`]+)` +\| (reject|warn) +\|/gm)].map((m) => `${m[1]} ${m[2]}`);
    expect(rows.sort()).toEqual(UNHONOURED_FIELDS.map((r) => `${r.field} ${r.treatment}`).sort());
  });
});
