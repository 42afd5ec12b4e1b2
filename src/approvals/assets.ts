// The page's script and style, served from its own origin (CSP `script-src 'self'`, no inline code).

/** How long the buttons of a change that just appeared stay inert (ms), as browsers do for permission prompts. */
export const ARM_MS = 1000;
/** How often the page asks for the list (ms). */
export const POLL_MS = 1000;
/** The request header that carries the page's session key; never a cookie (see sessions.ts). */
export const SESSION_HEADER = 'x-approvals-session';

/**
 * Trades the link's fragment secret, or with sign-in the code the issuer's callback left in the fragment (with
 * the id of the sign-in this tab started), for a session key kept in `sessionStorage` (this exact origin, port
 * included; dropped first when the server marks the navigation as another site's); sends a tab that has none to sign
 * in where the server asks for it, by itself only where the person reached the page themselves, else (and once a
 * sign-in ended) by a button the person presses; then keeps the list current without ever re-laying it out: a new change is appended below, a change
 * that leaves stays where it was, marked, and each button is bound to its own change's id and digest.
 */
export const APPROVALS_JS = `'use strict';
const KEY = 'visier-approvals-session';
const STARTED = 'visier-approvals-sign-in';
const problem = document.getElementById('problem');
const notice = document.getElementById('notice');
const empty = document.getElementById('empty');
const list = document.getElementById('changes');
const viewer = document.getElementById('viewer');
const offer = document.getElementById('sign-in-offer');
// Whether the person reached this document themselves (the server saw how): only then may the page go to the
// issuer unasked. A window another site opened would come back signed in through the issuer's single sign-on.
const reachedByPerson = document.documentElement.dataset.storedKey === 'use';
const shown = new Map();
let session = null;

function el(tag, attributes, children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) node.setAttribute(name, value);
  node.append(...children);
  return node;
}

function call(method, path, body) {
  const headers = session === null ? {} : { '${SESSION_HEADER}': session };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  return fetch(path, {
    method,
    headers,
    credentials: 'omit',
    cache: 'no-store',
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  }).then(async (answer) => ({ ok: answer.ok, status: answer.status, body: await answer.json() }));
}

function refresh() {
  const waiting = [...shown.values()].filter((entry) => entry.state === 'pending').length;
  empty.hidden = waiting !== 0;
  document.title = (waiting === 0 ? 'No changes waiting' : waiting + ' waiting') + ': visier-admin-mcp approvals';
}

function settle(entry, text) {
  entry.state = 'settled';
  entry.section.dataset.state = 'settled';
  entry.status.textContent = text;
  entry.sync();
  refresh();
}

function add(item) {
  const id = item.id;
  const heading = el('h2', { id: 'title-' + id }, [item.tool + ' ', el('span', { class: 'class' }, ['(' + item.classification + ')'])]);
  const who = el('p', { id: 'who-' + id }, [item.who]);
  const own = el('p', { class: 'approvers' }, item.own ? ['You asked for this change: another person must approve it (you may deny it).'] : []);
  const approvals = el('p', { class: 'approvers' }, [item.approvals ?? '']);
  const preview = el('pre', { id: 'preview-' + id, tabindex: '0', 'aria-label': 'Preview of the change' }, [item.preview]);
  const approve = el('button', { type: 'submit', value: 'approve', class: 'approve' }, ['Approve']);
  const deny = el('button', { type: 'submit', value: 'deny', class: 'deny' }, ['Deny']);
  const status = el('p', { class: 'state', id: 'state-' + id, role: 'status' }, []);
  const form = el('form', { 'aria-labelledby': 'title-' + id, 'aria-describedby': 'who-' + id + ' preview-' + id + ' state-' + id }, []);
  let input = null;
  if (item.typed !== undefined) {
    input = el('input', { id: 'typed-' + id, name: 'typed', type: 'text', autocomplete: 'off', spellcheck: 'false' }, []);
    const label = el('label', { for: 'typed-' + id }, ['This cannot be undone. Type ' + item.typed.what + ' to approve: ', el('code', {}, [item.typed.value])]);
    form.append(el('p', { class: 'typed' }, [label, input]));
  }
  form.append(el('p', { class: 'buttons' }, [approve, deny]), status);
  const section = el('section', { class: 'change ' + item.classification, 'aria-labelledby': 'title-' + id, 'data-state': 'pending' }, [heading, who, own, approvals, preview, form]);
  const entry = { section, status, approvals, state: 'pending', armed: false, busy: false };
  entry.sync = () => {
    const live = entry.armed && entry.state === 'pending' && !entry.busy;
    deny.disabled = !live;
    approve.disabled = !live || item.own === true || (input !== null && input.value !== item.typed.value);
    if (input !== null) input.disabled = entry.state !== 'pending';
  };
  input?.addEventListener('input', entry.sync);
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const decision = event.submitter?.value;
    if (!entry.armed || entry.state !== 'pending' || entry.busy || (decision !== 'approve' && decision !== 'deny')) return;
    entry.busy = true;
    entry.sync();
    try {
      const answer = await call('POST', 'decide', {
        id: item.id,
        digest: item.digest,
        decision,
        ...(input === null ? {} : { typed: input.value }),
      });
      notice.textContent = answer.body.text;
      if (answer.body.approvals !== undefined) entry.approvals.textContent = answer.body.approvals;
      // An approval that others must join leaves the change waiting, and the person may still deny it.
      if ((answer.ok && !(answer.body.waitingFor > 0)) || answer.status === 409) settle(entry, answer.body.text);
      else status.textContent = answer.body.text;
    } catch {
      status.textContent = 'The page could not reach the server; nothing was decided from here.';
    } finally {
      entry.busy = false;
      entry.sync();
    }
  });
  entry.sync();
  shown.set(id, entry);
  list.append(section);
  setTimeout(() => {
    entry.armed = true;
    section.dataset.armed = '';
    entry.sync();
  }, ${ARM_MS});
}

async function poll() {
  let answer;
  try {
    answer = await call('GET', 'pending');
  } catch {
    notice.textContent = 'The page cannot reach the server (stopped?); it keeps trying.';
    return true;
  }
  if (!answer.ok) {
    if (answer.body.reason === 'sign-in' && reachedByPerson) {
      await signIn();
      return false;
    }
    problem.textContent = answer.body.text;
    // A sign-in that ended, or one this window may not start by itself: the person presses the button.
    offer.hidden = answer.body.reason !== 'sign-in' && answer.body.reason !== 'sign-in-ended';
    // Signed out: no button here may look as if it could still decide.
    if (answer.status === 401) {
      for (const entry of shown.values()) {
        if (entry.state === 'pending') settle(entry, 'This page is signed out (see the top of the page): nothing can be decided from here.');
      }
    }
    return false;
  }
  viewer.hidden = answer.body.viewer === undefined;
  viewer.textContent = answer.body.viewer ?? '';
  const present = new Set();
  for (const item of answer.body.items) {
    present.add(item.id);
    const entry = shown.get(item.id);
    if (entry === undefined) add(item);
    // Approvals others gave change one line's text in place; nothing moves.
    else entry.approvals.textContent = item.approvals ?? '';
  }
  // A change whose server stopped while it waited says so, not merely that it left.
  for (const gone of answer.body.withdrawn ?? []) {
    const entry = shown.get(gone.id);
    if (entry !== undefined && entry.state === 'pending') settle(entry, gone.text);
  }
  for (const [id, entry] of shown) {
    if (entry.state === 'pending' && !present.has(id)) {
      settle(entry, 'No longer waiting: decided elsewhere, timed out, or withdrawn by its call. Nothing more can be done here.');
    }
  }
  refresh();
  return true;
}

async function signIn() {
  sessionStorage.removeItem(KEY);
  // From a window another site opened, the issuer must ask the person to sign in, not answer from its session.
  const started = await call('POST', 'sign-in', { fresh: !reachedByPerson });
  if (!started.ok) {
    problem.textContent = started.body.text;
    return;
  }
  sessionStorage.setItem(STARTED, started.body.started);
  location.assign(started.body.url);
}

async function start() {
  // The server saw how this document was reached: a window another site opened (which inherits this tab's
  // sessionStorage) must not come up signed in.
  if (!reachedByPerson) sessionStorage.removeItem(KEY);
  const fragment = new URLSearchParams(location.hash.slice(1));
  const secret = fragment.get('k');
  const signedIn = fragment.get('s');
  if (secret !== null || signedIn !== null) {
    // Off the address bar and out of history before anything else: the secret is spent by this one use.
    history.replaceState(null, '', location.pathname);
    const started = sessionStorage.getItem(STARTED);
    sessionStorage.removeItem(STARTED);
    const opened = await call(
      'POST',
      'session',
      secret !== null ? { link: secret } : { signedIn, started: started ?? '' },
    );
    if (!opened.ok) {
      problem.textContent = opened.body.text;
      return;
    }
    sessionStorage.setItem(KEY, opened.body.session);
  }
  session = sessionStorage.getItem(KEY);
  const again = async () => {
    if (await poll()) setTimeout(again, ${POLL_MS});
  };
  await again();
}
offer.querySelector('button').addEventListener('click', () => signIn());
// A newer link opened in this same tab changes only the fragment: start again with it.
addEventListener('hashchange', () => location.reload());
start();
`;

