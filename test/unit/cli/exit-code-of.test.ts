/** The exit code tells an invalid manifest (1) from a bug in chaosflow (70). */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CommanderError } from 'commander';
import { describe, expect, it } from 'vitest';
import { runCli } from '../../harness/cli.js';
import { CliError } from '../../../cli/cli-error.js';
import { exitCodeOf } from '../../../cli/exit-code-of.js';
import { EXIT } from '../../../cli/exit-codes.js';

function run(err: unknown): { code: number; stderr: string } {
  let stderr = '';
  const code = exitCodeOf(err, (t) => (stderr += t));
  return { code, stderr };
}

describe('exitCodeOf', () => {
  it('gives 70 and the stack for an error no command expected', () => {
    const { code, stderr } = run(new TypeError('x is undefined'));
    expect(code).toBe(70);
    expect(EXIT.internal).toBe(70);
    expect(stderr).toMatch(/internal error \(a bug, please report it\)/);
    expect(stderr).toMatch(/TypeError: x is undefined\n\s+at /);
  });

  it("gives a CliError's own code without a stack: 1 for an invalid manifest", () => {
    const { code, stderr } = run(new CliError('3 errors in a.yaml'));
    expect(code).toBe(EXIT.failed);
    expect(code).not.toBe(EXIT.internal);
    expect(stderr).toBe('chaosflow: 3 errors in a.yaml\n');
    expect(run(new CliError('no server', EXIT.unavailable)).code).toBe(3);
  });

  it('gives 2 for usage errors and 0 for help', () => {
    expect(run(new CommanderError(1, 'commander.unknownOption', 'unknown option')).code).toBe(EXIT.usage);
    expect(run(new CommanderError(0, 'commander.helpDisplayed', '')).code).toBe(EXIT.ok);
  });

  it('gives every exit code its own number', () => {
    const codes = Object.values(EXIT);
    expect(new Set(codes).size).toBe(codes.length);
  });
});

describe('the real command on hostile manifests (issue 12)', () => {
  it('exits 1 with located errors, never 70 or a stack trace, from validate and plan', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'chaosflow-hostile-'));
    try {
      const files: Record<string, string> = {
        'alias.yaml': 'kind: Workflow\nspec: *x\n',
        'deep.yaml': `${'['.repeat(10_000)}${']'.repeat(10_000)}\n`,
        'jitter.yaml': `apiVersion: chaos-mesh.org/v1alpha1\nkind: Schedule\nmetadata: { name: s }\nspec:\n  schedule: '@every 1m'\n  jitter: ${'9'.repeat(310)}s\n  type: PodChaos\n  podChaos: { action: pod-kill, mode: one, selector: { namespaces: [a] } }\n`,
        'binary.yaml': Array.from({ length: 2000 }, (_, i) => String.fromCharCode((i * 7919) % 256)).join(''),
      };
      for (const [name, text] of Object.entries(files)) await writeFile(join(dir, name), text);
      const paths = Object.keys(files).map((name) => join(dir, name));
      const validate = await runCli(['validate', ...paths]);
      expect(validate.code).toBe(EXIT.failed);
      expect(validate.stderr).not.toMatch(/internal error|\n\s+at /);
      const lines = validate.stdout.split('\n').filter((l) => l.startsWith(dir));
      expect(lines.length).toBeGreaterThanOrEqual(paths.length);
      for (const line of lines) expect(line).toMatch(/^[^:]+\.yaml:\d+:\d+: error\[[A-Z_]+\]/);
      const plan = await runCli(['plan', join(dir, 'jitter.yaml')]);
      expect(plan.code).toBe(EXIT.failed);
      expect(plan.stderr).toMatch(/jitter\.yaml:6:11: error\[SCHEMA_RANGE\]/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }, 120_000);
});
