/** The exit code tells an invalid manifest (1) from a bug in chaosflow (70). */
import { CommanderError } from 'commander';
import { describe, expect, it } from 'vitest';
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
