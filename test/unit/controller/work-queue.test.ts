import { describe, expect, it } from 'vitest';
import { WorkQueue } from '../../../controller/work-queue.js';

const tick = (ms = 0) => new Promise((resolve) => setTimeout(resolve, ms));

describe('the work queue', () => {
  it('works a key once however often it is added while it waits', async () => {
    const done: string[] = [];
    const queue = new WorkQueue(
      (key) => Promise.resolve(void done.push(key)),
      2,
      () => undefined,
    );
    for (let i = 0; i < 5; i++) queue.add('a');
    queue.add('b');
    queue.start();
    await tick(20);
    expect(done.sort()).toEqual(['a', 'b']);
    queue.stop();
  });

  it('never works one key twice at once, and works it again when it changed meanwhile', async () => {
    let active = 0;
    let maxActive = 0;
    const runs: number[] = [];
    const queue = new WorkQueue(
      async () => {
        active += 1;
        maxActive = Math.max(maxActive, active);
        runs.push(Date.now());
        await tick(30);
        active -= 1;
      },
      4,
      () => undefined,
    );
    queue.start();
    queue.add('a');
    await tick(5);
    queue.add('a');
    queue.add('a');
    await tick(100);
    expect(maxActive).toBe(1);
    expect(runs).toHaveLength(2);
    queue.stop();
  });

  it('retries a failing key with backoff and requeues one that asks for it', async () => {
    let failures = 0;
    const errors: string[] = [];
    const queue = new WorkQueue(
      (key) => {
        if (key === 'bad' && failures < 2) {
          failures += 1;
          return Promise.reject(new Error('boom'));
        }
        return Promise.resolve(key === 'poll' ? { requeueAfterMs: 10 } : undefined);
      },
      2,
      (key) => errors.push(key),
    );
    queue.start();
    queue.add('bad');
    await tick(2_000);
    expect(errors).toEqual(['bad', 'bad']);
    expect(failures).toBe(2);
    queue.stop();
  });

  it('does nothing while paused, and catches up when started', async () => {
    const done: string[] = [];
    const queue = new WorkQueue(
      (key) => Promise.resolve(void done.push(key)),
      1,
      () => undefined,
    );
    queue.add('a');
    await tick(20);
    expect(done).toEqual([]);
    queue.start();
    await tick(20);
    expect(done).toEqual(['a']);
    queue.stop();
  });
});
