import { describe, expect, it } from 'vitest';
import { KeyedLock } from '../../../agent/keyed-lock.js';

const tick = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

describe('KeyedLock', () => {
  it('runs work on one key one after the other and on different keys concurrently', async () => {
    const lock = new KeyedLock();
    const events: string[] = [];
    const job = (key: string, name: string, ms: number): Promise<void> =>
      lock.run(key, async () => {
        events.push(`${name}+`);
        await tick(ms);
        events.push(`${name}-`);
      });
    await Promise.all([job('a', 'a1', 30), job('a', 'a2', 1), job('b', 'b1', 10)]);
    expect(events.indexOf('a1-')).toBeLessThan(events.indexOf('a2+'));
    expect(events.indexOf('b1+')).toBeLessThan(events.indexOf('a1-'));
  });

  it('releases the key when work fails', async () => {
    const lock = new KeyedLock();
    await expect(lock.run('k', () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    await expect(lock.run('k', () => Promise.resolve(7))).resolves.toBe(7);
    await lock.drain();
  });
});
