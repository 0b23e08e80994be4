import { describe, expect, it } from 'vitest';
import type { Chain } from '../../../proto/generated/pb/Chain.js';
import { chainsChange, planChains, type FilterState } from '../../../agent/iptables-chains.js';
import { restoreLine } from '../../../agent/iptables-restore.js';

const chain = (patch: Partial<Chain>): Chain => ({
  name: 'INPUT/x',
  direction: 'INPUT',
  ipsets: [],
  target: 'DROP',
  protocol: '',
  source_ports: '',
  destination_ports: '',
  tcp_flags: '',
  device: '',
  ...patch,
});

describe('planChains', () => {
  it('matches each ipset on the source for INPUT and the destination for OUTPUT, one rule per set', () => {
    expect(
      planChains([
        chain({ ipsets: ['a', 'b'] }),
        chain({ name: 'OUTPUT/x', direction: 'OUTPUT', ipsets: ['c'] }),
      ]),
    ).toEqual([
      {
        name: 'INPUT/x',
        direction: 'INPUT',
        ipsets: ['a', 'b'],
        rules: [
          ['-m', 'set', '--match-set', 'a', 'src', '-j', 'DROP'],
          ['-m', 'set', '--match-set', 'b', 'src', '-j', 'DROP'],
        ],
      },
      {
        name: 'OUTPUT/x',
        direction: 'OUTPUT',
        ipsets: ['c'],
        rules: [['-m', 'set', '--match-set', 'c', 'dst', '-j', 'DROP']],
      },
    ]);
  });

  it('adds device, protocol, ports (multiport for lists) and tcp flags', () => {
    const [plan] = planChains([
      chain({
        device: 'eth0',
        protocol: 'tcp',
        source_ports: '80,443',
        destination_ports: '8080',
        tcp_flags: 'SYN,ACK SYN',
      }),
    ]);
    expect(plan?.rules).toEqual([
      [
        '-i',
        'eth0',
        '-p',
        'tcp',
        '-m',
        'multiport',
        '--sports',
        '80,443',
        '--dport',
        '8080',
        '--tcp-flags',
        'SYN,ACK',
        'SYN',
        '-j',
        'DROP',
      ],
    ]);
  });

  it('refuses ports without a port protocol, tcp flags without tcp, and duplicate names', () => {
    expect(() => planChains([chain({ destination_ports: '80' })])).toThrow(/without a protocol/);
    expect(() => planChains([chain({ protocol: 'icmp', destination_ports: '80' })])).toThrow(
      /needs protocol tcp/,
    );
    expect(() => planChains([chain({ protocol: 'udp', tcp_flags: 'SYN SYN' })])).toThrow(
      /needs protocol tcp/,
    );
    expect(() => planChains([chain({}), chain({})])).toThrow(/listed twice/);
    expect(() => planChains([chain({ target: 'MASQUERADE' })])).toThrow(/DROP, ACCEPT, REJECT/);
  });
});

describe('chainsChange', () => {
  const empty: FilterState = { chains: new Set(), rules: [] };

  it('builds the whole inject as one restore: CHAOS-* created and hooked first, the chain, its rules, the jump', () => {
    const plans = planChains([chain({ name: 'INPUT/p', ipsets: ['cf_peer'] })]);
    expect(chainsChange(empty, plans)).toEqual([
      ':CHAOS-INPUT - [0:0]',
      '-I INPUT 1 -j CHAOS-INPUT',
      ':CHAOS-OUTPUT - [0:0]',
      '-I OUTPUT 1 -j CHAOS-OUTPUT',
      ':INPUT/p - [0:0]',
      '-A INPUT/p -m set --match-set cf_peer src -j DROP',
      '-A CHAOS-INPUT -j INPUT/p',
    ]);
  });

  it('clears by flushing and deleting its own chains and unhooking, and changes nothing where it holds nothing', () => {
    const state: FilterState = {
      chains: new Set(['CHAOS-INPUT', 'CHAOS-OUTPUT', 'INPUT/p', 'INPUT/theirs']),
      rules: ['-A INPUT -j CHAOS-INPUT', '-A OUTPUT -j CHAOS-OUTPUT', '-A CHAOS-INPUT -j INPUT/p'],
    };
    expect(chainsChange(state, [])).toEqual([
      ':CHAOS-INPUT - [0:0]',
      ':CHAOS-OUTPUT - [0:0]',
      ':INPUT/p - [0:0]',
      '-X INPUT/p',
      '-D INPUT -j CHAOS-INPUT',
      '-X CHAOS-INPUT',
      '-D OUTPUT -j CHAOS-OUTPUT',
      '-X CHAOS-OUTPUT',
    ]);
    expect(chainsChange(empty, [])).toEqual([]);
  });

  it('refuses to write a token that would be read as more than one', () => {
    expect(() => restoreLine(['-A', 'INPUT/x', '-j', 'DROP\n-F INPUT'])).toThrow(/iptables-restore input/);
    expect(() => restoreLine(['-m', 'comment', '--comment', 'a b'])).toThrow(/iptables-restore input/);
  });
});
