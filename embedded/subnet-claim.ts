/**
 * A machine-wide claim on a fixed /30, for the hosts that must sit at a known address (the demo's service at
 * 10.200.0.2, which `examples/game-day.yaml` probes). Two processes that each put 10.200.0.1/30 on a veth of
 * their own get routes that cross, and each sees the other's faults; a claim file per address makes the second
 * wait for the first (tests) or stop with a message naming it (the demo).
 *
 * The claim is `/run/chaosflow/subnets/<host ip>` holding the pid and start time of the claimant; a claim whose
 * process is gone (or whose pid was reused) is stale and taken over.
 */
import { mkdir, open, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { processStartTimeMs } from '../agent/process-info.js';
import { ChaosflowError } from '../common/errors/chaosflow-error.js';

const CLAIMS_DIR = '/run/chaosflow/subnets';

export interface SubnetClaim {
  release(): Promise<void>;
  /** For exit hooks: removes the claim file synchronously. */
  readonly file: string;
}

export interface ClaimOptions {
  /** How long to wait for another claimant to release it; 0 fails at once. Default 0. */
  waitMs?: number;
  /** Called once when the claim is held by someone else and we start waiting. */
  onWait?: (holderPid: number) => void;
}

export class SubnetTakenError extends ChaosflowError<
  'SUBNET_TAKEN',
  { readonly hostIp: string; readonly holderPid: number }
> {
  static override readonly codes: readonly string[] = ['SUBNET_TAKEN'];
  override readonly name = 'SubnetTakenError';
  constructor(hostIp: string, holderPid: number) {
    super(
      'SUBNET_TAKEN',
      `the address ${hostIp}/30 is in use by process ${holderPid} (another chaosflow demo or test on this ` +
        'machine); stop it, or wait until it ends',
      { hostIp, holderPid },
    );
  }
}

/** The live claimant's pid; `undefined` for a stale claim; 0 for one being written this instant. */
async function holderOf(file: string): Promise<number | undefined> {
  const text = await readFile(file, 'utf8').catch(() => undefined);
  if (text === undefined) return undefined;
  if (text === '') return 0;
  const [pid, startTimeMs] = text.trim().split(' ').map(Number);
  if (!pid || startTimeMs === undefined) return undefined;
  const live = await processStartTimeMs(pid);
  return live !== undefined && Math.abs(live - startTimeMs) < 1_000 ? pid : undefined;
}

export async function claimSubnet(hostIp: string, options: ClaimOptions = {}): Promise<SubnetClaim> {
  await mkdir(CLAIMS_DIR, { recursive: true });
  const file = join(CLAIMS_DIR, hostIp);
  const me = `${process.pid} ${(await processStartTimeMs(process.pid)) ?? 0}\n`;
  const deadline = Date.now() + (options.waitMs ?? 0);
  let waiting = false;
  for (;;) {
    try {
      const handle = await open(file, 'wx', 0o644);
      await handle.writeFile(me);
      await handle.close();
      return { file, release: () => rm(file, { force: true }) };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    const holder = await holderOf(file);
    if (holder === undefined) {
      await rm(file, { force: true });
      continue;
    }
    if (holder === 0) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      continue;
    }
    if (Date.now() >= deadline) throw new SubnetTakenError(hostIp, holder);
    if (!waiting) options.onWait?.(holder);
    waiting = true;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}
