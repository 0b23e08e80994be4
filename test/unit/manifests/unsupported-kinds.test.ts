/** Chaos Mesh kinds chaosflow does not run get "not supported by chaosflow" with what to do instead. */
import { describe, expect, it } from 'vitest';
import { UNSUPPORTED_CHAOS_KINDS } from '../../../common/chaos-kinds.js';
import { readManifestText } from '../../../manifests/read-manifests.js';

function errorsOf(apiVersion: string, kind: string) {
  return readManifestText(
    `apiVersion: ${apiVersion}\nkind: ${kind}\nmetadata: { name: x }\nspec: {}\n`,
    'k.yaml',
  ).errors;
}

const CHAOS_MESH = 'chaos-mesh.org/v1alpha1';

describe('kinds chaosflow does not run', () => {
  it('tells a StatusCheck to become a StatusCheck template inside a Workflow', () => {
    expect(errorsOf(CHAOS_MESH, 'StatusCheck')).toMatchObject([
      {
        code: 'KIND_UNSUPPORTED',
        pointer: '/kind',
        message: 'StatusCheck is not supported by chaosflow',
        fix: expect.stringMatching(/in a Workflow, as a template with templateType: StatusCheck/) as unknown,
      },
    ]);
  });

  it.each([
    ['PhysicalMachine', /host inventory \(kind Inventory\)/],
    ['PhysicalMachineChaos', /declare it in a host inventory/],
    ['WorkflowNode', /apply the Workflow itself/],
    ['PodNetworkChaos', /apply the NetworkChaos/],
    ['PodIOChaos', /apply the IOChaos/],
    ['PodHttpChaos', /apply the HTTPChaos/],
    ['AWSChaos', /does not call the AWS API/],
  ])('refuses %s with its own hint', (kind, hint) => {
    const [error, ...more] = errorsOf(CHAOS_MESH, kind);
    expect(more).toEqual([]);
    expect(error).toMatchObject({
      code: 'KIND_UNSUPPORTED',
      message: `${kind} is not supported by chaosflow`,
    });
    expect(error?.fix).toMatch(hint);
  });

  it('has a hint of its own for every Chaos Mesh chaos kind it does not run, under either apiVersion', () => {
    const fixes = UNSUPPORTED_CHAOS_KINDS.map((kind) => errorsOf('chaosflow.dev/v1alpha1', kind)[0]?.fix);
    expect(new Set(fixes).size).toBe(UNSUPPORTED_CHAOS_KINDS.length);
  });

  it('says "not supported" for any other kind of the chaos-mesh.org group', () => {
    expect(errorsOf(CHAOS_MESH, 'FutureChaos')).toMatchObject([
      { code: 'KIND_UNSUPPORTED', fix: expect.stringMatching(/run it with Chaos Mesh/) as unknown },
    ]);
  });

  it('still suggests the kind meant when a chaos-mesh.org kind is misspelt, and does not know other groups', () => {
    expect(errorsOf(CHAOS_MESH, 'NetworkChoas')).toMatchObject([
      { code: 'KIND_UNKNOWN', fix: expect.stringMatching(/^did you mean NetworkChaos\?/) as unknown },
    ]);
    expect(errorsOf('v1', 'Pod')).toMatchObject([{ code: 'KIND_UNKNOWN' }]);
  });
});
