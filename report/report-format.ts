/** The report's formats (`-o html|md|json`) and the one entry point that renders any of them. */
import type { RunReport } from './report-model.js';
import { renderHtml } from './render-html.js';
import { renderReportJson } from './render-json.js';
import { renderMarkdown } from './render-markdown.js';

export const REPORT_FORMATS = ['html', 'md', 'json'] as const;
export type ReportFormat = (typeof REPORT_FORMATS)[number];

const RENDERERS = {
  html: renderHtml,
  md: renderMarkdown,
  json: renderReportJson,
} satisfies Record<ReportFormat, (report: RunReport) => string>;

export function renderReport(report: RunReport, format: ReportFormat): string {
  return RENDERERS[format](report);
}

/** The format a file name asks for: `.md`/`.markdown`, `.json`, anything else HTML. */
export function formatOfPath(path: string): ReportFormat {
  const lower = path.toLowerCase();
  if (lower.endsWith('.md') || lower.endsWith('.markdown')) return 'md';
  if (lower.endsWith('.json')) return 'json';
  return 'html';
}
