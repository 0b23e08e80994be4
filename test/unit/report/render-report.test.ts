import { describe, expect, it } from 'vitest';
import { buildRunReport } from '../../../report/report-model.js';
import { formatOfPath, renderReport } from '../../../report/report-format.js';
import { EVIL, at, sampleFaults, samplePlan, sampleStatus } from './sample-run.js';

const report = buildRunReport({
  status: sampleStatus(),
  plan: samplePlan(),
  faults: sampleFaults(),
  markers: [{ at: at(24), kind: 'abort', label: `abort: ${EVIL}` }],
  generatedAt: at(60),
});

const count = (text: string, pattern: RegExp) => [...text.matchAll(pattern)].length;

describe('HTML report', () => {
  const html = renderReport(report, 'html');

  it('escapes every user string: no markup from a manifest reaches the page', () => {
    expect(html).not.toContain('<img');
    expect(html).not.toContain('onerror="');
    expect(html).toContain('&lt;img src=x onerror=&quot;alert(1)&quot;&gt;&amp;&#39;');
  });

  it('is self-contained: no script, no external reference', () => {
    expect(html).not.toMatch(/<script|<link|<iframe|@import/i);
    // Escaped text and attribute values may read `src=`; no tag has such an attribute.
    const tags = html.replace(/"[^"]*"/g, '""').match(/<[a-z][^<>]*>/gi) ?? [];
    expect(tags.length).toBeGreaterThan(100);
    expect(tags.filter((t) => /\s(src|href|on\w+)=/i.test(t))).toEqual([]);
    // The only URL is the SVG namespace.
    expect(html.match(/https?:\/\/[^\s"'<]+/g)).toEqual(['http://www.w3.org/2000/svg']);
  });

  it('draws a row per node, a band per held fault, a row per chaos probe and a mark per probe result', () => {
    expect(count(html, /class="row node-row"/g)).toBe(report.nodes.length);
    expect(count(html, /class="fault-band"/g)).toBe(2);
    expect(count(html, /class="row probe-row"/g)).toBe(2);
    const results = report.probes.reduce((n, p) => n + p.results.length, 0);
    expect(count(html, /class="probe-mark"/g)).toBe(results);
    expect(count(html, /class="probe-mark"[^>]*data-verdict="Failure"/g)).toBe(1);
    expect(count(html, /class="marker" data-kind="stop-condition"/g)).toBe(1);
    expect(count(html, /class="marker" data-kind="abort"/g)).toBe(1);
  });

  it('draws a notifications row with a mark per delivery, and lists them', () => {
    expect(count(html, /class="row notification-row"/g)).toBe(1);
    expect(count(html, /class="notification-mark" data-ok="true"/g)).toBe(2);
    expect(count(html, /class="notification-mark" data-ok="false"/g)).toBe(1);
    expect(count(html, /<tr class="notification"/g)).toBe(3);
    expect(html).toContain('stop conditions watched: error-budget');
  });

  it('has the fault ledger, the probe tables, the verdict and the score', () => {
    expect(count(html, /<tr class="fault"/g)).toBe(2);
    expect(count(html, /<table class="probe" /g)).toBe(3);
    expect(html).toContain('data-score="70"');
    expect(html).toContain('Not passed: Aborted (stopped by error-budget)');
  });

  it('places marks in time: a later result is further right', () => {
    const xs = [...html.matchAll(/data-probe="game-day\/steady"[^>]*cx="([\d.]+)"/g)].map((m) =>
      Number(m[1]),
    );
    expect(xs).toHaveLength(3);
    expect(xs[0]!).toBeLessThan(xs[1]!);
    expect(xs[1]!).toBeLessThan(xs[2]!);
  });
});

describe('a node that never ran', () => {
  it('is drawn as a row without a bar and listed as not run', () => {
    const plan = samplePlan();
    plan.templates = {
      ...plan.templates,
      'game-day': { type: 'Serial', name: 'game-day', children: ['steady', EVIL, 'later'] },
      later: { type: 'Suspend', name: 'later', deadlineMs: 1000, approval: false },
    };
    const html = renderReport(
      buildRunReport({ status: sampleStatus(), plan, faults: [], generatedAt: at(60) }),
      'html',
    );
    const row = /<g class="row node-row" data-node="game-day\/later">[\s\S]*?<\/g>/.exec(html)?.[0] ?? '';
    expect(row).toContain('later (not run)');
    expect(row).not.toContain('node-bar');
    expect(html).toMatch(/<tr class="node" data-node="game-day\/later">.*<td>not run<\/td>/);
  });
});

describe('a Schedule node', () => {
  it('marks each tick on its row, coloured by how its run ended, and lists them', () => {
    const status = sampleStatus();
    status.nodes['game-day']!.children.push('game-day/nightly');
    status.nodes['game-day/nightly'] = {
      id: 'game-day/nightly',
      template: 'nightly',
      type: 'Schedule',
      kind: 'NetworkChaos',
      action: 'partition',
      parent: 'game-day',
      children: [],
      phase: 'Succeeded',
      attempt: 1,
      errors: [],
      startedAt: at(1),
      endedAt: at(29),
      ticks: [
        { scheduledAt: at(10), workflowId: 'tick-1', outcome: 'Succeeded' },
        { scheduledAt: at(20), outcome: 'Skipped' },
        { scheduledAt: at(28), workflowId: 'tick-3', outcome: 'Failed' },
      ],
    };
    const report = buildRunReport({ status, faults: [], generatedAt: at(60) });
    const html = renderReport(report, 'html');
    const row = /<g class="row node-row" data-node="game-day\/nightly">[\s\S]*?<\/g>/.exec(html)?.[0] ?? '';
    expect(
      [...row.matchAll(/class="tick-mark" data-outcome="(\w+)"[^>]*fill="([^"]+)"/g)].map((m) => [
        m[1],
        m[2],
      ]),
    ).toEqual([
      ['Succeeded', '#43a047'],
      ['Skipped', '#757575'],
      ['Failed', '#e53935'],
    ]);
    expect(count(html, /<tr class="tick"/g)).toBe(3);
    expect(renderReport(report, 'md')).toContain(
      '| game-day/nightly | 2026-01-05T10:00:28.000Z | Failed | tick-3 |',
    );
  });
});

describe('Markdown report', () => {
  const md = renderReport(report, 'md');

  it('carries the same facts: verdict, score, every fault, every probe, the stop condition', () => {
    expect(md).toContain('**Not passed**: Aborted (stopped by error-budget)');
    expect(md).toContain('Resilience score: **70%**');
    for (const f of report.faults) expect(md).toContain(f.target);
    for (const p of report.probes)
      expect(md).toContain(`### ${p.id.replace(/</g, '&lt;').replace(/>/g, '&gt;')}`);
    expect(md).toMatch(/\*\*stop-condition\*\*: stop condition error-budget/);
    expect(md).toContain('## Notifications');
    expect(md).toMatch(/\| incidents \| Aborted \| not delivered \| HTTP 500 &lt;img/);
    expect(md).toContain('Stop conditions watched: error-budget.');
  });

  it('neither lets markup through nor breaks a table with a pipe', () => {
    expect(md).not.toContain('<img');
    const faultRows = md.split('\n').filter((l) => l.includes('default/demo-0/server') && l.startsWith('|'));
    expect(faultRows).toHaveLength(1);
    const piped = buildRunReport({
      status: { ...sampleStatus(), abortReason: 'a | b\nc' },
      faults: [],
      generatedAt: at(60),
    });
    expect(renderReport(piped, 'md')).not.toContain('a | b\nc');
  });
});

describe('JSON report', () => {
  it('is the report model', () => {
    expect(JSON.parse(renderReport(report, 'json'))).toEqual(report);
  });
});

describe('report format of a file name', () => {
  it('follows the extension, HTML otherwise', () => {
    expect(formatOfPath('a/b.md')).toBe('md');
    expect(formatOfPath('r.JSON')).toBe('json');
    expect(formatOfPath('r.html')).toBe('html');
    expect(formatOfPath('report')).toBe('html');
  });
});

describe('how a fault was carried out', () => {
  it('shows the note of its inject (loss by iptables-statistic) in the ledger of every format, beside the last message', () => {
    const [first, ...rest] = sampleFaults();
    const noted = buildRunReport({
      status: sampleStatus(),
      plan: samplePlan(),
      faults: [{ ...first!, note: 'loss carried out by iptables-statistic' }, ...rest],
      markers: [],
      generatedAt: at(60),
    });
    expect(noted.faults[0]?.note).toBe('loss carried out by iptables-statistic');
    for (const format of ['md', 'html', 'json'] as const) {
      expect(renderReport(noted, format), format).toContain('loss carried out by iptables-statistic');
    }
  });
});
