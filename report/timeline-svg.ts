/**
 * The report's SVG timeline: one row per node with a bar from its start to its end, coloured by phase; under a
 * chaos node one row per target with a shaded band while its fault was held, and one row per attached probe;
 * every probe result a mark coloured by its verdict (StatusCheck results on their node's row); aborts,
 * cancellations and stop conditions as vertical lines across every row. Self-contained markup (inline styles
 * only), every string escaped; classes and `data-` attributes name each part for tests and for readers' tools.
 */
import type { Phase, ScheduleTick } from '../common/run-status.js';
import { escapeHtml as esc } from './escape-html.js';
import type { ReportFault, ReportProbe, RunReport } from './report-model.js';

const WIDTH = 1100;
const LABEL_WIDTH = 300;
const RIGHT_PAD = 24;
const ROW_HEIGHT = 22;
const AXIS_HEIGHT = 34;
const LEGEND_HEIGHT = 30;
const PLOT_LEFT = LABEL_WIDTH;
const PLOT_RIGHT = WIDTH - RIGHT_PAD;

export const PHASE_COLOURS: Readonly<Record<Phase, string>> = {
  Pending: '#9e9e9e',
  Running: '#1e88e5',
  Succeeded: '#43a047',
  Failed: '#e53935',
  Aborted: '#fb8c00',
  DeadlineExceeded: '#f9a825',
  RecoveryFailed: '#8e24aa',
};
export const VERDICT_COLOURS = { Success: '#2e7d32', Failure: '#c62828' } as const;
const FAULT_COLOUR = '#d84315';
const MARKER_COLOURS = { abort: '#ef6c00', cancel: '#6d4c41', 'stop-condition': '#b71c1c' } as const;

type Row =
  | { kind: 'node'; nodeId: string; label: string; depth: number }
  | { kind: 'fault'; nodeId: string; label: string; depth: number; faults: ReportFault[] }
  | { kind: 'probe'; nodeId: string; label: string; depth: number; probe: ReportProbe }
  | { kind: 'notification'; nodeId: string; label: string; depth: number };

