// The provider case the parameterised suites run, checked against Sisense itself: each call does what the case
// says on the real runtime, so a suite failing on Sisense points at the guards, not at a wrong case.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sisenseCase as c } from '../../support/cases/sisense.js';
import { type SisenseStack, startSisenseStack, textOf } from './tools-stack.js';

let s: SisenseStack;
beforeAll(async () => {
  s = await startSisenseStack();
});
afterAll(() => s.close());

describe('the Sisense provider case', () => {
  it('the read succeeds and shows the expected text', async () => {
    const result = await s.call(c.read.tool, c.read.args);
    expect(result.isError).toBeFalsy();
    expect(textOf(result)).toContain(c.read.expectText);
  });

  it('the injection read shows the injected text inside the fence', async () => {
    const text = textOf(await s.call(c.injection.tool, c.injection.args));
    expect(text.indexOf(c.injection.text)).toBeGreaterThan(text.indexOf('<directory-data'));
  });

  it('the write lands without confirmation', async () => {
    expect(await c.write.applied(s.sandbox)).toBe(false);
    const result = await s.call(c.write.tool, c.write.args);
    expect(result.isError, textOf(result)).toBeFalsy();
    expect(await c.write.applied(s.sandbox)).toBe(true);
  });

  it('the access, privileged and destructive changes ask first; a dry run is not counted as a change', async () => {
    for (const change of [c.access, c.privileged, c.destructive]) {
      expect(await change.applied(s.sandbox)).toBe(false);
      const before = c.changeRequests(s.sandbox);
      const requestsBefore = c.requests(s.sandbox);
      const first = await s.call(change.tool, change.args);
      expect(textOf(first)).toMatch(/CONFIRMATION REQUIRED/);
      expect(c.changeRequests(s.sandbox)).toBe(before);
      expect(c.requests(s.sandbox)).toBeGreaterThan(requestsBefore);
      if (change === c.privileged) expect(textOf(first)).toMatch(/^PRIVILEGED/m);
      const { preview, second } = await s.confirmed(change.tool, change.args);
      // The name a person types to confirm a deletion is the single target's name.
      if (change === c.destructive) expect(preview.targets.map((t) => t.name)).toEqual([c.destructive.typedName]);
      expect(second.isError, textOf(second)).toBeFalsy();
      expect(await change.applied(s.sandbox)).toBe(true);
    }
  });

  it('the out-of-scope call is refused with nothing sent; bad input names its field', async () => {
    const before = c.requests(s.sandbox);
    const refused = await s.call(c.outOfScope!.tool, c.outOfScope!.args);
    expect(refused.isError).toBe(true);
    expect(c.requests(s.sandbox)).toBe(before);
    for (const bad of c.badInput) {
      const result = await s.call(bad.tool, bad.args);
      expect(result.isError).toBe(true);
      expect(textOf(result)).toContain(bad.field);
    }
    expect(c.requests(s.sandbox)).toBe(before);
  });
});
