/** `chaosflow plan`: the node tree table, the schedule fields, JSON/YAML output and the target-resolution seam. */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { planAction } from '../../../cli/commands/plan.js';
import { runCli } from '../../harness/cli.js';
import type { Plan } from '../../../common/plan.js';

const root = join(import.meta.dirname, '..', '..', '..');
const example = (name: string): string => join(root, 'examples', name);

async function run(
  file: string,
  output: 'table' | 'json' | 'yaml',
  resolveTargets?: (plan: Plan) => Promise<ReadonlyMap<string, string>>,
) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await planAction(
    file,
    { output },
    {
      stdout: (t) => out.push(t),
      stderr: (t) => err.push(t),
      ...(resolveTargets ? { resolveTargets } : {}),
    },
  );
  return { code, out: out.join(''), err: err.join('') };
}

describe('chaosflow plan', () => {
  it('shows the tree from the entry with types, deadlines and what each node does', async () => {
    const { code, out } = await run(example('game-day.yaml'), 'table');
    expect(code).toBe(0);
    const lines = out.split('\n');
    expect(lines[0]).toBe(`Workflow default/game-day (${example('game-day.yaml')}:5)`);
    expect(lines[1]).toMatch(/^NODE +TYPE +DEADLINE +RETRY +DETAILS$/);
    expect(lines[2]).toMatch(/^game-day +Serial +3m0s +- +5 children, one after another$/);
    expect(lines[3]).toMatch(
      /^├─ steady-state +StatusCheck +30s +- +Synchronous GET http:\/\/10\.200\.0\.2:8080\/ expects 200 /,
    );
    expect(lines[4]).toMatch(/^├─ partition-and-observe +Parallel +20s +- +2 children at once$/);
    expect(lines[5]).toMatch(
      /^│ {2}├─ partition +NetworkChaos +10s +- +partition, all pods in default where app=demo, direction to$/,
    );
    expect(lines[6]).toMatch(/^│ {2}└─ observe-partition +StatusCheck +15s +- +Continuous GET /);
    expect(lines[7]).toMatch(/^├─ http-delay-and-observe +Parallel +15s +- +2 children at once$/);
    expect(lines[8]).toMatch(/^│ {2}├─ http-delay +HTTPChaos +8s +- +.*all pods in default where app=demo/);
    expect(lines[9]).toMatch(/^│ {2}└─ observe-http-delay +StatusCheck +12s +- +Continuous GET /);
    expect(lines[10]).toMatch(
      /^├─ cpu-stress +StressChaos +10s +- +cpu, all pods in default where app=demo, 1 cpu worker at 100%$/,
    );
    expect(lines[11]).toMatch(/^└─ recovered +StatusCheck +1m0s /);
    expect(out).not.toContain('TARGETS');
  });

  it('shows branch conditions under a task and the retry policy', async () => {
    const branches = await run(example('task-branches.yaml'), 'table');
    expect(branches.out).toMatch(
      /├─ partition-when-healthy +NetworkChaos +10s +- +if exitCode == 0 && stdout == "healthy": partition/,
    );
    expect(branches.out).toMatch(
      /└─ always-log +Task +30s +- +if always: run busybox:1\.36: echo task-branches ran/,
    );
    const gate = await run(example('approval-gate.yaml'), 'table');
    expect(gate.out).toMatch(/└─ healthy-again +StatusCheck +1m0s +3x \(5s x2, max 30s\) /);
    expect(gate.out).toMatch(
      /├─ kill-one +PodChaos +- +- +pod-kill, one pod in default where app=demo, one-shot/,
    );
  });

  it("shows a schedule's fields and the tree each tick runs", async () => {
    const { code, out } = await run(example('schedule-workflow.yaml'), 'table');
    expect(code).toBe(0);
    expect(out).toMatch(/^schedule +\*\/5 \* \* \* MON-FRI$/m);
    expect(out).toMatch(/^timezone +UTC$/m);
    expect(out).toMatch(/^concurrencyPolicy +Forbid$/m);
    expect(out).toMatch(/^type +Workflow$/m);
    expect(out).toMatch(/Each tick runs:\nNODE .*\ndrill +Serial +2m0s/);
  });

  it('fills a TARGETS column from the resolver when one is given', async () => {
    const seen: string[] = [];
    const { out } = await run(example('serial.yaml'), 'table', (plan) => {
      seen.push(plan.source.name);
      return Promise.resolve(new Map([['partition', '2 pods: default/demo-0, default/demo-1']]));
    });
    expect(seen).toEqual(['serial']);
    expect(out).toMatch(/^NODE +TYPE +DEADLINE +RETRY +DETAILS +TARGETS$/m);
    expect(out).toMatch(/├─ partition .* 2 pods: default\/demo-0, default\/demo-1$/m);
    expect(out).toMatch(/├─ warm-up .* wait +-$/m);
  });

  it('-o json prints the compiled Plan, -o yaml the same as YAML', async () => {
    const json = await run(example('stress-cpu.yaml'), 'json');
    const plan = JSON.parse(json.out) as Plan;
    expect(plan).toMatchObject({ planVersion: 1, entry: 'stress-cpu', source: { kind: 'StressChaos' } });
    const yaml = await run(example('stress-cpu.yaml'), 'yaml');
    expect(parseAllDocuments(yaml.out).map((d) => d.toJS() as unknown)).toEqual([plan]);
  });

  it('prints the errors on stderr and returns 1 for an invalid file', async () => {
    const { code, out, err } = await run(
      join(root, 'test/unit/manifests/invalid/chaos-no-deadline.yaml'),
      'table',
    );
    expect(code).toBe(1);
    expect(out).toBe('');
    expect(err).toMatch(
      /chaos-no-deadline\.yaml:10:7: error\[CHAOS_NO_DEADLINE\] \/spec\/templates\/0\/deadline: /,
    );
  });

  it('prints warnings on stderr and the plan on stdout, in every format, and returns 0', async () => {
    const file = join(root, 'test/unit/manifests/warnings/held-standalone.yaml');
    const table = await run(file, 'table');
    expect(table.code).toBe(0);
    expect(table.out).toMatch(/^NetworkChaos default\/n /);
    expect(table.out).toMatch(/^n +NetworkChaos +- +- +partition, .*, held with no end of its own$/m);
    expect(table.err).toMatch(
      /held-standalone\.yaml:7:1: warning\[CHAOS_HELD_UNTIL_ABORT\] \/spec\/duration: .*\n {2}hint: /,
    );
    const json = await run(file, 'json');
    expect(json.code).toBe(0);
    expect(JSON.parse(json.out)).toMatchObject({ planVersion: 1, entry: 'n' });
    expect(json.err).toBe(table.err);
  });

  it('says that an Inventory has no plan, and where to use it, without failing', async () => {
    const { code, out, err } = await run(example('inventory.yaml'), 'table');
    expect(code).toBe(0);
    expect(out).toBe('');
    expect(err).toBe(
      `${example('inventory.yaml')}:4: an Inventory runs nothing, so it has no plan; give it to plan --inventory to see the targets a manifest would hit\n`,
    );
  });

  it('as a process: -o json on stdout with exit 0', async () => {
    const result = await runCli(['plan', '-o', 'json', 'examples/schedule.yaml']);
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({
      schedulePlanVersion: 1,
      type: 'StressChaos',
      run: { entry: 'cpu-every-minute' },
    });
  }, 30_000);
});
