/**
 * A real Prometheus (Debian's package, `scripts/tools/install.sh prometheus`) on 127.0.0.1 for one test file,
 * scraping the given targets every second and evaluating the given alerting rules every second.
 *
 *   const exporter = await startTestExporter();
 *   const prometheus = await startPrometheus({ targets: [exporter.target], rules: 'groups: ...' });
 *   afterAll(() => Promise.all([prometheus.stop(), exporter.stop()]));
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { errorMessage } from '../../common/errors/chaosflow-error.js';
import { freePort } from '../../embedded/free-port.js';
import { ManagedProcess } from '../../embedded/managed-process.js';
import { requireTool } from '../../embedded/installed-tools.js';

export interface PrometheusOptions {
  /** `host:port` of every target scraped (job `test`), every second. */
  readonly targets: readonly string[];
  /** A rules file (YAML, Prometheus's format) evaluated every second. */
  readonly rules?: string;
  /** Budget to become ready. Default 60 s. */
  readonly startTimeoutMs?: number;
}

export interface TestPrometheus {
  /** `http://127.0.0.1:<port>/`. */
  readonly url: string;
  readonly process: ManagedProcess;
  /** Polls an instant query until it returns at least one sample, and returns the first sample's value. */
  waitForValue(query: string, timeoutMs?: number, accept?: (value: string) => boolean): Promise<string>;
  /** Polls the alerts API until an alert of this name is in the given state. */
  waitForAlert(name: string, state: 'pending' | 'firing', timeoutMs?: number): Promise<void>;
  stop(): Promise<void>;
}

export async function startPrometheus(options: PrometheusOptions): Promise<TestPrometheus> {
  const binary = requireTool('prometheus');
  const dir = await mkdtemp(join(tmpdir(), 'chaosflow-prometheus-'));
  const port = await freePort();
  const url = `http://127.0.0.1:${port}/`;
  const ruleFiles = options.rules === undefined ? [] : [join(dir, 'rules.yml')];
  if (options.rules !== undefined) await writeFile(join(dir, 'rules.yml'), options.rules);
  const config = {
    global: { scrape_interval: '1s', evaluation_interval: '1s', scrape_timeout: '900ms' },
    rule_files: ruleFiles,
    scrape_configs: [{ job_name: 'test', static_configs: [{ targets: options.targets }] }],
  };
  // JSON is YAML: no serializer needed for the config.
  await writeFile(join(dir, 'prometheus.yml'), JSON.stringify(config, null, 2));
  const proc = ManagedProcess.start({
    name: 'prometheus',
    command: binary,
    args: [
      `--config.file=${join(dir, 'prometheus.yml')}`,
      `--storage.tsdb.path=${join(dir, 'data')}`,
      `--web.listen-address=127.0.0.1:${port}`,
      '--log.level=warn',
    ],
    logFile: join(dir, 'prometheus.log'),
  });
  const stop = async (): Promise<void> => {
    await proc.stop();
    await rm(dir, { recursive: true, force: true });
  };
  const poll = async <T>(
    what: string,
    timeoutMs: number,
    check: () => Promise<T | undefined>,
  ): Promise<T> => {
    const deadline = Date.now() + timeoutMs;
    let last = '';
    for (;;) {
      if (!proc.alive)
        throw new Error(`prometheus exited while waiting for ${what}:\n${await proc.tail(30)}`);
      try {
        const value = await check();
        if (value !== undefined) return value;
      } catch (err) {
        last = errorMessage(err);
      }
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${last ? ` (${last})` : ''}`);
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  };
  try {
    await poll('prometheus /-/ready', options.startTimeoutMs ?? 60_000, async () =>
      (await fetch(`${url}-/ready`)).ok ? true : undefined,
    );
  } catch (err) {
    await stop();
    throw err;
  }
  return {
    url,
    process: proc,
    waitForValue: (query, timeoutMs = 30_000, accept = () => true) =>
      poll(`a sample of ${query}`, timeoutMs, async () => {
        const answer = (await (
          await fetch(`${url}api/v1/query?query=${encodeURIComponent(query)}`)
        ).json()) as {
          data?: { result?: { value: [number, string] }[] };
        };
        const value = answer.data?.result?.[0]?.value[1];
        return value !== undefined && accept(value) ? value : undefined;
      }),
    waitForAlert: async (name, state, timeoutMs = 30_000) => {
      await poll(`alert ${name} ${state}`, timeoutMs, async () => {
        const answer = (await (await fetch(`${url}api/v1/alerts`)).json()) as {
          data?: { alerts?: { labels: Record<string, string>; state: string }[] };
        };
        const found = answer.data?.alerts?.some((a) => a.labels['alertname'] === name && a.state === state);
        return found ? true : undefined;
      });
    },
    stop,
  };
}
