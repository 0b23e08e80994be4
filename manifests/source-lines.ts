/**
 * Offsets in a file's text to `line:col` as an editor shows them: lines end at `\n`, `\r\n` or a lone `\r`,
 * columns count UTF-16 units from 1. An offset past the end of its line (the parser reports some errors at the
 * line break, or at the end of the file) is placed at the end of that line, so every position exists.
 */
import type { SourcePosition } from './errors.js';

export type PositionOf = (offset: number) => SourcePosition;

export function sourcePositions(text: string): PositionOf {
  const starts = [0];
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 10 || (c === 13 && text.charCodeAt(i + 1) !== 10)) starts.push(i + 1);
  }
  return (offset) => {
    const at = Math.max(0, Math.min(Number.isFinite(offset) ? Math.floor(offset) : 0, text.length));
    let low = 0;
    let high = starts.length - 1;
    while (low < high) {
      const mid = (low + high + 1) >> 1;
      if ((starts[mid] as number) <= at) low = mid;
      else high = mid - 1;
    }
    const start = starts[low] as number;
    const next = starts[low + 1];
    let end = next === undefined ? text.length : next - 1;
    if (next !== undefined && text.charCodeAt(end) === 10 && text.charCodeAt(end - 1) === 13) end -= 1;
    return { line: low + 1, col: Math.min(at, end) - start + 1 };
  };
}
