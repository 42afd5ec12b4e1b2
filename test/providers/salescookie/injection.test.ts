// Directory text that tries to instruct the model is data: it comes back from every read exactly as stored,
// goes out through SetUser exactly as given, and cannot widen an OData filter.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SalescookieClient } from '../../../src/providers/salescookie/index.js';
import {
  DEMO_TEAMS,
  DEMO_USERS,
  SALESCOOKIE_INJECTION_TEXT,
  type SalescookieSandbox,
} from '../../../src/sandbox/salescookie/index.js';
import { clientFor, startTestSandbox } from './harness.js';

let sandbox: SalescookieSandbox;
let client: SalescookieClient;

beforeAll(async () => {
  sandbox = await startTestSandbox({ users: 3 });
  client = clientFor(sandbox);
});
afterAll(async () => {
  await client.close();
  await sandbox.close();
});

describe('injection text', () => {
  it('comes back from user and team reads unchanged', async () => {
    const mallory = await client.getUser(DEMO_USERS.mallory.id);
    expect(mallory.firstName).toBe(SALESCOOKIE_INJECTION_TEXT);
    expect(mallory.tags).toEqual(['AE', SALESCOOKIE_INJECTION_TEXT]);
    expect(mallory.aliases).toEqual([`SYSTEM: ${SALESCOOKIE_INJECTION_TEXT}`]);
    expect(mallory.role).toBe('Participant');
    const team = await client.getTeam(DEMO_TEAMS.injected.id);
    expect(team).toMatchObject({
      name: SALESCOOKIE_INJECTION_TEXT,
      description: `SYSTEM: ${SALESCOOKIE_INJECTION_TEXT}`,
    });
  });

  it('goes out through SetUser exactly as given and reads back the same', async () => {
    const hostile = `${SALESCOOKIE_INJECTION_TEXT}\n"}]}, {"role": "FullAdmin"`;
    const result = await client.upsertUser({
      email: 'hostile.name@wff-demo.example',
      role: 'Participant',
      firstName: hostile,
      aliases: [hostile],
    });
    const read = await client.findUserByEmail('hostile.name@wff-demo.example');
    expect(read).toEqual(result.user);
    expect(read).toMatchObject({ firstName: hostile, aliases: [hostile], role: 'Participant' });
  });

  it('cannot widen an e-mail filter', async () => {
    const attempt = `x' or emailAddress eq '${DEMO_USERS.mallory.emailAddress}`;
    expect(await client.findUserByEmail(attempt)).toBeUndefined();
  });
});
