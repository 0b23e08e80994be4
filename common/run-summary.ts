/**
 * Temporal user metadata of a run, so the Temporal UI reads as the game day: a one-line static summary
 * (`Workflow default/game-day: 2 faults, 3 checks`) and static details (the node tree as Markdown). Counted over
 * the tree reached from the entry, so a template used twice counts twice. Used where runs are started: the
 * client, a Temporal Schedule's action, and a Schedule node's child runs.
 */
import type { Plan, PlanProbe, PlanTemplate } from './plan.js';

/** Temporal shows summaries on one line; long ones are cut. */
const SUMMARY_MAX = 200;
/** Deeper trees than this are cut in the details (a plan is acyclic; this only bounds the text). */
const MAX_DEPTH = 12;
/** Details are kept well below Temporal's payload limits. */
const DETAILS_MAX = 16 * 1024;

export function runSummary(plan: Plan): string {
  const counts = { faults: 0, checks: 0, schedules: 0, tasks: 0 };
  walk(plan, (template) => {
    if (template.type === 'Chaos') {
      counts.faults += 1;
      counts.checks += template.probes?.length ?? 0;
    }
    if (template.type === 'StatusCheck') counts.checks += 1;
    if (template.type === 'Schedule') counts.schedules += 1;
    if (template.type === 'Task') counts.tasks += 1;
  });
  const parts = [
    plural(counts.faults, 'fault'),
    plural(counts.checks, 'check'),
    ...(counts.schedules ? [plural(counts.schedules, 'schedule')] : []),
    ...(counts.tasks ? [plural(counts.tasks, 'task')] : []),
    ...(plan.stopConditions?.length ? [plural(plan.stopConditions.length, 'stop condition')] : []),
  ];
  const { kind, namespace, name } = plan.source;
  return oneLine(`${kind} ${namespace}/${name}: ${parts.join(', ')}`, SUMMARY_MAX);
}

/** The node tree as a Markdown list: each template with its type, fault, probe and deadline. */
export function runDetails(plan: Plan): string {
  const lines = [`**${plan.source.kind}** ${code(`${plan.source.namespace}/${plan.source.name}`)}`, ''];
  walk(plan, (template, depth) => {
    lines.push(`${'  '.repeat(depth)}- ${code(template.name)} ${describe(template)}`);
  });
  for (const c of plan.stopConditions ?? []) {
    const what = c.watch.type === 'Alert' ? `alert ${code(c.watch.alert)}` : `PromQL ${code(c.watch.query)}`;
    lines.push(`- stop condition ${code(c.name)}: ${what}, every ${duration(c.intervalMs)}`);
  }
  for (const n of plan.notifications ?? []) {
    lines.push(`- notification ${code(n.name)} (${n.format}): ${n.events.join(', ')}`);
  }
  if (plan.source.location) lines.push('', `from ${code(plan.source.location)}`);
  const text = lines.join('\n');
  return text.length <= DETAILS_MAX ? text : `${text.slice(0, DETAILS_MAX - 2)}\n…`;
}

function describe(template: PlanTemplate): string {
  const deadline = template.deadlineMs === undefined ? '' : `, deadline ${duration(template.deadlineMs)}`;
  switch (template.type) {
    case 'Serial':
    case 'Parallel':
      return `${template.type}${deadline}`;
    case 'Suspend':
      return `Suspend ${duration(template.deadlineMs)}${template.approval ? ' (approval gate)' : ''}`;
    case 'Task':
      return `Task${deadline}`;
    case 'StatusCheck':
      return `StatusCheck ${template.check.mode} ${probeText(template.check)}${template.abortWithStatusCheck ? ', aborts the run when it fails' : ''}${deadline}`;
    case 'Chaos': {
      const probes = (template.probes ?? []).map((p) => `${p.name} (${p.mode} ${probeText(p)})`);
      return `**${fault(template.chaos)}**${deadline}${probes.length ? `; probes: ${probes.join('; ')}` : ''}`;
    }
    case 'Schedule':
      return `Schedule ${code(template.schedule.expression)} of **${fault(template.chaos)}**${deadline}`;
  }
}

function probeText(probe: PlanProbe): string {
  switch (probe.type) {
    case 'HTTP':
      return `HTTP ${probe.http.method} ${code(probe.http.url)}`;
    case 'Command':
      return `Command ${code(probe.command.argv.join(' '))}`;
    case 'Prometheus':
      return `Prometheus ${code(probe.prometheus.query)}`;
    case 'Kubernetes':
      return `Kubernetes ${code(probe.kubernetes.resource)} ${probe.kubernetes.expect}`;
  }
}

function fault(chaos: { kind: string; action?: string }): string {
  return chaos.action ? `${chaos.kind}/${chaos.action}` : chaos.kind;
}

/** Depth first from the entry; children of Serial and Parallel, and Task branch targets. */
function walk(plan: Plan, visit: (template: PlanTemplate, depth: number) => void): void {
  const step = (name: string, depth: number) => {
    const template = plan.templates[name];
    if (!template || depth > MAX_DEPTH) return;
    visit(template, depth);
    const children =
      template.type === 'Serial' || template.type === 'Parallel'
        ? template.children
        : template.type === 'Task'
          ? template.branches.map((b) => b.target)
          : [];
    for (const child of children) step(child, depth + 1);
  };
  step(plan.entry, 0);
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

function duration(ms: number): string {
  if (ms % 3_600_000 === 0) return `${ms / 3_600_000}h`;
  if (ms % 60_000 === 0) return `${ms / 60_000}m`;
  if (ms % 1000 === 0) return `${ms / 1000}s`;
  return `${ms}ms`;
}

/** Inline code for names from manifests: backticks and line breaks cannot break out of it. */
function code(text: string): string {
  return `\`${oneLine(text.replace(/`/g, "'"), 300)}\``;
}

function oneLine(text: string, max: number): string {
  const flat = text.replace(/\s*[\r\n]+\s*/g, ' ');
  return flat.length <= max ? flat : `${flat.slice(0, max - 1)}…`;
}
