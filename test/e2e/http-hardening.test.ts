import { Writable } from 'node:stream';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Runtime } from '../../src/runtime.js';
import { startHttp } from '../../src/transports/http.js';
import { INIT, MCP_HEADERS, silent, startHttpFor, startRuntimeForTest } from './http-runtime.js';

let runtime: Runtime;
beforeAll(async () => {
  runtime = await startRuntimeForTest();
});
afterAll(() => runtime.close());

const init = (url: string, headers: Record<string, string> = {}, body: string = JSON.stringify(INIT)) =>
  fetch(url, { method: 'POST', headers: { ...MCP_HEADERS, ...headers }, body });

/** A logger that reports each session the server closes, so a test waits for the close instead of timing it. */
function sessionClosings() {
  const waiting: ((line: Record<string, unknown>) => void)[] = [];
  const stream = new Writable({
    write(chunk, _encoding, done) {
      const line = JSON.parse(String(chunk)) as Record<string, unknown>;
      if (line.msg === 'closing MCP session') for (const resolve of waiting.splice(0)) resolve(line);
      done();
    },
  });
  return {
    logger: pino({ level: 'info' }, stream),
    next: () => new Promise<Record<string, unknown>>((resolve) => waiting.push(resolve)),
  };
}

describe('HTTP hardening', () => {
  it('refuses a wrong Host or a foreign Origin with 403; no Origin and a loopback Origin pass', async () => {
    const http = await startHttpFor(runtime);
    try {
      const { request } = await import('node:http');
      const status = await new Promise<number>((resolve, reject) => {
        const req = request(
          http.url,
          { method: 'POST', headers: { ...MCP_HEADERS, host: 'evil.example.com' } },
          (res) => {
            res.resume();
            resolve(res.statusCode ?? 0);
          },
        );
        req.on('error', reject);
        req.end(JSON.stringify(INIT));
      });
      expect(status).toBe(403);
      expect((await init(http.url, { origin: 'http://evil.example.com' })).status).toBe(403);
      const local = await init(http.url, { origin: 'http://localhost:6274' });
      expect(local.status).toBe(200);
      await local.body?.cancel();
      const none = await init(http.url);
      expect(none.status).toBe(200);
      await none.body?.cancel();
    } finally {
      await http.close();
    }
  });

  it('will not bind a non-loopback address without a bearer token', async () => {
    await expect(
      startHttp({
        host: '0.0.0.0',
        port: 0,
        sessionIdleMs: 1000,
        maxSessions: 1,
        logger: silent,
        createServer: runtime.createServer,
      }),
    ).rejects.toThrow(/^VISIER_MCP_HTTP_TOKEN: required when binding 0\.0\.0\.0/);
  });

  it('with a token set, requests without it or with a wrong one get 401', async () => {
    const token = 'a-long-enough-test-token-123';
    const http = await startHttpFor(runtime, { token });
    try {
      const missing = await init(http.url);
      expect(missing.status).toBe(401);
      expect(missing.headers.get('www-authenticate')).toBe('Bearer realm="visier-admin-mcp"');
      expect((await init(http.url, { authorization: 'Bearer wrong' })).status).toBe(401);
      const ok = await init(http.url, { authorization: `Bearer ${token}` });
      expect(ok.status).toBe(200);
      await ok.body?.cancel();
    } finally {
      await http.close();
    }
  });

  it('answers an oversized body with 413', async () => {
    const http = await startHttpFor(runtime, { maxBodyBytes: 1024 });
    try {
      const big = JSON.stringify({ ...INIT, params: { ...INIT.params, padding: 'x'.repeat(4096) } });
      expect((await init(http.url, {}, big)).status).toBe(413);
    } finally {
      await http.close();
    }
  });

  it('reaps idle sessions', async () => {
    const clock = { now: 1_000_000 };
    const closings = sessionClosings();
    const http = await startHttpFor(runtime, { sessionIdleMs: 100, now: () => clock.now, logger: closings.logger });
    try {
      const r = await init(http.url);
      await r.text();
      const id = r.headers.get('mcp-session-id')!;
      expect(http.sessionCount()).toBe(1);
      // Idle only by the server's clock: the periodic sweep, not a newcomer, closes it.
      const closed = closings.next();
      clock.now += 100;
      expect(await closed).toMatchObject({ session: id, why: 'idle' });
      expect(http.sessionCount()).toBe(0);
      const after = await init(
        http.url,
        { 'mcp-session-id': id },
        JSON.stringify({ jsonrpc: '2.0', id: 2, method: 'ping' }),
      );
      expect(after.status).toBe(404);
    } finally {
      await http.close();
    }
  });

  it('a burst of concurrent initializes never overshoots the session cap', async () => {
    const http = await startHttpFor(runtime, { maxSessions: 3 });
    try {
      const burst = await Promise.all(Array.from({ length: 12 }, () => init(http.url)));
      await Promise.all(burst.map((r) => r.text()));
      // Newcomers close sessions whose initialize is answered; those still initialising are busy, so some of
      // the burst is refused, and the count never passes the cap.
      expect(burst.every((r) => r.status === 200 || r.status === 503)).toBe(true);
      expect(burst.filter((r) => r.status === 200).length).toBeGreaterThanOrEqual(3);
      expect(http.sessionCount()).toBeLessThanOrEqual(3);
    } finally {
      await http.close();
    }
  });

  it('graceful shutdown lets an in-flight call finish', async () => {
    const { Client } = await import('@modelcontextprotocol/sdk/client/index.js');
    const { StreamableHTTPClientTransport } = await import('@modelcontextprotocol/sdk/client/streamableHttp.js');
    const http = await startHttpFor(runtime);
    const client = new Client({ name: 'drain', version: '1.0.0' });
    await client.connect(new StreamableHTTPClientTransport(new URL(http.url)));
    runtime.sandbox!.faults.set({ latencyMs: 400 });
    try {
      const arrived = runtime.sandbox!.nextRequest((r: { path: string }) => r.path === '/v1/admin/permissions');
      const call = client.callTool({ name: 'list_permissions', arguments: { limit: 1 } });
      const request = await arrived;
      const closing = http.close();
      // Shutdown began while the call was in flight: Visier (the sandbox) had not answered it yet.
      expect(request.status).toBe(0);
      const result = await call;
      await closing;
      expect((result.structuredContent as { returned: number }).returned).toBe(1);
      expect(http.sessionCount()).toBe(0);
    } finally {
      runtime.sandbox!.faults.clear();
    }
  });
});
