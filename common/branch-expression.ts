/**
 * Chaos Mesh `conditionalBranches` expressions (antonmedv/expr syntax, the subset chaosflow supports) over a
 * task's `exitCode` and `stdout`. Parsed with jsep and evaluated by walking the tree: no `eval`, no
 * `new Function`, so it runs in the workflow sandbox. Types are checked before evaluation (the two variables
 * have fixed types), so an expression that passes `checkBranchExpression` cannot fail at run time except for
 * a `matches` whose pattern is computed, not written.
 *
 * Supported: literals (numbers, "strings", true, false); `exitCode` (number) and `stdout` (string); unary
 * `!`, `not`, `-`; `==`, `!=`, `<`, `<=`, `>`, `>=`, `&&`, `||`, `and`, `or`, `contains`, `startsWith`,
 * `endsWith`, `matches` (a regular expression); `cond ? a : b`; parentheses. An empty expression is true.
 *
 * Bounded, since jsep and the walks below recurse: at most `BRANCH_EXPRESSION_LIMITS.length` characters, at
 * most `.nesting` parentheses and unary operators in a row (checked on the text, before jsep sees it), at most
 * `.depth` levels in the parsed tree (checked without recursion, before any walk).
 */
import { ChaosflowError, errorMessage } from './errors/chaosflow-error.js';
import jsep from 'jsep';

export interface BranchContext {
  exitCode: number;
  stdout: string;
}

export const BRANCH_VARIABLES = { exitCode: 'number', stdout: 'string' } as const;

export const BRANCH_EXPRESSION_LIMITS = { length: 1024, nesting: 32, depth: 100 } as const;

const LOGICAL = ['&&', '||', 'and', 'or'] as const;
const EQUALITY = ['==', '!='] as const;
const ORDERING = ['<', '<=', '>', '>='] as const;
const STRING_OPS = ['contains', 'startsWith', 'endsWith', 'matches'] as const;
const UNARY = ['!', 'not', '-'] as const;

export const BRANCH_BINARY_OPERATORS: readonly string[] = [
  ...EQUALITY,
  ...ORDERING,
  ...LOGICAL,
  ...STRING_OPS,
];

// antonmedv/expr ranks `or` with `||` and `and` with `&&`; its string operators sit with the comparisons.
jsep.addBinaryOp('or', 1);
jsep.addBinaryOp('and', 2);
for (const op of STRING_OPS) jsep.addBinaryOp(op, 7);
jsep.addUnaryOp('not');

type ValueType = 'number' | 'string' | 'boolean';
type Value = number | string | boolean;

export interface BranchExpressionErrorContext {
  readonly expression: string;
  /** Character offset in the expression, when the parser knows it. */
  readonly index?: number;
}

export class BranchExpressionError extends ChaosflowError<
  'BRANCH_EXPRESSION_INVALID',
  BranchExpressionErrorContext
> {
  static override readonly codes: readonly string[] = ['BRANCH_EXPRESSION_INVALID'];
  override readonly name = 'BranchExpressionError';
  constructor(message: string, expression: string, index?: number) {
    super('BRANCH_EXPRESSION_INVALID', message, index === undefined ? { expression } : { expression, index });
  }
}

export type BranchExpressionCheck = { ok: true } | { ok: false; message: string; index?: number };

/** Parses and type-checks an expression; the result is boolean by construction when `ok`. */
export function checkBranchExpression(expression: string): BranchExpressionCheck {
  try {
    parse(expression);
    return { ok: true };
  } catch (err) {
    if (err instanceof BranchExpressionError) {
      const { index } = err.context;
      return index === undefined
        ? { ok: false, message: err.message }
        : { ok: false, message: err.message, index };
    }
    throw err;
  }
}

/** True when the branch is taken. Throws `BranchExpressionError` for an invalid expression. */
export function evaluateBranchExpression(expression: string, context: BranchContext): boolean {
  const ast = parse(expression);
  if (ast === undefined) return true;
  return evaluate(ast, context, expression) as boolean;
}

/** The checked tree, or undefined for an empty expression. */
function parse(expression: string): jsep.Expression | undefined {
  if (expression.trim() === '') return undefined;
  checkSize(expression);
  let ast: jsep.Expression;
  try {
    ast = jsep(expression);
  } catch (err) {
    const index = (err as { index?: unknown }).index;
    throw new BranchExpressionError(
      errorMessage(err),
      expression,
      typeof index === 'number' ? index : undefined,
    );
  }
  if (treeDepth(ast) > BRANCH_EXPRESSION_LIMITS.depth) {
    throw new BranchExpressionError(
      `the expression has more than ${BRANCH_EXPRESSION_LIMITS.depth} levels of operators; split the condition`,
      expression,
    );
  }
  const type = typeOf(ast, expression);
  if (type !== 'boolean') {
    throw new BranchExpressionError(
      `the expression gives a ${type}, but a branch needs true or false`,
      expression,
    );
  }
  return ast;
}

