/**
 * A Plan as an indented tree table, walked from `entry` (a template used twice appears twice): node, type,
 * deadline, retry, a one-line summary of what it does, and optionally the targets it would hit. Shared by the
 * commands that show a plan or a run's node tree.
 */
import { formatGoDuration } from '../../common/duration.js';
import { probeSummary } from './probe-summary.js';
import type { Plan, PlanChaos, PlanTemplate, RetryPolicy } from '../../common/plan.js';
import { renderTable, type Column } from './render-table.js';
import { INPUT_LIMITS } from '../../manifests/input-limits.js';

export interface PlanTreeRow {
  /** Path of template names from the entry, for lookups (`game-day/steady-state`). */
  path: string;
  depth: number;
  /** The name with tree glyphs in front. */
  label: string;
  template: PlanTemplate;
  /** Set for the target of a Task's conditional branch. */
  branchExpression?: string;
}

/** Template name to a short text about its targets (`2 pods: default/web-0, default/web-1`). */
export type TargetSummaries = ReadonlyMap<string, string>;

/**
 * Walked with an explicit stack (no recursion, whatever the depth); validation bounds the rows to
 * `INPUT_LIMITS.workflowNodes`, and `maxRows` bounds them again for a plan that did not come through it.
 */
export function planTreeRows(plan: Plan, maxRows: number = INPUT_LIMITS.workflowNodes): PlanTreeRow[] {
  const rows: PlanTreeRow[] = [];
  interface Visit {
    name: string;
    prefix: string;
    last: boolean;
    depth: number;
    path: string;
    branch?: string;
  }
  const stack: Visit[] = [{ name: plan.entry, prefix: '', last: true, depth: 0, path: plan.entry }];
  for (let v = stack.pop(); v !== undefined && rows.length < maxRows; v = stack.pop()) {
    const template = plan.templates[v.name];
    if (!template) continue;
    const glyph = v.depth === 0 ? '' : v.last ? '└─ ' : '├─ ';
    rows.push({
      path: v.path,
      depth: v.depth,
      label: `${v.prefix}${glyph}${v.name}`,
      template,
      ...(v.branch === undefined ? {} : { branchExpression: v.branch }),
    });
    const next = v.depth === 0 ? '' : `${v.prefix}${v.last ? '   ' : '│  '}`;
    const children: { name: string; branch?: string }[] =
      template.type === 'Serial' || template.type === 'Parallel'
        ? template.children.map((c) => ({ name: c }))
        : template.type === 'Task'
          ? template.branches.map((b) => ({ name: b.target, branch: b.expression }))
          : [];
    for (let i = children.length - 1; i >= 0; i--) {
      const c = children[i] as { name: string; branch?: string };
      stack.push({
        name: c.name,
        prefix: next,
        last: i === children.length - 1,
        depth: v.depth + 1,
        path: `${v.path}/${c.name}`,
        ...(c.branch === undefined ? {} : { branch: c.branch }),
      });
    }
  }
  return rows;
}

export function renderPlanTree(plan: Plan, targets?: TargetSummaries): string {
  const columns: Column[] = [
    { header: 'NODE' },
    { header: 'TYPE' },
    { header: 'DEADLINE', align: 'right' },
    { header: 'RETRY' },
    { header: 'DETAILS' },
    ...(targets ? [{ header: 'TARGETS' }] : []),
  ];
  const treeRows = planTreeRows(plan);
  const rows = treeRows.map((row) => {
    const t = row.template;
    const when = row.branchExpression === undefined ? '' : `if ${row.branchExpression || 'always'}: `;
    return [
      row.label,
      typeLabel(t),
      t.deadlineMs === undefined ? '-' : formatGoDuration(t.deadlineMs),
      t.retry ? retryLabel(t.retry) : '-',
      when + details(t),
      ...(targets ? [targets.get(t.name) ?? '-'] : []),
    ];
  });
  const cut =
    treeRows.length >= INPUT_LIMITS.workflowNodes
      ? `(only the first ${INPUT_LIMITS.workflowNodes} nodes are shown)\n`
      : '';
  return renderTable(columns, rows) + cut;
}

function typeLabel(t: PlanTemplate): string {
  if (t.type === 'Chaos') return t.chaos.kind;
  if (t.type === 'Schedule') return `Schedule/${t.chaos.kind}`;
  return t.type;
}

function retryLabel(retry: RetryPolicy): string {
  const max = retry.backoff.maxMs === undefined ? '' : `, max ${formatGoDuration(retry.backoff.maxMs)}`;
  return `${retry.limit}x (${formatGoDuration(retry.backoff.initialMs)} x${retry.backoff.factor}${max})`;
}

/** A chaos without duration (or deadline): the run, an abort or the next tick ends it; the warning says which. */
const HELD = 'held with no end of its own';

