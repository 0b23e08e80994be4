/**
 * The per-target entity that merges concurrent faults on one pod: every change re-sends the pod's whole state,
 * one send at a time, changes that arrive during a send grouped into the next; faults unwind in any order; the last removal sends the empty state; a refused fragment is
 * taken out again. Real dev server and entity workflow; the daemon side is the FAKE applier.
 */
import type { ChainMessage } from '../../common/target-state.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createTargetStateClient,
  type TargetStateClient,
} from '../../activities/faults/per-target-state/entity-client.js';
import type { Target } from '../../common/target.js';
import { startInterpreterEnv, type InterpreterEnv } from './interpreter-env.js';

let env: InterpreterEnv;
let states: TargetStateClient;

beforeAll(async () => {
  env = await startInterpreterEnv();
  states = createTargetStateClient(env.temporal.client, env.taskQueue);
});
afterAll(async () => {
  await env?.stop();
});

let podCounter = 0;
function pod(): Target {
  const name = `pod-${++podCounter}`;
  return {
    key: `default/${name}/main`,
    namespace: 'default',
    pod: name,
    container: 'main',
    containerId: `pid://${podCounter}`,
    node: 'n1',
  };
}
const chain = (name: string): ChainMessage => ({ name, direction: 'OUTPUT' });
const rule = (name: string) => ({
  chains: [chain(name)],
  ipsets: [{ name: `${name}-set`, type: 'hash:net' }],
});

