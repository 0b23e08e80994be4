/** conditionalBranches expressions: antonmedv/expr syntax (the supported subset), evaluated without eval. */
import { describe, expect, it } from 'vitest';
import {
  BranchExpressionError,
  checkBranchExpression,
  evaluateBranchExpression,
} from '../../../common/branch-expression.js';

const ok = { exitCode: 0, stdout: 'branch-a' };
const failed = { exitCode: 2, stdout: 'error: disk full' };

describe('evaluateBranchExpression', () => {
  it.each([
    ['', ok, true],
    ['   ', failed, true],
    ['exitCode == 0 && stdout == "branch-a"', ok, true],
    ['exitCode == 0 && stdout == "branch-a"', failed, false],
    ['exitCode != 0', failed, true],
    ['exitCode > 1 and exitCode <= 2', failed, true],
    ['exitCode < 0 || exitCode >= 3', failed, false],
    ['exitCode == 1 or stdout contains "disk"', failed, true],
    ['not (stdout contains "disk")', ok, true],
    ['!(exitCode == 0)', ok, false],
    ['stdout startsWith "error:" && stdout endsWith "full"', failed, true],
    ['stdout matches "^branch-[a-c]$"', ok, true],
    ['stdout matches "^branch-[x-z]$"', ok, false],
    ['exitCode == -2 || exitCode == 2', failed, true],
    ['stdout < "c"', ok, true],
    ['true', ok, true],
    ['false || exitCode == 0', ok, true],
    ['(exitCode == 0 ? stdout : "none") == "branch-a"', ok, true],
    ["stdout == 'branch-a'", ok, true],
  ])('%j over %j is %s', (expression, context, expected) => {
    expect(checkBranchExpression(expression)).toEqual({ ok: true });
    expect(evaluateBranchExpression(expression, context)).toBe(expected);
  });

  it('short-circuits: the right side of a decided || is not evaluated', () => {
    // The regex on the right does not compile; it is never built because the left side is true.
    expect(
      evaluateBranchExpression('exitCode == 0 || stdout matches stdout', { exitCode: 0, stdout: '(' }),
    ).toBe(true);
    expect(() =>
      evaluateBranchExpression('exitCode == 1 || stdout matches stdout', { exitCode: 0, stdout: '(' }),
    ).toThrow(BranchExpressionError);
  });

  it.each([
    ['exitCode ==', /Expected expression/],
    ['status == 0', /unknown variable "status"/],
    ['exitCode == "0"', /one type, got number and string/],
    ['exitCode', /gives a number/],
    ['stdout contains 1', /strings on both sides/],
    ['exitCode + 1 == 2', /operator \+ is not supported/],
    ['exitCode && true', /true\/false on both sides/],
    ['len(stdout) > 0', /function call/],
    ['stdout.length > 0', /member access/],
    ['exitCode == null', /literal null/],
    ['a = 1', /./],
  ])('rejects %j', (expression, message) => {
    const checked = checkBranchExpression(expression);
    expect(checked.ok).toBe(false);
    if (!checked.ok) expect(checked.message).toMatch(message);
    expect(() => evaluateBranchExpression(expression, ok)).toThrow(BranchExpressionError);
  });

  it('gives the parser position of a syntax error', () => {
    const checked = checkBranchExpression('exitCode == 0 &&');
    expect(checked).toMatchObject({ ok: false, index: 16 });
  });

  it('uses no eval or Function constructor (it must run in the workflow sandbox)', async () => {
    const { readFile } = await import('node:fs/promises');
    const source = await readFile(new URL('../../../common/branch-expression.ts', import.meta.url), 'utf8');
    expect(source).not.toMatch(/\beval\s*\(|new Function\s*\(/);
  });
});
