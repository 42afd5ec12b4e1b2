import { type Figure, figure } from '../support/report.js';
import { callTool, inMemoryClient, startStack } from '../support/stack.js';
import { rssMb, settleGc, time } from '../support/stats.js';

const PAGE = 1000;

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
    // One untimed walk each warms the sandbox's pages and the JIT.
    await walkIterator();
    await walkTool();
    settleGc();
    const baseline = await time(walkIterator);
    settleGc();
    const rssBefore = rssMb();
    let rssPeak = rssBefore;
    const sampler = setInterval(() => {
      rssPeak = Math.max(rssPeak, rssMb());
    }, 25);
    const ours = await time(walkTool);
    clearInterval(sampler);
    await close();
    const growth = rssPeak - rssBefore;
    return [
      figure({
        figure: `wall time to list ${n} users via list_users (SDK Client)`,
        ours: ours.ms,
        baseline: baseline.ms,
        unit: 'ms',
        goal: '<= 1.3x',
        met: ours.ms <= baseline.ms * 1.3 && ours.value === n && baseline.value === n,
        notes: `tool saw ${ours.value}, iterator saw ${baseline.value}`,
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
