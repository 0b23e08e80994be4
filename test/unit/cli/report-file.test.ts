import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { defaultReportPath, writeReportFile } from '../../../cli/report-file.js';

describe('report files', () => {
  it('are named after the run by default, safe as a file name', () => {
    expect(defaultReportPath('chaosflow/default/game-day/20260105T100000Z-abcd')).toBe(
      'chaosflow-report-default-game-day-20260105T100000Z-abcd.html',
    );
    expect(defaultReportPath('my run/../x')).toBe('chaosflow-report-my-run-..-x.html');
  });

  it('are written with their folders, and the absolute path is returned', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'chaosflow-report-file-'));
    try {
      const path = await writeReportFile(join(dir, 'a', 'b', 'report.md'), '# hi\n');
      expect(path).toBe(join(dir, 'a', 'b', 'report.md'));
      expect(await readFile(path, 'utf8')).toBe('# hi\n');
      await expect(writeReportFile(join(path, 'under-a-file.html'), 'x')).rejects.toThrow(
        /cannot write the report to .*under-a-file\.html/,
      );
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
