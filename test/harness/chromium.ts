/**
 * Debian's chromium, headless, for tests that open a page in a real browser: a screenshot, or the DOM as the
 * browser built it after its scripts ran (`--dump-dom`). Every call is one argv array, no shell; the browser's
 * profile lives in a temp folder removed afterwards.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { requireTool } from '../../embedded/installed-tools.js';

const run = promisify(execFile);

export interface BrowserOptions {
  /** Default 1280×1600. */
  width?: number;
  height?: number;
  /** Virtual time the page gets to load and run its scripts (fetches included), in ms. Default 5 000. */
  budgetMs?: number;
  /** Default 60 s. */
  timeoutMs?: number;
}

async function chromium(url: string, extra: string[], options: BrowserOptions): Promise<string> {
  const profile = await mkdtemp(join(tmpdir(), 'chaosflow-chromium-'));
  try {
    const { stdout } = await run(
      requireTool('chromium'),
      [
        '--headless',
        // The tests run as root, where Chromium's sandbox cannot start.
        '--no-sandbox',
        '--disable-gpu',
        '--disable-dev-shm-usage',
        '--hide-scrollbars',
        '--no-first-run',
        '--disable-extensions',
        `--user-data-dir=${profile}`,
        `--window-size=${options.width ?? 1280},${options.height ?? 1600}`,
        `--virtual-time-budget=${options.budgetMs ?? 5_000}`,
        ...extra,
        url,
      ],
      { timeout: options.timeoutMs ?? 60_000, maxBuffer: 64 * 1024 * 1024 },
    );
    return stdout;
  } finally {
    await rm(profile, { recursive: true, force: true });
  }
}

/** The page's DOM, serialised by the browser once it loaded (and its virtual time budget ran out). */
export function dumpDom(url: string, options: BrowserOptions = {}): Promise<string> {
  return chromium(url, ['--dump-dom'], options);
}

/** Writes a PNG of the page's viewport to `png`. */
export async function screenshot(url: string, png: string, options: BrowserOptions = {}): Promise<void> {
  await chromium(url, [`--screenshot=${png}`], options);
}

/** Width and height from a PNG's IHDR chunk; throws when the bytes are not a PNG. */
export function pngSize(bytes: Uint8Array): { width: number; height: number } {
  const signature = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
  if (!signature.every((b, i) => bytes[i] === b)) throw new Error('not a PNG');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return { width: view.getUint32(16), height: view.getUint32(20) };
}

/** The text a dumped DOM shows: scripts and styles dropped, tags removed, entities decoded, white space folded. */
export function domText(dom: string): string {
  const entities: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: ' ' };
  return dom
    .replace(/<(script|style)\b[\s\S]*?<\/\1>/gi, ' ')
    .replace(/<[^>]+>/g, ' ')
    .replace(/&(#x[0-9a-f]+|#\d+|[a-z]+);/gi, (whole, name: string) => {
      if (name.startsWith('#x') || name.startsWith('#X'))
        return String.fromCodePoint(parseInt(name.slice(2), 16));
      if (name.startsWith('#')) return String.fromCodePoint(Number(name.slice(1)));
      return entities[name.toLowerCase()] ?? whole;
    })
    .replace(/\s+/g, ' ');
}
