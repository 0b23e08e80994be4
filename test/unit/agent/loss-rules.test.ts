import { describe, expect, it } from 'vitest';
import type { Netem } from '../../../proto/generated/pb/Netem.js';
import type { Tc } from '../../../proto/generated/pb/Tc.js';
import { lossRuleArgs, probabilityOf, splitLossRules } from '../../../agent/loss-rules.js';

const withNetem = { available: true, reason: '' };
const withoutNetem = { available: false, reason: 'Specified qdisc kind is unknown' };
const netem = (patch: Partial<Netem>): Netem => ({
  time: '',
  jitter: '',
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
const rule = (patch: Partial<Tc>): Tc => ({
  type: 'NETEM',
  netem: netem({ loss: 25 }),
  tbf: null,
  ipset: '',
  protocol: '',
  device: '',
  ...patch,
});

describe('splitLossRules', () => {
  it('leaves every rule to tc where the kernel has netem', () => {
    const tcs = [rule({})];
    expect(splitLossRules(tcs, withNetem)).toEqual({ tcs, loss: [] });
  });

  it('takes loss-only netem rules out as statistic rules without netem, with device, ipset and protocol', () => {
    const bandwidth = rule({ type: 'BANDWIDTH', netem: null });
    const split = splitLossRules(
      [
        bandwidth,
        rule({
          ipset: 'cf_lo_tgt',
          protocol: 'tcp',
          device: 'veth1',
          netem: netem({ loss: 25, loss_corr: 50 }),
        }),
      ],
      withoutNetem,
    );
    expect(split.tcs).toEqual([bandwidth]);
    expect(split.loss).toEqual([
      { device: 'veth1', ipset: 'cf_lo_tgt', protocol: 'tcp', probability: '0.25', field: 'tcs[1]' },
    ]);
    expect(lossRuleArgs(split.loss[0] as never)).toEqual(
      '-o veth1 -m set --match-set cf_lo_tgt dst -p tcp -m statistic --mode random --probability 0.25 -j DROP'.split(
        ' ',
      ),
    );
  });

  it('refuses a netem rule that also delays, duplicates, corrupts or limits the rate, naming its field and sch_netem', () => {
    for (const patch of [{ time: '10ms' }, { duplicate: 1 }, { corrupt: 1 }, { rate: '1mbit' }]) {
      const tcs = [rule({}), rule({ netem: netem({ loss: 25, ...patch }) })];
      expect(() => splitLossRules(tcs, withoutNetem)).toThrow(
        /^tcs\[1\] needs the netem qdisc \(kernel module sch_netem\)/,
      );
    }
  });

  it('defaults the device to eth0 and refuses a bad percentage or device, naming the field', () => {
    expect(splitLossRules([rule({})], withoutNetem).loss[0]?.device).toBe('eth0');
    expect(() => splitLossRules([rule({ netem: netem({ loss: 120 }) })], withoutNetem)).toThrow(
      /tcs\[0\]\.netem\.loss/,
    );
    expect(() => splitLossRules([rule({ device: 'eth0; rm' })], withoutNetem)).toThrow(/tcs\[0\]\.device/);
  });

  it('writes the probability as a fraction', () => {
    expect(probabilityOf(30)).toBe('0.3');
    expect(probabilityOf(100)).toBe('1');
    expect(probabilityOf(0.0001)).toBe('0.000001');
  });
});