export const APPROVALS_CSS = `body { font: 16px/1.5 system-ui, sans-serif; margin: 0; background: #f6f6f4; color: #1b1b1b; }
main { max-width: 60rem; margin: 0 auto; padding: 1rem 1.5rem 3rem; }
h1 { font-size: 1.5rem; }
.change { background: #fff; border: 1px solid #c9c9c4; border-left: 6px solid #5a6b7b; border-radius: 4px; padding: 0.5rem 1rem 1rem; margin: 1rem 0; }
.change.access { border-left-color: #a15c00; }
.change.destructive { border-left-color: #b3261e; }
.change[data-state="settled"] { background: #ecece8; border-left-color: #8a8a8a; }
.class { font-weight: normal; color: #444; }
pre { white-space: pre-wrap; overflow-wrap: anywhere; background: #f1f1ee; padding: 0.75rem; border-radius: 4px; max-height: 60vh; overflow: auto; }
label { display: block; margin-bottom: 0.25rem; }
input[type="text"] { font: inherit; padding: 0.35rem 0.5rem; width: min(100%, 28rem); }
button { font: inherit; padding: 0.45rem 1.2rem; margin-right: 0.75rem; border-radius: 4px; border: 1px solid #333; cursor: pointer; }
button.approve { background: #1d5e2b; color: #fff; }
button.deny { background: #fff; color: #1b1b1b; }
button:disabled { background: #8a8a8a; border-color: #8a8a8a; color: #fff; cursor: not-allowed; }
.state { min-height: 3em; margin: 0; font-weight: bold; }
:focus-visible { outline: 3px solid #1a57c9; outline-offset: 2px; }
#problem:empty, #notice:empty { display: none; }
#notice, #problem { font-weight: bold; }
`;
