/** The report as JSON: the report model itself, for scripts and dashboards (`reportVersion` versions its shape). */
import type { RunReport } from './report-model.js';

export function renderReportJson(report: RunReport): string {
  return `${JSON.stringify(report, null, 2)}\n`;
}
