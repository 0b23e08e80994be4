import { describe, expect, it } from 'vitest';
import type { IPSet } from '../../../proto/generated/pb/IPSet.js';
import { foreignSets, planSets, restoreScript, temporarySetName } from '../../../agent/ipsets.js';

const set = (patch: Partial<IPSet>): IPSet => ({
  name: 's',
  cidrs: [],
  cidr_and_ports: [],
  set_names: [],
  type: '',
  ...patch,
});

describe('planSets', () => {
  it('plans the three set types, hash sets before the list sets that name them', () => {
    expect(
      planSets([
        set({ name: 'all', type: 'list:set', set_names: ['net', 'netport'] }),
        set({ name: 'net', cidrs: ['10.0.0.1/32'] }),
        set({ name: 'netport', type: 'hash:net,port', cidr_and_ports: [{ cidr: '10.0.0.0/24', port: 80 }] }),
      ]),
    ).toEqual([
      { name: 'net', type: 'hash:net', members: ['10.0.0.1/32'] },
      { name: 'netport', type: 'hash:net,port', members: ['10.0.0.0/24,80'] },
      { name: 'all', type: 'list:set', members: ['net', 'netport'] },
    ]);
  });

  it('refuses unknown types, bad members and duplicate names', () => {
    expect(() => planSets([set({ type: 'bitmap:ip' })])).toThrow(/not one of hash:net/);
    expect(() => planSets([set({ cidrs: ['10.0.0.1; reboot'] })])).toThrow(/cidrs\[0\]/);
    expect(() =>
      planSets([set({ type: 'hash:net,port', cidr_and_ports: [{ cidr: '10.0.0.1', port: 0 }] })]),
    ).toThrow(/port/);
    expect(() => planSets([set({}), set({})])).toThrow(/listed twice/);
  });

  it('fills each set under a temporary name of at most 31 characters', () => {
    const temp = temporarySetName('x'.repeat(31));
    expect(temp.length).toBeLessThanOrEqual(31);
    expect(temp).toBe(temporarySetName('x'.repeat(31)));
    expect(temp).not.toBe(temporarySetName('y'));
  });

  it('creates and fills the temporary sets in one ipset restore input, replacing a stale temporary set', () => {
    const plans = planSets([
      set({ name: 'net', cidrs: ['10.0.0.1/32', '10.0.0.0/24'] }),
      set({ name: 'all', type: 'list:set', set_names: ['net'] }),
    ]);
    const net = temporarySetName('net');
    const all = temporarySetName('all');
    expect(restoreScript(plans, new Set([net]))).toBe(
      [
        `destroy ${net}`,
        `create ${net} hash:net`,
        `add ${net} 10.0.0.1/32`,
        `add ${net} 10.0.0.0/24`,
        `create ${all} list:set size 8`,
        `add ${all} net`,
        '',
      ].join('\n'),
    );
  });
});

describe('foreignSets', () => {
  it('names the requested sets that exist in the namespace but are not in the journal', () => {
    const existing = new Map([
      ['theirs', 'hash:net'],
      ['ours', 'hash:net'],
    ]);
    expect(foreignSets(existing, ['theirs', 'ours', 'new'], ['ours'])).toEqual(['theirs']);
    expect(foreignSets(existing, ['ours', 'new'], ['ours'])).toEqual([]);
  });
});
