import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEMO_USERS } from '../../src/sandbox/index.js';
import { type Figure, figure } from '../support/report.js';
import { callTool, inMemoryClient, startStack } from '../support/stack.js';
import { sampleLatency } from '../support/stats.js';

const SAMPLES = 2000;

/** A read call with the guard layer (mode, allowlist, audit line written to a file) against guards off. */
export async function guardOverhead(): Promise<Figure[]> {
  const auditPath = join(mkdtempSync(join(tmpdir(), 'bench-guard-')), 'audit.jsonl');
  const guarded = await startStack({ users: 1000, auditPath });
  const bare = await startStack({ users: 1000, guard: 'off' });
  try {
    const a = await inMemoryClient(guarded);
    const b = await inMemoryClient(bare);
    const args = { userId: DEMO_USERS.dana.userId };
    // Interleave rounds so that drift in the machine's load falls on both sides alike.
    const ours: number[] = [];
    const baseline: number[] = [];
    for (let round = 0; round < 4; round++) {
      baseline.push((await sampleLatency(() => callTool(b.client, 'get_user', args), SAMPLES / 4, 50)).mean);
      ours.push((await sampleLatency(() => callTool(a.client, 'get_user', args), SAMPLES / 4, 50)).mean);
    }
    await a.close();
    await b.close();
    const mean = (xs: number[]) => xs.reduce((s, x) => s + x, 0) / xs.length;
    return [
      figure({
        figure: 'get_user mean latency with guards (audit to file)',
        ours: mean(ours),
        baseline: mean(baseline),
        unit: 'ms',
        goal: '<= 1.1x',
        met: mean(ours) <= mean(baseline) * 1.1,
      }),
    ];
  } finally {
    await guarded.close();
    await bare.close();
  }
}
