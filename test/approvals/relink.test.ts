// A closed browser tab must not need a server restart: when a change starts waiting and no page has asked for
// RELINK_IDLE_MS, the page announces a fresh one-time link and the old one is void. The clock is the page's own
// (injected), the page is served over real HTTP.
import { request } from 'undici';
import { expect, it } from 'vitest';
import { RELINK_IDLE_MS, startApprovalsPage } from '../../src/approvals/index.js';
import type { PendingChange } from '../../src/guards/approval-desk.js';

const CHANGE: PendingChange = {
  digest: 'a'.repeat(64),
  tool: 'assign_permissions_to_users',
  classification: 'access',
  lines: ['Grant "Payroll Auditor" to 1 user'],
  client: { name: 'test-client' },
  principal: 'local-process:1',
};

it('a change waiting with no page seen for a while announces a fresh link; the old one is void, open pages stay', async () => {
  let clock = 1_000_000;
  const links: string[] = [];
  const cleaned: string[] = [];
  const page = await startApprovalsPage({
    port: 0,
    now: () => clock,
    announce: (link) => {
      links.push(link);
      return () => cleaned.push(link);
    },
  });
  const abort = new AbortController();
  const ask = () => page.desk.decide(CHANGE, { timeoutMs: 60_000, signal: abort.signal });
  const post = async (body: object) => {
    const answer = await request(`${page.origin}/session`, {
      method: 'POST',
      headers: { origin: page.origin, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    return { status: answer.statusCode, text: await answer.body.text() };
  };
  const pendingWith = async (session: string) => {
    const answer = await request(`${page.origin}/pending`, { headers: { 'x-approvals-session': session } });
    await answer.body.dump();
    return answer.statusCode;
  };
  const secretOf = (link: string) => new URLSearchParams(new URL(link).hash.slice(1)).get('k') as string;
  try {
    // Announced once at start.
    expect(links).toEqual([page.link]);
    // A change soon after: the start-up link is still fresh.
    clock += RELINK_IDLE_MS - 1;
    void ask();
    expect(links).toHaveLength(1);
    // Nobody opened it in time: the next waiting change announces a fresh link, and the first is void.
    clock += 1;
    void ask();
    expect(links).toHaveLength(2);
    expect(links[1]).toBe(page.link);
    expect(cleaned).toEqual([links[0]]);
    const stale = await post({ link: secretOf(links[0] as string) });
    expect(stale.status).toBe(403);
    expect(stale.text).toContain('no valid secret');
    const opened = await post({ link: secretOf(links[1] as string) });
    expect(opened.status).toBe(200);
    const { session } = JSON.parse(opened.text) as { session: string };
    // Spent: what announcing it left behind (the browser's redirect file) is cleaned up.
    expect(cleaned).toEqual([links[0], links[1]]);

    // A page that keeps asking keeps the link as it is.
    clock += RELINK_IDLE_MS - 1;
    expect(await pendingWith(session)).toBe(200);
    clock += RELINK_IDLE_MS - 1;
    void ask();
    expect(links).toHaveLength(2);
    // Its tab closed (no asking): a fresh link, and a session already open still works.
    clock += RELINK_IDLE_MS;
    void ask();
    expect(links).toHaveLength(3);
    expect(await pendingWith(session)).toBe(200);
  } finally {
    abort.abort();
    await page.close();
  }
  // Closing cleans up the last link's leftovers too.
  expect(cleaned).toEqual(links);
});
