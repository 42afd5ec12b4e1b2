// Regression (issue 14, second attack, F2). Attack: whoever spends the one-time link first keeps the page, and the person is locked
// out for as long as the thief keeps asking. A session key never expires and survives every relink; a fresh link
// is announced only when no page has asked for RELINK_IDLE_MS, and the thief's polling counts as "a page asked".
// The person's own open of the link is refused as `used` ("use the tab that opened it first, or wait for a new
// link"), and no new link ever comes: under `--confirm web` every change they would approve times out, until the
// server restarts. (The first round's cookie lock-out, by another way.)
// Secure outcome: a second use of the link is the sign that it leaked. The sessions it opened are revoked, and
// the next change that waits announces a fresh link, so the person (the one watching stderr) gets the page back
// and the thief's key decides nothing.
import { Writable } from 'node:stream';
import pino from 'pino';
import { request } from 'undici';
import { expect, it } from 'vitest';
import { RELINK_IDLE_MS, startApprovalsPage } from '../../src/approvals/index.js';
import type { PendingChange } from '../../src/guards/approval-desk.js';

const CHANGE: PendingChange = {
  digest: 'b'.repeat(64),
  tool: 'assign_permissions_to_users',
  classification: 'access',
  lines: ['Grant "Payroll Auditor" to 1 user'],
  client: { name: 'test-client' },
  principal: 'local-process:1',
};

it('a link opened twice revokes the first holder and the next waiting change brings the person a fresh link', async () => {
  let clock = 1_000_000;
  const links: string[] = [];
  const logLines: string[] = [];
  const logs = new Writable({
    write(chunk, _encoding, done) {
      logLines.push(String(chunk));
      done();
    },
  });
  const page = await startApprovalsPage({
    port: 0,
    now: () => clock,
    logger: pino({ level: 'info' }, logs),
    announce: (link) => {
      links.push(link);
      return undefined;
    },
  });
  const abort = new AbortController();
  const secretOf = (link: string) => new URLSearchParams(new URL(link).hash.slice(1)).get('k') as string;
  const open = async (link: string) => {
    const answer = await request(`${page.origin}/session`, {
      method: 'POST',
      headers: { origin: page.origin, 'content-type': 'application/json' },
      body: JSON.stringify({ link: secretOf(link) }),
    });
    return {
      status: answer.statusCode,
      body: (await answer.body.json()) as { session?: string; reason?: string; text?: string },
    };
  };
  const pendingWith = async (session: string) => {
    const answer = await request(`${page.origin}/pending`, { headers: { 'x-approvals-session': session } });
    await answer.body.dump();
    return answer.statusCode;
  };
  try {
    // The thief spends the start-up link first.
    const stolen = await open(links[0] as string);
    expect(stolen.status).toBe(200);
    const thief = stolen.body.session as string;
    // The person opens the link they were given: refused as used.
    const mine = await open(links[0] as string);
    expect(mine.status).toBe(403);
    expect(mine.body.reason).toBe('link-used');
    // Said on the page, and a fresh link announced at once (not only when a change waits); the operator log says
    // it too, with no secret and no key in it.
    expect(mine.body.text).toContain('signed out');
    expect(links).toHaveLength(2);
    expect(logLines.join('')).toContain('used again');
    for (const secret of [thief, secretOf(links[0] as string), secretOf(links[1] as string)]) {
      expect(logLines.join('')).not.toContain(secret);
    }

    // Time passes; the thief keeps asking, as the page's own script would.
    for (let minute = 0; minute < 10; minute++) {
      clock += RELINK_IDLE_MS - 1;
      await pendingWith(thief);
    }
    // A change waits for the person. Expected: a fresh link for them, and the thief's key void.
    void page.desk.decide(CHANGE, { timeoutMs: 60_000, signal: abort.signal });
    expect(links.length).toBeGreaterThan(1);
    // And the revoked key's asking never counted as a page being open: the person's link from the reuse went
    // unopened for longer than RELINK_IDLE_MS, so the waiting change announced yet another.
    expect(links).toHaveLength(3);
    expect(await pendingWith(thief)).toBe(401);
    const back = await open(links.at(-1) as string);
    expect(back.status).toBe(200);
  } finally {
    abort.abort();
    await page.close();
  }
});
