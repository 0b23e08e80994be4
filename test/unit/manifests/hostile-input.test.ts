/**
 * The reproducers of issue 12, "no input crashes or stalls the manifest path", one test each: every one is
 * refused (or accepted) with located errors, without throwing. The time limits are loose guards against a
 * quadratic or exponential walk coming back (each case takes milliseconds), not benchmarks.
 */
import { describe, expect, it } from 'vitest';
import { renderPlanTree } from '../../../cli/output/plan-tree.js';
import {
  BranchExpressionError,
  checkBranchExpression,
  evaluateBranchExpression,
} from '../../../common/branch-expression.js';
import { PLAN_VERSION, type Plan, type PlanTemplate } from '../../../common/plan.js';
import { INPUT_LIMITS } from '../../../manifests/input-limits.js';
import { readManifestText, type ManifestFileResult } from '../../../manifests/read-manifests.js';
import { exists, lineLengths } from './fuzz/check-input.js';

const HEAD = 'apiVersion: chaos-mesh.org/v1alpha1\n';

/** Reads the text, checks every error is inside the file and short, and returns the result with its time. */
function read(text: string): ManifestFileResult & { ms: number } {
  const start = performance.now();
  const result = readManifestText(text, 'hostile.yaml');
  const ms = performance.now() - start;
  const lengths = lineLengths(text);
  for (const e of [...result.errors, ...result.warnings]) {
    expect(exists(lengths, e.line, e.col), `${e.code} at ${e.line}:${e.col}`).toBe(true);
    expect(e.message.length, e.code).toBeLessThanOrEqual(600);
    expect(e.fix.length, e.code).toBeLessThanOrEqual(600);
  }
  return { ...result, ms };
}

const codes = (r: ManifestFileResult): string[] => r.errors.map((e) => `${e.code} ${e.line}:${e.col}`);

function workflow(templates: string, entry = 't0'): string {
  return `${HEAD}kind: Workflow\nmetadata: { name: w }\nspec:\n  entry: ${entry}\n  templates:\n${templates}`;
}

function chain(n: number, children = (i: number) => `[t${i + 1}]`): string {
  const lines: string[] = [];
  for (let i = 0; i < n; i++)
    lines.push(`    - { name: t${i}, templateType: Serial, children: ${children(i)} }`);
  lines.push(`    - { name: t${n}, templateType: Suspend, deadline: 1s }`);
  return workflow(`${lines.join('\n')}\n`);
}

function task(expression: string): string {
  return workflow(
    [
      '    - name: t0',
      '      templateType: Task',
      "      task: { container: { name: c, command: ['true'] } }",
      `      conditionalBranches: [{ target: t1, expression: ${JSON.stringify(expression)} }]`,
      '    - { name: t1, templateType: Suspend, deadline: 1s }',
      '',
    ].join('\n'),
  );
}

