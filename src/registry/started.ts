/** A provider's client, started from the configuration (or on its embedded sandbox), and what it may touch. */
export interface StartedProvider<Sandbox = unknown> {
  /** What read tools use; may answer from a short cache. */
  api: unknown;
  /** What change tools use: always live. */
  liveApi: unknown;
  /** The allowlist, in the provider's terms (tenants, sites, the workspace), and the one a call naming none uses. */
  tenants: string[];
  defaultTenant: string;
  /** The base URL the client talks to (the sandbox's when one runs), for `doctor` to reach. */
  host: string;
  /**
   * One cheap authenticated read (a page of one user in the default scope), for `doctor`: resolves to what it
   * read in a few words, rejects with the system's error.
   */
  probe(): Promise<string>;
  /** The embedded sandbox's handle, when the configuration asked for (or fell back to) demo data. */
  sandbox?: Sandbox;
  close(): Promise<void>;
}
