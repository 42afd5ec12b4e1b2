import { type Figure, figure } from '../support/report.js';
import { callTool, inMemoryClient, startStack } from '../support/stack.js';
import { rssMb, settleGc, time } from '../support/stats.js';

const PAGE = 1000;
const ROUNDS = 5;

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;

/** Every user through list_users pages, end to end through an SDK Client, against the client iterator alone. */
export async function listAllUsers(n: number): Promise<Figure[]> {
  // A full listing is an export, not something a model reads: the operator raises the text cap so that one
  // tool page carries one Visier page, which is what this figure compares.
  const stack = await startStack({ users: n, maxResultChars: 100_000 });
  try {
    const { client, close } = await inMemoryClient(stack);
    const walkIterator = async () => {
      let seen = 0;
      for await (const page of stack.client.userPages({ pageSize: PAGE })) seen += page.length;
      return seen;
    };
    const walkTool = async () => {
      let seen = 0;
      let cursor: string | undefined;
      do {
        const result = await callTool(client, 'list_users', {
          limit: PAGE,
          fields: ['userId'],
          ...(cursor ? { cursor } : {}),
        });
        const structured = result.structuredContent as { users: unknown[]; nextCursor?: string };
        seen += structured.users.length;
        cursor = structured.nextCursor;
      } while (cursor);
      return seen;
    };
    // One untimed walk each warms the sandbox's pages and the JIT; then interleaved rounds, so that drift in
    // the machine's load falls on both sides alike, and the median of each.
    await walkIterator();
    await walkTool();
    const baselineMs: number[] = [];
    const oursMs: number[] = [];
    let seenByTool = 0;
    let seenByIterator = 0;
    let growth = 0;
    for (let round = 0; round < ROUNDS; round++) {
      settleGc();
      const baseline = await time(walkIterator);
      baselineMs.push(baseline.ms);
      seenByIterator = baseline.value;
      settleGc();
      const rssBefore = rssMb();
      let rssPeak = rssBefore;
      const sampler = setInterval(() => {
        rssPeak = Math.max(rssPeak, rssMb());
      }, 25);
      const ours = await time(walkTool);
      clearInterval(sampler);
      oursMs.push(ours.ms);
      seenByTool = ours.value;
      growth = Math.max(growth, rssPeak - rssBefore);
    }
    await close();
    return [
      figure({
        figure: `wall time to list ${n} users via list_users (SDK Client)`,
        ours: median(oursMs),
        baseline: median(baselineMs),
        unit: 'ms',
        goal: '<= 1.3x',
        met: median(oursMs) <= median(baselineMs) * 1.3 && seenByTool === n && seenByIterator === n,
        notes: `median of ${ROUNDS}; tool saw ${seenByTool}, iterator saw ${seenByIterator}`,
      }),
      figure({
        figure: `RSS growth while listing ${n} users`,
        ours: growth,
        baseline: null,
        unit: 'MB',
        goal: '< 100 MB',
        met: growth < 100,
      }),
    ];
  } finally {
    await stack.close();
  }
}
