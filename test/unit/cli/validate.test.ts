/** `chaosflow validate`: called directly for the details, and spawned once for the real exit codes and streams. */
import { readdirSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { validateAction } from '../../../cli/commands/validate.js';
import { runCli } from '../../harness/cli.js';

const root = join(import.meta.dirname, '..', '..', '..');
const example = (name: string): string => join(root, 'examples', name);
const invalid = (name: string): string => join(root, 'test/unit/manifests/invalid', name);
const warned = (name: string): string => join(root, 'test/unit/manifests/warnings', name);

function capture(): {
  out: string[];
  err: string[];
  io: { stdout: (t: string) => void; stderr: (t: string) => void };
} {
  const out: string[] = [];
  const err: string[] = [];
  return { out, err, io: { stdout: (t) => out.push(t), stderr: (t) => err.push(t) } };
}

describe('chaosflow validate', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'chaosflow-validate-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('prints ok with the document count and kinds for each valid file and returns 0', async () => {
    const file = join(dir, 'two.yaml');
    await writeFile(
      file,
      `apiVersion: chaos-mesh.org/v1alpha1
kind: PodChaos
metadata: { name: a }
spec: { action: pod-kill, mode: one, selector: {} }
---
apiVersion: chaos-mesh.org/v1alpha1
kind: Schedule
metadata: { name: b }
spec: { schedule: "@hourly", type: PodChaos, podChaos: { action: pod-kill, mode: one, selector: {} } }
`,
    );
    const c = capture();
    const code = await validateAction([example('game-day.yaml'), file], { output: 'table' }, c.io);
    expect(code).toBe(0);
    expect(c.out.join('')).toBe(
      `ok ${example('game-day.yaml')}: 1 document (Workflow)\nok ${file}: 2 documents (PodChaos, Schedule)\n`,
    );
    expect(c.err).toEqual([]);
  });

  it('accepts a host inventory by its kind, and refuses an invalid one with located errors', async () => {
    const c = capture();
    const code = await validateAction(
      [example('inventory.yaml'), invalid('inventory-node-not-found.yaml')],
      { output: 'table' },
      c.io,
    );
    expect(code).toBe(1);
    const out = c.out.join('');
    expect(out).toContain(`ok ${example('inventory.yaml')}: 1 document (Inventory)\n`);
    expect(out).toContain(
      `${invalid('inventory-node-not-found.yaml')}:14:11: error[INVENTORY_NODE_NOT_FOUND] /pods/0/node: node "lcoal" is not in \`nodes\`\n  fix: did you mean local? use one of: local\n`,
    );
  });

  it('prints every error with position, code, pointer and a fix line, and returns 1', async () => {
    const c = capture();
    const file = invalid('payload-mismatch-network-with-pod.yaml');
    const code = await validateAction([file, example('serial.yaml')], { output: 'table' }, c.io);
    expect(code).toBe(1);
    const lines = c.out.join('').split('\n');
    expect(lines[0]).toBe(
      `${file}:10:7: error[PAYLOAD_MISSING] /spec/templates/0/networkChaos: a NetworkChaos template needs networkChaos`,
    );
    expect(lines[1]).toMatch(/^ {2}fix: add networkChaos:/);
    expect(lines[2]).toMatch(
      new RegExp(
        `^${file.replace(/[.]/g, '\\.')}:13:7: error\\[PAYLOAD_MISMATCH\\] /spec/templates/0/podChaos: `,
      ),
    );
    expect(lines[3]).toMatch(/^ {2}fix: remove podChaos, or set templateType: PodChaos$/);
    expect(lines[4]).toBe(`ok ${example('serial.yaml')}: 1 document (Workflow)`);
    expect(c.err.join('')).toBe('2 errors in 1 of 2 files\n');
  });

  it('-o json prints the errors and document summaries as JSON', async () => {
    const c = capture();
    const code = await validateAction([invalid('multi-document.yaml')], { output: 'json' }, c.io);
    expect(code).toBe(1);
    const report = JSON.parse(c.out.join('')) as {
      valid: boolean;
      errorCount: number;
      files: {
        documents: { kind?: string; valid: boolean }[];
        errors: { code: string; line: number; document: number }[];
      }[];
    };
    expect(report.valid).toBe(false);
    expect(report.errorCount).toBe(3);
    expect(report.files[0]?.errors.map((e) => [e.code, e.line, e.document])).toEqual([
      ['SCHEMA_ENUM', 9, 0],
      ['ENTRY_NOT_FOUND', 27, 3],
      ['KIND_UNSUPPORTED', 34, 4],
    ]);
    expect(report.files[0]?.documents.map((d) => d.valid)).toEqual([false, true, false, false]);
  });

  it('prints warnings on stderr with a hint line and still returns 0 when there is no error', async () => {
    const c = capture();
    const file = warned('held-standalone.yaml');
    const code = await validateAction([file, example('serial.yaml')], { output: 'table' }, c.io);
    expect(code).toBe(0);
    expect(c.out.join('')).toBe(
      `ok ${file}: 1 document (NetworkChaos), 1 warning\nok ${example('serial.yaml')}: 1 document (Workflow)\n`,
    );
    const err = c.err.join('').split('\n');
    expect(err[0]).toBe(
      `${file}:7:1: warning[CHAOS_HELD_UNTIL_ABORT] /spec/duration: NetworkChaos partition has no duration, so the run holds the fault until it is aborted (Ctrl-C in chaosflow run, or chaosflow abort)`,
    );
    expect(err[1]).toMatch(/^ {2}hint: add duration: /);
    expect(err.slice(2)).toEqual(['1 warning in 1 of 2 files', '']);
  });

  it('counts errors and warnings apart, and -o json lists the warnings of each file', async () => {
    const table = capture();
    const files = [invalid('cycle-children.yaml'), warned('held-schedule-allow.yaml')];
    expect(await validateAction(files, { output: 'table' }, table.io)).toBe(1);
    expect(table.err.join('')).toMatch(/\n1 error in 1 of 2 files; 1 warning in 1 of 2 files\n$/);
    const json = capture();
    expect(await validateAction(files, { output: 'json' }, json.io)).toBe(1);
    const report = JSON.parse(json.out.join('')) as {
      errorCount: number;
      warningCount: number;
      files: { valid: boolean; warnings: { code: string; line: number; col: number; fix: string }[] }[];
    };
    expect(report).toMatchObject({ errorCount: 1, warningCount: 1 });
    expect(report.files.map((f) => [f.valid, f.warnings.map((w) => `${w.code} ${w.line}:${w.col}`)])).toEqual(
      [
        [false, []],
        [true, ['CHAOS_HELD_UNTIL_ABORT 11:3']],
      ],
    );
    expect(report.files[1]?.warnings[0]?.fix).toMatch(/^add duration/);
  });

  it('as a process: exit 1 and errors on stdout for a bad file, exit 0 for good ones and for warnings (on stderr), exit 2 for bad usage', async () => {
    const bad = await runCli([
      'validate',
      'examples/pod-kill.yaml',
      'test/unit/manifests/invalid/cycle-children.yaml',
    ]);
    expect(bad.code).toBe(1);
    expect(bad.stdout).toContain('ok examples/pod-kill.yaml: 1 document (PodChaos)\n');
    expect(bad.stdout).toContain(
      'test/unit/manifests/invalid/cycle-children.yaml:17:18: error[TEMPLATE_CYCLE] /spec/templates/1/children/0: templates form a cycle: main -> a -> main\n  fix: ',
    );
    expect(bad.stderr).toBe('1 error in 1 of 2 files\n');
    expect(bad.stdout).not.toMatch(/\n\s+at /);

    const good = await runCli(['validate', 'examples/serial.yaml', 'examples/schedule.yaml']);
    expect(good).toEqual({
      code: 0,
      stdout:
        'ok examples/serial.yaml: 1 document (Workflow)\nok examples/schedule.yaml: 1 document (Schedule)\n',
      stderr: '',
    });

    const warning = await runCli(['validate', 'test/unit/manifests/warnings/held-standalone.yaml']);
    expect(warning.code).toBe(0);
    expect(warning.stdout).toBe(
      'ok test/unit/manifests/warnings/held-standalone.yaml: 1 document (NetworkChaos), 1 warning\n',
    );
    expect(warning.stderr).toMatch(
      /^test\/unit\/manifests\/warnings\/held-standalone\.yaml:7:1: warning\[CHAOS_HELD_UNTIL_ABORT\] /,
    );

    const examples = readdirSync(join(root, 'examples'))
      .filter((f) => f.endsWith('.yaml'))
      .map((f) => `examples/${f}`);
    const all = await runCli(['validate', ...examples]);
    expect(all.code).toBe(0);
    expect(all.stdout).toContain('ok examples/inventory.yaml: 1 document (Inventory)\n');
    expect(all.stdout.split('\n').filter((l) => l.startsWith('ok '))).toHaveLength(examples.length);

    const usage = await runCli(['validate', '-o', 'xml', 'examples/serial.yaml']);
    expect(usage.code).toBe(2);
    expect(usage.stderr).toMatch(/argument 'xml' is invalid/);
  }, 90_000);
});
