/**
 * The report as one self-contained HTML page: no scripts, no external assets (styles inline, the timeline an
 * inline SVG), so it can be mailed, attached to a ticket or opened from disk. Every user string is escaped.
 */
import { escapeHtml as esc } from './escape-html.js';
import type { ReportProbe, RunReport } from './report-model.js';
import { PHASE_COLOURS, VERDICT_COLOURS, renderTimelineSvg, seconds } from './timeline-svg.js';

const STYLE = `
body { font-family: system-ui, -apple-system, "Segoe UI", sans-serif; margin: 24px; color: #212121; max-width: 1180px; }
h1 { font-size: 22px; margin: 0 0 4px; } h2 { font-size: 17px; margin: 28px 0 8px; border-bottom: 1px solid #e0e0e0; }
h3 { font-size: 14px; margin: 18px 0 6px; }
.meta { color: #616161; font-size: 13px; } .meta code { font-size: 12px; }
.badge { display: inline-block; padding: 2px 8px; border-radius: 10px; color: #fff; font-size: 12px; font-weight: 600; }
.verdict { padding: 12px 16px; border-radius: 6px; margin: 16px 0; }
.verdict.passed { background: #e8f5e9; border: 1px solid #a5d6a7; } .verdict.failed { background: #ffebee; border: 1px solid #ef9a9a; }
.verdict .headline { font-size: 16px; font-weight: 600; } .verdict ul { margin: 6px 0 0; padding-left: 20px; }
.score { font-size: 28px; font-weight: 700; } .score small { font-size: 13px; font-weight: 400; color: #616161; }
table { border-collapse: collapse; font-size: 12.5px; margin: 4px 0 8px; }
th, td { border: 1px solid #e0e0e0; padding: 3px 8px; text-align: left; vertical-align: top; }
th { background: #f5f5f5; } td.num { text-align: right; font-variant-numeric: tabular-nums; }
.ok { color: ${VERDICT_COLOURS.Success}; font-weight: 600; } .bad { color: ${VERDICT_COLOURS.Failure}; font-weight: 600; }
.timeline { border: 1px solid #e0e0e0; max-width: 100%; height: auto; }
`;

export function renderHtml(report: RunReport): string {
  const { run } = report;
  const title = `chaosflow report: ${run.namespace}/${run.name}`;
  return [
    '<!DOCTYPE html>',
    '<html lang="en">',
    '<head>',
    '<meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>${esc(title)}</title>`,
    `<style>${STYLE}</style>`,
    '</head>',
    `<body data-run="${esc(run.workflowId)}" data-phase="${esc(run.phase)}">`,
    `<h1>${esc(run.kind)} ${esc(`${run.namespace}/${run.name}`)} ${badge(run.phase)}</h1>`,
    `<div class="meta">run <code>${esc(run.workflowId)}</code> · started ${esc(run.startedAt)}` +
      `${run.endedAt ? ` · ended ${esc(run.endedAt)}` : ' · still running'}` +
      `${run.durationMs === undefined ? '' : ` · ${esc(seconds(run.durationMs))}`}` +
      `${run.scheduledAt ? ` · scheduled for ${esc(run.scheduledAt)}` : ''}` +
      `${report.stopConditions.length ? ` · stop conditions watched: ${esc(report.stopConditions.join(', '))}` : ''}` +
      ` · report generated ${esc(report.generatedAt)}</div>`,
    verdictSection(report),
    '<h2>Timeline</h2>',
    renderTimelineSvg(report),
    faultSection(report),
    probeSection(report),
    notificationSection(report),
    tickSection(report),
    nodeSection(report),
    '</body>',
    '</html>',
    '',
  ].join('\n');
}

function badge(phase: keyof typeof PHASE_COLOURS): string {
  return `<span class="badge" style="background:${PHASE_COLOURS[phase]}">${esc(phase)}</span>`;
}

function verdictSection(report: RunReport): string {
  const { verdict, score } = report;
  const reasons = verdict.reasons.length
    ? `<ul>${verdict.reasons.map((r) => `<li>${esc(r)}</li>`).join('')}</ul>`
    : '';
  const scoreText =
    score.value === undefined
      ? '<div class="score">—<small> no probe produced a result</small></div>'
      : `<div class="score" data-score="${score.value}">${score.value}%<small> resilience score: the weighted mean of ${score.probes} probes' success percentages (total weight ${score.weightTotal})</small></div>`;
  return (
    `<section class="verdict ${verdict.passed ? 'passed' : 'failed'}" id="verdict">` +
    `<div class="headline">${verdict.passed ? 'Passed' : 'Not passed'}: ${esc(verdict.headline)}</div>` +
    `${reasons}${scoreText}</section>`
  );
}

