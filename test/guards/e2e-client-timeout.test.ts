// The MCP SDK client gives up on a request after 60 s by default (DEFAULT_REQUEST_TIMEOUT_MSEC), which would cut a
// 300 s wait on the approvals page short; a client that resets its timeout on progress stays. The server's beats
// come every WAITING_BEAT_MS (10 s), well under that default (checked first); then a client with a short timeout
// and a faster ticker show in seconds of real time that the wait outlives the client's timeout only when the
// client resets it on progress. The beat is a twelfth of the timeout, not the real sixth: a loaded machine may
// stall the event loop for a beat or two.
import { DEFAULT_REQUEST_TIMEOUT_MSEC } from '@modelcontextprotocol/client';
import { describe, expect, it } from 'vitest';
import { PendingApprovals } from '../../src/approvals/pending.js';
import { DEMO_PERMISSIONS, DEMO_USERS } from '../../src/sandbox/index.js';
import { type Ticker, WAITING_BEAT_MS } from '../../src/server-context.js';
import { changeRequests, e2eSuite } from './e2e-harness.js';

const GRANT = { permissionIds: [DEMO_PERMISSIONS.payrollAuditor.permissionId], userIds: [DEMO_USERS.dana.userId] };
const suite = e2eSuite();
const CLIENT_TIMEOUT_MS = 3000;
const BEAT_MS = CLIENT_TIMEOUT_MS / 12;
const fastTicker: Ticker = (_everyMs, beat) => {
  const timer = setInterval(beat, BEAT_MS);
  return () => clearInterval(timer);
};

/** Resolves once `check` holds, re-checking as events arrive (no fixed wait stands in for the ordering). */
async function until(check: () => boolean): Promise<void> {
  while (!check()) await new Promise((resolve) => setImmediate(resolve));
}

describe('a page wait longer than the client’s request timeout', () => {
  it('the server beats well inside the SDK client’s default timeout', () => {
    expect(DEFAULT_REQUEST_TIMEOUT_MSEC).toBe(60_000);
    expect(WAITING_BEAT_MS).toBeLessThanOrEqual(15_000);
    expect(WAITING_BEAT_MS * 4).toBeLessThanOrEqual(DEFAULT_REQUEST_TIMEOUT_MSEC);
  });

  it('a client that resets its timeout on progress outlives it and gets the change', async () => {
    const desk = new PendingApprovals();
    await suite.withE2E({ guard: { confirm: 'web', approvals: desk }, server: { ticker: fastTicker } }, async (e2e) => {
      // The directory snapshot is read first, so the short client timeout measures the page wait alone.
      await e2e.call('get_user', { userId: DEMO_USERS.dana.userId });
      // Two timeouts' worth of beats before the click: without the resets the client would have given up.
      let beats = 0;
      let enough: () => void = () => {};
      const waited = new Promise<void>((resolve) => {
        enough = resolve;
      });
      const started = performance.now();
      const call = e2e.client.callTool(
        { name: 'assign_permissions_to_users', arguments: GRANT },
        {
          timeout: CLIENT_TIMEOUT_MS,
          resetTimeoutOnProgress: true,
          onprogress: () => {
            if (++beats >= 2 * (CLIENT_TIMEOUT_MS / BEAT_MS)) enough();
          },
        },
      );
      // Beats come only while the change waits on the page; a call that ends first fails the test below.
      await Promise.race([waited, call]);
      expect(desk.list()).toHaveLength(1);
      const item = desk.list()[0] as NonNullable<ReturnType<PendingApprovals['list']>[number]>;
      expect(desk.click(item.id, item.change.digest, 'approve', undefined)).toMatchObject({ ok: true });
      const result = await call;
      expect(performance.now() - started).toBeGreaterThan(2 * CLIENT_TIMEOUT_MS);
      expect(result.isError).toBeFalsy();
      expect(changeRequests(suite.sandbox)).toHaveLength(1);
    });
  });

  it('a client that does not reset its timeout gives up while the page waits; the change is withdrawn, nothing sent', async () => {
    const desk = new PendingApprovals();
    await suite.withE2E({ guard: { confirm: 'web', approvals: desk }, server: { ticker: fastTicker } }, async (e2e) => {
      await e2e.call('get_user', { userId: DEMO_USERS.dana.userId });
      const call = e2e.client.callTool(
        { name: 'assign_permissions_to_users', arguments: GRANT },
        { timeout: CLIENT_TIMEOUT_MS, onprogress: () => {} },
      );
      await expect(call).rejects.toThrow('Request timed out');
      // The client's cancellation reaches the server, which takes the change off the page.
      await until(() => desk.list().length === 0);
      expect(changeRequests(suite.sandbox)).toEqual([]);
    });
  });
});
