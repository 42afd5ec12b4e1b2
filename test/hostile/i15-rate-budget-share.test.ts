// Hostile: Visier's per-key rate budget is one for the whole team (and, with Redis, for every replica). Mallory
// holds an ordinary read-scoped token; she sends more reads than the minute's budget at once, each for a different
// id so no cache answers them. Everyone else's calls, an urgent offboarding as much as a read, then queue behind
// all of hers. Real parts: oidc-provider on loopback issuing the tokens, the server's OAuth verifier and HTTP
// transport, SDK clients, the sandbox standing where Visier stands. The budget is scaled down to 10 calls a minute
// (`--rate-limit 10/6000`), so the test lasts a minute where it fails.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_USERS } from '../../src/sandbox/index.js';
import { ALICE, MALLORY, type OAuthStack, startOAuthStack } from '../support/oauth-stack.js';
import { type RedisHandle, startRedis } from '../support/redis-server.js';

const PER_MINUTE = 10;

// The same flood with the budget taken in Redis (`--redis-url`), as replicas share it.
describe.each([
  ['in this process', false],
  ['shared in Redis', true],
])("hostile: one person's reads and the team's rate budget (%s)", (_where, withRedis) => {
  let stack: OAuthStack;
  let redis: RedisHandle | undefined;

  beforeAll(async () => {
    redis = withRedis ? await startRedis() : undefined;
    const shared =
      redis === undefined ? [] : ['--redis-url', redis.url, '--confirm-secret', 'replicas-share-this-confirm-secret'];
    stack = await startOAuthStack({
      people: [ALICE, MALLORY],
      flags: ['--rate-limit', `${PER_MINUTE}/6000`, ...shared],
    });
  }, 60_000);

  afterAll(async () => {
    await stack?.close();
    await redis?.kill();
  });

  it("a read-scoped person flooding reads does not hold another person's call behind all of hers", async () => {
    const [mallorys, alices] = [await stack.sessionOf(MALLORY), await stack.sessionOf(ALICE)];
    try {
      const flood = Array.from({ length: PER_MINUTE + 3 }, () =>
        mallorys.callTool({ name: 'get_user', arguments: { userId: randomUUID() } }, { timeout: 180_000 }),
      );
      // Alice's call arrives after Mallory's, while hers still wait for the minute's budget.
      await new Promise((resolve) => setTimeout(resolve, 500));
      const aliceCall = alices.callTool(
        { name: 'get_user', arguments: { userId: DEMO_USERS.dana.userId } },
        { timeout: 180_000 },
      );
      const first = await Promise.race([
        aliceCall.then(() => 'alice'),
        Promise.all(flood).then(() => 'all of mallory'),
      ]);
      expect(first).toBe('alice');
      await Promise.allSettled([aliceCall, ...flood]);
    } finally {
      await Promise.all([mallorys.close(), alices.close()]);
    }
  }, 240_000);
});
