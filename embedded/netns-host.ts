/**
 * Hosts in network namespaces, for the demo game day's service and for the tests of the agent: a network
 * namespace with a unique name, a veth pair to the root namespace with a unique /30 from 10.201.0.0/16 (the
 * inside end renamed `eth0`, like a pod's), and a process inside (a small Node HTTP server or `sleep`),
 * optionally in cgroups of its own so CPU burned on its behalf can be measured. `destroy()` kills the process
 * and deletes cgroups, namespace and veth; hosts still alive when the process exits are removed too. Every
 * command is an argv array.
 *
 * The filter, mangle and nat tables of the namespace are initialised at creation (as on any real host), so that
 * `snapshot()` compares like with like before and after a fault.
 */
import { errorMessage } from '../common/errors/chaosflow-error.js';
import { execFile, execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, rmSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, rmdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { claimSubnet } from './subnet-claim.js';

const run = promisify(execFile);

export interface NetnsSnapshot {
  readonly iptables: string;
  readonly ipsets: string;
  readonly qdiscs: string;
}

export interface HostCgroup {
  /** Folder per v1 controller (cpu, cpuacct, memory), or the one v2 folder under `unified`. */
  readonly dirs: readonly string[];
  /** CPU time used by the cgroup's processes, in ns (cpuacct.usage or v2 cpu.stat usage_usec). */
  cpuUsageNs(): Promise<number>;
  /** Pids in the cgroup (cpuacct or v2). */
  pids(): Promise<number[]>;
}

export interface NetnsHost {
  readonly name: string;
  readonly netnsPath: string;
  /** The root-namespace end of the veth: the peer the tests talk from. */
  readonly hostIp: string;
  readonly hostDevice: string;
  /** The target's address inside its namespace (on `eth0`). */
  readonly ip: string;
  readonly pid: number;
  readonly containerId: string;
  /** Port of the HTTP server when the process is `http`. */
  readonly port: number;
  readonly cgroup: HostCgroup | undefined;
  /** Runs argv inside the namespace. */
  exec(argv: readonly string[]): Promise<string>;
  snapshot(): Promise<NetnsSnapshot>;
  /** True while the target process runs. */
  alive(): boolean;
  /**
   * Kills the process and starts a new one in the same namespace and cgroups (a new pid), as a container
   * restart does inside its pod: `pid` and `containerId` name the new one afterwards.
   */
  restartProcess(): Promise<void>;
  destroy(): Promise<void>;
}

export interface NetnsHostOptions {
  readonly process?: 'http' | 'sleep';
  readonly cgroup?: boolean;
  /** A fixed /30 (`host` and `target` inside it) instead of a free one from 10.201.0.0/16; the demo uses one. */
  readonly subnet?: { readonly host: string; readonly target: string };
  /**
   * With `subnet`: how long to wait for another process on this machine that holds the same fixed /30 (see
   * embedded/subnet-claim.ts). Default 0: fail at once with a message naming it.
   */
  readonly subnetWaitMs?: number;
}

const live = new Set<NetnsHost>();
let exitHook = false;

/** Why namespace-based tests cannot run here, or undefined when they can. */
export function netnsUnavailableReason(
  tools: readonly string[] = ['iptables', 'ipset', 'tc', 'nsenter'],
): string | undefined {
  if (process.platform !== 'linux') return 'network namespaces need Linux';
  if (process.getuid?.() !== 0) return 'creating network namespaces needs root';
  for (const tool of ['ip', ...tools]) {
    try {
      execFileSync('which', [tool], { stdio: 'ignore' });
    } catch {
      return `${tool} is not installed`;
    }
  }
  const probe = `cfprobe-${randomBytes(3).toString('hex')}`;
  try {
    execFileSync('ip', ['netns', 'add', probe], { stdio: 'pipe' });
    execFileSync('ip', ['netns', 'del', probe], { stdio: 'pipe' });
  } catch (err) {
    return `ip netns is not usable here (${errorMessage(err).split('\n')[0]})`;
  }
  return undefined;
}

const HTTP_SERVER = `
const http = require('node:http');
const chunk = Buffer.alloc(64 * 1024, 97);
http.createServer((req, res) => {
  const url = new URL(req.url, 'http://target');
  if (url.pathname !== '/bytes') { res.end('ok'); return; }
  let left = Number(url.searchParams.get('n') || 0);
  res.writeHead(200, { 'content-length': String(left) });
  const pump = () => {
    while (left > 0) {
      const piece = left >= chunk.length ? chunk : chunk.subarray(0, left);
      left -= piece.length;
      if (!res.write(piece)) { res.once('drain', pump); return; }
    }
    res.end();
  };
  pump();
}).listen(Number(process.argv[2]), '0.0.0.0', () => process.stdout.write('ready\\n'));
`;

async function freeSubnet(): Promise<{ host: string; target: string }> {
  const { stdout } = await run('ip', ['-o', '-4', 'addr', 'show']);
  for (let attempt = 0; attempt < 50; attempt++) {
    const x = randomBytes(1)[0] as number;
    const base = ((randomBytes(1)[0] as number) % 64) * 4;
    const prefix = `10.201.${x}.`;
    const taken = [0, 1, 2, 3].some((d) => stdout.includes(` ${prefix}${base + d}/`));
    if (!taken) return { host: `${prefix}${base + 1}`, target: `${prefix}${base + 2}` };
  }
  throw new Error('no free /30 in 10.201.0.0/16');
}

async function createCgroup(id: string, pid: number): Promise<HostCgroup> {
  const v1 = ['cpu', 'cpuacct', 'memory']
    .map((c) => `/sys/fs/cgroup/${c}`)
    .filter((d) => existsSync(join(d, 'cgroup.procs')));
  const dirs =
    v1.length > 0 ? v1.map((d) => join(d, `chaosflow-host-${id}`)) : [`/sys/fs/cgroup/chaosflow-host-${id}`];
  for (const dir of dirs) {
    await mkdir(dir);
    await writeFile(join(dir, 'cgroup.procs'), String(pid));
  }
  const accounting = dirs.find((d) => d.includes('/cpuacct/')) ?? dirs[0] ?? '';
  return {
    dirs,
    async cpuUsageNs() {
      if (v1.length > 0) return Number((await readFile(join(accounting, 'cpuacct.usage'), 'utf8')).trim());
      const stat = await readFile(join(accounting, 'cpu.stat'), 'utf8');
      return Number(/usage_usec (\d+)/.exec(stat)?.[1] ?? 0) * 1000;
    },
    async pids() {
      const text = await readFile(join(accounting, 'cgroup.procs'), 'utf8');
      return text.split('\n').filter(Boolean).map(Number);
    },
  };
}

async function removeCgroup(cgroup: HostCgroup): Promise<void> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const pids = new Set<number>();
    for (const dir of cgroup.dirs) {
      const text = await readFile(join(dir, 'cgroup.procs'), 'utf8').catch(() => '');
      for (const p of text.split('\n').filter(Boolean)) pids.add(Number(p));
    }
    for (const pid of pids) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // gone
      }
    }
    const left = await Promise.all(
      cgroup.dirs.map((d) =>
        rmdir(d).then(
          () => false,
          () => existsSync(d),
        ),
      ),
    );
    if (!left.some(Boolean)) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

