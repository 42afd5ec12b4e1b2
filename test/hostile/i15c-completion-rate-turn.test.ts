// Hostile: the rate budget is shared in turns per person, but a completion (completion/complete) runs its Visier
// reads without the request's caller: every person's completions, on every session, wait in one shared turn (the
// local process's). Mallory, read scope only, sends a burst of completions; once the minute's budget is spent and a
// minute's worth of hers wait, Alice's single completion is refused at once (CallerQueueFull) for Mallory's queue.
// Real parts: oidc-provider on loopback, the server's OAuth verifier and HTTP transport, SDK clients, the sandbox.
// `--rate-limit 10/6000` scales the budget down; `--cache-ttl-seconds 0` so every completion reads Visier.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ALICE, MALLORY, type OAuthStack, startOAuthStack } from '../support/oauth-stack.js';

const PER_MINUTE = 10;

describe("hostile: one person's completions and another person's turn", () => {
  let stack: OAuthStack;

  beforeAll(async () => {
    stack = await startOAuthStack({
      people: [ALICE, MALLORY],
      flags: ['--rate-limit', `${PER_MINUTE}/6000`, '--cache-ttl-seconds', '0'],
    });
  }, 60_000);

  afterAll(async () => {
    await stack?.close();
  });

  it("a person's flood of completions does not get another person's completion refused", async () => {
    const [mallorys, alices] = [await stack.sessionOf(MALLORY), await stack.sessionOf(ALICE)];
    const complete = (client: typeof alices) =>
      client.complete(
        { ref: { type: 'ref/resource', uri: 'visier://users/{userId}' }, argument: { name: 'userId', value: '' } },
        { timeout: 180_000 },
      );
    try {
      // Her completions beyond the turn's cap are refused, and the rest are cut off when her session closes.
      for (let i = 0; i < 3 * PER_MINUTE; i++) void complete(mallorys).catch(() => undefined);
      await new Promise((resolve) => setTimeout(resolve, 1000));
      // Alice has nothing waiting of her own: her one completion waits for her turn, it is not refused for Mallory's.
      const alice = await complete(alices).then(
        (answer) => ({ values: answer.completion.values.length }),
        (error: Error) => ({ refused: error.message }),
      );
      expect(alice).toEqual({ values: 100 });
    } finally {
      await Promise.all([mallorys.close(), alices.close()]);
    }
  }, 240_000);
});
