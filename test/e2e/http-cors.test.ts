import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Runtime } from '../../src/runtime.js';
import type { HttpHandle } from '../../src/transports/http.js';
import { INIT, MCP_HEADERS, startHttpFor, startRuntimeForTest } from './http-runtime.js';

// Issue 10: a browser client (the Inspector's web UI) sends a preflight, and reads the answer and its session id
// only when CORS allows it, for the Origins the server already accepts. Foreign Origins stay refused.

const INSPECTOR = 'http://localhost:6274';
const LISTED = 'https://admin.example.com';

let runtime: Runtime;
let http: HttpHandle;
beforeAll(async () => {
  runtime = await startRuntimeForTest();
  http = await startHttpFor(runtime, { allowedOrigins: [LISTED], token: 'a-long-enough-test-token-123' });
});
afterAll(async () => {
  await http.close();
  await runtime.close();
});

const preflight = (origin: string, requestHeaders: string) =>
  fetch(http.url, {
    method: 'OPTIONS',
    headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': requestHeaders },
  });

const allowedHeaders = (r: Response) =>
  (r.headers.get('access-control-allow-headers') ?? '').split(',').map((h) => h.trim().toLowerCase());

describe('CORS for accepted Origins', () => {
  it('a preflight from a loopback or listed Origin is answered with the methods and headers of both eras', async () => {
    for (const origin of [INSPECTOR, LISTED]) {
      const r = await preflight(origin, 'authorization, content-type, mcp-session-id');
      expect(r.status).toBe(204);
      expect(r.headers.get('access-control-allow-origin')).toBe(origin);
      expect(r.headers.get('vary')).toBe('Origin');
      expect((r.headers.get('access-control-allow-methods') ?? '').split(', ')).toEqual(
        expect.arrayContaining(['GET', 'POST', 'DELETE']),
      );
      expect(allowedHeaders(r)).toEqual(
        expect.arrayContaining([
          'authorization',
          'content-type',
          'mcp-session-id',
          'mcp-protocol-version',
          'last-event-id',
          'mcp-method',
          'mcp-name',
        ]),
      );
    }
  });

  it('the answer to a POST names the Origin and exposes Mcp-Session-Id', async () => {
    const r = await fetch(http.url, {
      method: 'POST',
      headers: { ...MCP_HEADERS, origin: INSPECTOR, authorization: 'Bearer a-long-enough-test-token-123' },
      body: JSON.stringify(INIT),
    });
    expect(r.status).toBe(200);
    await r.text();
    expect(r.headers.get('access-control-allow-origin')).toBe(INSPECTOR);
    expect(r.headers.get('vary')).toBe('Origin');
    expect(r.headers.get('access-control-expose-headers')).toContain('Mcp-Session-Id');
    expect(r.headers.get('mcp-session-id')).toMatch(/^[0-9a-f-]{36}$/);
    const modern = await fetch(http.url, {
      method: 'POST',
      headers: {
        ...MCP_HEADERS,
        origin: INSPECTOR,
        authorization: 'Bearer a-long-enough-test-token-123',
        'mcp-protocol-version': '2026-07-28',
        'mcp-method': 'server/discover',
      },
      body: JSON.stringify({
        jsonrpc: '2.0',
        id: 1,
        method: 'server/discover',
        params: {
          _meta: {
            'io.modelcontextprotocol/protocolVersion': '2026-07-28',
            'io.modelcontextprotocol/clientCapabilities': {},
            'io.modelcontextprotocol/clientInfo': { name: 'raw', version: '1' },
          },
        },
      }),
    });
    expect(modern.status).toBe(200);
    await modern.text();
    expect(modern.headers.get('access-control-allow-origin')).toBe(INSPECTOR);
    expect(modern.headers.get('vary')).toBe('Origin');
  });

  it('a foreign Origin is refused, preflight included, and is never echoed', async () => {
    const foreign = 'http://evil.example.com';
    const pre = await preflight(foreign, 'content-type');
    expect(pre.status).toBe(403);
    expect(pre.headers.get('access-control-allow-origin')).toBeNull();
    const r = await fetch(http.url, {
      method: 'POST',
      headers: { ...MCP_HEADERS, origin: foreign, authorization: 'Bearer a-long-enough-test-token-123' },
      body: JSON.stringify(INIT),
    });
    expect(r.status).toBe(403);
    expect(r.headers.get('access-control-allow-origin')).toBeNull();
  });
});
