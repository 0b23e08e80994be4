import { describe, expect, it } from 'vitest';
import { memStressToStressNg, parseStressNgArgs } from '../../../agent/stress-args.js';

describe('parseStressNgArgs', () => {
  it("splits Chaos Mesh's cpu stressor string into argv", () => {
    expect(
      parseStressNgArgs('cpuStressors', ' --cpu-load-slice 10 --cpu-method sqrt --cpu 2 --cpu-load 50'),
    ).toEqual(['--cpu-load-slice', '10', '--cpu-method', 'sqrt', '--cpu', '2', '--cpu-load', '50']);
    expect(parseStressNgArgs('f', '--vm=2 --vm-bytes 50% -t 10s')).toEqual([
      '--vm=2',
      '--vm-bytes',
      '50%',
      '-t',
      '10s',
    ]);
    expect(parseStressNgArgs('f', '   ')).toEqual([]);
  });

  const hostile = [
    '--cpu 1; rm -rf /',
    '--cpu $(touch /tmp/x)',
    '--cpu `id`',
    '--cpu 1\n--vm 1',
    '--cpu 1 | cat',
    '--cpu "1"',
    "--cpu '1'",
    '--cpu 1 > /tmp/x',
    '--cpu 1 &',
    '--temp-path /tmp',
    '--log-file=out',
    '--job file',
    '--yaml x',
    '--help',
    '--cpu=$(id)',
    '1 --cpu',
    '--cpu ../../etc',
    '--cpu 1 --cpu-method ¼',
  ];
  for (const text of hostile) {
    it(`refuses ${JSON.stringify(text)}`, () => {
      expect(() => parseStressNgArgs('cpuStressors', text)).toThrow(
        /cpuStressors is not a valid stress-ng argument list/,
      );
    });
  }
});

describe('memStressToStressNg', () => {
  it('translates memStress workers and size to a stress-ng vm stressor that holds its memory', () => {
    expect(memStressToStressNg('m', ' --workers 2 --size 256MB')).toEqual([
      '--vm',
      '2',
      '--vm-bytes',
      '256M',
      '--vm-hang',
      '0',
    ]);
    expect(memStressToStressNg('m', '--size=50%')).toEqual([
      '--vm',
      '1',
      '--vm-bytes',
      '50%',
      '--vm-hang',
      '0',
    ]);
    expect(memStressToStressNg('m', '--workers 1 --size 1GiB')).toContain('1G');
  });

  it('refuses options memStress does not have, or stress-ng cannot mimic', () => {
    expect(() => memStressToStressNg('m', '--workers 1 --time 10s')).toThrow(/--time is not supported/);
    expect(() => memStressToStressNg('m', '--size lots')).toThrow(/not a size/);
    expect(() => memStressToStressNg('m', '--workers')).toThrow(/needs a value/);
  });
});
