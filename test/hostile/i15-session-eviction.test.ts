// Hostile: 2025-11-25 sessions on a shared server. The server holds at most --max-sessions and, at the cap, closes
// the least recently active idle one to make room. Mallory holds an ordinary read-scoped token; she opens sessions
// in a loop and closes, one by one, every other person's session between their calls. Real parts: oidc-provider
// on loopback issuing the tokens, the server's OAuth verifier and HTTP transport, SDK clients.
import type { Client } from '@modelcontextprotocol/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ALICE, MALLORY, type OAuthStack, startOAuthStack } from '../support/oauth-stack.js';

const MAX_SESSIONS = 5;

let stack: OAuthStack;

beforeAll(async () => {
  stack = await startOAuthStack({ people: [ALICE, MALLORY], maxSessions: MAX_SESSIONS });
}, 60_000);

afterAll(async () => {
  await stack?.close();
});

describe('hostile: one person filling the session cap', () => {
  it("a person opening sessions in a loop never closes another person's open session", async () => {
    const alices = await stack.sessionOf(ALICE);
    await alices.listTools();
    const mallorys: Client[] = [];
    try {
      for (let i = 0; i < MAX_SESSIONS; i++) mallorys.push(await stack.sessionOf(MALLORY));
      // Alice's assistant comes back for its next call on the session it opened a moment ago.
      await expect(alices.listTools()).resolves.toMatchObject({ tools: expect.any(Array) });
    } finally {
      await Promise.all([alices, ...mallorys].map((client) => client.close()));
    }
  }, 60_000);
});
