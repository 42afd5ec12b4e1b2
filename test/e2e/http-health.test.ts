import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Runtime } from '../../src/runtime.js';
import { startHttpFor, startRuntimeForTest } from './http-runtime.js';

// /healthz is unauthenticated and probed often: each answer about the shared store stands for a second, and says
// only whether the store answers, never the store's error text.

let runtime: Runtime;
beforeAll(async () => {
  runtime = await startRuntimeForTest();
});
afterAll(() => runtime.close());

describe('/healthz and the shared store', () => {
  it('asks the store at most once a second however many probes come, and keeps its error out of the answer', async () => {
    const clock = { now: 1_000_000 };
    let asked = 0;
    let failing = false;
    const http = await startHttpFor(runtime, {
      now: () => clock.now,
      ready: async () => {
        asked++;
        if (failing) throw new Error('Redis is unreachable (connect ECONNREFUSED 10.0.0.7:6379)');
      },
    });
    const probe = async (path: string) => {
      const r = await fetch(http.url.replace('/mcp', path));
      return { status: r.status, text: await r.text() };
    };
    try {
      await Promise.all(Array.from({ length: 5 }, () => probe('/healthz')));
      expect(asked).toBe(1);
      failing = true;
      expect((await probe('/healthz/ready')).status).toBe(200);
      clock.now += 1_000;
      const down = await probe('/healthz/ready');
      expect(asked).toBe(2);
      expect(down.status).toBe(503);
      expect(JSON.parse(down.text)).toMatchObject({ ready: false, store: { reachable: false, reason: 'redis: down' } });
      expect(down.text).not.toContain('ECONNREFUSED');
      expect(down.text).not.toContain('10.0.0.7');
    } finally {
      await http.close();
    }
  });
});
