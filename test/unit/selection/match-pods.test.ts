import { describe, expect, it } from 'vitest';
import { describeSelector, matchPods, type MatchContext } from '../../../common/selection/match-pods.js';
import type { PodInfo } from '../../../common/selection/pod-info.js';
import type { PodSelectorSpec } from '../../../common/selection/pod-selector.js';

function pod(namespace: string, name: string, extra: Partial<PodInfo> = {}): PodInfo {
  return {
    namespace,
    name,
    uid: `uid-${namespace}-${name}`,
    labels: {},
    annotations: {},
    nodeName: 'node-a',
    phase: 'Running',
    containers: [{ name: 'main', containerId: `pid://${name.length}` }],
    ...extra,
  };
}

const pods: PodInfo[] = [
  pod('shop', 'web-1', { labels: { app: 'web', tier: 'front' }, annotations: { team: 'red' } }),
  pod('shop', 'web-0', { labels: { app: 'web', tier: 'front' }, nodeName: 'node-b' }),
  pod('shop', 'db-0', {
    labels: { app: 'db' },
    annotations: { team: 'blue' },
    phase: 'Pending',
    nodeName: 'node-c',
  }),
  pod('shop', 'job-0', { labels: { app: 'job', canary: 'yes' }, phase: 'Succeeded' }),
  pod('other', 'web-0', { labels: { app: 'web' } }),
];

const context: MatchContext = {
  defaultNamespace: 'shop',
  nodeLabels: {
    'node-a': { zone: 'a', disk: 'ssd' },
    'node-b': { zone: 'b', disk: 'ssd' },
    'node-c': { zone: 'c' },
  },
};

/** The error a call throws, for asserting its code and message separately. */
function thrown(fn: () => unknown): { code?: string; message: string } {
  try {
    fn();
  } catch (err) {
    return err as { code?: string; message: string };
  }
  throw new Error('expected the call to throw');
}

const names = (selector: PodSelectorSpec, ctx: MatchContext = context) =>
  matchPods(pods, selector, ctx).pods.map((p) => `${p.namespace}/${p.name}`);

