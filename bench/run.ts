// `npm run bench`: every figure of the performance issue, each against a baseline measured in this run.
// Never a timed test: it reports; the tests elsewhere check correctness.
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { bulkCreate } from './figures/bulk-create.js';
import { coldStart } from './figures/cold-start.js';
import { contextSize } from './figures/context-size.js';
import { guardOverhead } from './figures/guard-overhead.js';
import { httpConcurrency } from './figures/http-concurrency.js';
import { getUserLatency } from './figures/latency.js';
import { listAllUsers } from './figures/list-users.js';
import { lookupRequests } from './figures/lookup-session.js';
import { type Figure, printTable, writeResults } from './support/report.js';

// BENCH_QUICK=1 shrinks the sizes for a smoke run; the figures in the issue use the full sizes.
const quick = process.env.BENCH_QUICK === '1';
const only = process.argv[2];

const figures: [string, () => Promise<Figure[]>][] = [
  ['bulk', () => bulkCreate(quick ? 1000 : 10_000)],
  ['list', () => listAllUsers(quick ? 10_000 : 100_000)],
  ['latency', getUserLatency],
  ['guard', guardOverhead],
  ['cold', coldStart],
  ['context', contextSize],
  ['lookup', lookupRequests],
  ['http', httpConcurrency],
];

const rows: Figure[] = [];
for (const [name, run] of figures) {
  if (only && only !== name) continue;
  process.stderr.write(`bench: ${name}...\n`);
  rows.push(...(await run()));
}
const table = printTable(rows);
process.stdout.write(`${table}\n`);
const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
writeResults(join(repoRoot, 'bench', 'results.json'), rows, {
  date: new Date().toISOString(),
  node: process.version,
  quick,
});
