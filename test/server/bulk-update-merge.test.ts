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

/** Requests that change the sandbox's users (its sign-in aside). */
const changes = () =>
  sandbox.requests.filter((r) => r.method !== 'GET' && !r.path.endsWith('/visierSecureToken')).length;

it('sends each user whole, and reports each unknown user as not found by its id, sending nothing for it', async () => {
  const dana = sandbox.snapshot().users.find((u) => u.userId === DEMO_USERS.dana.userId)!;
  const before = changes();
  const result = await stack.call('bulk_update_users', {
    users: [
      { userId: 'no-such-user', employeeId: 'X1' },
      { userId: dana.userId, displayName: 'Dana W.' },
      { userId: 'nor-this-one', displayName: 'Nobody' },
    ],
  });
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
    ],
  ]);
  expect(changes() - before).toBe(1);
  const structured = result.structuredContent as { succeeded: number; failed: number; items: unknown[] };
  expect(structured).toMatchObject({ succeeded: 1, failed: 2, notAttempted: 0 });
  expect(structured.items).toMatchObject([
    { index: 0, status: 'failed', userId: 'no-such-user', message: expect.stringMatching(/^not found/) },
    { index: 1, status: 'succeeded', userId: dana.userId },
    { index: 2, status: 'failed', userId: 'nor-this-one', message: expect.stringMatching(/^not found/) },
  ]);
  const text = JSON.stringify(result.content);
  expect(text).toContain('#0 failed no-such-user');
  expect(text).not.toContain('username is required');
  const after = sandbox.snapshot().users.find((u) => u.userId === dana.userId)!;
  expect(after).toEqual({ ...dana, displayName: 'Dana W.' });
});

it('only unknown users: every one reported not found, and nothing sent to Visier', async () => {
  const before = changes();
  const calls = sent.length;
  const result = await stack.call('bulk_update_users', { users: [{ userId: 'ghost-1', displayName: 'G' }] });
  expect(sent.length).toBe(calls);
  expect(changes()).toBe(before);
  expect(result.structuredContent).toMatchObject({
    succeeded: 0,
    failed: 1,
    items: [{ index: 0, status: 'failed', userId: 'ghost-1' }],
  });
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
