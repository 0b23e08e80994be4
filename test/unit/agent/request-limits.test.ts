import { describe, expect, it } from 'vitest';
import { checkRequestLimits } from '../../../agent/request-limits.js';

const list = (n: number, item: unknown = 'x'): unknown[] => Array.from({ length: n }, () => item);

describe('request limits', () => {
  it('takes requests at their limits', () => {
    expect(() =>
      checkRequestLimits({
        container_id: 'x'.repeat(1024),
        ipsets: [{ name: 's', cidrs: list(16_384), set_names: list(64) }, ...list(63, { name: 't' })],
        chains: list(64, { name: 'c', ipsets: list(64) }),
        rules: 'r'.repeat(65_536),
      }),
    ).not.toThrow();
  });

  it('refuses one entry or character more, naming the field, the size and the limit', () => {
    const cases: [unknown, string][] = [
      [{ container_id: 'x'.repeat(1025) }, 'container_id has 1025 characters; at most 1024'],
      [{ ipsets: [{ cidrs: list(16_385) }] }, 'ipsets[0].cidrs has 16385 entries; at most 16384'],
      [
        { ipsets: [{ cidr_and_ports: list(16_385, { cidr: 'c', port: 1 }) }] },
        'ipsets[0].cidr_and_ports has 16385',
      ],
      [{ chains: [{ ipsets: list(65) }] }, 'chains[0].ipsets has 65 entries; at most 64'],
      [{ tcs: list(65, {}) }, 'tcs has 65 entries'],
      [{ tcs: [{ tbf: { rate: 'r'.repeat(1025) } }] }, 'tcs[0].tbf.rate has 1025 characters'],
      [{ rules: 'r'.repeat(65_537) }, 'rules has 65537 characters; at most 65536'],
      [
        { ipsets: list(2, { cidrs: list(16_384) }).concat([{ set_names: ['a'] }]) },
        'ipsets has 32769 members in all',
      ],
    ];
    for (const [request, message] of cases) {
      expect(() => checkRequestLimits(request), message).toThrow(message);
    }
  });
});
