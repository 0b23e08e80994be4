/**
 * The README demo, as a user runs it after `npm run demo` has installed and built everything: the game day
 * script end to end on the embedded stack, in its own process.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';
import { describeWithNetns } from '../harness/describe-with-netns.js';

const root = fileURLToPath(new URL('../../', import.meta.url));

describeWithNetns('README demo', () => {
  it('runs the game day, shows the partition was real, leaves nothing behind, and writes the report', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'chaosflow-demo-test-'));
    const reportFile = join(dir, 'report.html');
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', 'scripts/demo/game-day-demo.ts', '--report', reportFile],
      {
        cwd: root,
        env: { ...process.env, NO_COLOR: '1' },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
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
    // During the HTTP delay some probes timed out: the delay was real.
    const delayed = /observe-http-delay: (\d+)\/(\d+) probes succeeded/.exec(stdout);
    expect(delayed).not.toBeNull();
    expect(Number(delayed![1])).toBeLessThan(Number(delayed![2]));
    expect(stdout).toMatch(/NetworkChaos\/partition +Recovered/);
    expect(stdout).toMatch(/HTTPChaos +Recovered/);
    expect(stdout).toMatch(/StressChaos +Recovered/);
    expect(stdout).toMatch(/nothing left behind/);
    // It ends by writing the report and printing its path.
    expect(stdout.trimEnd().split('\n').at(-1)).toBe(`report: ${reportFile}`);
    const html = await readFile(reportFile, 'utf8');
    const nodes = [
      'game-day',
      'game-day/steady-state',
      'game-day/partition-and-observe',
      'game-day/partition-and-observe/partition',
      'game-day/partition-and-observe/observe-partition',
      'game-day/http-delay-and-observe',
      'game-day/http-delay-and-observe/http-delay',
      'game-day/http-delay-and-observe/observe-http-delay',
      'game-day/cpu-stress',
      'game-day/recovered',
    ];
    const rows = [...html.matchAll(/<g class="row node-row" data-node="([^"]+)"/g)].map((m) => m[1]);
    expect(rows).toEqual(nodes);
    expect(html).toMatch(/<rect class="fault-band" data-state="Recovered"/);
    expect(html).toMatch(/class="probe-mark"[^>]*data-verdict="Failure"/);
    await rm(dir, { recursive: true, force: true });
  }, 180_000);
});
