import { describe, expect, it } from 'vitest';
import type { Netem } from '../../../proto/generated/pb/Netem.js';
import type { Tc } from '../../../proto/generated/pb/Tc.js';
import { netemArgs, planTcs } from '../../../agent/tc-plan.js';

const withNetem = { available: true, reason: '' };
const withoutNetem = { available: false, reason: 'Specified qdisc kind is unknown' };
const tbf = { rate: '1mbps', limit: 20_000, buffer: 10_000, peak_rate: '0', min_burst: 0 };
const tc = (patch: Partial<Tc>): Tc => ({
  type: 'BANDWIDTH',
  netem: null,
  tbf,
  ipset: '',
  protocol: '',
  device: '',
  ...patch,
});
const netem = (patch: Partial<Netem>): Netem => ({
  time: '0ms',
  jitter: '0ms',
  delay_corr: 0,
  limit: 0,
  loss: 0,
  loss_corr: 0,
  gap: 0,
  duplicate: 0,
  duplicate_corr: 0,
  reorder: 0,
  reorder_corr: 0,
  corrupt: 0,
  corrupt_corr: 0,
  parent: null,
  handle: null,
  rate: '',
  ...patch,
});

describe('planTcs', () => {
  it('puts an unfiltered tbf at the root of eth0 with the agent handle', () => {
    expect(planTcs([tc({})], withNetem)).toEqual([
      {
        device: 'eth0',
        commands: [
          [
            'qdisc',
            'replace',
            'dev',
            'eth0',
            'root',
            'handle',
            'cf00:',
            'tbf',
            'rate',
            '1mbps',
            'burst',
            '10000',
            'limit',
            '20000',
          ],
        ],
        classify: [],
      },
    ]);
  });

  it('chains unfiltered rules and hangs filtered ones under an htb class per ipset and protocol', () => {
    const [plan] = planTcs(
      [
        tc({ device: 'eth1' }),
        tc({ device: 'eth1', ipset: 'peers' }),
        tc({ device: 'eth1', ipset: 'peers', type: 'NETEM', tbf: null, netem: netem({ time: '90ms' }) }),
        tc({ device: 'eth1', ipset: 'others', protocol: 'udp' }),
      ],
      withNetem,
    );
    expect(plan?.commands.map((c) => c.join(' '))).toEqual([
      'qdisc replace dev eth1 root handle cf00: tbf rate 1mbps burst 10000 limit 20000',
      'qdisc add dev eth1 parent cf00: handle cf01: htb default 1',
      'class add dev eth1 parent cf01: classid cf01:1 htb rate 100gbit quantum 200000',
      'class add dev eth1 parent cf01: classid cf01:2 htb rate 100gbit quantum 200000',
      'qdisc add dev eth1 parent cf01:2 handle cf02: tbf rate 1mbps burst 10000 limit 20000',
      'qdisc add dev eth1 parent cf02: handle cf03: netem delay 90000us',
      'class add dev eth1 parent cf01: classid cf01:3 htb rate 100gbit quantum 200000',
      'qdisc add dev eth1 parent cf01:3 handle cf04: tbf rate 1mbps burst 10000 limit 20000',
    ]);
    expect(plan?.classify).toEqual([
      { device: 'eth1', ipset: 'peers', protocol: undefined, classId: 'cf01:2' },
      { device: 'eth1', ipset: 'others', protocol: 'udp', classId: 'cf01:3' },
    ]);
  });

  it('answers FAILED_PRECONDITION naming sch_netem when the kernel has no netem, after validating everything', () => {
    const request = [tc({ type: 'NETEM', tbf: null, netem: netem({ time: '100ms' }) })];
    expect(() => planTcs(request, withoutNetem)).toThrow(/sch_netem/);
    expect(() => planTcs(request, withoutNetem)).toThrow(
      expect.objectContaining({ code: 'FAILED_PRECONDITION' }),
    );
    const bad = [tc({ type: 'NETEM', tbf: null, netem: netem({ time: '$(id)' }) })];
    expect(() => planTcs(bad, withoutNetem)).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
  });

  it('refuses a tbf without burst or limit', () => {
    expect(() => planTcs([tc({ tbf: { ...tbf, buffer: 0 } })], withNetem)).toThrow(/burst/);
    expect(() => planTcs([tc({ tbf: { ...tbf, limit: 0 } })], withNetem)).toThrow(/limit/);
    expect(() => planTcs([tc({ tbf: null })], withNetem)).toThrow(/has no tbf/);
  });
});

describe('netemArgs', () => {
  it('gives Go-duration delays to tc in microseconds and percentages with %', () => {
    expect(
      netemArgs(
        netem({
          time: '1.5ms',
          jitter: '500us',
          delay_corr: 25,
          loss: 10,
          loss_corr: 5,
          duplicate: 1,
          corrupt: 2,
          reorder: 3,
          gap: 5,
          rate: '1mbit',
        }),
        'n',
      ),
    ).toEqual([
      'delay',
      '1500us',
      '500us',
      '25%',
      'reorder',
      '3%',
      'gap',
      '5',
      'loss',
      '10%',
      '5%',
      'duplicate',
      '1%',
      'corrupt',
      '2%',
      'rate',
      '1mbit',
    ]);
  });

  it('refuses a netem that does nothing and percentages above 100', () => {
    expect(() => netemArgs(netem({}), 'n')).toThrow(/no effect/);
    expect(() => netemArgs(netem({ loss: 150 }), 'n')).toThrow(/percentage/);
  });
});
