/**
 * Exit codes of the server and of `doctor`, as `--help` and the README give them. `verify-audit` keeps its own,
 * documented next to it (see VERIFY_EXIT), which agree with these on 0 and 2.
 */
export const EXIT = {
  ok: 0,
  /** Start-up or a check failed at run time: Visier unreachable or refusing, a port in use, a file unwritable. */
  runtime: 1,
  /** A flag, variable or command line was wrong; nothing was started. */
  usage: 2,
} as const;
