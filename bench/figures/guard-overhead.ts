import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import pino from 'pino';
import { loadConfig } from '../../src/config.js';
import type { Guard } from '../../src/guards/guard.js';
import { createGuard } from '../../src/guards/index.js';
import { PROVIDERS, type ProviderEntry } from '../../src/registry/index.js';
import { createServer } from '../../src/server.js';
import { type Figure, figure } from '../support/report.js';
import { callTool, connectClient, passThroughGuard } from '../support/stack.js';
import { sampleLatency } from '../support/stats.js';

const SAMPLES = 800;
const ROUNDS = 8;
/** Every provider serves a first page of users under this name with no arguments. */
const LIST_CALL = { tool: 'list_users', args: {} } as const;

/** What every provider's embedded sandbox keeps: the requests it answered, in order. */
interface CountingSandbox {
  requests: unknown[];
}

/**
 * Per provider served: `list_users` with the guard layer (mode, allowlist, audit line written to a file) against
 * the same server with guards off, its p50 and p99 latency, and the provider's HTTP requests per call. Each
 * provider runs on its own embedded sandbox as `--provider <id> --sandbox` starts it, read cache off so every
 * call reaches the system.
 */
export async function guardOverhead(): Promise<Figure[]> {
  const rows: Figure[] = [];
  for (const [id, entry] of Object.entries(PROVIDERS)) {
    if (entry !== undefined) rows.push(...(await providerFigures(id, entry)));
  }
  return rows;
}

async function providerFigures(id: string, entry: ProviderEntry): Promise<Figure[]> {
  const dir = mkdtempSync(join(tmpdir(), `bench-guard-${id}-`));
  const config = loadConfig(
    [
      ...['--provider', id, '--sandbox', '--rate-limit', 'off', '--cache-ttl-seconds', '0'],
      ...['--audit-log', join(dir, 'audit.jsonl'), '--audit-key', join(dir, 'audit-key.pem')],
    ],
    {},
  );
  const logger = pino({ level: 'silent' });
  // One sandbox and one client serve both servers, so the guard is the only difference.
  const started = await entry.start(config, logger);
  const guard = createGuard({
    mode: 'full',
    tenants: started.tenants,
    defaultTenant: started.defaultTenant,
    confirm: 'auto',
    confirmSecret: config.confirmSecret,
    caps: { maxItemsPerCall: 100_000, maxChangesPerSession: 10_000_000, maxChangesPerHour: 10_000_000 },
    audit: { path: config.auditLog, keyFile: config.auditKey, logger },
  });
  const connect = async (withGuard: Guard) => {
    const server = createServer({
      serving: entry,
      api: started.api,
      liveApi: started.liveApi,
      guard: withGuard,
      sandbox: true,
      defaultTenant: started.defaultTenant,
      logger,
    });
    const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
    await server.connect(serverSide);
    const client = await connectClient(clientSide);
    return {
      call: () => callTool(client, LIST_CALL.tool, LIST_CALL.args),
      close: async () => {
        await client.close();
        await server.close();
      },
    };
  };
  try {
    const guarded = await connect(guard);
    const bare = await connect(passThroughGuard);
    const sandbox = started.sandbox as CountingSandbox;
    // Counted after a first call, so a sign-in the client makes once is not charged to every call.
    await guarded.call();
    const before = sandbox.requests.length;
    const COUNTED = 20;
    for (let i = 0; i < COUNTED; i++) await guarded.call();
    const perCall = (sandbox.requests.length - before) / COUNTED;
    // Interleave short rounds so that drift in the machine's load falls on both sides alike, and compare the
    // medians of the rounds' p50s: a garbage collection landing in one round moves a mean, not a median.
    const ours: number[] = [];
    const oursP99: number[] = [];
    const baseline: number[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      baseline.push((await sampleLatency(bare.call, SAMPLES / ROUNDS, 25)).p50);
      const sample = await sampleLatency(guarded.call, SAMPLES / ROUNDS, 25);
      ours.push(sample.p50);
      oursP99.push(sample.p99);
    }
    await guarded.close();
    await bare.close();
    const median = (xs: number[]) => [...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)] as number;
    return [
      figure({
        figure: `${id}: ${LIST_CALL.tool} p50 latency with guards (audit to file), median of ${ROUNDS} rounds`,
        ours: median(ours),
        baseline: median(baseline),
        unit: 'ms',
        goal: '<= 1.1x',
        met: median(ours) <= median(baseline) * 1.1,
        notes: `p99 with guards ${median(oursP99).toFixed(2)} ms (median of the rounds' p99s)`,
      }),
      figure({
        figure: `${id}: HTTP requests per ${LIST_CALL.tool} call (first page, cache off)`,
        ours: perCall,
        baseline: null,
        unit: 'requests',
        goal: 'report',
        met: true,
        notes: `${sandbox.requests.length - before} requests over ${COUNTED} calls`,
      }),
    ];
  } finally {
    await started.close();
  }
}
