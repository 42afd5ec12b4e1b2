import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import pino from 'pino';
import { DEMO_USERS } from '../../src/sandbox/index.js';
import { startHttp } from '../../src/transports/http.js';
import { startBareHttpServer } from '../baselines/bare-http-server.js';
import { type Figure, figure } from '../support/report.js';
import { connectClient, startStack } from '../support/stack.js';
import { rssMb, settleGc, time } from '../support/stats.js';

const SESSIONS = 50;
const CALLS = 200;
const IDLE_MS = 2000;

interface LoadResult {
  ms: number;
  errors: number;
  calls: number;
}

/** SESSIONS clients, each on its own session, each making CALLS get_user calls one after another. */
async function load(url: string): Promise<LoadResult> {
  const clients = await Promise.all(
    Array.from({ length: SESSIONS }, () => connectClient(new StreamableHTTPClientTransport(new URL(url)))),
  );
  let errors = 0;
  const run = await time(() =>
    Promise.all(
      clients.map(async (client) => {
        for (let i = 0; i < CALLS; i++) {
          try {
            const result = await client.callTool({ name: 'get_user', arguments: { userId: DEMO_USERS.dana.userId } });
            if (result.isError) errors++;
          } catch {
            errors++;
          }
        }
      }),
    ),
  );
  await Promise.all(clients.map((c) => c.close()));
  return { ms: run.ms, errors, calls: SESSIONS * CALLS };
}

async function waitFor(condition: () => boolean, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (!condition() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
  return condition();
}

/** Throughput of our Streamable HTTP server against a bare SDK server serving one trivial tool. */
export async function httpConcurrency(): Promise<Figure[]> {
  const bare = await startBareHttpServer();
  const baseline = await load(bare.url);
  await bare.close();

  const stack = await startStack({ users: 1000, cacheTtlMs: 30_000 });
  try {
    const http = await startHttp({
      host: '127.0.0.1',
      port: 0,
      sessionIdleMs: IDLE_MS,
      maxSessions: SESSIONS * 2,
      logger: pino({ level: 'silent' }),
      createServer: stack.newServer,
    });
    settleGc();
    const rssBefore = rssMb();
    const ours = await load(http.url);
    const reaped = await waitFor(() => http.sessionCount() === 0, IDLE_MS * 5);
    settleGc();
    const rssAfter = rssMb();
    await http.close();
    const throughput = (r: LoadResult) => (r.calls / r.ms) * 1000;
    return [
      figure({
        figure: `Streamable HTTP throughput, ${SESSIONS} sessions x ${CALLS} get_user calls`,
        ours: throughput(ours),
        baseline: throughput(baseline),
        unit: 'calls/s',
        goal: '>= 0.8x, 0 errors, sessions reaped',
        met: throughput(ours) >= throughput(baseline) * 0.8 && ours.errors === 0 && reaped,
        notes: `errors ours ${ours.errors} / baseline ${baseline.errors}; sessions reaped: ${reaped}; RSS ${rssBefore.toFixed(0)} -> ${rssAfter.toFixed(0)} MB`,
      }),
    ];
  } finally {
    await stack.close();
  }
}
