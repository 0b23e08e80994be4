/** The generic output helpers other commands share. */
import { describe, expect, it } from 'vitest';
import { renderJson, renderYaml } from '../../../cli/output/render-data.js';
import { renderFields, renderTable } from '../../../cli/output/render-table.js';

describe('renderTable', () => {
  it('pads columns to the widest cell, aligns right where asked, and leaves no trailing spaces', () => {
    const text = renderTable(
      [{ header: 'NAME' }, { header: 'COUNT', align: 'right' }, { header: 'NOTE' }],
      [
        ['a', '1', ''],
        ['└─ longer', '100', 'x'],
      ],
    );
    expect(text).toBe('NAME       COUNT  NOTE\na              1\n└─ longer    100  x\n');
  });

  it('renders key/value fields with aligned keys', () => {
    expect(
      renderFields([
        ['schedule', '@hourly'],
        ['type', 'PodChaos'],
      ]),
    ).toBe('schedule  @hourly\ntype      PodChaos\n');
  });
});

describe('renderJson and renderYaml', () => {
  it('end with a newline and separate YAML documents with ---', () => {
    expect(renderJson({ a: 1 })).toBe('{\n  "a": 1\n}\n');
    expect(renderYaml([{ a: 1 }, { b: [2] }])).toBe('a: 1\n---\nb:\n  - 2\n');
  });
});
