/**
 * The report as Markdown: the same facts as the HTML page (verdict, score, timeline as a list of events, fault
 * ledger, probe tables, nodes) for pull requests, wikis and chat. Table cells are escaped for Markdown.
 */
import type { ReportProbe, RunReport } from './report-model.js';
import { seconds } from './timeline-svg.js';

export function renderMarkdown(report: RunReport): string {
  const { run, verdict, score } = report;
  const out: string[] = [];
  out.push(`# ${inline(run.kind)} ${inline(`${run.namespace}/${run.name}`)}: ${run.phase}`, '');
  out.push(
    `Run \`${code(run.workflowId)}\`, started ${run.startedAt}` +
      `${run.endedAt ? `, ended ${run.endedAt}` : ', still running'}` +
      `${run.durationMs === undefined ? '' : ` (${seconds(run.durationMs)})`}` +
      `${run.scheduledAt ? `, scheduled for ${run.scheduledAt}` : ''}. Report generated ${report.generatedAt}.` +
      `${report.stopConditions.length ? ` Stop conditions watched: ${inline(report.stopConditions.join(', '))}.` : ''}`,
    '',
  );
  out.push(
    '## Verdict',
    '',
    `**${verdict.passed ? 'Passed' : 'Not passed'}**: ${inline(verdict.headline)}`,
    '',
  );
  for (const reason of verdict.reasons) out.push(`- ${inline(reason)}`);
  if (verdict.reasons.length) out.push('');
  out.push(
    score.value === undefined
      ? 'Resilience score: none (no probe produced a result).'
      : `Resilience score: **${score.value}%** (the weighted mean of ${score.probes} probes' success percentages, total weight ${score.weightTotal}).`,
    '',
  );

  out.push('## Timeline', '');
  for (const event of timelineEvents(report)) out.push(`- ${event}`);
  out.push('');

  out.push('## Fault ledger', '');
  if (report.faults.length === 0) out.push('No fault was injected.', '');
  else {
    out.push(
      table(
        [
          'node',
          'fault',
          'target',
          'daemon',
          'state',
          'injected',
          'recovered',
          'held',
          'recover calls',
          'last message',
        ],
        report.faults.map((f) => [
          f.nodeId,
          f.fault,
          f.target,
          f.endpoint,
          f.state,
          f.injectedAt ?? '—',
          f.recoveredAt ?? '—',
          f.heldMs === undefined ? '—' : seconds(f.heldMs),
          String(f.recoverAttempts),
          [f.note, f.lastError].filter(Boolean).join('; '),
        ]),
      ),
      '',
    );
  }

  out.push('## Probes', '');
  if (report.probes.length === 0) out.push('The run has no probes.', '');
  else {
    out.push(
      table(
        ['probe', 'type', 'mode', 'weight', 'succeeded', 'success %'],
        report.probes.map((p) => [
          p.id,
          p.probeType ?? '?',
          p.mode ?? '?',
          String(p.weight),
          `${p.successes}/${p.results.length}`,
          p.successPct === undefined ? '—' : `${p.successPct.toFixed(1)}%`,
        ]),
      ),
      '',
    );
    for (const probe of report.probes) out.push(...probeTable(probe));
  }

  if (report.notifications.length > 0) {
    out.push('## Notifications', '');
    out.push(
      table(
        ['time', 'webhook', 'event', 'delivery', 'error'],
        report.notifications.map((n) => [
          n.at,
          n.notification,
          n.event,
          n.ok ? 'delivered' : 'not delivered',
          n.error ?? '',
        ]),
      ),
      '',
    );
  }

  const ticks = report.nodes.flatMap((n) => (n.ticks ?? []).map((t) => [n.id, t] as const));
  if (ticks.length > 0) {
    out.push('## Schedule ticks', '');
    out.push(
      table(
        ['node', 'scheduled for', 'outcome', 'run'],
        ticks.map(([id, t]) => [id, t.scheduledAt, t.outcome, t.workflowId ?? '']),
      ),
      '',
    );
  }

  out.push('## Nodes', '');
  out.push(
    table(
      ['node', 'type', 'phase', 'reason', 'started', 'took', 'attempt', 'errors'],
      report.nodes.map((n) => [
        `${'· '.repeat(n.depth)}${n.template}`,
        `${n.type}${n.fault ? ` ${n.fault}` : ''}`,
        n.ran ? n.phase : 'not run',
        n.reason ?? '',
        n.startedAt ?? '—',
        n.durationMs === undefined ? '—' : seconds(n.durationMs),
        String(n.attempt),
        n.errors.join('; '),
      ]),
    ),
    '',
  );
  return out.join('\n');
}

/** Node starts and ends, injects and recovers, probe failures and markers, in time order, offset from the start. */
function timelineEvents(report: RunReport): string[] {
  const start = Date.parse(report.window.start);
  const events: { at: string; text: string }[] = [];
  for (const n of report.nodes) {
    if (n.startedAt) events.push({ at: n.startedAt, text: `${n.id} started` });
    if (n.endedAt) events.push({ at: n.endedAt, text: `${n.id} ${n.phase}` });
  }
  for (const f of report.faults) {
    if (f.injectedAt) events.push({ at: f.injectedAt, text: `injected ${f.fault} on ${f.target}` });
    if (f.recoveredAt) events.push({ at: f.recoveredAt, text: `recovered ${f.fault} on ${f.target}` });
  }
  for (const p of report.probes) {
    const ok = p.results.filter((r) => r.outcome === 'Success');
    const failed = p.results.filter((r) => r.outcome === 'Failure');
    if (failed[0]) events.push({ at: failed[0].at, text: `probe ${p.id} first failed: ${failed[0].detail}` });
    if (ok[0]) events.push({ at: ok[0].at, text: `probe ${p.id} first succeeded` });
  }
  for (const m of report.markers) events.push({ at: m.at, text: `**${m.kind}**: ${m.label}` });
  for (const n of report.notifications) {
    events.push({
      at: n.at,
      text: `notification ${n.notification}: ${n.event} ${n.ok ? 'delivered' : `not delivered (${n.error ?? 'no reason'})`}`,
    });
  }
  events.sort((a, b) => Date.parse(a.at) - Date.parse(b.at));
  return events.map((e) => `+${seconds(Date.parse(e.at) - start)} (${e.at}): ${inline(e.text)}`);
}

function probeTable(probe: ReportProbe): string[] {
  const head = [`### ${inline(probe.id)}`, ''];
  if (probe.results.length === 0) return [...head, 'No result recorded.', ''];
  return [
    ...head,
    table(
      ['time', 'verdict', 'value', 'detail', 'ms'],
      probe.results.map((r) => [r.at, r.outcome, r.value ?? '', r.detail, String(r.durationMs)]),
    ),
    '',
  ];
}

function table(headers: readonly string[], rows: readonly (readonly string[])[]): string {
  return [
    `| ${headers.map(cell).join(' | ')} |`,
    `| ${headers.map(() => '---').join(' | ')} |`,
    ...rows.map((r) => `| ${r.map(cell).join(' | ')} |`),
  ].join('\n');
}

/** A table cell: pipes and line breaks would break the row; HTML is neutralised. */
function cell(text: string): string {
  return inline(text).replace(/\|/g, '\\|');
}

/** Inline text from manifests: no raw HTML, no line breaks. */
function inline(text: string): string {
  return text
    .replace(/[\r\n]+/g, ' ')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;');
}

function code(text: string): string {
  return text.replace(/`/g, "'");
}