export function renderTimelineSvg(report: RunReport): string {
  const start = Date.parse(report.window.start);
  const span = Math.max(1, Date.parse(report.window.end) - start);
  const x = (iso: string | undefined, fallback = report.window.end): number =>
    PLOT_LEFT + ((Date.parse(iso ?? fallback) - start) / span) * (PLOT_RIGHT - PLOT_LEFT);

  const rows = layoutRows(report);
  const plotBottom = AXIS_HEIGHT + rows.length * ROW_HEIGHT;
  /** Marker labels go under the rows, on two alternating lines so neighbours do not overlap. */
  const labelsHeight = report.markers.length === 0 ? 0 : report.markers.length === 1 ? 16 : 28;
  const height = plotBottom + labelsHeight + LEGEND_HEIGHT + 8;
  const parts: string[] = [];
  parts.push(
    `<svg xmlns="http://www.w3.org/2000/svg" class="timeline" width="${WIDTH}" height="${height}" ` +
      `viewBox="0 0 ${WIDTH} ${height}" role="img" aria-label="timeline of run ${esc(report.run.workflowId)}" ` +
      `font-family="system-ui, sans-serif" font-size="12">`,
  );
  parts.push(axis(span, plotBottom));

  rows.forEach((row, i) => {
    const top = AXIS_HEIGHT + i * ROW_HEIGHT;
    const mid = top + ROW_HEIGHT / 2;
    const stripe = i % 2 === 0 ? '#fafafa' : '#ffffff';
    const data = `data-node="${esc(row.nodeId)}"`;
    const cls = `row ${row.kind}-row`;
    const extra =
      row.kind === 'notification'
        ? ''
        : row.kind === 'fault'
          ? ` data-target="${esc(row.faults[0]!.target)}"`
          : row.kind === 'probe'
            ? ` data-probe="${esc(row.probe.id)}"`
            : '';
    parts.push(row.kind === 'notification' ? `<g class="${cls}">` : `<g class="${cls}" ${data}${extra}>`);
    parts.push(`<rect x="0" y="${top}" width="${WIDTH}" height="${ROW_HEIGHT}" fill="${stripe}"/>`);
    parts.push(
      `<text x="${8 + row.depth * 14}" y="${mid + 4}" fill="${row.kind === 'node' && !row.label.endsWith(' (not run)') ? '#212121' : '#616161'}"` +
        `${row.kind === 'node' ? '' : ' font-style="italic"'}>${esc(clip(row.label, 40 - row.depth * 2))}` +
        `<title>${esc(row.label)}</title></text>`,
    );
    if (row.kind === 'node') {
      const node = report.nodes.find((n) => n.id === row.nodeId)!;
      if (node.startedAt) {
        const x0 = x(node.startedAt);
        const x1 = Math.max(x0 + 2, x(node.endedAt));
        parts.push(
          `<rect class="node-bar" data-phase="${esc(node.phase)}" x="${f(x0)}" y="${top + 4}" ` +
            `width="${f(x1 - x0)}" height="${ROW_HEIGHT - 8}" rx="3" fill="${PHASE_COLOURS[node.phase]}" ` +
            `fill-opacity="0.55"><title>${esc(`${node.id}: ${node.phase}${node.durationMs === undefined ? '' : ` in ${seconds(node.durationMs)}`}`)}</title></rect>`,
        );
      }
      const check = report.probes.find((p) => p.id === node.id);
      if (check) parts.push(...marks(check, mid, x));
      for (const tick of node.ticks ?? []) parts.push(tickMark(tick, mid, x));
    } else if (row.kind === 'fault') {
      for (const fault of row.faults) {
        if (!fault.injectedAt) continue;
        const x0 = x(fault.injectedAt);
        const x1 = Math.max(x0 + 2, x(fault.recoveredAt));
        parts.push(
          `<rect class="fault-band" data-state="${esc(fault.state)}" x="${f(x0)}" y="${top + 2}" ` +
            `width="${f(x1 - x0)}" height="${ROW_HEIGHT - 4}" fill="${FAULT_COLOUR}" fill-opacity="0.28" ` +
            `stroke="${FAULT_COLOUR}" stroke-dasharray="${fault.recoveredAt ? 'none' : '4 2'}">` +
            `<title>${esc(`${fault.fault} on ${fault.target}: injected ${fault.injectedAt}, ${fault.recoveredAt ? `recovered ${fault.recoveredAt}` : fault.state}`)}</title></rect>`,
        );
      }
    } else if (row.kind === 'probe') {
      parts.push(...marks(row.probe, mid, x));
    } else {
      parts.push(...notificationMarks(report, mid, x));
    }
    parts.push('</g>');
  });

  report.markers.forEach((marker, i) => {
    const mx = x(marker.at);
    const labelY = plotBottom + 12 + (i % 2) * 12;
    // Labels near the right edge end at their line instead of starting there.
    const anchor = mx > PLOT_RIGHT - 120 ? 'end' : 'start';
    parts.push(
      `<g class="marker" data-kind="${esc(marker.kind)}">` +
        `<line x1="${f(mx)}" y1="${AXIS_HEIGHT - 2}" x2="${f(mx)}" y2="${labelY - 9}" ` +
        `stroke="${MARKER_COLOURS[marker.kind]}" stroke-width="2" stroke-dasharray="6 3"/>` +
        `<text x="${f(anchor === 'end' ? mx - 3 : mx + 3)}" y="${labelY}" text-anchor="${anchor}" ` +
        `fill="${MARKER_COLOURS[marker.kind]}" font-weight="bold">` +
        `${esc(clip(marker.kind === 'stop-condition' ? 'stop condition' : marker.kind, 20))}</text>` +
        `<title>${esc(`${marker.at}: ${marker.label}`)}</title></g>`,
    );
  });
  parts.push(legend(plotBottom + labelsHeight + 8));
  parts.push('</svg>');
  return parts.join('\n');
}

function layoutRows(report: RunReport): Row[] {
  const rows: Row[] = [];
  for (const node of report.nodes) {
    rows.push({
      kind: 'node',
      nodeId: node.id,
      label: node.ran ? node.template : `${node.template} (not run)`,
      depth: node.depth,
    });
    const byTarget = new Map<string, ReportFault[]>();
    for (const fault of report.faults.filter((f) => f.nodeId === node.id)) {
      byTarget.set(fault.target, [...(byTarget.get(fault.target) ?? []), fault]);
    }
    for (const [target, faults] of byTarget) {
      rows.push({
        kind: 'fault',
        nodeId: node.id,
        label: `fault on ${target}`,
        depth: node.depth + 1,
        faults,
      });
    }
    for (const probe of report.probes.filter((p) => p.nodeId === node.id && p.id !== node.id)) {
      rows.push({
        kind: 'probe',
        nodeId: node.id,
        label: `probe ${probe.name}`,
        depth: node.depth + 1,
        probe,
      });
    }
  }
  if (report.notifications.length > 0) {
    rows.push({ kind: 'notification', nodeId: '', label: 'notifications', depth: 0 });
  }
  return rows;
}

