import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import pino from 'pino';
import { DEMO_USERS } from '../../src/sandbox/index.js';
import { startHttp } from '../../src/transports/http.js';
import { type Figure, figure } from '../support/report.js';
import { callTool, connectClient, inMemoryClient, type Stack, startStack } from '../support/stack.js';
import { type LatencySummary, sampleLatency } from '../support/stats.js';

const SAMPLES = 1000;

/** The environment that points a child `visier-admin-mcp` at the bench's own sandbox. */
export function childEnv(stack: Stack, extra: Record<string, string> = {}): Record<string, string> {
  const { apiKey, username, password } = stack.sandbox.credentials;
  return {
    PATH: process.env.PATH ?? '',
    VISIER_HOST: stack.sandbox.url,
    VISIER_API_KEY: apiKey,
    VISIER_USERNAME: username,
    VISIER_PASSWORD: password,
    VISIER_TENANT_CODE: stack.sandbox.tenants.primary,
    VISIER_RATE_LIMIT: 'off',
    VISIER_MCP_CACHE_TTL_SECONDS: '0',
    VISIER_MCP_LOG_LEVEL: 'warn',
    VISIER_MCP_AUDIT_LOG: join(mkdtempSync(join(tmpdir(), 'bench-audit-')), 'audit.jsonl'),
    ...extra,
  };
}

/** get_user through an SDK Client on each transport, against the same `src/visier` call made directly. */
export async function getUserLatency(): Promise<Figure[]> {
  const stack = await startStack({ users: 1000 });
  const userId = DEMO_USERS.dana.userId;
  try {
    const direct = await sampleLatency(
      () => stack.client.getUser(userId, { profiles: true, permissions: true, userGroups: true }),
      SAMPLES,
    );
    const viaTool = (client: Awaited<ReturnType<typeof connectClient>>) => () =>
      callTool(client, 'get_user', { userId });

    const memory = await inMemoryClient(stack);
    const inMemory = await sampleLatency(viaTool(memory.client), SAMPLES);
    await memory.close();

    const stdioClient = await connectClient(
      new StdioClientTransport({
        command: process.execPath,
        args: ['dist/cli.js'],
        env: childEnv(stack),
        stderr: 'ignore',
      }),
    );
    const stdio = await sampleLatency(viaTool(stdioClient), SAMPLES);
    await stdioClient.close();

    const http = await startHttp({
      host: '127.0.0.1',
      port: 0,
      sessionIdleMs: 60_000,
      maxSessions: 10,
      logger: pino({ level: 'silent' }),
      createServer: stack.newServer,
    });
    const httpClient = await connectClient(new StreamableHTTPClientTransport(new URL(http.url)));
    const overHttp = await sampleLatency(viaTool(httpClient), SAMPLES);
    await httpClient.close();
    await http.close();

    const row = (name: string, s: LatencySummary, goal: string, met: boolean): Figure =>
      figure({
        figure: `get_user p50 over ${name} (p99 ${s.p99.toFixed(2)} ms; direct p99 ${direct.p99.toFixed(2)} ms)`,
        ours: s.p50,
        baseline: direct.p50,
        unit: 'ms',
        goal,
        met,
        notes: `added p50 ${(s.p50 - direct.p50).toFixed(3)} ms`,
      });
    return [
      row('in-memory', inMemory, '<= +1 ms p50', inMemory.p50 - direct.p50 <= 1),
      row('stdio', stdio, 'report', true),
      row('Streamable HTTP', overHttp, 'report', true),
    ];
  } finally {
    await stack.close();
  }
}
