/**
 * The user that host-mode Tasks and Command probes run as. A workflow is submitted by whoever can reach the
 * Temporal server (on `chaosflow dev`, every local user), so its argv must not run with the worker's rights:
 * when the worker is root, they run as `nobody` unless told otherwise, through the `uid`/`gid` options of
 * `spawn` (libuv also drops the supplementary groups). A worker that is not root runs them as itself and
 * cannot switch to anyone else; asking it to is a clear error at start, not a surprise at the first Task.
 *
 * A user is a name from /etc/passwd, a numeric uid (its group from /etc/passwd, else the same number), or
 * `uid:gid`. The default `nobody` is 65534:65534 where /etc/passwd does not list it.
 */
import { readFileSync } from 'node:fs';
import { ChaosflowError } from '../../common/errors/chaosflow-error.js';
import { ActivityError } from '../errors.js';

export interface RunAsUser {
  /** As written in the setting (or `nobody`, the default), for messages. */
  readonly name: string;
  readonly uid: number;
  readonly gid: number;
  readonly home: string;
}

export const DEFAULT_RUN_AS = 'nobody';

interface PasswdEntry {
  readonly name: string;
  readonly uid: number;
  readonly gid: number;
  readonly home: string;
}

function readPasswd(file: string): PasswdEntry[] {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return [];
  }
  return text.split('\n').flatMap((line) => {
    const [name, , uid, gid, , home] = line.split(':');
    if (!name || !/^\d+$/.test(uid ?? '') || !/^\d+$/.test(gid ?? '')) return [];
    return [{ name, uid: Number(uid), gid: Number(gid), home: home || '/' }];
  });
}

/** Why a setting cannot be used; the worker turns it into its configuration error. */
export class RunAsError extends ChaosflowError<'RUN_AS_INVALID'> {
  static override readonly codes: readonly string[] = ['RUN_AS_INVALID'];
  override readonly name = 'RunAsError';
  constructor(message: string) {
    super('RUN_AS_INVALID', message, {});
  }
}

/**
 * Resolves the setting (undefined: the default) for a worker running as `current`; throws `RunAsError` when
 * the user does not exist or the worker cannot switch to it.
 */
export function resolveRunAs(
  setting: string | undefined,
  current: { uid: number; gid: number; home: string },
  passwdFile = '/etc/passwd',
): RunAsUser {
  const root = current.uid === 0;
  if (setting === undefined && !root) return { name: `uid ${current.uid}`, ...current };
  const wanted = setting ?? DEFAULT_RUN_AS;
  const passwd = readPasswd(passwdFile);
  let user: RunAsUser | undefined;
  const numeric = /^(\d{1,10})(?::(\d{1,10}))?$/.exec(wanted);
  if (numeric) {
    const uid = Number(numeric[1]);
    const entry = passwd.find((e) => e.uid === uid);
    user = {
      name: wanted,
      uid,
      gid: numeric[2] ? Number(numeric[2]) : (entry?.gid ?? uid),
      home: entry?.home ?? '/',
    };
  } else {
    const entry = passwd.find((e) => e.name === wanted);
    if (entry) user = { name: wanted, uid: entry.uid, gid: entry.gid, home: entry.home };
  }
  if (!user && setting === undefined) {
    // No passwd entry (a minimal container image): nobody's conventional ids.
    user = { name: DEFAULT_RUN_AS, uid: 65534, gid: 65534, home: '/' };
  }
  if (!user) {
    throw new RunAsError(
      `--run-as ${JSON.stringify(wanted.slice(0, 64))} is not a user of this machine (not in ${passwdFile}): ` +
        'give a user name, a uid or uid:gid' +
        (setting === undefined
          ? `; the default user ${DEFAULT_RUN_AS} is missing, so create it or set --run-as`
          : ''),
    );
  }
  if (!root && (user.uid !== current.uid || user.gid !== current.gid)) {
    throw new RunAsError(
      `the worker runs as uid ${current.uid} (gid ${current.gid}) and cannot run Tasks and Command probes as ` +
        `${user.name} (uid ${user.uid}, gid ${user.gid}): only root can switch users. Run the worker as root, ` +
        'or drop --run-as (CHAOSFLOW_RUN_AS) so they run as the worker itself',
    );
  }
  return user;
}

/** The `spawn` options that run a child as `user` (none when that is already the worker). */
export function spawnIdentity(user: RunAsUser | undefined): { uid?: number; gid?: number } {
  if (!user) return {};
  const uid = process.getuid?.();
  const gid = process.getgid?.();
  return user.uid === uid && user.gid === gid ? {} : { uid: user.uid, gid: user.gid };
}

/** An error of `spawn` explained when it comes from switching users. */
export function spawnFailure(
  what: string,
  file: string,
  user: RunAsUser | undefined,
  err: NodeJS.ErrnoException,
): ActivityError {
  if (user && err.code === 'EPERM') {
    return new ActivityError(
      'INVALID_INPUT',
      `${what} could not start '${file}' as ${user.name} (uid ${user.uid}, gid ${user.gid}): the worker may not ` +
        "switch users (EPERM). Run the worker as root, or set --run-as to the worker's own user",
      { cause: err },
    );
  }
  const as = user ? ` as ${user.name} (uid ${user.uid})` : '';
  const hint =
    user && err.code === 'EACCES'
      ? `; ${user.name} may not read or execute it (or enter its working directory)`
      : '';
  return new ActivityError('INVALID_INPUT', `${what} could not start '${file}'${as}: ${err.message}${hint}`, {
    cause: err,
  });
}
