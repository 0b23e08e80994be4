import { spawn } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { afterEach, expect, it } from 'vitest';
import { claimSubnet, SubnetTakenError, type SubnetClaim } from '../../../embedded/subnet-claim.js';
import { describeUnless } from '../../harness/describe-unless.js';

// An address no host of the tests uses, so this file never meets a real claim.
const IP = '10.255.254.1';

describeUnless(process.getuid?.() === 0 ? undefined : 'claims live in /run (root)', 'subnet claims', () => {
  let claims: SubnetClaim[] = [];
  afterEach(async () => {
    for (const claim of claims) await claim.release();
    claims = [];
  });

  it('refuses a second claimant at once, naming the holder, and grants it after release', async () => {
    const first = await claimSubnet(IP);
    claims.push(first);
    expect((await readFile(first.file, 'utf8')).split(' ')[0]).toBe(String(process.pid));
    const refused = await claimSubnet(IP).catch((err: unknown) => err);
    expect(refused).toBeInstanceOf(SubnetTakenError);
    expect((refused as Error).message).toContain(`in use by process ${process.pid}`);
    await first.release();
    claims.push(await claimSubnet(IP));
  });

  it('waits for the holder when asked to, and takes over the claim of a process that is gone', async () => {
    const first = await claimSubnet(IP);
    let waitedFor: number | undefined;
    setTimeout(() => void first.release(), 400);
    const started = Date.now();
    claims.push(await claimSubnet(IP, { waitMs: 10_000, onWait: (pid) => (waitedFor = pid) }));
    expect(waitedFor).toBe(process.pid);
    expect(Date.now() - started).toBeGreaterThanOrEqual(350);
    await claims.pop()?.release();

    // A claim left by a process that has exited is stale.
    const child = spawn('true');
    const pid = await new Promise<number>((resolve) =>
      child.once('exit', () => resolve(child.pid as number)),
    );
    await writeFile(`/run/chaosflow/subnets/${IP}`, `${pid} 1\n`);
    claims.push(await claimSubnet(IP));
  });
});
