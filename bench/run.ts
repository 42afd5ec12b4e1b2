// `npm run bench`: every figure of the performance issue, each against a baseline measured in this run.
// Never a timed test: it reports; the tests elsewhere check correctness.
import { execFileSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { bulkCreate } from './figures/bulk-create.js';
import { coldStart } from './figures/cold-start.js';
import { contextSize } from './figures/context-size.js';
import { findUsersLatency } from './figures/find-users.js';
import { guardOverhead } from './figures/guard-overhead.js';
import { httpConcurrency } from './figures/http-concurrency.js';
import { getUserLatency } from './figures/latency.js';
import { listAllUsers } from './figures/list-users.js';
import { lookupRequests } from './figures/lookup-session.js';
import { previewCost } from './figures/preview-cost.js';
import { rateTurns } from './figures/rate-turns.js';
import { sharedStateOverhead } from './figures/shared-state.js';
import { triageSession } from './figures/triage.js';
import { type Figure, printTable, writeResults } from './support/report.js';

// BENCH_QUICK=1 shrinks the sizes for a smoke run; the figures in the issue use the full sizes.
const quick = process.env.BENCH_QUICK === '1';
const only = process.argv[2];
const CHILD_FLAG = '--figure-json';

const figures: [string, () => Promise<Figure[]>][] = [
  ['bulk', () => bulkCreate(quick ? 1000 : 10_000)],
  ['list', () => listAllUsers(quick ? 10_000 : 100_000)],
  ['latency', getUserLatency],
  ['guard', guardOverhead],
  ['cold', coldStart],
  ['context', contextSize],
  ['lookup', lookupRequests],
  ['http', httpConcurrency],
  // 1,000 users: at 10,000 a group's hand-added members no longer fit the approval form of add_users_to_group.
  ['triage', () => triageSession(1000)],
  ['preview', previewCost],
  ['find', () => findUsersLatency(quick ? 10_000 : 100_000)],
  ['shared', sharedStateOverhead],
  ['turns', rateTurns],
];

const self = fileURLToPath(import.meta.url);

// Each figure runs in a process of its own, so that one figure's heap and JIT state do not weigh on the next.
function runInChild(name: string): Figure[] {
  const out = execFileSync(process.execPath, [...process.execArgv, self, name, CHILD_FLAG], {
    stdio: ['ignore', 'pipe', 'inherit'],
    maxBuffer: 16 * 1024 * 1024,
  });
  return JSON.parse(out.toString('utf8')) as Figure[];
}

if (process.argv[3] === CHILD_FLAG) {
  const run = figures.find(([name]) => name === only)?.[1];
  if (!run) throw new Error(`no figure named ${only}`);
  process.stdout.write(JSON.stringify(await run()));
  process.exit(0);
}

const rows: Figure[] = [];
for (const [name] of figures) {
  if (only && only !== name) continue;
  process.stderr.write(`bench: ${name}...\n`);
  rows.push(...runInChild(name));
}
const table = printTable(rows);
process.stdout.write(`${table}\n`);
const repoRoot = join(dirname(self), '..', '..');
writeResults(join(repoRoot, 'bench', 'results.json'), rows, {
  date: new Date().toISOString(),
  node: process.version,
  quick,
});