/** Length, and nesting of parentheses and unary operators, read on the text (string literals skipped). */
function checkSize(expression: string): void {
  const { length, nesting } = BRANCH_EXPRESSION_LIMITS;
  if (expression.length > length) {
    throw new BranchExpressionError(
      `the expression has ${expression.length} characters, more than the ${length} allowed`,
      expression,
    );
  }
  let parens = 0;
  let unary = 0;
  // Whether a `-` here would be unary: at the start, or after an operator or an opening parenthesis.
  let operand = true;
  for (let i = 0; i < expression.length; i++) {
    const c = expression[i] as string;
    if (c === '"' || c === "'") {
      for (i++; i < expression.length && expression[i] !== c; i++) if (expression[i] === '\\') i++;
      unary = 0;
      operand = false;
      continue;
    }
    if (/\s/.test(c)) continue;
    if (c === '(' || c === '[') {
      parens++;
      operand = true;
    } else if (c === ')' || c === ']') {
      parens = Math.max(0, parens - 1);
      unary = 0;
      operand = false;
    } else if ((c === '!' && expression[i + 1] !== '=') || (c === '-' && operand)) {
      unary++;
    } else if (expression.startsWith('not', i) && !/[\w$]/.test(expression[i + 3] ?? '')) {
      unary++;
      i += 2;
    } else if (/[\w$.]/.test(c)) {
      while (i + 1 < expression.length && /[\w$.]/.test(expression[i + 1] as string)) i++;
      unary = 0;
      operand = false;
    } else {
      unary = 0;
      operand = true;
    }
    if (parens + unary > nesting) {
      throw new BranchExpressionError(
        `the expression nests more than ${nesting} parentheses and unary operators (!, not, -)`,
        expression,
        i,
      );
    }
  }
}

/** The depth of the tree, walked with an explicit stack. */
function treeDepth(root: jsep.Expression): number {
  let max = 0;
  const stack: [jsep.Expression, number][] = [[root, 1]];
  for (let next = stack.pop(); next !== undefined; next = stack.pop()) {
    const [node, depth] = next;
    max = Math.max(max, depth);
    if (max > BRANCH_EXPRESSION_LIMITS.depth) return max;
    for (const value of Object.values(node)) {
      const children = Array.isArray(value) ? value : [value];
      for (const child of children) {
        if (
          typeof child === 'object' &&
          child !== null &&
          typeof (child as jsep.Expression).type === 'string'
        )
          stack.push([child as jsep.Expression, depth + 1]);
      }
    }
  }
  return max;
}

function typeOf(node: jsep.Expression, expression: string): ValueType {
  const fail = (message: string): never => {
    throw new BranchExpressionError(message, expression);
  };
  switch (node.type) {
    case 'Literal': {
      const value = (node as jsep.Literal).value;
      if (typeof value === 'number' || typeof value === 'string' || typeof value === 'boolean') {
        return typeof value as ValueType;
      }
      return fail(`the literal ${(node as jsep.Literal).raw} is not supported`);
    }
    case 'Identifier': {
      const name = (node as jsep.Identifier).name;
      if (name === 'exitCode' || name === 'stdout') return BRANCH_VARIABLES[name];
      return fail(`unknown variable "${name}": only exitCode and stdout are available`);
    }
    case 'UnaryExpression': {
      const { operator, argument } = node as jsep.UnaryExpression;
      const type = typeOf(argument, expression);
      if (!(UNARY as readonly string[]).includes(operator))
        return fail(`the operator ${operator} is not supported`);
      const wanted = operator === '-' ? 'number' : 'boolean';
      if (type !== wanted) fail(`${operator} needs a ${wanted}, got a ${type}`);
      return wanted;
    }
    case 'BinaryExpression': {
      const { operator, left, right } = node as jsep.BinaryExpression;
      const l = typeOf(left, expression);
      const r = typeOf(right, expression);
      return binaryType(operator, l, r, fail);
    }
    case 'ConditionalExpression': {
      const { test, consequent, alternate } = node as jsep.ConditionalExpression;
      if (typeOf(test, expression) !== 'boolean') fail('the condition before ? must be true or false');
      const a = typeOf(consequent, expression);
      const b = typeOf(alternate, expression);
      if (a !== b) fail(`both sides of : must have one type, got ${a} and ${b}`);
      return a;
    }
    case 'Compound':
      return fail('write one expression (no commas or semicolons)');
    default:
      return fail(`${describeNode(node)} is not supported; use exitCode, stdout, literals and operators`);
  }
}

