import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEMO_USERS } from '../../src/sandbox/index.js';
import { type Figure, figure } from '../support/report.js';
import { callTool, inMemoryClient, passThroughGuard, startStack } from '../support/stack.js';
import { sampleLatency } from '../support/stats.js';

const SAMPLES = 2000;
const ROUNDS = 8;

/** A read call with the guard layer (mode, allowlist, audit line written to a file) against guards off. */
export async function guardOverhead(): Promise<Figure[]> {
  const auditPath = join(mkdtempSync(join(tmpdir(), 'bench-guard-')), 'audit.jsonl');
  // One sandbox and one Visier client serve both servers, so the guard is the only difference.
  const stack = await startStack({ users: 1000, auditPath });
  try {
    const a = await inMemoryClient(stack);
    const b = await inMemoryClient(stack, passThroughGuard);
    const args = { userId: DEMO_USERS.dana.userId };
    // Interleave short rounds so that drift in the machine's load falls on both sides alike, and compare the
    // medians of the rounds' p50s: a garbage collection landing in one round moves a mean, not a median.
    const ours: number[] = [];
    const baseline: number[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      baseline.push((await sampleLatency(() => callTool(b.client, 'get_user', args), SAMPLES / ROUNDS, 25)).p50);
      ours.push((await sampleLatency(() => callTool(a.client, 'get_user', args), SAMPLES / ROUNDS, 25)).p50);
    }
    await a.close();
    await b.close();
    const median = (xs: number[]) => [...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)] as number;
    return [
      figure({
        figure: `get_user p50 latency with guards (audit to file), median of ${ROUNDS} rounds`,
        ours: median(ours),
        baseline: median(baseline),
        unit: 'ms',
        goal: '<= 1.1x',
        met: median(ours) <= median(baseline) * 1.1,
      }),
    ];
  } finally {
    await stack.close();
  }
}
