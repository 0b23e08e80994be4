/**
 * Reading a `/metrics` scrape as Prometheus would: the npm parser `parse-prometheus-text-format` (prom2json's
 * shape; throws on a line that is not the text format) and, when installed, Prometheus's own `promtool check
 * metrics` (the format and its naming lint), from Debian's package.
 */
import { spawn } from 'node:child_process';
import parsePrometheusTextFormat, { type ParsedFamily } from 'parse-prometheus-text-format';
import { locateTool } from '../../embedded/installed-tools.js';

export type { ParsedFamily, ParsedSample } from 'parse-prometheus-text-format';

export function parsePrometheusText(text: string): ParsedFamily[] {
  return parsePrometheusTextFormat(text);
}

export async function scrape(url: string): Promise<{ text: string; contentType: string | null }> {
  const response = await fetch(url);
  if (!response.ok) throw new Error(`GET ${url}: HTTP ${response.status}`);
  return { text: await response.text(), contentType: response.headers.get('content-type') };
}

/** The family of that name; throws naming the families there are when it is missing. */
export function family(families: readonly ParsedFamily[], name: string): ParsedFamily {
  const found = families.find((f) => f.name === name);
  if (!found)
    throw new Error(`no metric ${name} in the scrape; it has ${families.map((f) => f.name).join(', ')}`);
  return found;
}

/** `promtool check metrics` over the text: its exit code and output, or why it cannot run here. */
export async function promtoolCheckMetrics(
  text: string,
): Promise<{ ran: true; code: number; output: string } | { ran: false; reason: string }> {
  const tool = locateTool('promtool');
  if (!tool.found) return { ran: false, reason: tool.reason };
  return new Promise((resolve, reject) => {
    const child = spawn(tool.path, ['check', 'metrics'], { stdio: ['pipe', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
    child.once('error', reject);
    child.once('close', (code) => resolve({ ran: true, code: code ?? -1, output }));
    child.stdin.end(text);
  });
}
