/**
 * The first SIGINT or SIGTERM of a long-running command (`dev`, `controller`): resolves with it, and keeps
 * listening, so that a second one (Ctrl-C pressed again, a supervisor's SIGTERM after the terminal's SIGINT) is
 * reported instead of killing the command in the middle of the clean stop it is doing. The agent does the same
 * in `agent/run-agent.ts`.
 */
export function firstStopSignal(
  onRepeat: (signal: NodeJS.Signals) => void = (signal) =>
    process.stderr.write(`${signal} again: already stopping, every fault is recovered first\n`),
): Promise<NodeJS.Signals> {
  let stopping = false;
  return new Promise((resolve) => {
    const onSignal = (signal: NodeJS.Signals): void => {
      if (stopping) onRepeat(signal);
      stopping = true;
      resolve(signal);
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
  });
}
