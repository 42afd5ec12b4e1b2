import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { ChangeJournal } from '../../src/journal/journal.js';
import { ensureBuilt, ROOT } from '../e2e/build.js';

// Two server processes on one journal (a desktop client and an IDE each start their own): every entry of both
// is on its own line, none lost, overwritten or interleaved (a journal that rewrote its file, or appended a line in
// pieces, fails here).

beforeAll(() => ensureBuilt(), 120_000);

const PER_PROCESS = 300;

/** A process appending `PER_PROCESS` entries named `<who>-<n>` as fast as it can. */
function writer(path: string, who: string): Promise<number | null> {
  const module = pathToFileURL(join(ROOT, 'dist', 'journal', 'journal.js')).href;
  const script = `
    const { ChangeJournal } = await import(${JSON.stringify(module)});
    const journal = new ChangeJournal(${JSON.stringify(path)});
    const state = { users: Object.fromEntries(Array.from({ length: 40 }, (_, i) => ['u' + i, { username: 'x'.repeat(200) }])) };
    for (let n = 0; n < ${PER_PROCESS}; n++) {
      journal.append({ id: '${who}-' + n, time: new Date().toISOString(), tool: 'update_user', changeClass: 'visier-users',
        classification: 'write', scope: {}, args: {}, decision: 'allowed', partial: false, before: state, after: state });
    }`;
  const child = spawn(process.execPath, ['--input-type=module', '-e', script], { stdio: 'inherit' });
  return new Promise((resolve) => child.on('exit', resolve));
}

describe('the journal file shared by two processes', () => {
  it('keeps every entry of both, each on a line of its own', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'journal-processes-'));
    try {
      const path = join(dir, 'journal.jsonl');
      expect(await Promise.all([writer(path, 'a'), writer(path, 'b')])).toEqual([0, 0]);
      const lines = (await readFile(path, 'utf8')).split('\n').filter((line) => line !== '');
      expect(lines).toHaveLength(2 * PER_PROCESS);
      const ids = new ChangeJournal(path).entries().map((e) => e.id);
      expect(new Set(ids).size).toBe(2 * PER_PROCESS);
      // Each process's own entries stay in the order it wrote them.
      for (const who of ['a', 'b']) {
        const own = ids.filter((id) => id.startsWith(`${who}-`));
        expect(own).toEqual(Array.from({ length: PER_PROCESS }, (_, n) => `${who}-${n}`));
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }, 60_000);
});
