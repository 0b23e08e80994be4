/**
 * Every file in `warnings/` is valid and compiles, and declares in its first line the warnings it must give
 * (code and line:col), like the fixtures in `invalid/` declare their errors. Then what the warnings say, and
 * how they are printed.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Plan } from '../../../common/plan.js';
import { MANIFEST_WARNING_CODES } from '../../../manifests/errors.js';
import { formatManifestWarning } from '../../../manifests/format-error.js';
import { readManifestFile, readManifestText } from '../../../manifests/read-manifests.js';
import { expectations } from './fixture-expectations.js';

const dir = join(import.meta.dirname, 'warnings');
const files = readdirSync(dir)
  .filter((f) => f.endsWith('.yaml'))
  .sort();

const read = (file: string) => readManifestFile(join(dir, file));

describe('manifests with warnings', () => {
  it.each(files)('%s is valid, compiles, and gives exactly the expected warnings', async (file) => {
    const result = await read(file);
    expect(result.errors).toEqual([]);
    // Every document compiles but a RemoteCluster, which declares a cluster name and runs nothing.
    const runnable = result.documents.filter((d) => d.kind !== 'RemoteCluster');
    expect(result.compiled).toHaveLength(runnable.length);
    expect(result.warnings.map((w) => `${w.code} ${w.line}:${w.col}`)).toEqual(expectations(dir, file));
    for (const warning of result.warnings) {
      expect(warning.file).toBe(join(dir, file));
      expect(warning.fix.length).toBeGreaterThan(5);
    }
  });

  it('covers every warning code', () => {
    const covered = new Set(files.flatMap((f) => expectations(dir, f).map((e) => e.split(' ')[0])));
    // TOO_MANY_WARNINGS needs more than 50 warnings in one document: hostile-input.test.ts makes one.
    expect(MANIFEST_WARNING_CODES.filter((c) => !covered.has(c))).toEqual(['TOO_MANY_WARNINGS']);
  });

  it('prints a warning as file:line:col: warning[CODE] /pointer: message, then a hint line', async () => {
    const [warning] = (await read('held-standalone.yaml')).warnings;
    if (!warning) throw new Error('no warning');
    expect(formatManifestWarning(warning)).toBe(
      `${join(dir, 'held-standalone.yaml')}:7:1: warning[CHAOS_HELD_UNTIL_ABORT] /spec/duration: NetworkChaos partition has no duration, so the run holds the fault until it is aborted (Ctrl-C in chaosflow run, or chaosflow abort)\n  hint: add duration: how long to hold the fault, such as 30s or 5m, for it to end on its own`,
    );
  });
});

describe('chaos without duration', () => {
  it('compiles a standalone chaos to a template without deadline: the interpreter holds it until the run is aborted', async () => {
    const [plan] = (await read('held-standalone.yaml')).plans as [Plan];
    expect(plan.templates['n']).toMatchObject({
      type: 'Chaos',
      chaos: { kind: 'NetworkChaos', oneShot: false },
    });
    expect(plan.templates['n']?.deadlineMs).toBeUndefined();
  });

  it('compiles a Schedule chaos to ticks without deadline', async () => {
    const [schedule] = (await read('held-schedule-replace.yaml')).schedulePlans;
    expect(schedule?.run.templates['s']?.deadlineMs).toBeUndefined();
    const [workflow] = (await read('held-schedule-template.yaml')).plans as [Plan];
    const template = workflow.templates['every-minute'];
    if (template?.type !== 'Schedule') throw new Error('not a Schedule template');
    expect(template.deadlineMs).toBe(600_000);
    expect(template.tickDurationMs).toBeUndefined();
  });

  it("says what ends a Schedule's held faults under each concurrency policy, and at a template's deadline", async () => {
    const message = async (file: string) => (await read(file)).warnings[0]?.message;
    expect(await message('held-schedule-forbid.yaml')).toBe(
      'StressChaos has no duration, so the first tick holds the fault until the run is aborted (chaosflow abort, or chaosflow schedule delete --abort-running), and every later tick is skipped while it holds (concurrencyPolicy Forbid)',
    );
    expect(await message('held-schedule-allow.yaml')).toMatch(
      /every tick adds one more held fault \(concurrencyPolicy Allow\), each held until the run is aborted/,
    );
    expect(await message('held-schedule-replace.yaml')).toMatch(
      /^NetworkChaos delay has no duration, so each tick holds the fault until the next tick replaces it \(concurrencyPolicy Replace\); the last one until the run is aborted/,
    );
    expect(await message('held-schedule-template.yaml')).toMatch(
      /the last one until the schedule template's deadline$/,
    );
  });

  it('gives no warning to one-shot kinds, nor to a chaos with a duration', async () => {
    const examples = join(import.meta.dirname, '..', '..', '..', 'examples');
    for (const file of ['pod-kill.yaml', 'network-delay.yaml', 'schedule.yaml']) {
      expect((await readManifestFile(join(examples, file))).warnings).toEqual([]);
    }
  });
});

describe('Tasks on the host', () => {
  it('names every field only a Pod would use, image first', async () => {
    const [warning] = (await read('task-runs-on-host.yaml')).warnings;
    expect(warning?.pointer).toBe('/spec/templates/0/task');
    expect(warning?.message).toBe(
      'task "run" runs on the worker\'s host, not in a Pod: its command and args run there as one process, without image busybox:1.36, container.resources, container.volumeMounts, volumes and labels',
    );
  });

  it('gives no warning to a Task written for the host: command, args, env and workingDir only', () => {
    const result = readManifestText(
      `apiVersion: chaosflow.dev/v1alpha1
kind: Workflow
metadata: { name: w }
spec:
  entry: run
  templates:
    - name: run
      templateType: Task
      deadline: 1m
      task:
        container: { name: c, command: [echo], args: [ok], env: [{ name: A, value: b }], workingDir: /tmp }
`,
      'host.yaml',
    );
    expect(result.errors).toEqual([]);
    expect(result.warnings).toEqual([]);
  });
});
