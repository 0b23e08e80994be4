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
  /**
   * chaosflow itself failed: an error no command expected escaped (a bug; the message asks for a report).
   * EX_SOFTWARE of sysexits.h, so that a script can tell it from an invalid manifest (1).
   */
  internal: 70,
  /** Interrupted by SIGINT/SIGTERM. */
  interrupted: 130,
} as const;