describe('hostile manifests (issue 12)', () => {
  it('1. refuses an alias that names no anchor, at the alias', () => {
    expect(codes(read('kind: Workflow\nspec: *x\n'))).toEqual(['YAML_ALIAS_INVALID 2:7']);
    expect(codes(read('&a [*a]'))).toEqual(['YAML_ALIAS_INVALID 1:5']);
  });

  it('2. accepts 1,000 aliases of a small value and refuses a billion laughs, at its first alias', () => {
    const many = read(`x: &x 1\nl: [${Array(1000).fill('*x').join(', ')}]\n`);
    expect(many.errors.map((e) => e.code)).toEqual(['KIND_MISSING']);
    const lines = ['a0: &a0 [x, x, x, x, x, x, x, x, x, x]'];
    for (let i = 1; i < 30; i++)
      lines.push(
        `a${i}: &a${i} [${Array(10)
          .fill(`*a${i - 1}`)
          .join(', ')}]`,
      );
    const laughs = read(`${lines.join('\n')}\n`);
    expect(codes(laughs)).toEqual(['DOCUMENT_TOO_LARGE 2:10']);
    expect(laughs.ms).toBeLessThan(5000);
  });

  it('3. refuses a Schedule jitter of 310 nines at the jitter, and compiles none', () => {
    const text = `${HEAD}kind: Schedule\nmetadata: { name: s }\nspec:\n  schedule: '@every 1m'\n  jitter: ${'9'.repeat(310)}s\n  type: PodChaos\n  podChaos: { action: pod-kill, mode: one, selector: { namespaces: [a] } }\n`;
    const r = read(text);
    expect(codes(r)).toEqual(['SCHEMA_RANGE 6:11']);
    expect(r.compiled).toEqual([]);
  });

  it('4. refuses 5,000 ! and 10,000 && in a branch expression, and never overflows the stack evaluating', () => {
    for (const expression of [
      `${'!'.repeat(5000)}true`,
      `exitCode == 0${' && exitCode == 0'.repeat(10_000)}`,
    ]) {
      const r = read(task(expression));
      expect(r.errors.map((e) => e.code)).toEqual(['BRANCH_EXPRESSION_INVALID']);
      expect(checkBranchExpression(expression).ok).toBe(false);
      expect(() => evaluateBranchExpression(expression, { exitCode: 0, stdout: '' })).toThrow(
        BranchExpressionError,
      );
    }
    // Within the length limit, nesting and depth are bounded too.
    for (const expression of [`${'('.repeat(400)}true${')'.repeat(400)}`, `true${' && true'.repeat(120)}`]) {
      expect(checkBranchExpression(expression)).toMatchObject({ ok: false });
    }
    expect(evaluateBranchExpression(`${'!'.repeat(20)}true`, { exitCode: 0, stdout: '' })).toBe(true);
  });

  it('5. refuses a chain of 5,000 or 3,000 templates and a 21- or 24-template diamond, at the entry', () => {
    for (const text of [chain(5000), chain(3000), chain(20, (i) => `[t${i + 1}, t${i + 1}]`)]) {
      const r = read(text);
      expect(codes(r)).toEqual(['TEMPLATE_GRAPH_TOO_LARGE 5:10']);
      expect(r.ms).toBeLessThan(10_000);
    }
    expect(codes(read(chain(23, (i) => `[t${i + 1}, t${i + 1}]`)))).toEqual([
      'TEMPLATE_GRAPH_TOO_LARGE 5:10',
    ]);
    // Referenced twice means run twice (as Chaos Mesh instantiates each reference): a 9-level diamond is 1023
    // nodes, over the limit of 1000; 8 levels (511 nodes) are accepted and planned, every node a row.
    expect(INPUT_LIMITS.workflowNodes).toBe(1000);
    expect(codes(read(chain(9, (i) => `[t${i + 1}, t${i + 1}]`)))).toEqual(['TEMPLATE_GRAPH_TOO_LARGE 5:10']);
    const accepted = read(chain(8, (i) => `[t${i + 1}, t${i + 1}]`));
    expect(accepted.errors).toEqual([]);
    const plan = accepted.plans[0] as Plan;
    expect(renderPlanTree(plan).trimEnd().split('\n')).toHaveLength(1 + 511);
  });

  it('5. plans a deep or exploding tree that did not come through validation without recursion, cut at the limit', () => {
    const templates: Record<string, PlanTemplate> = {};
    for (let i = 0; i < 20_000; i++) {
      templates[`t${i}`] = { type: 'Serial', name: `t${i}`, children: [`t${i + 1}`, `t${i + 1}`] };
    }
    const plan: Plan = {
      planVersion: PLAN_VERSION,
      source: { kind: 'Workflow', apiVersion: 'chaos-mesh.org/v1alpha1', namespace: 'default', name: 'w' },
      entry: 't0',
      templates,
    };
    const table = renderPlanTree(plan);
    expect(table).toMatch(/only the first 1000 nodes are shown/);
    expect(table.split('\n').length).toBeLessThan(1010);
  });

  it('6. refuses 50,000 unknown top-level keys quickly, showing 50 errors and the count of the rest', () => {
    const text = `${HEAD}kind: PodChaos\nmetadata: { name: p }\n${Array.from({ length: 50_000 }, (_, i) => `k${i}: 1`).join('\n')}\n`;
    const r = read(text);
    expect(r.ms).toBeLessThan(20_000);
    expect(r.errors).toHaveLength(INPUT_LIMITS.issuesPerDocument + 1);
    expect(r.errors.at(-1)).toMatchObject({ code: 'TOO_MANY_ERRORS', message: /^49951 more errors/ });
  });

  it('6. refuses a 1 MB string in an enum field quickly, without echoing it', () => {
    const text = `${HEAD}kind: PodChaos\nmetadata: { name: p }\nspec:\n  action: ${'x'.repeat(1_000_000)}\n  mode: one\n  selector: { namespaces: [a] }\n`;
    const r = read(text);
    expect(codes(r)).toEqual(['SCHEMA_ENUM 5:11']);
    expect(r.errors[0]?.message).toMatch(/\(1000002 characters\)/);
    expect(r.ms).toBeLessThan(5000);
  });

  it('7. places YAML syntax errors inside their line: shifted indentation, CR-only endings, binary input', () => {
    const shifted = read(' a: b\nc: d\n e:\n');
    expect(shifted.errors.length).toBeGreaterThan(0);
    const cr = read(`${HEAD}kind: Workflow\r  x: [\r`.replace(/\n/g, '\r'));
    expect(cr.errors.length).toBeGreaterThan(0);
    let binary = '';
    for (let i = 0; i < 4000; i++) binary += String.fromCharCode((i * 7919) % 256);
    const b = read(binary);
    expect(b.errors.length).toBeGreaterThan(0);
    expect(b.errors.length).toBeLessThanOrEqual(INPUT_LIMITS.issuesPerDocument + 1);
  });

  it('7. reads a file with CR-only line endings as the lines an editor shows', () => {
    const r = read(
      `${HEAD}kind: PodChaos\nmetadata: { name: p }\nspec:\n  action: pod-kill\n  mode: one\n  selector: { namespaces: [a] }\n  x: 1\n`.replace(
        /\n/g,
        '\r',
      ),
    );
    expect(codes(r)).toEqual(['SCHEMA_UNKNOWN_FIELD 8:3']);
  });

  it('7. refuses a 10,000-deep [[[…]]] and a 100-deep block nesting at the level past the limit', () => {
    expect(codes(read(`${'['.repeat(10_000)}${']'.repeat(10_000)}`))).toEqual(['YAML_TOO_DEEP 1:65']);
    let block = '';
    for (let i = 0; i < 100; i++) block += `${' '.repeat(i)}a:\n`;
    expect(codes(read(block))).toEqual(['YAML_TOO_DEEP 65:65']);
    // Block levels that close at once make the parser recurse: bounded on the text, before it parses.
    expect(codes(read(`${'- '.repeat(3000)}x\ne: 1\n`))).toEqual(['YAML_TOO_DEEP 1:1']);
    let stairs = '';
    for (let i = 0; i < 1700; i++) stairs += `${' '.repeat(i)}a:\n`;
    expect(codes(read(`${stairs}e: 1\n`))).toEqual(['YAML_TOO_DEEP 129:129']);
    // Lone CRs end lines (YAML 1.2): they no longer hide 1,200 levels in a line the parser cannot close.
    expect(read(`a:\n${'  b: to\r  c:\r    d:\n'.repeat(1200)}e: 1\n`).errors[0]?.code).toBe(
      'YAML_DUPLICATE_KEY',
    );
    // A chain of anchors, each holding the alias of the one before, nests without nesting in the text.
    const anchors = ['a0: &a0 x'];
    for (let i = 1; i < 300; i++) anchors.push(`a${i}: &a${i} [*a${i - 1}]`);
    expect(codes(read(`${anchors.join('\n')}\n`))).toEqual(['YAML_TOO_DEEP 2:10']);
    // The other documents of the file are still read.
    const two = read(`${'['.repeat(100)}${']'.repeat(100)}\n---\nkind: Nope\n`);
    expect(two.errors.map((e) => e.code)).toEqual(['YAML_TOO_DEEP', 'KIND_UNKNOWN']);
  });

  it('8. refuses 99999999h deadlines, 310-digit timeOffset, latency and rate, and historyLimit 1e20', () => {
    const deadline = read(workflow('    - { name: t0, templateType: Suspend, deadline: 99999999h }\n'));
    expect(deadline.errors.map((e) => [e.code, e.message])).toEqual([
      [
        'SCHEMA_RANGE',
        '"99999999h" in deadline is longer than a Go duration can be (an int64 of nanoseconds)',
      ],
    ]);
    const nines = '9'.repeat(310);
    const time = read(
      `${HEAD}kind: TimeChaos\nmetadata: { name: t }\nspec:\n  mode: one\n  selector: { namespaces: [a] }\n  timeOffset: -${nines}s\n  duration: 1m\n`,
    );
    expect(codes(time)).toEqual(['SCHEMA_RANGE 7:15']);
    const net = (field: string) =>
      `${HEAD}kind: NetworkChaos\nmetadata: { name: n }\nspec:\n  mode: one\n  selector: { namespaces: [a] }\n  duration: 1m\n${field}`;
    expect(codes(read(net(`  action: delay\n  delay: { latency: ${nines}ms }\n`)))).toEqual([
      'SCHEMA_RANGE 9:21',
    ]);
    expect(
      codes(read(net(`  action: bandwidth\n  bandwidth: { rate: ${nines}mbps, limit: 1, buffer: 1 }\n`))),
    ).toEqual(['SCHEMA_RANGE 9:22']);
    const history = read(
      `${HEAD}kind: Schedule\nmetadata: { name: s }\nspec:\n  schedule: '@every 1m'\n  historyLimit: 1e20\n  type: PodChaos\n  podChaos: { action: pod-kill, mode: one, selector: { namespaces: [a] } }\n`,
    );
    expect(codes(history)).toEqual(['SCHEMA_RANGE 6:17']);
  });

  it('refuses a mapping, a list or binary data as a key, at the key, instead of turning it into a string', () => {
    expect(codes(read('metadata:\n  labels:\n    ? { app: demo }\n    : x\n'))).toEqual(['YAML_SYNTAX 3:7']);
    expect(codes(read('[a, b]: 1\n'))).toEqual(['YAML_SYNTAX 1:1']);
    expect(codes(read('? !!binary AAAA\n: x\n'))).toEqual(['YAML_SYNTAX 1:12']);
  });

  it('refuses a file over the size limit before parsing it', () => {
    const r = read(`# ${'x'.repeat(INPUT_LIMITS.fileChars)}\n`);
    expect(codes(r)).toEqual(['FILE_TOO_LARGE 1:1']);
    expect(r.ms).toBeLessThan(1000);
  });

  it('shows at most 50 warnings of a document and counts the rest', () => {
    const templates = [
      '    - { name: t0, templateType: Serial, children: [' +
        Array.from({ length: 60 }, (_, i) => `k${i}`).join(', ') +
        '] }',
    ];
    for (let i = 0; i < 60; i++) {
      templates.push(
        `    - { name: k${i}, templateType: PodChaos, deadline: 1s, podChaos: { action: pod-kill, mode: one, gracePeriod: 5, selector: { namespaces: [a] } } }`,
      );
    }
    const r = read(workflow(`${templates.join('\n')}\n`));
    expect(r.errors).toEqual([]);
    expect(r.warnings).toHaveLength(INPUT_LIMITS.issuesPerDocument + 1);
    expect(r.warnings.at(-1)).toMatchObject({ code: 'TOO_MANY_WARNINGS', message: /^10 more warnings/ });
  });
});
