import { describe, expect, it } from 'vitest';
import type { MatchContext } from '../../../common/selection/match-pods.js';
import type { PodInfo } from '../../../common/selection/pod-info.js';
import { selectPods, selectTargets } from '../../../common/selection/select-targets.js';

function pod(name: string, extra: Partial<PodInfo> = {}): PodInfo {
  return {
    namespace: 'shop',
    name,
    uid: `uid-${name}`,
    labels: { app: 'web' },
    annotations: {},
    nodeName: 'node-a',
    phase: 'Running',
    containers: [
      { name: 'app', containerId: `pid://1${name.length}` },
      { name: 'sidecar', containerId: `pid://2${name.length}` },
    ],
    ...extra,
  };
}

/** The error a call throws, for asserting its code and message separately. */
function thrown(fn: () => unknown): { code?: string; message: string } {
  try {
    fn();
  } catch (err) {
    return err as { code?: string; message: string };
  }
  throw new Error('expected the call to throw');
}

const context: MatchContext = { defaultNamespace: 'shop', nodeLabels: { 'node-a': {}, 'node-b': {} } };
const always = () => 0;

describe('selectTargets', () => {
  it('takes the first container of each selected pod when containerNames is empty', () => {
    const result = selectTargets([pod('web-0')], { selector: {}, mode: 'all' }, context, always);
    expect(result.targets).toEqual([
      {
        key: 'shop/web-0/app',
        namespace: 'shop',
        pod: 'web-0',
        podUid: 'uid-web-0',
        container: 'app',
        containerId: 'pid://15',
        node: 'node-a',
      },
    ]);
    expect(result.matched).toBe(1);
    expect(result.namespaces).toEqual(['shop']);
  });

  it("takes the named containers, in the pod's order", () => {
    const result = selectTargets(
      [pod('web-0'), pod('web-1', { nodeName: 'node-b' })],
      { selector: {}, mode: 'all', containerNames: ['sidecar', 'app'] },
      context,
      always,
    );
    expect(result.targets.map((t) => `${t.key}@${t.node}`)).toEqual([
      'shop/web-0/app@node-a',
      'shop/web-0/sidecar@node-a',
      'shop/web-1/app@node-b',
      'shop/web-1/sidecar@node-b',
    ]);
  });

  it('refuses a container name a selected pod does not have, naming pod and container', () => {
    const err = thrown(() =>
      selectTargets([pod('web-0')], { selector: {}, mode: 'all', containerNames: ['ap'] }, context, always),
    );
    expect(err.code).toBe('SELECTOR_CONTAINER_NOT_FOUND');
    expect(err.message).toContain('pod shop/web-0 has no container "ap" (it has: app, sidecar)');
  });

  it('refuses a selected container that has not started', () => {
    const pending = pod('web-0', { phase: 'Pending', containers: [{ name: 'app' }] });
    expect(() => selectTargets([pending], { selector: {}, mode: 'all' }, context, always)).toThrow(
      expect.objectContaining({ code: 'SELECTOR_CONTAINER_NOT_RUNNING' }),
    );
  });

  it('refuses a selected pod that is not scheduled', () => {
    const { nodeName: _, ...unscheduled } = pod('web-0');
    expect(() => selectTargets([unscheduled], { selector: {}, mode: 'all' }, context, always)).toThrow(
      expect.objectContaining({ code: 'SELECTOR_POD_NOT_SCHEDULED' }),
    );
  });

  it('applies the mode to pods before expanding containers', () => {
    const pods = [pod('web-0'), pod('web-1'), pod('web-2')];
    const result = selectTargets(
      pods,
      { selector: {}, mode: 'fixed', value: '2', containerNames: ['app', 'sidecar'] },
      context,
      () => 0.5,
    );
    expect(new Set(result.targets.map((t) => t.pod)).size).toBe(2);
    expect(result.targets).toHaveLength(4);
  });

  it('says which selector and namespaces matched nothing', () => {
    const err = thrown(() =>
      selectTargets(
        [pod('web-0')],
        { selector: { namespaces: ['shop', 'prod'], labelSelectors: { app: 'db' } }, mode: 'one' },
        context,
        always,
      ),
    );
    expect(err.code).toBe('SELECTOR_NO_MATCH');
    expect(err.message).toContain('no pod matches selector labelSelectors {app=db} in namespaces shop, prod');
  });

  it('lists pods named in selector.pods that do not exist when none is left', () => {
    const err = thrown(() =>
      selectTargets(
        [pod('web-0')],
        { selector: { pods: { shop: ['web-9'] } }, mode: 'all' },
        context,
        always,
      ),
    );
    expect(err.message).toContain('listed but not found: shop/web-9');
  });

  it('returns no targets and the 0 % it drew when random-max-percent draws nothing', () => {
    const result = selectTargets(
      [pod('web-0')],
      { selector: {}, mode: 'random-max-percent', value: '10' },
      context,
      always,
    );
    expect(result).toMatchObject({ targets: [], matched: 1, drawnPercent: 0 });
  });

  it('gives the same targets whatever order the source lists pods in', () => {
    const pods = ['a', 'b', 'c', 'd', 'e'].map((n) => pod(`web-${n}`));
    const pick = (list: PodInfo[]) =>
      selectTargets(list, { selector: {}, mode: 'fixed', value: '2' }, context, () => 0.3).targets.map(
        (t) => t.key,
      );
    expect(pick([...pods].reverse())).toEqual(pick(pods));
  });
});

describe('selectPods', () => {
  it('resolves a bare PodSelector, such as NetworkChaos target, to pods', () => {
    const result = selectPods(
      [pod('web-0'), pod('db-0', { labels: { app: 'db' } })],
      { selector: { labelSelectors: { app: 'db' } }, mode: 'all' },
      context,
      always,
    );
    expect(result.pods.map((p) => p.name)).toEqual(['db-0']);
    expect(result.matched).toBe(1);
  });
});
