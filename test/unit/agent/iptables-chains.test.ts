import { describe, expect, it } from 'vitest';
import type { Chain } from '../../../proto/generated/pb/Chain.js';
import { planChains } from '../../../agent/iptables-chains.js';

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
