// The page's script and style, served from its own origin (CSP `script-src 'self'`, no inline code).

/**
 * Enables Approve on an irreversible change only once the typed value matches (the server checks it again),
 * and reloads the list when a change arrives or leaves, unless the person is in the middle of one.
 */
export const APPROVALS_JS = `'use strict';
for (const input of document.querySelectorAll('input[data-expected]')) {
  const approve = input.form.querySelector('button[value="approve"]');
  const sync = () => {
    approve.disabled = input.value !== input.dataset.expected;
  };
  input.addEventListener('input', sync);
  sync();
}
const shown = document.body.dataset.version;
if (shown !== undefined) {
  setInterval(async () => {
    const typing = [...document.querySelectorAll('input[data-expected]')].some((input) => input.value !== '');
    const active = document.activeElement;
    if (typing || (active !== null && active.closest('form') !== null)) return;
    try {
      const answer = await fetch('pending', { credentials: 'same-origin', cache: 'no-store' });
      if (!answer.ok) return;
      const { version } = await answer.json();
      if (String(version) !== shown) location.replace('./');
    } catch {}
  }, 1000);
}
`;

export const APPROVALS_CSS = `body { font: 16px/1.5 system-ui, sans-serif; margin: 0; background: #f6f6f4; color: #1b1b1b; }
main { max-width: 60rem; margin: 0 auto; padding: 1rem 1.5rem 3rem; }
h1 { font-size: 1.5rem; }
.change { background: #fff; border: 1px solid #c9c9c4; border-left: 6px solid #5a6b7b; border-radius: 4px; padding: 0.5rem 1rem 1rem; margin: 1rem 0; }
.change.access { border-left-color: #a15c00; }
.change.destructive { border-left-color: #b3261e; }
.class { font-weight: normal; color: #444; }
pre { white-space: pre-wrap; overflow-wrap: anywhere; background: #f1f1ee; padding: 0.75rem; border-radius: 4px; max-height: 60vh; overflow: auto; }
label { display: block; margin-bottom: 0.25rem; }
input[type="text"] { font: inherit; padding: 0.35rem 0.5rem; width: min(100%, 28rem); }
button { font: inherit; padding: 0.45rem 1.2rem; margin-right: 0.75rem; border-radius: 4px; border: 1px solid #333; cursor: pointer; }
button.approve { background: #1d5e2b; color: #fff; }
button.deny { background: #fff; color: #1b1b1b; }
button:disabled { background: #8a8a8a; border-color: #8a8a8a; cursor: not-allowed; }
:focus-visible { outline: 3px solid #1a57c9; outline-offset: 2px; }
#notice:empty { display: none; }
#notice { font-weight: bold; }
`;