function details(t: PlanTemplate): string {
  switch (t.type) {
    case 'Serial':
      return `${t.children.length} children, one after another`;
    case 'Parallel':
      return `${t.children.length} children at once`;
    case 'Suspend':
      return t.approval ? 'wait for approval (resume), at most the deadline' : 'wait';
    case 'Task': {
      const c = t.task.container;
      const argv = [...c.command, ...c.args].join(' ');
      const branches = t.branches.length === 0 ? '' : `; ${t.branches.length} conditional branches`;
      return `run ${c.image ? `${c.image}: ` : ''}${argv || '(image default)'}${branches}`;
    }
    case 'StatusCheck': {
      const k = t.check;
      const abort = t.abortWithStatusCheck ? '; aborts the run if unhealthy' : '';
      return `${k.mode} ${probeSummary(k)} every ${k.intervalSeconds}s (success ${k.successThreshold}, failure ${k.failureThreshold})${abort}`;
    }
    case 'Chaos': {
      const probes = (t.probes ?? []).map((p) => `; probe ${p.name} (${p.mode}) ${probeSummary(p)}`).join('');
      return (
        chaosSummary(t.chaos) + (t.deadlineMs === undefined && !t.chaos.oneShot ? `, ${HELD}` : '') + probes
      );
    }
    case 'Schedule': {
      const tick =
        t.tickDurationMs !== undefined
          ? `, each tick ${formatGoDuration(t.tickDurationMs)}`
          : t.chaos.oneShot
            ? ''
            : `, each tick ${HELD}`;
      return `cron "${t.schedule.expression}" (${t.schedule.concurrencyPolicy})${tick}: ${chaosSummary(t.chaos)}`;
    }
  }
}

/** `partition, one pod in default where app=demo, direction to` and the like. */
export function chaosSummary(chaos: PlanChaos): string {
  const spec = chaos.spec as Record<string, unknown>;
  const parts = [chaos.action ?? actionLike(chaos), selectorSummary(spec), ...kindDetails(chaos)];
  if (chaos.oneShot) parts.push('one-shot');
  return parts.filter((p) => p !== '').join(', ');
}

function actionLike(chaos: PlanChaos): string {
  const spec = chaos.spec as Record<string, unknown>;
  if (chaos.kind === 'StressChaos') {
    const stressors = (spec.stressors ?? {}) as { cpu?: unknown; memory?: unknown };
    return [
      stressors.cpu ? 'cpu' : '',
      stressors.memory ? 'memory' : '',
      spec.stressngStressors ? 'stress-ng' : '',
    ]
      .filter(Boolean)
      .join('+');
  }
  if (chaos.kind === 'HTTPChaos') {
    return ['abort', 'delay', 'replace', 'patch']
      .filter((k) => spec[k] !== undefined && spec[k] !== false)
      .join('+');
  }
  if (chaos.kind === 'TimeChaos') return `offset ${String(spec.timeOffset)}`;
  return '';
}

export function selectorSummary(spec: Record<string, unknown>): string {
  const selector = (spec.selector ?? {}) as Record<string, unknown>;
  const mode = String(spec.mode);
  const value = typeof spec.value === 'string' ? spec.value : '';
  const count =
    mode === 'one'
      ? 'one pod'
      : mode === 'all'
        ? 'all pods'
        : mode === 'fixed'
          ? `${value} pods`
          : mode === 'fixed-percent'
            ? `${value}% of pods`
            : `up to ${value}% of pods`;
  const pods = selector.pods as Record<string, string[]> | undefined;
  if (pods && Object.keys(pods).length > 0) {
    const names = Object.entries(pods).flatMap(([ns, list]) => list.map((p) => `${ns}/${p}`));
    return `${count} of ${names.join(' ')}`;
  }
  const namespaces = Array.isArray(selector.namespaces) ? (selector.namespaces as string[]).join(',') : '';
  const labels = Object.entries((selector.labelSelectors ?? {}) as Record<string, string>).map(
    ([k, v]) => `${k}=${v}`,
  );
  const expressions = Array.isArray(selector.expressionSelectors) ? selector.expressionSelectors.length : 0;
  const where = [...labels, ...(expressions ? [`${expressions} expressions`] : [])].join(',');
  return `${count}${namespaces ? ` in ${namespaces}` : ''}${where ? ` where ${where}` : ''}`;
}

function kindDetails(chaos: PlanChaos): string[] {
  const spec = chaos.spec as Record<string, unknown>;
  const field = (object: string, key: string): string => {
    const o = spec[object];
    return typeof o === 'object' && o !== null ? scalar((o as Record<string, unknown>)[key]) : '-';
  };
  switch (chaos.kind) {
    case 'NetworkChaos': {
      const out = [`direction ${scalar(spec.direction)}`];
      if (spec.target) out.push(`peers: ${selectorSummary(spec.target as Record<string, unknown>)}`);
      if (chaos.action === 'delay') out.push(`latency ${field('delay', 'latency')}`);
      if (chaos.action === 'loss') out.push(`loss ${field('loss', 'loss')}%`);
      if (chaos.action === 'bandwidth') out.push(`rate ${field('bandwidth', 'rate')}`);
      return out;
    }
    case 'StressChaos': {
      const s = (spec.stressors ?? {}) as {
        cpu?: { workers: number; load?: number };
        memory?: { size?: string };
      };
      return [
        s.cpu
          ? `${s.cpu.workers} cpu worker${s.cpu.workers === 1 ? '' : 's'}${s.cpu.load === undefined ? '' : ` at ${s.cpu.load}%`}`
          : '',
        s.memory?.size ? `memory ${s.memory.size}` : '',
      ];
    }
    case 'IOChaos':
      return [`volume ${scalar(spec.volumePath)}`, spec.delay ? `delay ${scalar(spec.delay)}` : ''];
    case 'HTTPChaos':
      return [`${scalar(spec.target)} port ${scalar(spec.port)}`];
    case 'DNSChaos':
      return [Array.isArray(spec.patterns) ? `patterns ${spec.patterns.join(' ')}` : 'all domains'];
    case 'PodChaos':
    case 'TimeChaos':
      return [];
  }
}

/** A string or number as written; anything else (absent, an object) as `-`. */
function scalar(value: unknown): string {
  return typeof value === 'string' || typeof value === 'number' ? String(value) : '-';
}
