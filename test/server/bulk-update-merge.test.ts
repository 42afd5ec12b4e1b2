import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { UserUpdate } from '../../src/providers/visier/api.js';
import type { VisierClient } from '../../src/providers/visier/client.js';
import { DEMO_USERS, type SandboxHandle, startSandbox } from '../../src/sandbox/index.js';
import { connectStack, type Stack } from '../support/mcp-stack.js';

// Visier's PUTs replace the user (reference section 8; the sandbox does too), so update_user and
// bulk_update_users send each user's current profile with the change applied: a partial update through the tools
// keeps the other fields, where the same partial record sent raw clears them. The test also watches what the tool
// hands the (real) client.

let sandbox: SandboxHandle;
let stack: Stack;
const sent: UserUpdate[][] = [];

beforeAll(async () => {
  sandbox = await startSandbox({ rateLimit: false, users: 20 });
  stack = await connectStack(sandbox, {
    client: { name: 'bulk-update-merge', version: '1' },
    guard: { confirmSecret: 'bulk-update-merge-secret', audit: { stream: new PassThrough().resume() } },
    wrapVisier: (client) => {
      const watched = Object.create(client) as VisierClient;
      watched.bulkUpdateUsers = (users, options) => {
        sent.push(users);
        return client.bulkUpdateUsers(users, options);
      };
      return { api: watched };
    },
    elicit: async () => ({ action: 'accept', content: { confirm: true } }),
  });
});

afterAll(async () => {
  await stack.close();
  await sandbox.close();
});

it('sends each user whole: the current profile with only the named fields changed', async () => {
  const dana = sandbox.snapshot().users.find((u) => u.userId === DEMO_USERS.dana.userId)!;
  const result = await stack.call('bulk_update_users', {
    users: [
      { userId: dana.userId, displayName: 'Dana W.' },
      { userId: 'no-such-user', employeeId: 'X1' },
    ],
  });
  expect(result.isError).toBeFalsy();
  expect(sent).toEqual([
    [
      {
        userId: dana.userId,
        username: dana.username,
        displayName: 'Dana W.',
        employeeId: dana.employeeId,
        email: dana.email,
        accountEnabled: dana.accountEnabled,
      },
      // Not found: sent with what was given, for Visier to report.
      { userId: 'no-such-user', username: '', displayName: '', employeeId: 'X1', email: '', accountEnabled: false },
    ],
  ]);
  const after = sandbox.snapshot().users.find((u) => u.userId === dana.userId)!;
  expect(after).toEqual({ ...dana, displayName: 'Dana W.' });
});

it('update_user changes one field and keeps the rest; the same partial record sent raw clears them', async () => {
  const mallory = sandbox.snapshot().users.find((u) => u.userId === DEMO_USERS.mallory.userId)!;
  expect(mallory.employeeId).not.toBe('');
  const result = await stack.call('update_user', { userId: mallory.userId, displayName: 'M. Renamed' });
  expect(result.isError).toBeFalsy();
  expect(sandbox.snapshot().users.find((u) => u.userId === mallory.userId)).toEqual({
    ...mallory,
    displayName: 'M. Renamed',
  });

  const token = await fetch(`${sandbox.url}/v1/admin/visierSecureToken`, {
    method: 'POST',
    body: new URLSearchParams({ username: sandbox.credentials.username, password: sandbox.credentials.password }),
  }).then((r) => r.text());
  const put = await fetch(`${sandbox.url}/v1/admin/users/${mallory.userId}`, {
    method: 'PUT',
    headers: {
      apikey: sandbox.credentials.apiKey,
      cookie: `VisierASIDToken=${token}`,
      'content-type': 'application/json',
    },
    body: JSON.stringify({ username: mallory.username, displayName: 'Raw partial' }),
  });
  expect(put.status).toBe(200);
  expect(sandbox.snapshot().users.find((u) => u.userId === mallory.userId)).toEqual({
    ...mallory,
    displayName: 'Raw partial',
    employeeId: '',
    email: '',
    accountEnabled: false,
  });
});
