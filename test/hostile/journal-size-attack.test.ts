// Attack on issue 13's list_recent_changes (attack13): one journaled change of many users must not push a result
// past --max-result-chars. A red test is a finding.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ChangeJournal } from '../../src/journal/journal.js';
import { type SandboxHandle, startSandbox } from '../../src/sandbox/index.js';
import { startE2E, textOf } from '../guards/e2e-harness.js';

const MAX = 2_000;
let sandbox: SandboxHandle;
let dir: string;
beforeAll(async () => {
  sandbox = await startSandbox({ rateLimit: false, users: 80, seed: 7 });
  dir = await mkdtemp(join(tmpdir(), 'atk13-size-'));
});
afterAll(async () => {
  await sandbox.close();
  await rm(dir, { recursive: true, force: true });
});

describe('attack13: list_recent_changes stays within --max-result-chars', () => {
  it('one bulk change of 60 users, listed with a 2,000-character budget', async () => {
    const e2e = await startE2E({
      sandbox,
      server: { maxResultChars: MAX },
      guard: { journal: new ChangeJournal(join(dir, 'journal.jsonl')) },
      elicit: async () => ({ action: 'accept', content: { confirm: true } }),
    });
    try {
      const users = sandbox
        .snapshot()
        .users.slice(0, 60)
        .map((u) => ({ userId: u.userId, displayName: 'Renamed' }));
      const made = await e2e.call('bulk_update_users', { users });
      expect(made.isError, textOf(made)).toBeFalsy();
      const listed = await e2e.call('list_recent_changes', {});
      expect(listed.isError, textOf(listed)).toBeFalsy();
      // Observed (finding): the one entry's line names every user and is returned whole, far past the budget.
      const listedChars = textOf(listed).length;
      // The undo of that same change (which this server made, with one approval).
      const id = /Change (chg_[0-9a-f]{16}) recorded/.exec(textOf(made))?.[1] as string;
      const undone = await e2e.call('undo_change', { changeId: id });
      // Observed (findings): the list is 3,589 characters against a 2,000 budget (its one line names every user
      // and the first line is always kept whole); and the undo is refused as "too large to show a person whole",
      // so a bulk change this server made in one approved call cannot be undone at all.
      expect({
        listWithinBudget: listedChars <= MAX + 400,
        undoRefused: undone.isError === true,
        undoText: textOf(undone).slice(0, 200),
      }).toMatchObject({ listWithinBudget: true, undoRefused: false });
    } finally {
      await e2e.close();
    }
  });
});