function binaryType(operator: string, l: ValueType, r: ValueType, fail: (m: string) => never): ValueType {
  if ((EQUALITY as readonly string[]).includes(operator)) {
    if (l !== r) fail(`${operator} compares values of one type, got ${l} and ${r}`);
    return 'boolean';
  }
  if ((ORDERING as readonly string[]).includes(operator)) {
    if (l !== r || l === 'boolean') fail(`${operator} needs two numbers or two strings, got ${l} and ${r}`);
    return 'boolean';
  }
  if ((LOGICAL as readonly string[]).includes(operator)) {
    if (l !== 'boolean' || r !== 'boolean')
      fail(`${operator} needs true/false on both sides, got ${l} and ${r}`);
    return 'boolean';
  }
  if ((STRING_OPS as readonly string[]).includes(operator)) {
    if (l !== 'string' || r !== 'string') fail(`${operator} needs strings on both sides, got ${l} and ${r}`);
    return 'boolean';
  }
  return fail(`the operator ${operator} is not supported; use ${BRANCH_BINARY_OPERATORS.join(' ')}`);
}

function describeNode(node: jsep.Expression): string {
  switch (node.type) {
    case 'CallExpression':
      return 'a function call';
    case 'MemberExpression':
      return 'a member access (a.b or a[b])';
    case 'ArrayExpression':
      return 'an array';
    default:
      return `an expression of type ${node.type}`;
  }
}

/** Walks a tree that `typeOf` accepted, so every operand has the type its operator needs. */
function evaluate(node: jsep.Expression, context: BranchContext, expression: string): Value {
  switch (node.type) {
    case 'Literal':
      return (node as jsep.Literal).value as Value;
    case 'Identifier':
      return (node as jsep.Identifier).name === 'exitCode' ? context.exitCode : context.stdout;
    case 'UnaryExpression': {
      const { operator, argument } = node as jsep.UnaryExpression;
      const value = evaluate(argument, context, expression);
      return operator === '-' ? -(value as number) : !(value as boolean);
    }
    case 'ConditionalExpression': {
      const { test, consequent, alternate } = node as jsep.ConditionalExpression;
      return evaluate(test, context, expression)
        ? evaluate(consequent, context, expression)
        : evaluate(alternate, context, expression);
    }
    case 'BinaryExpression':
      return evaluateBinary(node as jsep.BinaryExpression, context, expression);
    default:
      throw new BranchExpressionError(`${describeNode(node)} is not supported`, expression);
  }
}

function evaluateBinary(node: jsep.BinaryExpression, context: BranchContext, expression: string): Value {
  const { operator } = node;
  // Short-circuit like expr does, so `exitCode != 0 || stdout matches x` never builds a needless regex.
  if (operator === '&&' || operator === 'and') {
    return (evaluate(node.left, context, expression) as boolean) && evaluate(node.right, context, expression);
  }
  if (operator === '||' || operator === 'or') {
    return evaluate(node.left, context, expression) || evaluate(node.right, context, expression);
  }
  const left = evaluate(node.left, context, expression);
  const right = evaluate(node.right, context, expression);
  switch (operator) {
    case '==':
      return left === right;
    case '!=':
      return left !== right;
    case '<':
      return left < right;
    case '<=':
      return left <= right;
    case '>':
      return left > right;
    case '>=':
      return left >= right;
    case 'contains':
      return (left as string).includes(right as string);
    case 'startsWith':
      return (left as string).startsWith(right as string);
    case 'endsWith':
      return (left as string).endsWith(right as string);
    case 'matches':
      return compilePattern(right as string, expression).test(left as string);
    default:
      throw new BranchExpressionError(`the operator ${operator} is not supported`, expression);
  }
}

function compilePattern(pattern: string, expression: string): RegExp {
  try {
    return new RegExp(pattern);
  } catch (err) {
    const reason = errorMessage(err);
    throw new BranchExpressionError(
      `invalid regular expression ${JSON.stringify(pattern)}: ${reason}`,
      expression,
    );
  }
}

/** Patterns written as literals on the right of `matches`, for a validation that checks they compile. */
export function literalPatterns(expression: string): string[] {
  const ast = parse(expression);
  const out: string[] = [];
  const walk = (node: jsep.Expression | undefined): void => {
    if (!node) return;
    if (node.type === 'BinaryExpression') {
      const b = node as jsep.BinaryExpression;
      if (b.operator === 'matches' && b.right.type === 'Literal') {
        const value = (b.right as jsep.Literal).value;
        if (typeof value === 'string') out.push(value);
      }
      walk(b.left);
      walk(b.right);
    } else if (node.type === 'UnaryExpression') walk((node as jsep.UnaryExpression).argument);
    else if (node.type === 'ConditionalExpression') {
      const c = node as jsep.ConditionalExpression;
      walk(c.test);
      walk(c.consequent);
      walk(c.alternate);
    }
  };
  walk(ast);
  return out;
}
