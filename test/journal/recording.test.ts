import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ChangeJournal } from '../../src/journal/journal.js';
import { DEMO_PERMISSIONS, DEMO_USERS } from '../../src/sandbox/index.js';
import { changeRequests, type ElicitHandler, e2eSuite, textOf } from '../guards/e2e-harness.js';

// What the pipeline writes to the journal, and when it writes nothing: only calls that were carried out.

const suite = e2eSuite();
let dir: string;
let n = 0;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'journal-recording-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));
afterEach(() => suite.sandbox.faults.clear());

const approve: ElicitHandler = async () => ({ action: 'accept', content: { confirm: true } });
const decline: ElicitHandler = async () => ({ action: 'decline' });
const dana = DEMO_USERS.dana.userId;
const mallory = DEMO_USERS.mallory.userId;
const GRANT = { permissionIds: [DEMO_PERMISSIONS.payrollAuditor.permissionId], userIds: [dana] };

function journalAt() {
  const path = join(dir, `journal-${++n}.jsonl`);
  return { path, journal: new ChangeJournal(path) };
}

describe('the pipeline records carried-out changes only', () => {
  it('a declined change, and a read, record nothing', async () => {
    const { path, journal } = journalAt();
    await suite.withE2E({ elicit: decline, guard: { journal } }, async (e2e) => {
      expect((await e2e.call('assign_permissions_to_users', GRANT)).isError).toBe(true);
      expect((await e2e.call('get_user', { userId: dana })).isError).toBeFalsy();
    });
    expect(existsSync(path) ? journal.entries() : []).toEqual([]);
  });

  it('a change Visier failed records nothing', async () => {
    const { journal } = journalAt();
    await suite.withE2E({ elicit: approve, guard: { journal } }, async (e2e) => {
      suite.sandbox.faults.set({ rules: [{ kind: '500', method: 'PUT', path: '^/v1/admin/users/' }] });
      const result = await e2e.call('update_user', { userId: dana, displayName: 'Never' });
      expect(result.isError).toBe(true);
    });
    expect(journal.entries()).toEqual([]);
  });

  it('when the prior state cannot be read the change is refused and nothing is sent', async () => {
    const { journal } = journalAt();
    // A new display name needs no preview: the journal's read right before acting is the first GET.
    await suite.withE2E({ guard: { journal } }, async (e2e) => {
      suite.sandbox.faults.set({ rules: [{ kind: '500', method: 'GET', path: '^/v1/admin/users/' }] });
      const result = await e2e.call('update_user', { userId: dana, displayName: 'Never' });
      expect(result.isError).toBe(true);
      expect(textOf(result)).toContain('could not read the state this change replaces for the change journal');
      expect(changeRequests(suite.sandbox)).toEqual([]);
      expect((await e2e.auditLines()).at(-1)).toMatchObject({ decision: 'refused', reason: 'journal-unavailable' });
    });
    expect(journal.entries()).toEqual([]);
  });

  it('a partly failed change records what did happen, and its undo restores exactly that', async () => {
    const { journal } = journalAt();
    const before = suite.sandbox.snapshot().users.find((u) => u.userId === dana);
    await suite.withE2E({ elicit: approve, guard: { journal } }, async (e2e) => {
      suite.sandbox.faults.set({ bulkItemFailurePattern: mallory });
      const result = await e2e.call('bulk_update_users', {
        users: [
          { userId: dana, displayName: 'Half' },
          { userId: mallory, displayName: 'Other half' },
        ],
      });
      expect(result.structuredContent).toMatchObject({ succeeded: 1, failed: 1 });
      const [entry] = journal.entries();
      expect(entry).toMatchObject({ tool: 'bulk_update_users', partial: true });
      const users = (entry?.after as { users: Record<string, { displayName?: string }> } | undefined)?.users ?? {};
      expect(users[dana]?.displayName).toBe('Half');
      expect(users[mallory]?.displayName).toBe(DEMO_USERS.mallory.displayName);
      suite.sandbox.faults.clear();
      suite.sandbox.clearRequests();
      const undone = await e2e.call('undo_change', { changeId: entry?.id as string });
      expect(undone.isError, textOf(undone)).toBeFalsy();
      expect(changeRequests(suite.sandbox).map((r) => `${r.method} ${r.path}`)).toEqual([
        `PUT /v1/admin/users/${dana}`,
      ]);
    });
    expect(suite.sandbox.snapshot().users.find((u) => u.userId === dana)).toEqual(before);
  });
});

describe('the journal file', () => {
  it('two journals on one file (two servers) keep every entry, and a torn line a crashed writer left stays alone', async () => {
    const { path, journal } = journalAt();
    const other = new ChangeJournal(path);
    const entry = (id: string) => ({
      id,
      time: '2026-12-01T00:00:00.000Z',
      tool: 'update_user',
      changeClass: 'visier-users',
      classification: 'write',
      scope: { tenant: 't' },
      args: {},
      decision: 'allowed',
      partial: false,
      before: {},
      after: {},
    });
    journal.append(entry('chg_0000000000000001'));
    const { appendFileSync } = await import('node:fs');
    appendFileSync(path, '{"id":"chg_torn","tool":"upd');
    other.append(entry('chg_0000000000000002'));
    journal.append(entry('chg_0000000000000003'));
    expect(journal.entries().map((e) => e.id)).toEqual([
      'chg_0000000000000001',
      'chg_0000000000000002',
      'chg_0000000000000003',
    ]);
    expect(other.find('chg_0000000000000002')?.tool).toBe('update_user');
  });
});