function faultSection(report: RunReport): string {
  if (report.faults.length === 0) return '<h2>Fault ledger</h2><p>No fault was injected.</p>';
  const rows = report.faults.map(
    (f) =>
      `<tr class="fault" data-node="${esc(f.nodeId)}" data-target="${esc(f.target)}">` +
      `<td>${esc(f.nodeId)}</td><td>${esc(f.fault)}</td><td>${esc(f.target)}</td><td>${esc(f.endpoint)}</td>` +
      `<td class="${f.state === 'Recovered' ? 'ok' : 'bad'}">${esc(f.state)}</td>` +
      `<td>${esc(f.injectedAt ?? '—')}</td><td>${esc(f.recoveredAt ?? '—')}</td>` +
      `<td class="num">${f.heldMs === undefined ? '—' : esc(seconds(f.heldMs))}</td>` +
      `<td class="num">${f.recoverAttempts}</td><td>${esc([f.note, f.lastError].filter(Boolean).join('; '))}</td></tr>`,
  );
  return (
    '<h2>Fault ledger</h2><table class="faults"><thead><tr><th>node</th><th>fault</th><th>target</th>' +
    '<th>daemon</th><th>state</th><th>injected</th><th>recovered</th><th>held</th><th>recover calls</th>' +
    `<th>last message</th></tr></thead><tbody>${rows.join('')}</tbody></table>`
  );
}

function probeSection(report: RunReport): string {
  if (report.probes.length === 0) return '<h2>Probes</h2><p>The run has no probes.</p>';
  const summary = report.probes.map(
    (p) =>
      `<tr><td>${esc(p.id)}</td><td>${esc(p.probeType ?? '?')}</td><td>${esc(p.mode ?? '?')}</td>` +
      `<td class="num">${p.weight}</td><td class="num">${p.successes}/${p.results.length}</td>` +
      `<td class="num">${p.successPct === undefined ? '—' : `${p.successPct.toFixed(1)}%`}</td></tr>`,
  );
  return [
    '<h2>Probes</h2>',
    '<table class="probe-summary"><thead><tr><th>probe</th><th>type</th><th>mode</th><th>weight</th>' +
      `<th>succeeded</th><th>success %</th></tr></thead><tbody>${summary.join('')}</tbody></table>`,
    ...report.probes.map(probeTable),
  ].join('\n');
}

function probeTable(probe: ReportProbe): string {
  const rows = probe.results.map(
    (r) =>
      `<tr class="probe-result" data-verdict="${esc(r.outcome)}"><td>${esc(r.at)}</td>` +
      `<td class="${r.outcome === 'Success' ? 'ok' : 'bad'}">${esc(r.outcome)}</td>` +
      `<td>${esc(r.value ?? '')}</td><td>${esc(r.detail)}</td><td class="num">${r.durationMs}</td></tr>`,
  );
  return (
    `<h3>${esc(probe.id)}</h3>` +
    (rows.length === 0
      ? '<p>No result recorded.</p>'
      : `<table class="probe" data-probe="${esc(probe.id)}"><thead><tr><th>time</th><th>verdict</th><th>value</th>` +
        `<th>detail</th><th>ms</th></tr></thead><tbody>${rows.join('')}</tbody></table>`)
  );
}

function notificationSection(report: RunReport): string {
  if (report.notifications.length === 0) return '';
  const rows = report.notifications.map(
    (n) =>
      `<tr class="notification" data-ok="${n.ok}"><td>${esc(n.at)}</td><td>${esc(n.notification)}</td>` +
      `<td>${esc(n.event)}</td><td class="${n.ok ? 'ok' : 'bad'}">${n.ok ? 'delivered' : 'not delivered'}</td>` +
      `<td>${esc(n.error ?? '')}</td></tr>`,
  );
  return (
    '<h2>Notifications</h2><table class="notifications"><thead><tr><th>time</th><th>webhook</th><th>event</th>' +
    `<th>delivery</th><th>error</th></tr></thead><tbody>${rows.join('')}</tbody></table>`
  );
}

function tickSection(report: RunReport): string {
  const rows = report.nodes.flatMap((n) =>
    (n.ticks ?? []).map(
      (t) =>
        `<tr class="tick" data-node="${esc(n.id)}"><td>${esc(n.id)}</td><td>${esc(t.scheduledAt)}</td>` +
        `<td>${esc(t.outcome)}</td><td>${esc(t.workflowId ?? '')}</td></tr>`,
    ),
  );
  if (rows.length === 0) return '';
  return (
    '<h2>Schedule ticks</h2><table class="ticks"><thead><tr><th>node</th><th>scheduled for</th><th>outcome</th>' +
    `<th>run</th></tr></thead><tbody>${rows.join('')}</tbody></table>`
  );
}

function nodeSection(report: RunReport): string {
  const rows = report.nodes.map(
    (n) =>
      `<tr class="node" data-node="${esc(n.id)}"><td style="padding-left:${8 + n.depth * 14}px">${esc(n.template)}</td>` +
      `<td>${esc(n.type)}${n.fault ? ` ${esc(n.fault)}` : ''}</td><td>${n.ran ? badge(n.phase) : 'not run'}</td><td>${esc(n.reason ?? '')}</td>` +
      `<td>${esc(n.startedAt ?? '—')}</td><td class="num">${n.durationMs === undefined ? '—' : esc(seconds(n.durationMs))}</td>` +
      `<td class="num">${n.attempt}</td><td>${esc(n.errors.join('; '))}</td></tr>`,
  );
  return (
    '<h2>Nodes</h2><table class="nodes"><thead><tr><th>node</th><th>type</th><th>phase</th><th>reason</th>' +
    `<th>started</th><th>took</th><th>attempt</th><th>errors</th></tr></thead><tbody>${rows.join('')}</tbody></table>`
  );
}
