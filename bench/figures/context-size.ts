import { type Figure, figure } from '../support/report.js';
import { callTool, inMemoryClient, startStack, textOf } from '../support/stack.js';

/** What the model reads: list_users text for 1,000 users against Visier's own JSON, and tools/list size. */
export async function contextSize(): Promise<Figure[]> {
  const stack = await startStack({ users: 1000, maxResultChars: 1_000_000 });
  try {
    const { apiKey } = stack.sandbox.credentials;
    const token = await (
      await fetch(`${stack.sandbox.url}/v1/admin/visierSecureToken`, {
        method: 'POST',
        body: new URLSearchParams({
          username: stack.sandbox.credentials.username,
          password: stack.sandbox.credentials.password,
        }),
      })
    ).text();
    const raw = await (
      await fetch(`${stack.sandbox.url}/v1/admin/users?limit=1000&start=0`, {
        headers: { apikey: apiKey, cookie: `VisierASIDToken=${token}` },
      })
    ).text();
    const rawUsers = (JSON.parse(raw) as { users: unknown[] }).users.length;

    const { client, close } = await inMemoryClient(stack);
    const listed = await callTool(client, 'list_users', { limit: 1000 });
    const text = textOf(listed);
    const shown = (listed.structuredContent as { users: unknown[] }).users.length;
    const full = JSON.stringify((await client.listTools()).tools).length;
    await close();

    const readOnlyStack = await startStack({ users: 10, mode: 'read-only' });
    const readOnlyClient = await inMemoryClient(readOnlyStack);
    const readOnly = JSON.stringify((await readOnlyClient.client.listTools()).tools).length;
    await readOnlyClient.close();
    await readOnlyStack.close();
    return [
      figure({
        figure: `list_users text for ${shown} users vs raw Visier JSON (${rawUsers} users)`,
        ours: text.length,
        baseline: raw.length,
        unit: 'chars',
        goal: '<= 35%',
        met: text.length <= raw.length * 0.35 && shown === rawUsers,
      }),
      figure({
        figure: 'tools/list size, full mode',
        ours: full,
        baseline: null,
        unit: 'chars',
        goal: 'report',
        met: true,
      }),
      figure({
        figure: 'tools/list size, read-only mode (vs full)',
        ours: readOnly,
        baseline: full,
        unit: 'chars',
        goal: '< 40% of full',
        met: readOnly < full * 0.4,
      }),
    ];
  } finally {
    await stack.close();
  }
}
