import { describe, expect, it } from 'vitest';
import { describeDiff } from '../../../agent/network-baselines.js';

describe('describeDiff (drift between two pictures of a namespace)', () => {
  it('is undefined when the lines are the same, whatever their order within duplicates', () => {
    expect(describeDiff('iptables', ['a', 'b', 'a'], ['a', 'b', 'a'])).toBeUndefined();
  });

  it('names added lines with + and removed lines with -', () => {
    expect(describeDiff('iptables', ['-A INPUT -j ACCEPT'], ['-A INPUT -s 10.0.0.1/32 -j DROP'])).toBe(
      'iptables: +"-A INPUT -s 10.0.0.1/32 -j DROP", -"-A INPUT -j ACCEPT"',
    );
  });

  it('counts a duplicated line as added once per extra copy', () => {
    expect(describeDiff('ipsets', ['x'], ['x', 'x'])).toBe('ipsets: +"x"');
  });

  it('shows at most ten lines and counts the rest', () => {
    const after = Array.from({ length: 13 }, (_, i) => `rule ${i}`);
    const text = describeDiff('iptables', [], after)!;
    expect(text).toContain('+"rule 9"');
    expect(text).not.toContain('rule 10"');
    expect(text).toMatch(/ and 3 more$/);
  });
});
