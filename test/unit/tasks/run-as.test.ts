import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveRunAs, RunAsError } from '../../../activities/tasks/run-as.js';

describe('the user Tasks and Command probes run as', () => {
  let dir: string;
  let passwd: string;
  const root = { uid: 0, gid: 0, home: '/root' };
  const alice = { uid: 1000, gid: 1000, home: '/home/alice' };
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'chaosflow-passwd-'));
    passwd = join(dir, 'passwd');
    await writeFile(
      passwd,
      [
        'root:x:0:0:root:/root:/bin/bash',
        'nobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin',
        'alice:x:1000:1000::/home/alice:/bin/sh',
        'broken line',
        '',
      ].join('\n'),
    );
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('is nobody by default when the worker is root', () => {
    expect(resolveRunAs(undefined, root, passwd)).toEqual({
      name: 'nobody',
      uid: 65534,
      gid: 65534,
      home: '/nonexistent',
    });
  });

  it('is the worker itself by default when the worker is not root', () => {
    expect(resolveRunAs(undefined, alice, passwd)).toMatchObject({ uid: 1000, gid: 1000 });
  });

  it('takes a name, a uid (its group from passwd, else the same number) or uid:gid', () => {
    expect(resolveRunAs('alice', root, passwd)).toMatchObject({ uid: 1000, gid: 1000, home: '/home/alice' });
    expect(resolveRunAs('65534', root, passwd)).toMatchObject({ uid: 65534, gid: 65534 });
    expect(resolveRunAs('4242', root, passwd)).toMatchObject({ uid: 4242, gid: 4242, home: '/' });
    expect(resolveRunAs('4242:100', root, passwd)).toMatchObject({ uid: 4242, gid: 100 });
    expect(resolveRunAs('root', root, passwd)).toMatchObject({ uid: 0, gid: 0 });
  });

  it('refuses a user that does not exist, and a switch a worker that is not root cannot make', () => {
    expect(() => resolveRunAs('mallory', root, passwd)).toThrow(RunAsError);
    expect(() => resolveRunAs('mallory', root, passwd)).toThrow(/not a user of this machine/);
    expect(() => resolveRunAs('nobody', alice, passwd)).toThrow(
      /runs as uid 1000 .* cannot run Tasks and Command probes as nobody .* Run the worker as root/,
    );
    expect(resolveRunAs('alice', alice, passwd)).toMatchObject({ uid: 1000 });
  });

  it("falls back to nobody's conventional ids where /etc/passwd does not list it", () => {
    expect(resolveRunAs(undefined, root, join(dir, 'missing'))).toEqual({
      name: 'nobody',
      uid: 65534,
      gid: 65534,
      home: '/',
    });
    expect(() => resolveRunAs('nobody', root, join(dir, 'missing'))).toThrow(/not a user of this machine/);
  });
});