export async function createNetnsHost(options: NetnsHostOptions = {}): Promise<NetnsHost> {
  if (!exitHook) {
    exitHook = true;
    process.once('exit', () => {
      for (const host of live) destroySync(host);
    });
  }
  const id = randomBytes(4).toString('hex');
  const name = `cft-${id}`;
  const hostDevice = `cfh${id}`;
  const peer = `cfp${id}`;
  const netnsPath = `/run/netns/${name}`;
  const claim = options.subnet
    ? await claimSubnet(options.subnet.host, {
        waitMs: options.subnetWaitMs ?? 0,
        onWait: (pid) =>
          process.stderr.write(`waiting for process ${pid} to release ${options.subnet?.host}/30\n`),
      })
    : undefined;
  const subnet = options.subnet ?? (await freeSubnet());
  const port = 8080;
  let child: ChildProcess | undefined;
  let cgroup: HostCgroup | undefined;
  let scratch: string | undefined;
  const ns = (argv: readonly string[]): Promise<{ stdout: string }> =>
    run('nsenter', [`--net=${netnsPath}`, '--', ...argv]);

  const destroy = async (): Promise<void> => {
    live.delete(host);
    if (child && child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    if (cgroup) await removeCgroup(cgroup);
    await run('ip', ['netns', 'del', name]).catch(() => undefined);
    await run('ip', ['link', 'del', hostDevice]).catch(() => undefined);
    if (scratch) await rm(scratch, { recursive: true, force: true });
    await claim?.release();
  };

  const startProcess = async (): Promise<void> => {
    if (options.process === 'sleep') {
      child = spawn('ip', ['netns', 'exec', name, 'sleep', '3600'], { stdio: 'ignore' });
      await new Promise<void>((resolve, reject) => {
        child?.once('spawn', resolve);
        child?.once('error', reject);
      });
    } else {
      scratch ??= await mkdtemp(join(tmpdir(), 'chaosflow-host-'));
      const script = join(scratch, 'server.cjs');
      await writeFile(script, HTTP_SERVER);
      child = spawn('ip', ['netns', 'exec', name, process.execPath, script, String(port)], {
        stdio: ['ignore', 'pipe', 'inherit'],
      });
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(
          () => reject(new Error('the target HTTP server did not start in 10 s')),
          10_000,
        );
        child?.stdout?.once('data', () => {
          clearTimeout(timer);
          resolve();
        });
        child?.once('error', reject);
      });
    }
  };

  const host: NetnsHost & { claimFile?: string } = {
    ...(claim ? { claimFile: claim.file } : {}),
    name,
    netnsPath,
    hostIp: subnet.host,
    hostDevice,
    ip: subnet.target,
    get pid() {
      return child?.pid as number;
    },
    get containerId() {
      return `pid://${child?.pid as number}`;
    },
    port,
    get cgroup() {
      return cgroup;
    },
    exec: async (argv) => (await ns(argv)).stdout,
    snapshot: async () => ({
      iptables: (await ns(['iptables-save'])).stdout
        .split('\n')
        .filter((l) => l && !l.startsWith('#'))
        .map((l) => l.replace(/\[\d+:\d+\]/g, '[]'))
        .join('\n'),
      ipsets: (await ns(['ipset', 'list', '-n'])).stdout.split('\n').filter(Boolean).sort().join('\n'),
      qdiscs: (await ns(['tc', 'qdisc', 'show'])).stdout.replace(/refcnt \d+ /g, '').trim(),
    }),
    alive: () => child !== undefined && child.exitCode === null && child.signalCode === null,
    restartProcess: async () => {
      const old = child;
      if (old && old.exitCode === null && old.signalCode === null) {
        const gone = new Promise((resolve) => old.once('exit', resolve));
        old.kill('SIGKILL');
        await gone;
      }
      await startProcess();
      for (const dir of cgroup?.dirs ?? []) await writeFile(join(dir, 'cgroup.procs'), String(child?.pid));
    },
    destroy,
  };
  live.add(host);

  try {
    await run('ip', ['netns', 'add', name]);
    await run('ip', ['link', 'add', hostDevice, 'type', 'veth', 'peer', 'name', peer]);
    await run('ip', ['link', 'set', peer, 'netns', name]);
    await ns(['ip', 'link', 'set', peer, 'name', 'eth0']);
    await run('ip', ['addr', 'add', `${subnet.host}/30`, 'dev', hostDevice]);
    await run('ip', ['link', 'set', hostDevice, 'up']);
    await ns(['ip', 'addr', 'add', `${subnet.target}/30`, 'dev', 'eth0']);
    await ns(['ip', 'link', 'set', 'eth0', 'up']);
    await ns(['ip', 'link', 'set', 'lo', 'up']);
    for (const table of ['filter', 'mangle', 'nat']) {
      await ns(['iptables', '-w', '5', '-t', table, '-N', 'CFPRIME']);
      await ns(['iptables', '-w', '5', '-t', table, '-X', 'CFPRIME']);
    }

    await startProcess();
    if (options.cgroup) cgroup = await createCgroup(id, child?.pid as number);
    return host;
  } catch (err) {
    await destroy();
    throw err;
  }
}

function destroySync(host: NetnsHost & { claimFile?: string }): void {
  if (host.claimFile) rmSync(host.claimFile, { force: true });
  try {
    if (host.alive()) process.kill(host.pid, 'SIGKILL');
  } catch {
    // gone
  }
  for (const argv of [
    ['netns', 'del', host.name],
    ['link', 'del', host.hostDevice],
  ]) {
    try {
      execFileSync('ip', argv, { stdio: 'ignore' });
    } catch {
      // gone
    }
  }
}
