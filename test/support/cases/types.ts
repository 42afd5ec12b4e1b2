// One provider as the parameterised suites see it (test/providers/suites/): which calls of each class to make on
// its embedded sandbox, and how to tell from the sandbox whether a change landed. The suites start the real
// runtime (`--provider <id> --sandbox`) and talk to it through an SDK client; nothing here is mocked.
import type { ProviderId } from '../../../src/config.js';

export interface CaseCall {
  tool: string;
  args: Record<string, unknown>;
}

export interface ChangeCall extends CaseCall {
  /** Whether the change is visible in the sandbox (read from its state, not through our client). */
  // biome-ignore lint/suspicious/noExplicitAny: each provider's sandbox handle has its own shape
  applied(sandbox: any): boolean | Promise<boolean>;
}

export interface ProviderCase {
  id: ProviderId;
  /** A read that succeeds on the demo data, and a word its text must contain. */
  read: CaseCall & { expectText: string };
  /** A `write`-class change (a profile field). */
  write: ChangeCall;
  /** An `access`-class change (a membership, a role, a permission). */
  access: ChangeCall;
  /** A `destructive` change (a deletion, or the provider's equivalent), with the name a person must type. */
  destructive: ChangeCall & { typedName: string };
  /** A change that grants privileged access: its preview's first line starts `PRIVILEGED`. */
  privileged: ChangeCall;
  /**
   * The `access` change's tool with other arguments that touch two items (users, members): for the per-call cap
   * (`--max-items-per-call 1`), and as "the same tool, other arguments" a confirmation token must not cover.
   */
  twoItems: ChangeCall;
  /** A call naming a scope (tenant, site) outside the allowlist; absent when calls cannot name one. */
  outOfScope?: CaseCall;
  /** Calls with bad input, and the field the error must name. */
  badInput: (CaseCall & { field: string })[];
  /** Text from the demo data that tries to instruct the model, and a read whose result shows it. */
  injection: CaseCall & { text: string };
  /** HTTP requests the sandbox has received that could change data (method not GET), for "nothing was sent". */
  // biome-ignore lint/suspicious/noExplicitAny: each provider's sandbox handle has its own shape
  changeRequests(sandbox: any): number;
  /** The sandbox's credentials (keys, passwords, tokens it issued): none may appear in logs, audit or results. */
  // biome-ignore lint/suspicious/noExplicitAny: each provider's sandbox handle has its own shape
  secrets(sandbox: any): string[];
  /** Every HTTP request the sandbox has received, for counting a job's calls. */
  // biome-ignore lint/suspicious/noExplicitAny: each provider's sandbox handle has its own shape
  requests(sandbox: any): number;
}
