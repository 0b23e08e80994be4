/**
 * The README demo, as a user runs it after `npm run demo` has installed and built everything: the game day
 * script end to end on the embedded stack, in its own process.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';
import { describeWithNetns } from '../harness/describe-with-netns.js';

const root = fileURLToPath(new URL('../../', import.meta.url));

describeWithNetns('README demo', () => {
  it('runs the game day, shows the partition was real, and leaves nothing behind', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'scripts/demo/game-day-demo.ts'], {
      cwd: root,
      env: { ...process.env, NO_COLOR: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (c: string) => (stdout += c));
    child.stderr.setEncoding('utf8').on('data', (c: string) => (stderr += c));
    const code = await new Promise<number | null>((resolve) => child.once('close', resolve));
    expect(code, `${stdout}\n${stderr}`).toBe(0);
    expect(stderr).toMatch(/Temporal UI: http:\/\/127\.0\.0\.1:\d+/);
    expect(stdout).toMatch(/game day Succeeded/);
    expect(stdout).toMatch(/steady-state: 3\/3 probes succeeded/);
    // During the partition some probes failed: the fault was real.
    const observed = /observe-partition: (\d+)\/(\d+) probes succeeded/.exec(stdout);
    expect(observed).not.toBeNull();
    expect(Number(observed![1])).toBeLessThan(Number(observed![2]));
    expect(stdout).toMatch(/NetworkChaos\/partition +Recovered/);
    expect(stdout).toMatch(/StressChaos +Recovered/);
    expect(stdout).toMatch(/nothing left behind/);
  }, 180_000);
});
