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
    expect(
      parseStressNgArgs('f', '-c 0 -l 100 --matrix 1 --matrix-method mult --cache 1 -t 1d --metrics-brief'),
    ).toHaveLength(13);
    expect(
      parseStressNgArgs('f', '--vm 1 --vm-bytes 1t --vm-keep --vm-method flip --malloc 2 --malloc-bytes 64k'),
    ).toHaveLength(11);
  });

  // The options that issue 12 found passing the old denylist, and others that write files or change scheduling.
  const outsideTheAllowlist = [
    '--hdd 1',
    '--cpu 1 --hdd 1',
    '--iomix 1',
    '--fallocate 1',
    '--seq 0',
    '--all 1',
    '--random 4',
    '--cpu 1 --pathological',
    '--sysinval 1',
    '--cpu 1 --ignite-cpu',
    '--cpu 1 --sched fifo --sched-prio 99',
    '--cpu 1 --taskset 0',
    '--cpu 1 --temp-path x',
    '--cpu 1 --aggressive',
    '--cpu 1 --ionice-class realtime',
    '--sock 1',
    '--exec 1',
    '--cpu 1 -j x',
    '--cpu 1 --constructor',
  ];
  for (const text of outsideTheAllowlist) {
    it(`refuses ${JSON.stringify(text)}: not on the allowlist`, () => {
      expect(() => parseStressNgArgs('cpuStressors', text)).toThrow(/is not an allowed option/);
    });
  }

  const outOfBounds: [string, RegExp][] = [
    ['--cpu 129', /--cpu "129" must be a whole number from 0 to 128/],
    ['--cpu -1', /--cpu "-1" must be a whole number from 0 to 128/],
    ['--cpu 1 --cpu-load 101', /--cpu-load "101" must be a whole number from 0 to 100/],
    ['--vm 1 --vm-bytes 2t', /--vm-bytes "2t" must be 1-100% or a size up to 1t/],
    ['--vm 1 --vm-bytes 101%', /must be 1-100%/],
    ['--vm 1 --vm-bytes 0', /must be 1-100%/],
    ['--cpu 1 --timeout 2d', /--timeout "2d" must be a duration up to a day/],
    ['--cpu 1 -t 86401', /--timeout "86401" must be a duration up to a day/],
    ['--vm 1 --vm-method rowhammer', /--vm-method "rowhammer" is not one of its methods/],
    ['--cpu 1 --cpu-method bogus', /--cpu-method "bogus" is not one of its methods/],
    ['--vm 1 --vm-keep=1', /--vm-keep takes no value/],
    ['--cpu', /--cpu needs a value/],
    ['--timeout 10s', /it names no stressor/],
    ['--cpu 1 --cpu-load-slice 99999', /from -5000 to 5000/],
  ];
  for (const [text, message] of outOfBounds) {
    it(`refuses ${JSON.stringify(text)}: ${String(message)}`, () => {
      expect(() => parseStressNgArgs('cpuStressors', text)).toThrow(message);
    });
  }

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
    expect(() => memStressToStressNg('m', '--workers 1 --time 10s')).toThrow(/"--time" is not supported/);
    expect(() => memStressToStressNg('m', '--workers 129')).toThrow(/--workers must be 1-128/);
    expect(() => memStressToStressNg('m', '--size 2TB')).toThrow(
      /--vm-bytes "2T" must be 1-100% or a size up to 1t/,
    );
    expect(() => memStressToStressNg('m', '--size lots')).toThrow(/not a size/);
    expect(() => memStressToStressNg('m', '--workers')).toThrow(/needs a value/);
  });
});
