// A sign-in's callback hands the page a code in the address's fragment: only the tab that started that sign-in
// (it alone holds the sign-in's id) may trade it, once, and soon.
import { describe, expect, it } from 'vitest';
import { HANDOVER_MS, PageSessions, SESSION_IDLE_MS } from '../../src/approvals/sessions.js';

const bob = { issuer: 'https://login.example.com', subject: 'bob', email: 'bob@example.com', mode: 'full' as const };
/** When the access token of Bob's sign-in expires: far off unless a test says otherwise. */
const DAY_MS = 24 * 60 * 60_000;

describe('page sessions: a sign-in handed over', () => {
  it('opens a session naming the person for the tab that started the sign-in, once', () => {
    const sessions = new PageSessions();
    const code = sessions.handOver(bob, 'started-here', Date.now() + DAY_MS);
    const opened = sessions.openSignedIn(code, 'started-here');
    expect(opened).toMatchObject({ ok: true, person: bob });
    if (!opened.ok) return;
    expect(sessions.use(opened.session)).toEqual({ ok: true, person: bob });
    expect(sessions.openSignedIn(code, 'started-here')).toEqual({ ok: false });
  });

  it('opens nothing for a code carried to another tab or browser, and spends it', () => {
    const sessions = new PageSessions();
    const code = sessions.handOver(bob, 'started-here', Date.now() + DAY_MS);
    expect(sessions.openSignedIn(code, 'another-tab')).toEqual({ ok: false });
    expect(sessions.openSignedIn(code, 'started-here')).toEqual({ ok: false });
  });

  it('opens nothing for a code older than HANDOVER_MS', () => {
    let now = 0;
    const sessions = new PageSessions(() => now);
    const code = sessions.handOver(bob, 'started-here', DAY_MS);
    now = HANDOVER_MS;
    expect(sessions.openSignedIn(code, 'started-here')).toEqual({ ok: false });
  });

  it("ends the session when its sign-in's access token expires, however busy the page keeps it", () => {
    let now = 0;
    const sessions = new PageSessions(() => now);
    const until = SESSION_IDLE_MS / 2 + 1;
    const opened = sessions.openSignedIn(sessions.handOver(bob, 'started-here', until), 'started-here');
    if (!opened.ok) throw new Error('not opened');
    for (; now < until; now += 1_000) expect(sessions.use(opened.session), `at ${now} ms`).toMatchObject({ ok: true });
    expect(sessions.use(opened.session)).toEqual({ ok: false, reason: 'expired' });
  });

  it('opens nothing for a sign-in whose access token expired before its code was traded', () => {
    let now = 0;
    const sessions = new PageSessions(() => now);
    const code = sessions.handOver(bob, 'started-here', 1_000);
    now = 1_000;
    expect(sessions.openSignedIn(code, 'started-here')).toEqual({ ok: false });
  });
});
