// Issue 14, finding 6 (from atk14's view-sanitized-arguments): the view received the call's arguments through the
// untrusted-text sanitiser and sent them back, so a call whose arguments hold a format character (the ZWNJ of
// Persian names, the ZWJ of emoji sequences) came back as another call and the person's click was refused. The
// kind: an approval bound to a display copy of the call. The approval now names the call the server holds; the
// view shows sanitised text and sends back only the approval and the decision.
import { expect, it } from 'vitest';
import { CONFIRM_TOOL } from '../../src/apps/confirm-tool.js';
import { changeRequests, e2eSuite, textOf } from '../guards/e2e-harness.js';
import { pendingApprovalOf, RENDERS_APPS } from '../support/mcp-apps.js';

const suite = e2eSuite();

// The sandbox is the file's: each case creates its own user.
it.each([
  ['a ZWNJ (Persian name)', 'mohammadreza.ahmadi', 'محمد\u200cرضا احمدی'],
  ['a ZWJ (emoji sequence)', 'sam.lee', 'Sam \u{1F469}\u200d\u{1F4BB} Lee'],
  ['a bidi override', 'eve.gnp', 'Eve \u202Egnp.exe'],
])(
  'a person approving in the view a change whose arguments hold %s gets exactly that call made',
  async (_label, name, displayName) => {
    await suite.withE2E({ capabilities: RENDERS_APPS }, async (e2e) => {
      const args = { username: `${name}@wff-demo.example`, displayName, employeeId: 'E000777' };
      const pending = pendingApprovalOf(await e2e.call('create_user', args));
      expect(JSON.stringify(pending)).not.toContain(displayName);
      const acted = await e2e.call(CONFIRM_TOOL.name, { approval: pending.approval, decision: 'approve' });
      expect(acted.isError, textOf(acted)).toBeFalsy();
      expect(changeRequests(suite.sandbox).map((r) => r.method)).toEqual(['POST']);
      const made = suite.sandbox.snapshot().users.find((u) => u.username === args.username);
      expect(made?.displayName).toBe(displayName);
    });
  },
);
