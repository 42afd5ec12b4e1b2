import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { ElicitRequestSchema } from '@modelcontextprotocol/sdk/types.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Runtime } from '../../src/runtime.js';
import type { HttpHandle, HttpOptions } from '../../src/transports/http.js';
import { INIT, MCP_HEADERS, startHttpFor, startRuntimeForTest } from './http-runtime.js';

// Issue 10: one-shot clients never send DELETE, and used to exhaust the session cap until they idled out; a
// session holding a GET stream was never reaped. The server's clock is injected: a session goes idle when the
// test moves the clock, and the next newcomer's arrival reaps it, so nothing here waits on wall time.

let runtime: Runtime;
beforeAll(async () => {
  runtime = await startRuntimeForTest(['--mode', 'full']);
});
afterAll(() => runtime.close());

const IDLE_MS = 60_000;

async function serve(options: Partial<HttpOptions>) {
  const clock = { now: 1_000_000 };
  const http = await startHttpFor(runtime, { sessionIdleMs: IDLE_MS, now: () => clock.now, ...options });
  return { http, clock };
}

const post = (http: HttpHandle, body: unknown, headers: Record<string, string> = {}) =>
  fetch(http.url, { method: 'POST', headers: { ...MCP_HEADERS, ...headers }, body: JSON.stringify(body) });

async function open(http: HttpHandle): Promise<{ status: number; id: string | null }> {
  const r = await post(http, INIT);
  await r.text();
  return { status: r.status, id: r.headers.get('mcp-session-id') };
}

async function ping(http: HttpHandle, id: string): Promise<number> {
  const r = await post(http, { jsonrpc: '2.0', id: 'ping', method: 'ping' }, { 'mcp-session-id': id });
  await r.text();
  return r.status;
}

describe('HTTP session cap and idleness', () => {
  it('at the cap, a newcomer closes the least recently active idle session instead of being refused', async () => {
    const { http, clock } = await serve({ maxSessions: 2 });
    try {
      const a = (await open(http)).id as string;
      clock.now += 10;
      const b = (await open(http)).id as string;
      clock.now += 10;
      expect(await ping(http, a)).toBe(200);
      clock.now += 10;
      const c = await open(http);
      expect(c.status).toBe(200);
      expect(http.sessionCount()).toBe(2);
      expect(await ping(http, b)).toBe(404);
      expect(await ping(http, a)).toBe(200);
      expect(await ping(http, c.id as string)).toBe(200);
    } finally {
      await http.close();
    }
  });

  it('a session holding an open GET stream is reaped once nothing was asked or sent for the idle time', async () => {
    const { http, clock } = await serve({ maxSessions: 5 });
    try {
      const a = (await open(http)).id as string;
      const stream = await fetch(http.url, {
        headers: { accept: 'text/event-stream', 'mcp-session-id': a, 'mcp-protocol-version': '2025-11-25' },
      });
      expect(stream.status).toBe(200);
      clock.now += IDLE_MS - 1;
      expect((await open(http)).status).toBe(200);
      expect(await ping(http, a)).toBe(200);
      clock.now += IDLE_MS;
      expect((await open(http)).status).toBe(200);
      expect(await ping(http, a)).toBe(404);
      // The stream was closed with the session.
      const reader = stream.body?.getReader();
      let done = false;
      while (!done) done = (await reader?.read())?.done ?? true;
    } finally {
      await http.close();
    }
  });

  it('refuses a newcomer with 503 only while every session is answering a request', async () => {
    const { http } = await serve({ maxSessions: 1 });
    const client = new Client({ name: 'busy', version: '1.0.0' }, { capabilities: { elicitation: { form: {} } } });
    let asked!: () => void;
    const waiting = new Promise<void>((resolve) => (asked = resolve));
    let answer!: () => void;
    const answered = new Promise<void>((resolve) => (answer = resolve));
    client.setRequestHandler(ElicitRequestSchema, async () => {
      asked();
      await answered;
      return { action: 'decline' };
    });
    try {
      await client.connect(new StreamableHTTPClientTransport(new URL(http.url)));
      const call = client.callTool({
        name: 'remove_users_from_group',
        arguments: {
          userGroupId: '9b7e4d20-5f1a-4a3c-b6d8-000000000201',
          userIds: ['0d5a1c3e-7b2f-4e61-9a0d-5a7d00000002'],
        },
      });
      // The call's POST is open until the person answers: the only session is busy.
      await waiting;
      const refused = await post(http, INIT);
      expect(refused.status).toBe(503);
      expect(refused.headers.get('retry-after')).toBe('60');
      await refused.text();
      answer();
      expect((await call).isError).toBe(true);
      // Its answer is out: the session is idle, and makes room.
      expect((await open(http)).status).toBe(200);
      expect(http.sessionCount()).toBe(1);
    } finally {
      await client.close().catch(() => {});
      await http.close();
    }
  });

  it('a call the client cancels ends its stream, so the session is idle again and makes room', async () => {
    // Raw clients keep reading a call's stream after cancelling it; the server sends no answer to a cancelled
    // request, and used to leave that stream, and so the session, busy for good.
    const { http } = await serve({ maxSessions: 1 });
    const init = { ...INIT, params: { ...INIT.params, capabilities: { elicitation: { form: {} } } } };
    const opened = await post(http, init);
    await opened.text();
    const headers = {
      'mcp-session-id': opened.headers.get('mcp-session-id') as string,
      'mcp-protocol-version': '2025-11-25',
    };
    await (await post(http, { jsonrpc: '2.0', method: 'notifications/initialized' }, headers)).text();
    const call = await post(
      http,
      {
        jsonrpc: '2.0',
        id: 'busy',
        method: 'tools/call',
        params: {
          name: 'remove_users_from_group',
          arguments: {
            userGroupId: '9b7e4d20-5f1a-4a3c-b6d8-000000000201',
            userIds: ['0d5a1c3e-7b2f-4e61-9a0d-5a7d00000002'],
          },
        },
      },
      headers,
    );
    const reader = (call.body as ReadableStream<Uint8Array>).getReader();
    let seen = '';
    while (!seen.includes('elicitation/create')) {
      const chunk = await reader.read();
      if (chunk.done) throw new Error(`the call's stream ended before asking: ${seen}`);
      seen += new TextDecoder().decode(chunk.value);
    }
    await (
      await post(http, { jsonrpc: '2.0', method: 'notifications/cancelled', params: { requestId: 'busy' } }, headers)
    ).text();
    for (;;) {
      const chunk = await reader.read();
      if (chunk.done) break;
      seen += new TextDecoder().decode(chunk.value);
    }
    expect(seen).not.toMatch(/"id":"busy"/);
    expect((await open(http)).status).toBe(200);
    await http.close();
  });
});
