import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Runtime } from '../../src/runtime.js';
import type { HttpHandle } from '../../src/transports/http.js';
import { CATALOGUE } from '../support/tool-names.js';
import { INIT, MCP_HEADERS, startHttpFor, startRuntimeForTest } from './http-runtime.js';

let runtime: Runtime;
let http: HttpHandle;
beforeAll(async () => {
  runtime = await startRuntimeForTest(['--mode', 'full']);
  http = await startHttpFor(runtime);
});
afterAll(async () => {
  await http.close();
  await runtime.close();
});

const post = (body: unknown, headers: Record<string, string> = {}) =>
  fetch(http.url, { method: 'POST', headers: { ...MCP_HEADERS, ...headers }, body: JSON.stringify(body) });

describe('Streamable HTTP end to end', () => {
  it('initializes, lists and calls through the SDK client, with elicitation riding the call stream', async () => {
    const client = new Client({ name: 'e2e-http', version: '1.0.0' }, { capabilities: { elicitation: { form: {} } } });
    const errors: Error[] = [];
    client.onerror = (error) => errors.push(error);
    const { ElicitRequestSchema } = await import('@modelcontextprotocol/sdk/types.js');
    let asked = 0;
    client.setRequestHandler(ElicitRequestSchema, async () => {
      asked++;
      return { action: 'decline' };
    });
    await client.connect(new StreamableHTTPClientTransport(new URL(http.url)));
    expect((await client.listTools()).tools).toHaveLength(CATALOGUE.length);
    const r = await client.callTool({
      name: 'get_user',
      arguments: { userId: '0d5a1c3e-7b2f-4e61-9a0d-5a7d00000002' },
    });
    expect((r.structuredContent as { user: { displayName: string } }).user.displayName).toBe('Dana Whitfield');
    const declined = await client.callTool({
      name: 'remove_users_from_group',
      arguments: {
        userGroupId: '9b7e4d20-5f1a-4a3c-b6d8-000000000201',
        userIds: ['0d5a1c3e-7b2f-4e61-9a0d-5a7d00000002'],
      },
    });
    expect(asked).toBe(1);
    expect(declined.isError).toBe(true);
    expect((declined.content as { text: string }[])[0]?.text).toContain('declined');
    await client.close();
    expect(errors).toEqual([]);
  });

  it('progress notifications reach a client that asks for them', async () => {
    const client = new Client({ name: 'e2e-progress', version: '1.0.0' });
    await client.connect(new StreamableHTTPClientTransport(new URL(http.url)));
    const seen: number[] = [];
    const r = await client.callTool({ name: 'list_users', arguments: { search: 'zzzz-nobody' } }, undefined, {
      onprogress: (p) => seen.push(p.progress),
    });
    expect((r.structuredContent as { returned: number }).returned).toBe(0);
    expect(seen.length).toBeGreaterThan(0);
    expect(seen).toEqual([...seen].sort((a, b) => a - b));
    await client.close();
  });

  it('GET /healthz answers', async () => {
    const r = await fetch(http.url.replace('/mcp', '/healthz'));
    expect(r.status).toBe(200);
    expect(((await r.json()) as { status: string }).status).toBe('ok');
  });

  it('unknown sessions get 404, requests without a session 400', async () => {
    expect((await post({ jsonrpc: '2.0', id: 2, method: 'tools/list' }, { 'mcp-session-id': 'nope' })).status).toBe(
      404,
    );
    expect((await post({ jsonrpc: '2.0', id: 2, method: 'tools/list' })).status).toBe(400);
    const ok = await post(INIT);
    expect(ok.status).toBe(200);
    expect(ok.headers.get('mcp-session-id')).toMatch(/^[0-9a-f-]{36}$/);
    await ok.body?.cancel();
  });
});
