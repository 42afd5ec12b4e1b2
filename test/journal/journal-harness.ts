// What the undo tests and the undo attack share: a person who approves every form, a fresh journal per test, and
// reading a change's id back from its result.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CallToolResult } from '@modelcontextprotocol/client';
import { afterAll, beforeAll, expect } from 'vitest';
import { ChangeJournal } from '../../src/journal/journal.js';
import { type E2E, type E2ESuite, type ElicitHandler, textOf } from '../guards/e2e-harness.js';

/** A person who approves everything, typing the name when asked to. */
export const approveAll: ElicitHandler = async (params) => {
  const title = (params.requestedSchema as { properties?: { typed?: { title?: string } } }).properties?.typed?.title;
  const typed = title?.split('to confirm: ')[1];
  return { action: 'accept', content: { confirm: true, ...(typed === undefined ? {} : { typed }) } };
};

/** The id of the change a result says it recorded; throws with the result's text when there is none. */
export const changeIdOf = (result: CallToolResult) => {
  const id = /Change (chg_[0-9a-f]{16}) recorded/.exec(textOf(result))?.[1];
  if (id === undefined) throw new Error(`no change id in: ${textOf(result)}`);
  return id;
};

/** The result, once it is known not to be an error (the assertion shows its text when it is). */
export const ok = (result: CallToolResult) => {
  expect(result.isError, textOf(result)).toBeFalsy();
  return result;
};

/**
 * Journals in a temporary folder of this test file (made before its tests, removed after): `freshJournal()` names a
 * new one, `folderIn(prefix)` makes a folder in it, `withJournal` runs `body` against a server recording to `path` whose forms `approveAll` answers.
 */
export function journals(suite: E2ESuite, prefix: string) {
  let dir: string;
  let made = 0;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), prefix));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));
  return {
    freshJournal: () => join(dir, `journal-${++made}.jsonl`),
    folderIn: (prefix: string) => mkdtemp(join(dir, prefix)),
    withJournal: (path: string, body: (e2e: E2E) => Promise<void>, auditDir?: string) =>
      suite.withE2E(
        {
          elicit: approveAll,
          guard: { journal: new ChangeJournal(path) },
          ...(auditDir === undefined ? {} : { auditDir }),
        },
        body,
      ),
  };
}