describe('matchPods', () => {
  it('defaults namespaces to the manifest namespace and sorts by namespace and name', () => {
    expect(names({})).toEqual(['shop/db-0', 'shop/job-0', 'shop/web-0', 'shop/web-1']);
  });

  it('searches the listed namespaces', () => {
    expect(names({ namespaces: ['other'] })).toEqual(['other/web-0']);
    expect(names({ namespaces: ['other', 'shop'], labelSelectors: { app: 'web' } })).toEqual([
      'other/web-0',
      'shop/web-0',
      'shop/web-1',
    ]);
  });

  it('matches labelSelectors by equality, all of them', () => {
    expect(names({ labelSelectors: { app: 'web', tier: 'front' } })).toEqual(['shop/web-0', 'shop/web-1']);
    expect(names({ labelSelectors: { app: 'web', tier: 'back' } })).toEqual([]);
  });

  it('matches expressionSelectors In, NotIn, Exists and DoesNotExist as Kubernetes does', () => {
    expect(names({ expressionSelectors: [{ key: 'app', operator: 'In', values: ['db', 'job'] }] })).toEqual([
      'shop/db-0',
      'shop/job-0',
    ]);
    // NotIn also matches pods without the label at all.
    expect(names({ expressionSelectors: [{ key: 'tier', operator: 'NotIn', values: ['front'] }] })).toEqual([
      'shop/db-0',
      'shop/job-0',
    ]);
    expect(names({ expressionSelectors: [{ key: 'canary', operator: 'Exists' }] })).toEqual(['shop/job-0']);
    expect(names({ expressionSelectors: [{ key: 'canary', operator: 'DoesNotExist' }] })).toEqual([
      'shop/db-0',
      'shop/web-0',
      'shop/web-1',
    ]);
  });

  it('ANDs label and expression selectors', () => {
    expect(
      names({
        labelSelectors: { app: 'web' },
        expressionSelectors: [{ key: 'tier', operator: 'DoesNotExist' }],
      }),
    ).toEqual([]);
  });

  it('matches annotationSelectors by equality', () => {
    expect(names({ annotationSelectors: { team: 'red' } })).toEqual(['shop/web-1']);
  });

  it('matches the supported fieldSelectors', () => {
    expect(names({ fieldSelectors: { 'metadata.name': 'web-0' } })).toEqual(['shop/web-0']);
    expect(
      names({ namespaces: ['shop', 'other'], fieldSelectors: { 'metadata.namespace': 'other' } }),
    ).toEqual(['other/web-0']);
    expect(names({ fieldSelectors: { 'spec.nodeName': 'node-c' } })).toEqual(['shop/db-0']);
    expect(names({ fieldSelectors: { 'status.phase': 'Succeeded' } })).toEqual(['shop/job-0']);
  });

  it('refuses an unsupported field selector, naming the supported ones', () => {
    const err = thrown(() => names({ fieldSelectors: { 'status.podIP': '10.0.0.1' } }));
    expect(err.code).toBe('SELECTOR_UNSUPPORTED_FIELD');
    expect(err.message).toMatch(
      /"status.podIP".*metadata.name, metadata.namespace, spec.nodeName, status.phase/,
    );
  });

  it('matches podPhaseSelectors as any of the phases', () => {
    expect(names({ podPhaseSelectors: ['Pending', 'Succeeded'] })).toEqual(['shop/db-0', 'shop/job-0']);
  });

  it('refuses a phase that does not exist', () => {
    expect(() => names({ podPhaseSelectors: ['running'] })).toThrow(
      expect.objectContaining({ code: 'SELECTOR_BAD_PHASE' }),
    );
  });

  it('matches nodes by name and nodeSelectors by node labels, either one (Chaos Mesh combines them)', () => {
    expect(names({ nodes: ['node-b'] })).toEqual(['shop/web-0']);
    expect(names({ nodeSelectors: { zone: 'c' } })).toEqual(['shop/db-0']);
    expect(names({ nodes: ['node-b'], nodeSelectors: { zone: 'c' } })).toEqual(['shop/db-0', 'shop/web-0']);
    expect(names({ nodeSelectors: { disk: 'ssd' } })).toEqual(['shop/job-0', 'shop/web-0', 'shop/web-1']);
    expect(names({ nodeSelectors: { disk: 'hdd' } })).toEqual([]);
  });

  it('refuses a node that does not exist, listing the known ones', () => {
    const err = thrown(() => names({ nodes: ['node-z'] }));
    expect(err.code).toBe('SELECTOR_UNKNOWN_NODE');
    expect(err.message).toContain('node "node-z" does not exist. Known nodes: node-a, node-b, node-c');
  });

  it('takes only the listed pods when `pods` is set, ignoring every other selector, and reports missing ones', () => {
    const result = matchPods(
      pods,
      {
        pods: { other: ['web-0'], shop: ['db-0', 'gone-0'] },
        labelSelectors: { app: 'nothing' },
        namespaces: ['x'],
      },
      context,
    );
    expect(result.pods.map((p) => `${p.namespace}/${p.name}`)).toEqual(['other/web-0', 'shop/db-0']);
    expect(result.namespaces).toEqual(['other', 'shop']);
    expect(result.missing).toEqual(['shop/gone-0']);
  });

  it('refuses malformed expression selectors', () => {
    const err = thrown(() => names({ expressionSelectors: [{ key: 'app', operator: 'In' }] }));
    expect(err.code).toBe('SELECTOR_BAD_EXPRESSION');
    expect(err.message).toMatch(
      /expressionSelectors\[0\] \(key "app"\): operator In needs at least one value/,
    );
    expect(() => names({ expressionSelectors: [{ key: 'app', operator: 'Exists', values: ['x'] }] })).toThrow(
      expect.objectContaining({ code: 'SELECTOR_BAD_EXPRESSION' }),
    );
    expect(() =>
      names({ expressionSelectors: [{ key: 'app', operator: 'Gt' as never, values: ['1'] }] }),
    ).toThrow(expect.objectContaining({ code: 'SELECTOR_BAD_EXPRESSION' }));
  });

  it('describes a selector in a few words for messages', () => {
    expect(
      describeSelector({ labelSelectors: { app: 'web' }, podPhaseSelectors: ['Running'], nodes: ['node-a'] }),
    ).toBe('labelSelectors {app=web}, podPhaseSelectors [Running], nodes [node-a]');
    expect(describeSelector({})).toBe('every pod');
    expect(describeSelector({ pods: { shop: ['a', 'b'] } })).toBe('pods [shop/a, shop/b]');
  });
});
