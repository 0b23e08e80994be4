/**
 * Finds out once whether the kernel has the netem qdisc: in a throw-away network namespace, add a netem root
 * qdisc to a dummy device (or to that namespace's loopback when the dummy driver is missing too) and see
 * whether the kernel accepts it. The namespace is deleted whatever happens. No host interface is touched.
 */
import { randomBytes } from 'node:crypto';
import type { Logger } from 'pino';
import type { CommandRunner } from './command-runner.js';
import type { NetemSupport } from './tc-plan.js';

export async function probeNetem(runner: CommandRunner, logger: Logger): Promise<NetemSupport> {
  const name = `cfprobe-${randomBytes(4).toString('hex')}`;
  const path = `/run/netns/${name}`;
  const inNs = (argv: readonly string[]): readonly string[] => ['nsenter', `--net=${path}`, '--', ...argv];
  const created = await runner.run(['ip', 'netns', 'add', name], { allowFailure: true });
  if (created.exitCode !== 0) {
    const reason = `could not create a probe network namespace (${created.stderr.trim()})`;
    logger.warn({ reason }, 'netem probe failed');
    return { available: false, reason };
  }
  try {
    const dummy = await runner.run(inNs(['ip', 'link', 'add', 'cfprobe0', 'type', 'dummy']), {
      allowFailure: true,
    });
    const device = dummy.exitCode === 0 ? 'cfprobe0' : 'lo';
    const probe = await runner.run(
      inNs(['tc', 'qdisc', 'add', 'dev', device, 'root', 'netem', 'delay', '1ms']),
      {
        allowFailure: true,
      },
    );
    const support: NetemSupport =
      probe.exitCode === 0
        ? { available: true, reason: '' }
        : {
            available: false,
            reason: `the kernel refused a netem qdisc on a probe device (${probe.stderr.trim() || 'no output'})`,
          };
    logger.info({ netem: support.available, device, reason: support.reason || undefined }, 'netem probe');
    return support;
  } finally {
    await runner.run(['ip', 'netns', 'del', name], { allowFailure: true });
  }
}
