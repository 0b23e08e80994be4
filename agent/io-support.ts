/**
 * Whether this host can take IOChaos: chaosflow-iofs (`scripts/tools/install.sh iofs`) must run, and the kernel
 * must offer FUSE (`/dev/fuse`). Probed once, on first need; the reason says what is missing and how to fix it.
 */
import { access, constants } from 'node:fs/promises';
import { errorMessage } from '../common/errors/chaosflow-error.js';
import { checkIoActions } from './iofs-process.js';

export interface IoSupport {
  readonly available: boolean;
  readonly reason: string;
}

export async function probeIoSupport(iofsPath: string): Promise<IoSupport> {
  try {
    await access('/dev/fuse', constants.R_OK | constants.W_OK);
  } catch {
    return {
      available: false,
      reason:
        'IOChaos mounts a FUSE file system over the volume, and this host has no usable /dev/fuse (load the ' +
        'fuse kernel module: modprobe fuse)',
    };
  }
  try {
    await checkIoActions(iofsPath, '[]');
  } catch (err) {
    return {
      available: false,
      reason:
        `IOChaos needs chaosflow-iofs, which does not run at ${iofsPath} (${errorMessage(err)}); install it ` +
        'with `sh scripts/tools/install.sh iofs` and start the agent with --iofs <path>',
    };
  }
  return { available: true, reason: '' };
}
