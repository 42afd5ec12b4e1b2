// A call that waits (on a person, or on a preview of many targets) keeps the client informed with progress,
// and stops when the client cancels it: the question is withdrawn, no token is left behind, the audit says so.
import type { CallToolResult, ElicitResult } from '@modelcontextprotocol/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_PERMISSIONS, DEMO_USERS, type SandboxHandle, startSandbox } from '../../src/sandbox/index.js';
import type { Ticker } from '../../src/server-context.js';
import { type E2E, type E2EOptions, startE2E } from './e2e-harness.js';

const GRANT = {
  permissionIds: [DEMO_PERMISSIONS.payrollAuditor.permissionId],
  userIds: [DEMO_USERS.dana.userId],
};

let sandbox: SandboxHandle;
beforeAll(async () => {
  sandbox = await startSandbox({ rateLimit: false, users: 3000, seed: 5 });
});
afterAll(() => sandbox.close());

async function withE2E(options: E2EOptions, body: (e2e: E2E) => Promise<void>) {
  const e2e = await startE2E({ sandbox, ...options });
  try {
    sandbox.clearRequests();
    await body(e2e);
  } finally {
    sandbox.faults.clear();
    await e2e.close();
  }
}

/** Resolves once `check` holds, re-checking as events arrive (no fixed wait stands in for the ordering). */
async function until(check: () => boolean | Promise<boolean>): Promise<void> {
  while (!(await check())) await new Promise((resolve) => setImmediate(resolve));
}

/** A ticker the test beats by hand: deterministic progress however long the person takes. */
function manualTicker() {
  const state = { everyMs: [] as number[], beats: [] as (() => void)[], stopped: 0 };
  const ticker: Ticker = (everyMs, beat) => {
    state.everyMs.push(everyMs);
    state.beats.push(beat);
    return () => {
      state.stopped++;
    };
  };
  return { ticker, state };
}

function deferred<T>() {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => {
    resolve = r;
  });
  return { promise, resolve };
}

// The directory snapshot's reads: group pages, the catalogue, the assignment reports (or user pages).
const directoryReads = () =>
  sandbox.requests.filter((r) => r.method === 'GET' && /^\/v[12]\/admin\/(users|user-groups|permissions)/.test(r.path));
const changes = () =>
  sandbox.requests.filter((r) => r.method !== 'GET' && !r.path.includes('Token') && !r.path.includes('oauth2'));

describe('while a person decides', () => {
  it('the call sends progress at least every 15 s, and stops when the answer comes', async () => {
    const { ticker, state } = manualTicker();
    const answer = deferred<ElicitResult>();
    let asked = false;
    await withE2E(
      {
        server: { ticker },
        elicit: () => {
          asked = true;
          return answer.promise;
        },
      },
      async (e2e) => {
        const seen: { progress: number; message?: string | undefined }[] = [];
        const call = e2e.client.callTool(
          { name: 'assign_permissions_to_users', arguments: GRANT },
          { onprogress: (p) => seen.push({ progress: p.progress, message: p.message }), resetTimeoutOnProgress: true },
        );
        await until(() => asked);
        expect(state.everyMs).toHaveLength(1);
        expect(state.everyMs[0]).toBeLessThanOrEqual(15_000);
        const beat = state.beats[0]!;
        const before = seen.length;
        beat();
        beat();
        beat();
        await until(() => seen.length === before + 3);
        const beats = seen.slice(before);
        expect(beats.every((p) => p.message === 'waiting for the person to answer the approval form')).toBe(true);
        const values = seen.map((p) => p.progress);
        expect(values).toEqual([...values].sort((a, b) => a - b));
        expect(new Set(values).size).toBe(values.length);
        answer.resolve({ action: 'accept', content: { confirm: true } });
        const result = (await call) as CallToolResult;
        expect(result.isError).toBeFalsy();
        expect(state.stopped).toBe(1);
      },
    );
  });

  it('cancelling the call withdraws the question and the audit line says cancelled', async () => {
    const controller = new AbortController();
    let withdrawn = false;
    await withE2E(
      {
        server: { ticker: manualTicker().ticker },
        elicit: (_params, signal) => {
          controller.abort();
          return new Promise((resolve) =>
            signal.addEventListener('abort', () => {
              withdrawn = true;
              resolve({ action: 'cancel' });
            }),
          );
        },
      },
      async (e2e) => {
        const call = e2e.client.callTool(
          { name: 'assign_permissions_to_users', arguments: GRANT },
          { signal: controller.signal },
        );
        await expect(call).rejects.toThrow();
        await until(() => withdrawn);
        await until(async () => (await e2e.auditLines()).length === 1);
        const [line] = await e2e.auditLines();
        expect(line).toMatchObject({
          decision: 'refused',
          reason: 'cancelled',
          confirmation: { method: 'elicitation', outcome: 'cancelled' },
        });
        expect(changes()).toEqual([]);
      },
    );
  });
});

describe('a preview of many targets', () => {
  const manyIds = () =>
    sandbox
      .snapshot()
      .users.slice(-25)
      .map((u) => u.userId);

  it('sends progress as it reads', async () => {
    await withE2E({}, async (e2e) => {
      const scanned: string[] = [];
      const few: string[] = [];
      const many = await e2e.client.callTool(
        { name: 'bulk_delete_users', arguments: { userIds: manyIds() } },
        { onprogress: (p) => scanned.push(p.message ?? '') },
      );
      expect(many.isError).toBe(true);
      // The preview reads the directory once, whatever the number of targets, and says so.
      expect(scanned).toEqual([`preview: read the directory (${sandbox.snapshot().users.length} users)`]);
      const five = sandbox
        .snapshot()
        .users.slice(0, 5)
        .map((u) => u.userId);
      await e2e.client.callTool(
        { name: 'assign_permissions_to_users', arguments: { ...GRANT, userIds: five } },
        { onprogress: (p) => few.push(p.message ?? '') },
      );
      expect(few).toEqual([`preview: read the directory (${sandbox.snapshot().users.length} users)`]);
      expect(changes()).toEqual([]);
    });
  });

  it('cancelled before it finished: it stops reading, issues no token, and the audit says cancelled', async () => {
    await withE2E({}, async (e2e) => {
      sandbox.faults.set({ latencyMs: 150 });
      const controller = new AbortController();
      const call = e2e.client.callTool(
        { name: 'bulk_delete_users', arguments: { userIds: manyIds() } },
        { signal: controller.signal },
      );
      await until(() => directoryReads().length > 0);
      controller.abort();
      await expect(call).rejects.toThrow();
      await until(async () => (await e2e.auditLines()).length === 1);
      const [line] = await e2e.auditLines();
      expect(line).toMatchObject({ decision: 'refused', reason: 'cancelled' });
      expect(line?.confirmation).toBeUndefined();
      // It stops reading: the snapshot's four reads are not all sent.
      expect(directoryReads().length).toBeLessThan(4);
      expect(changes()).toEqual([]);
    });
  });
});
