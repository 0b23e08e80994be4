/**
 * The HTML report in a real browser (Debian's chromium, headless): the page parses as intended (no element from
 * a manifest's names), the timeline lays out a row for every node and a visible mark, coloured by verdict, for
 * every probe result, and a screenshot is taken. The layout is measured by a script the test adds to a copy of
 * the report (the report itself has none) and read back from the DOM the browser dumps.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { buildRunReport, type RunReport } from '../../../report/report-model.js';
import { renderHtml } from '../../../report/render-html.js';
import { dumpDom, pngSize, screenshot } from '../../harness/chromium.js';
import { describeWithTools } from '../../harness/describe-with-tools.js';
import { EVIL, at, sampleFaults, samplePlan, sampleStatus } from '../../unit/report/sample-run.js';

/** Measures the timeline in the page and writes it, base64 JSON, into `<pre id="layout">`. */
const MEASURE = `<script>
const box = document.querySelector('svg.timeline').getBoundingClientRect();
const inside = (r) => r.width > 0 && r.height > 0 && r.left >= box.left - 0.5 && r.right <= box.right + 0.5 &&
  r.top >= box.top - 0.5 && r.bottom <= box.bottom + 0.5;
const rect = (el) => el.getBoundingClientRect();
const layout = {
  rows: [...document.querySelectorAll('g.node-row')].map((g) => ({
    node: g.dataset.node, label: g.querySelector('text').firstChild.textContent, inside: inside(rect(g)),
    bar: g.querySelector('rect.node-bar') ? inside(rect(g.querySelector('rect.node-bar'))) : null })),
  marks: [...document.querySelectorAll('circle.probe-mark')].map((c) => ({
    probe: c.dataset.probe, verdict: c.dataset.verdict, fill: getComputedStyle(c).fill, inside: inside(rect(c)) })),
  bands: [...document.querySelectorAll('rect.fault-band')].map((b) => ({ inside: inside(rect(b)), width: rect(b).width })),
  markers: [...document.querySelectorAll('g.marker')].map((m) => m.dataset.kind),
  notifications: [...document.querySelectorAll('path.notification-mark')].map((n) => ({
    ok: n.dataset.ok, fill: getComputedStyle(n).fill, inside: inside(rect(n)) })),
  images: document.images.length,
  elementsNamedImg: document.getElementsByTagName('img').length,
  title: document.title,
};
const pre = document.createElement('pre');
pre.id = 'layout';
pre.textContent = btoa(unescape(encodeURIComponent(JSON.stringify(layout))));
document.body.appendChild(pre);
</script>`;

interface Layout {
  rows: { node: string; label: string; inside: boolean; bar: boolean | null }[];
  marks: { probe: string; verdict: string; fill: string; inside: boolean }[];
  bands: { inside: boolean; width: number }[];
  markers: string[];
  notifications: { ok: string; fill: string; inside: boolean }[];
  images: number;
  elementsNamedImg: number;
  title: string;
}

describeWithTools(['chromium'], 'the HTML report in headless Chromium', () => {
  let dir: string;
  let report: RunReport;
  let layout: Layout;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'chaosflow-report-browser-'));
    report = buildRunReport({
      status: sampleStatus(),
      plan: samplePlan(),
      faults: sampleFaults(),
      markers: [{ at: at(24), kind: 'abort', label: 'abort' }],
      generatedAt: at(60),
    });
    const html = renderHtml(report);
    await writeFile(join(dir, 'report.html'), html);
    await writeFile(join(dir, 'measured.html'), html.replace('</body>', `${MEASURE}</body>`));
    const dom = await dumpDom(pathToFileURL(join(dir, 'measured.html')).href);
    const encoded = /<pre id="layout">([A-Za-z0-9+/=]+)<\/pre>/.exec(dom)?.[1];
    if (!encoded) throw new Error(`the measuring script left no layout in the DOM:\n${dom.slice(0, 2000)}`);
    layout = JSON.parse(Buffer.from(encoded, 'base64').toString('utf8')) as Layout;
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('shows manifest names as text: the browser built no element from them', () => {
    expect(layout.images).toBe(0);
    expect(layout.elementsNamedImg).toBe(0);
    expect(layout.rows.map((r) => r.label)).toContain(EVIL);
    expect(layout.title).toBe('chaosflow report: default/game-day');
  });

  it('lays out one timeline row per node, each bar inside the timeline', () => {
    expect(layout.rows.map((r) => r.node)).toEqual(report.nodes.map((n) => n.id));
    expect(layout.rows.every((r) => r.inside && r.bar === true)).toBe(true);
  });

  it('draws a visible mark for every probe result, coloured by its verdict', () => {
    const expected = report.probes.flatMap((p) => p.results.map((r) => [p.id, r.outcome]));
    expect(layout.marks.map((m) => [m.probe, m.verdict])).toEqual(expected);
    expect(layout.marks.every((m) => m.inside)).toBe(true);
    const fills = new Map(layout.marks.map((m) => [m.verdict, m.fill]));
    expect(fills.get('Success')).toBe('rgb(46, 125, 50)');
    expect(fills.get('Failure')).toBe('rgb(198, 40, 40)');
  });

  it('shades each held fault and draws the abort and the stop condition', () => {
    expect(layout.bands).toHaveLength(report.faults.length);
    expect(layout.bands.every((b) => b.inside && b.width > 10)).toBe(true);
    expect(layout.markers).toEqual(['abort', 'stop-condition']);
  });

  it('marks every webhook delivery, red when it was given up', () => {
    expect(layout.notifications.map((n) => [n.ok, n.fill, n.inside])).toEqual([
      ['true', 'rgb(46, 125, 50)', true],
      ['true', 'rgb(46, 125, 50)', true],
      ['false', 'rgb(198, 40, 40)', true],
    ]);
  });

  it('takes a screenshot of the report', async () => {
    const png = join(dir, 'report.png');
    const started = Date.now();
    await screenshot(pathToFileURL(join(dir, 'report.html')).href, png, { width: 1200, height: 1400 });
    process.stderr.write(
      `report: ${renderHtml(report).length} bytes, screenshot in ${Date.now() - started} ms\n`,
    );
    const bytes = await readFile(png);
    expect(pngSize(bytes)).toEqual({ width: 1200, height: 1400 });
    // A blank page compresses to a few kB; the report's text, tables and timeline do not.
    expect(bytes.length).toBeGreaterThan(50_000);
  });
});
