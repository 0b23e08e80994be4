/** Exit codes of the `chaosflow` command. Stable: scripts and CI depend on them. */
export const EXIT = {
  /** Done; for `run`, the run Succeeded. */
  ok: 0,
  /** Bad input (invalid manifest), or a run that ended in any phase but Succeeded. */
  failed: 1,
  /** Wrong command-line usage. */
  usage: 2,
  /** A service (Temporal, Kubernetes, an agent) could not be reached or refused the call. */
  unavailable: 3,
  /** Interrupted by SIGINT/SIGTERM. */
  interrupted: 130,
} as const;
