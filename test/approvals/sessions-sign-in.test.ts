// A sign-in's callback hands the page a code in the address's fragment: only the tab that started that sign-in
// (it alone holds the sign-in's id) may trade it, once, and soon.
import { describe, expect, it } from 'vitest';
import { HANDOVER_MS, PageSessions } from '../../src/approvals/sessions.js';

const bob = { issuer: 'https://login.example.com', subject: 'bob', email: 'bob@example.com', mode: 'full' as const };

describe('page sessions: a sign-in handed over', () => {
  it('opens a session naming the person for the tab that started the sign-in, once', () => {
    const sessions = new PageSessions();
    const code = sessions.handOver(bob, 'started-here');
    const opened = sessions.openSignedIn(code, 'started-here');
    expect(opened).toMatchObject({ ok: true, person: bob });
    if (!opened.ok) return;
    expect(sessions.use(opened.session)).toEqual({ ok: true, person: bob });
    expect(sessions.openSignedIn(code, 'started-here')).toEqual({ ok: false });
  });

  it('opens nothing for a code carried to another tab or browser, and spends it', () => {
    const sessions = new PageSessions();
    const code = sessions.handOver(bob, 'started-here');
    expect(sessions.openSignedIn(code, 'another-tab')).toEqual({ ok: false });
    expect(sessions.openSignedIn(code, 'started-here')).toEqual({ ok: false });
  });

  it('opens nothing for a code older than HANDOVER_MS', () => {
    let now = 0;
    const sessions = new PageSessions(() => now);
    const code = sessions.handOver(bob, 'started-here');
    now = HANDOVER_MS;
    expect(sessions.openSignedIn(code, 'started-here')).toEqual({ ok: false });
  });
});