/** A Schedule node's tick: a triangle, coloured by how the tick's run ended (grey while it runs or when skipped). */
function tickMark(tick: ScheduleTick, mid: number, x: (iso: string) => number): string {
  const cx = x(tick.scheduledAt);
  const colour =
    tick.outcome === 'Started' || tick.outcome === 'Skipped' ? '#757575' : PHASE_COLOURS[tick.outcome];
  return (
    `<path class="tick-mark" data-outcome="${esc(tick.outcome)}" ` +
    `d="M${f(cx - 5)} ${mid + 5} L${f(cx + 5)} ${mid + 5} L${f(cx)} ${mid - 5} Z" fill="${colour}" stroke="#ffffff">` +
    `<title>${esc(`tick for ${tick.scheduledAt}: ${tick.outcome}${tick.workflowId ? ` (${tick.workflowId})` : ''}`)}</title></path>`
  );
}

/** A diamond per webhook delivery: green when delivered, red when given up. */
function notificationMarks(report: RunReport, mid: number, x: (iso: string) => number): string[] {
  return report.notifications.map((n) => {
    const cx = x(n.at);
    const r = 5;
    return (
      `<path class="notification-mark" data-ok="${n.ok}" data-event="${esc(n.event)}" ` +
      `d="M${f(cx)} ${mid - r} L${f(cx + r)} ${mid} L${f(cx)} ${mid + r} L${f(cx - r)} ${mid} Z" ` +
      `fill="${n.ok ? VERDICT_COLOURS.Success : VERDICT_COLOURS.Failure}" stroke="#ffffff" stroke-width="1">` +
      `<title>${esc(`${n.notification}: ${n.event} ${n.ok ? 'delivered' : 'not delivered'} at ${n.at}${n.error ? `: ${n.error}` : ''}`)}</title></path>`
    );
  });
}

function marks(probe: ReportProbe, mid: number, x: (iso: string) => number): string[] {
  return probe.results.map(
    (r) =>
      `<circle class="probe-mark" data-probe="${esc(probe.id)}" data-verdict="${esc(r.outcome)}" ` +
      `cx="${f(x(r.at))}" cy="${mid}" r="4.5" fill="${VERDICT_COLOURS[r.outcome]}" stroke="#ffffff" stroke-width="1">` +
      `<title>${esc(`${probe.name} ${r.outcome} at ${r.at}${r.value === undefined ? '' : `, value ${r.value}`}: ${r.detail} (${r.durationMs} ms)`)}</title></circle>`,
  );
}

function axis(spanMs: number, bottom: number): string {
  const step = tickStep(spanMs);
  const out = [
    `<g class="axis"><line x1="${PLOT_LEFT}" y1="${AXIS_HEIGHT - 2}" x2="${PLOT_RIGHT}" y2="${AXIS_HEIGHT - 2}" stroke="#757575"/>`,
  ];
  for (let t = 0; t <= spanMs; t += step) {
    const tx = PLOT_LEFT + (t / spanMs) * (PLOT_RIGHT - PLOT_LEFT);
    out.push(
      `<line x1="${f(tx)}" y1="${AXIS_HEIGHT - 6}" x2="${f(tx)}" y2="${bottom}" stroke="#e0e0e0"/>` +
        `<text x="${f(tx)}" y="${AXIS_HEIGHT - 12}" text-anchor="middle" fill="#616161">${esc(seconds(t))}</text>`,
    );
  }
  out.push('</g>');
  return out.join('');
}

/** A tick every 1, 2, 5, 10, ... seconds: about eight ticks across the span. */
function tickStep(spanMs: number): number {
  const raw = spanMs / 8;
  for (const step of [1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200]) {
    if (step * 1000 >= raw) return step * 1000;
  }
  return Math.ceil(raw / 3_600_000) * 3_600_000;
}

function legend(top: number): string {
  const items: [string, string][] = [
    ['node (phase colour)', PHASE_COLOURS.Succeeded],
    ['fault held', FAULT_COLOUR],
    ['probe success', VERDICT_COLOURS.Success],
    ['probe failure', VERDICT_COLOURS.Failure],
    ['abort / stop condition', MARKER_COLOURS['stop-condition']],
  ];
  let lx = PLOT_LEFT;
  const out = ['<g class="legend">'];
  for (const [label, colour] of items) {
    out.push(
      `<rect x="${lx}" y="${top}" width="12" height="12" fill="${colour}" fill-opacity="0.7"/>` +
        `<text x="${lx + 16}" y="${top + 10}" fill="#424242">${esc(label)}</text>`,
    );
    lx += 24 + label.length * 6.5;
  }
  out.push('</g>');
  return out.join('');
}

export function seconds(ms: number): string {
  if (ms === 0) return '0 s';
  if (ms < 1000) return `${Math.round(ms)} ms`;
  const s = ms / 1000;
  if (s < 120) return `${Number.isInteger(s) ? s : s.toFixed(1)} s`;
  const m = Math.floor(s / 60);
  return `${m} min ${Math.round(s - m * 60)} s`;
}

function clip(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, Math.max(1, max - 1))}…`;
}

function f(n: number): string {
  return n.toFixed(1);
}
