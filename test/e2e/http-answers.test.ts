import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Runtime } from '../../src/runtime.js';
import type { HttpHandle } from '../../src/transports/http.js';
import { INIT, MCP_HEADERS, startHttpFor, startRuntimeForTest } from './http-runtime.js';

// Issue 10: every malformed body gets the JSON-RPC answer the spec prescribes, in both eras, with and without a
// session; batches only where the negotiated version has them (2025-03-26).

let runtime: Runtime;
let http: HttpHandle;
beforeAll(async () => {
  runtime = await startRuntimeForTest();
  http = await startHttpFor(runtime);
});
afterAll(async () => {
  await http.close();
  await runtime.close();
});

const post = (body: string, headers: Record<string, string> = {}) =>
  fetch(http.url, { method: 'POST', headers: { ...MCP_HEADERS, ...headers }, body });

async function session(protocolVersion: string): Promise<Record<string, string>> {
  const r = await post(JSON.stringify({ ...INIT, params: { ...INIT.params, protocolVersion } }));
  expect(r.status).toBe(200);
  await r.text();
  return { 'mcp-session-id': r.headers.get('mcp-session-id') as string, 'mcp-protocol-version': protocolVersion };
}

const MODERN = { 'mcp-protocol-version': '2026-07-28' };
const error = (code: number, id: string | number | null = null) => ({
  jsonrpc: '2.0',
  id,
  error: { code, message: expect.any(String) },
});

async function answer(r: Response): Promise<{ status: number; body: unknown }> {
  return { status: r.status, body: await r.json() };
}

describe('HTTP answers every malformed body', () => {
  it('an empty batch is -32600 with id null: without a session, in a 2025 session, on the 2026-07-28 route', async () => {
    const legacy = await session('2025-11-25');
    for (const headers of [{}, legacy, MODERN]) {
      expect(await answer(await post('[]', headers))).toEqual({ status: 400, body: error(-32600) });
    }
  });

  it('text that is not JSON is -32700, in and out of a session', async () => {
    const legacy = await session('2025-11-25');
    for (const headers of [{}, legacy, MODERN]) {
      expect(await answer(await post('{"jsonrpc":', headers))).toEqual({ status: 400, body: error(-32700) });
    }
  });

  it('a value that is no JSON-RPC message is -32600, in and out of a session', async () => {
    const legacy = await session('2025-11-25');
    for (const headers of [{}, legacy, MODERN]) {
      expect(await answer(await post('{"hello":"world"}', headers))).toEqual({ status: 400, body: error(-32600) });
    }
  });

  it('a batch in a 2025-11-25 session is -32600; in a 2025-03-26 session it is answered', async () => {
    const batch = JSON.stringify([{ jsonrpc: '2.0', id: 'p', method: 'ping' }]);
    expect(await answer(await post(batch, await session('2025-11-25')))).toEqual({ status: 400, body: error(-32600) });
    const old = await post(batch, await session('2025-03-26'));
    expect(old.status).toBe(200);
    expect(await old.text()).toContain('"id":"p"');
  });

  it('a batch on the 2026-07-28 route is -32600', async () => {
    const meta = {
      'io.modelcontextprotocol/protocolVersion': '2026-07-28',
      'io.modelcontextprotocol/clientCapabilities': {},
      'io.modelcontextprotocol/clientInfo': { name: 'raw', version: '1' },
    };
    const batch = JSON.stringify([{ jsonrpc: '2.0', id: 1, method: 'tools/list', params: { _meta: meta } }]);
    expect(await answer(await post(batch, MODERN))).toEqual({ status: 400, body: error(-32600) });
  });

  it('initialize without protocolVersion is -32602 naming the field', async () => {
    const { protocolVersion: _, ...params } = INIT.params;
    expect(await answer(await post(JSON.stringify({ ...INIT, params })))).toEqual({
      status: 400,
      body: {
        jsonrpc: '2.0',
        id: 1,
        error: {
          code: -32602,
          message: 'Invalid params: params.protocolVersion: Invalid input: expected string, received undefined',
        },
      },
    });
  });

  it('a spec request whose params break the schema is -32602 naming the field, in both eras', async () => {
    const legacy = await post(
      JSON.stringify({ jsonrpc: '2.0', id: 'r', method: 'resources/read', params: {} }),
      await session('2025-11-25'),
    );
    expect(await legacy.text()).toContain('"code":-32602,"message":"Invalid params: params.uri: ');
    const meta = {
      'io.modelcontextprotocol/protocolVersion': '2026-07-28',
      'io.modelcontextprotocol/clientCapabilities': {},
      'io.modelcontextprotocol/clientInfo': { name: 'raw', version: '1' },
    };
    const modern = await post(
      JSON.stringify({ jsonrpc: '2.0', id: 'p', method: 'prompts/get', params: { _meta: meta } }),
      { ...MODERN, 'mcp-method': 'prompts/get' },
    );
    const body = (await modern.json()) as { error: { code: number; message: string } };
    expect(body.error.code).toBe(-32602);
    expect(body.error.message).toMatch(/^Invalid params: params\.name: /);
  });
});
