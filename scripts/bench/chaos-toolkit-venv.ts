/**
 * Chaos Toolkit for the side-by-side benchmark, in a virtualenv of its own in the tool cache (beside toolsDir(),
 * default `~/.cache/chaosflow/chaostoolkit-venv`), never in the repository. Created with `python3 -m venv` and
 * pip from PyPI, pinned; reused while its marker file names the same pins. A failed install throws with the
 * command and its output, so the benchmark can say why and exit non-zero.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readFile, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { toolsDir } from '../../embedded/installed-tools.js';

const run = promisify(execFile);

/** The pins: Chaos Toolkit 1.19.x and the chaostoolkit-lib release pip resolved for it. */
export const CHAOS_TOOLKIT_PINS = ['chaostoolkit==1.19.0', 'chaostoolkit-lib==1.44.0'] as const;

export interface ChaosToolkit {
  readonly venv: string;
  /** The `chaos` command of the venv. */
  readonly chaos: string;
  readonly version: string;
  /** True when this call installed it, false when the cached venv was reused. */
  readonly installed: boolean;
}

export function chaosToolkitVenv(): string {
  return join(dirname(toolsDir()), 'chaostoolkit-venv');
}

async function step(what: string, file: string, args: readonly string[]): Promise<string> {
  try {
    const { stdout } = await run(file, args, { maxBuffer: 16 * 1024 * 1024, timeout: 600_000 });
    return stdout;
  } catch (err) {
    const e = err as { stderr?: string; stdout?: string; message?: string };
    const output = `${e.stderr ?? ''}${e.stdout ?? ''}`.trim().split('\n').slice(-20).join('\n');
    throw new Error(`${what} failed: ${file} ${args.join(' ')}\n${output || e.message}`, { cause: err });
  }
}

/** The venv's `chaos`, installing Chaos Toolkit first unless the cached venv already has the pinned release. */
export async function ensureChaosToolkit(venv = chaosToolkitVenv()): Promise<ChaosToolkit> {
  const chaos = join(venv, 'bin', 'chaos');
  const marker = join(venv, 'chaosflow-pins.txt');
  const pins = CHAOS_TOOLKIT_PINS.join('\n');
  const cached = existsSync(chaos) && (await readFile(marker, 'utf8').catch(() => '')) === pins;
  if (!cached) {
    await rm(venv, { recursive: true, force: true });
    await step('creating the virtualenv', 'python3', ['-m', 'venv', venv]);
    await step('installing Chaos Toolkit from PyPI', join(venv, 'bin', 'pip'), [
      'install',
      '--disable-pip-version-check',
      '--quiet',
      ...CHAOS_TOOLKIT_PINS,
    ]);
  }
  const version = (await step('running chaos --version', chaos, ['--version'])).trim();
  if (!cached) await writeFile(marker, pins);
  return { venv, chaos, version, installed: !cached };
}
