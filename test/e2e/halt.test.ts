/**
 * The safety lever on real parts (the embedded stack, the real agent, a service in a network namespace):
 * `chaosflow halt` with two runs holding partitions and a schedule active recovers everything, pauses the
 * schedule with the reason, refuses a new run with it, and shows in `chaosflow status`; `unhalt` restores normal
 * operation.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { finalStatus } from '../../client/runs.js';
import { listSchedules } from '../../client/schedules/list-schedules.js';
import { describeWithNetns } from '../harness/describe-with-netns.js';
import { runCli } from '../harness/cli.js';
import { startGameDayEnv, type GameDayEnv } from './game-day-env.js';

let env: GameDayEnv;

describeWithNetns('chaosflow halt and unhalt', () => {
  beforeAll(async () => {
    env = await startGameDayEnv();
  });
  afterAll(async () => {
    await runCli(['unhalt', ...env.cliFlags]).catch(() => undefined);
    await runCli(['schedule', 'delete', 'default/cpu-every-minute', ...env.cliFlags]).catch(() => undefined);
    await env?.stop();
  });

  it('aborts and recovers every run, pauses the schedules, refuses new runs until unhalt', async () => {
    const applied = await runCli(['schedule', 'apply', 'examples/schedule.yaml', ...env.cliFlags]);
    expect(applied.code, applied.stderr).toBe(0);
    const ids: string[] = [];
    for (let i = 0; i < 2; i++) {
      const started = await runCli(['run', 'examples/network-partition.yaml', '--detach', ...env.cliFlags]);
      expect(started.code, started.stderr).toBe(0);
      ids.push(started.stdout.trim());
    }
    await expect
      .poll(async () => (await env.host.snapshot()).iptables, { timeout: 30_000, interval: 200 })
      .toMatch(/CHAOS-OUTPUT/);

    const halted = await runCli(['halt', '--reason', 'incident 42', '--by', 'oncall', ...env.cliFlags]);
    expect(halted.code, halted.stderr).toBe(0);
    expect(halted.stderr).toMatch(/^halted: incident 42 \(by oncall since /m);
    expect(halted.stderr).toMatch(/aborted 2 run\(s\), paused 1 schedule\(s\)/);
    const took = /every run recovered and closed in (\d+) ms/.exec(halted.stderr);
    expect(took, halted.stderr).not.toBeNull();
    console.log(`halt → 2 runs recovered and closed in ${took![1]} ms`);
    expect(await env.host.snapshot()).toEqual(env.before);
    for (const id of ids) {
      const status = await finalStatus(env.client.workflow.getHandle(id));
      expect(status?.phase).toBe('Aborted');
      expect(status?.abortReason).toMatch(/^Halted: incident 42 \(by oncall/);
    }

    const [schedule] = await listSchedules(env.client);
    expect(schedule).toMatchObject({ paused: true, note: 'chaosflow halt: incident 42' });

    const status = await runCli(['status', ...env.cliFlags]);
    expect(status.stdout).toMatch(/STATE\s+Halted/);
    expect(status.stdout).toMatch(/REASON\s+incident 42/);
    expect(status.stdout).toMatch(/BY\s+oncall/);
    expect(status.stdout).toMatch(/RUNNING RUNS\s+0/);

    const refused = await runCli(['run', 'examples/network-partition.yaml', '--detach', ...env.cliFlags]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/refused: Halted: incident 42/);
    // Halting again is harmless and says so.
    const again = await runCli(['halt', '--reason', 'other', ...env.cliFlags]);
    expect(again.stderr).toMatch(/^already halted: incident 42/m);

    const unhalted = await runCli(['unhalt', '--by', 'oncall', ...env.cliFlags]);
    expect(unhalted.code, unhalted.stderr).toBe(0);
    expect(unhalted.stderr).toMatch(/unhalted \(the halt was: incident 42.*resumed 1 schedule/);
    expect((await runCli(['status', ...env.cliFlags])).stdout).toMatch(/STATE\s+Normal/);
    expect((await listSchedules(env.client))[0]).toMatchObject({ paused: false });

    const after = await runCli(['run', 'examples/network-partition.yaml', '--detach', ...env.cliFlags]);
    expect(after.code, after.stderr).toBe(0);
    await expect
      .poll(async () => (await env.host.snapshot()).iptables, { timeout: 30_000, interval: 200 })
      .toMatch(/CHAOS-OUTPUT/);
    const aborted = await runCli(['abort', after.stdout.trim(), ...env.cliFlags]);
    expect(aborted.code).toBe(0);
    expect(await env.host.snapshot()).toEqual(env.before);
  }, 240_000);
});