describe('per-target fault state', () => {
  it('merges two faults and unwinds them in either order, ending with the empty state', async () => {
    for (const order of [
      ['a', 'b'],
      ['b', 'a'],
    ] as const) {
      const target = pod();
      const id = `network/default/${target.pod}`;
      await states.set('network', 'ep', target, 'a', rule('A'));
      await states.set('network', 'ep', target, 'b', rule('B'));
      expect(env.applier.last(id)).toEqual({
        chains: [chain('A'), chain('B')],
        ipsets: [
          { name: 'A-set', type: 'hash:net' },
          { name: 'B-set', type: 'hash:net' },
        ],
      });
      await states.remove('network', target, order[0]);
      const remaining = order[1] === 'a' ? 'A' : 'B';
      expect(env.applier.last(id)).toEqual({
        chains: [chain(remaining)],
        ipsets: [{ name: `${remaining}-set`, type: 'hash:net' }],
      });
      await states.remove('network', target, order[1]);
      expect(env.applier.last(id)).toEqual({});
      expect(env.applier.sent.get(id)).toHaveLength(4);
    }
  });

  it('serialises concurrent changes on one pod and keeps all of them', async () => {
    const target = pod();
    const id = `network/default/${target.pod}`;
    const keys = ['k1', 'k2', 'k3', 'k4', 'k5'];
    await Promise.all(keys.map((k) => states.set('network', 'ep', target, k, { chains: [chain(k)] })));
    expect(env.applier.maxInFlight.get(id)).toBe(1);
    expect((env.applier.last(id)?.['chains'] as { name: string }[]).map((c) => c.name).sort()).toEqual(keys);
    await Promise.all(keys.map((k) => states.remove('network', target, k)));
    expect(env.applier.last(id)).toEqual({});
  });

  it('sends the changes that arrive during a send together in the next one', async () => {
    const target = pod();
    const id = `network/default/${target.pod}`;
    const keys = ['g1', 'g2', 'g3', 'g4', 'g5', 'g6'];
    env.applier.delayMs = 400;
    try {
      await states.set('network', 'ep', target, 'first', { chains: [chain('first')] });
      const first = states.set('network', 'ep', target, 'slow', { chains: [chain('slow')] });
      await new Promise((resolve) => setTimeout(resolve, 100));
      await Promise.all([
        first,
        ...keys.map((k) => states.set('network', 'ep', target, k, { chains: [chain(k)] })),
      ]);
      // One send for `first`, one for `slow`, then the six together (a slow update may make it two).
      expect(env.applier.sent.get(id)!.length).toBeLessThanOrEqual(4);
      expect(env.applier.maxInFlight.get(id)).toBe(1);
      expect((env.applier.last(id)?.['chains'] as { name: string }[]).map((c) => c.name).sort()).toEqual(
        ['first', 'slow', ...keys].sort(),
      );
      const before = env.applier.sent.get(id)!.length;
      await Promise.all(['first', 'slow', ...keys].map((k) => states.remove('network', target, k)));
      expect(env.applier.last(id)).toEqual({});
      expect(env.applier.sent.get(id)!.length - before).toBeLessThan(8);
    } finally {
      env.applier.delayMs = 20;
    }
  });

  it('a removal that arrives while its set still waits is done after that set, not before it', async () => {
    const target = pod();
    const id = `network/default/${target.pod}`;
    env.applier.delayMs = 400;
    try {
      const slow = states.set('network', 'ep', target, 'slow', { chains: [chain('slow')] });
      await new Promise((resolve) => setTimeout(resolve, 100));
      // `late` waits behind `slow`; its recover (a janitor's, after a terminate) comes before it has landed.
      const late = states.set('network', 'ep', target, 'late', { chains: [chain('late')] });
      await new Promise((resolve) => setTimeout(resolve, 50));
      await states.remove('network', target, 'late');
      await Promise.all([slow, late]);
      expect((env.applier.last(id)?.['chains'] as { name: string }[]).map((c) => c.name)).toEqual(['slow']);
      await states.remove('network', target, 'slow');
      expect(env.applier.last(id)).toEqual({});
    } finally {
      env.applier.delayMs = 20;
    }
  });

  it('in a group that is refused, fails only the fragment at fault and lands the others', async () => {
    const target = pod();
    const id = `network/default/${target.pod}`;
    const bad = { type: 'NETEM' as const, device: 'grouped' };
    env.applier.refuse.add(JSON.stringify(bad));
    env.applier.delayMs = 400;
    try {
      const slow = states.set('network', 'ep', target, 'slow', { chains: [chain('slow')] });
      await new Promise((resolve) => setTimeout(resolve, 100));
      const results = await Promise.allSettled([
        slow,
        states.set('network', 'ep', target, 'x', { chains: [chain('x')] }),
        states.set('network', 'ep', target, 'bad', { tcs: [bad] }),
        states.set('network', 'ep', target, 'y', { chains: [chain('y')] }),
      ]);
      expect(results.map((r) => r.status)).toEqual(['fulfilled', 'fulfilled', 'rejected', 'fulfilled']);
      expect(String((results[2] as PromiseRejectedResult).reason)).toMatch(/refuses/);
      const last = env.applier.last(id)!;
      expect((last['chains'] as { name: string }[]).map((c) => c.name).sort()).toEqual(['slow', 'x', 'y']);
      expect(JSON.stringify(last)).not.toContain('NETEM');
      await Promise.all(['slow', 'x', 'y'].map((k) => states.remove('network', target, k)));
      expect(env.applier.last(id)).toEqual({});
    } finally {
      env.applier.delayMs = 20;
    }
  });

  it('takes a refused fragment out again and reports why', async () => {
    const target = pod();
    const id = `network/default/${target.pod}`;
    await states.set('network', 'ep', target, 'good', { tcs: [{ type: 'BANDWIDTH' }] });
    env.applier.refuse.add(JSON.stringify({ type: 'NETEM' }));
    await expect(states.set('network', 'ep', target, 'bad', { tcs: [{ type: 'NETEM' }] })).rejects.toThrow(
      /refuses/,
    );
    await states.remove('network', target, 'good');
    expect(env.applier.last(id)).toEqual({});
    // Nothing was ever sent with the refused fragment in it.
    expect(env.applier.sent.get(id)?.some((s) => JSON.stringify(s).includes('NETEM'))).toBe(false);
  });

  it('tells each apply which lists the last successful one held, and nothing after a failed one', async () => {
    const target = pod();
    const id = `network/default/${target.pod}`;
    await states.set('network', 'ep', target, 'shape', { tcs: [{ type: 'BANDWIDTH' }] });
    await states.set('network', 'ep', target, 'cut', { chains: [chain('cut')] });
    const refused = { type: 'NETEM' as const, device: 'applied-lists' };
    env.applier.refuse.add(JSON.stringify(refused));
    await expect(states.set('network', 'ep', target, 'bad', { tcs: [refused] })).rejects.toThrow(/refuses/);
    await states.remove('network', target, 'shape');
    await states.remove('network', target, 'cut');
    expect(env.applier.appliedLists.get(id)).toEqual([
      undefined, // the entity's first apply: unknown
      ['tcs'],
      ['tcs', 'chains'],
      undefined, // after the refused apply, which may have changed part of the pod's state
      ['chains'],
    ]);
  });

  it('treats removing a fault from a pod that holds nothing as done', async () => {
    await expect(states.remove('network', pod(), 'never-set')).resolves.toBeUndefined();
  });
});
