import { type Person, personLabel } from '../auth/person.js';
import { displayText } from '../guards/untrusted.js';
import { isRequester, type PendingItem } from './pending.js';

// The page is rendered on the server from escaped text only; its one script (assets.ts) is served from the
// page's own origin, so the Content-Security-Policy needs no 'unsafe-inline'. Every address is relative: the
// page sits at its own listener's / or under the main server's /approvals/.

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Text as HTML text or attribute value: nothing in it can open a tag or leave an attribute. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ESCAPES[c] as string);
}

function shell(title: string, body: string, version?: number, refresh?: string): string {
  return [
    '<!doctype html>',
    '<html lang="en">',
    '<head>',
    '<meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>${escapeHtml(title)}</title>`,
    refresh === undefined ? '' : `<meta http-equiv="refresh" content="0; url=${escapeHtml(refresh)}">`,
    '<link rel="stylesheet" href="approvals.css">',
    '<script src="approvals.js" defer></script>',
    '</head>',
    `<body${version === undefined ? '' : ` data-version="${version}"`}>`,
    '<main>',
    body,
    '</main>',
    '</body>',
    '</html>',
  ].join('\n');
}

/** A page that only says something (refusals, the link already used), with the way back where there is one. */
export function messagePage(title: string, text: string, back = false): string {
  return shell(
    `${title}: visier-admin-mcp approvals`,
    [
      `<h1>${escapeHtml(title)}</h1>`,
      `<p role="alert">${escapeHtml(text)}</p>`,
      back ? '<p><a href="./">Back to the changes waiting for approval</a></p>' : '',
    ].join('\n'),
  );
}

/** After the issuer's callback: who signed in, and on to the list (a same-site navigation that carries the session). */
export function signedInPage(person: Person): string {
  return shell(
    'Signed in: visier-admin-mcp approvals',
    [
      '<h1>Signed in</h1>',
      `<p role="status">Signed in as ${escapeHtml(displayText(personLabel(person)))}.</p>`,
      '<p><a href="./">Continue to the changes waiting for approval</a></p>',
    ].join('\n'),
    undefined,
    './',
  );
}

const time = (ms: number) => `${new Date(ms).toISOString().slice(11, 19)} UTC`;

function whoAsked(item: PendingItem): string {
  const { client, principal, sessionId } = item.change;
  const clientText =
    client.name === undefined
      ? 'a client that gave no name'
      : `${displayText(client.name)}${client.version === undefined ? '' : ` ${displayText(client.version)}`}`;
  return `Asked by ${principal}${sessionId === undefined ? '' : ` (session ${sessionId})`} through ${clientText}, at ${time(item.askedAt)}; refused unless decided by ${time(item.deadline)}.`;
}

/** Who approved so far and how many must, for a change that needs more than one person or has approvals. */
function approvalsLine(item: PendingItem, viewer: Person | undefined): string {
  const required = item.change.approversRequired ?? 1;
  const own = viewer !== undefined && isRequester(viewer, item.change);
  const lines = [];
  if (own) lines.push('You asked for this change: another person must approve it (you may deny it).');
  if (required > 1 || item.approvedBy.length > 0) {
    const by = item.approvedBy.map((p) => displayText(personLabel(p))).join(', ');
    lines.push(
      `Needs ${required} different people to approve; ${item.approvedBy.length === 0 ? 'nobody has yet' : `approved so far by ${by}`}.`,
    );
  }
  return lines.map((line) => `<p class="approvers">${escapeHtml(line)}</p>`).join('\n');
}

function changeSection(item: PendingItem, csrf: string, viewer?: Person): string {
  const { id, change } = item;
  const own = viewer !== undefined && isRequester(viewer, change);
  const typed = change.typed;
  const typedField =
    typed === undefined
      ? ''
      : [
          '<p class="typed">',
          `<label for="typed-${id}">This cannot be undone. Type ${escapeHtml(typed.what)} to approve: <code>${escapeHtml(typed.value)}</code></label>`,
          `<input id="typed-${id}" name="typed" type="text" autocomplete="off" spellcheck="false" data-expected="${escapeHtml(typed.value)}">`,
          '</p>',
        ].join('\n');
  return [
    `<section class="change ${escapeHtml(change.classification)}" aria-labelledby="title-${id}">`,
    `<h2 id="title-${id}">${escapeHtml(change.tool)} <span class="class">(${escapeHtml(change.classification)})</span></h2>`,
    `<p id="who-${id}">${escapeHtml(whoAsked(item))}</p>`,
    approvalsLine(item, viewer),
    `<pre id="preview-${id}" tabindex="0" aria-label="Preview of the change">${escapeHtml(change.lines.join('\n'))}</pre>`,
    `<form method="post" action="decide" aria-labelledby="title-${id}" aria-describedby="who-${id} preview-${id}">`,
    `<input type="hidden" name="csrf" value="${escapeHtml(csrf)}">`,
    `<input type="hidden" name="id" value="${id}">`,
    `<input type="hidden" name="digest" value="${escapeHtml(change.digest)}">`,
    typedField,
    '<p class="buttons">',
    `<button type="submit" name="decision" value="approve" class="approve"${typed === undefined && !own ? '' : ' disabled'}>Approve</button>`,
    '<button type="submit" name="decision" value="deny" class="deny" formnovalidate>Deny</button>',
    '</p>',
    '</form>',
    '</section>',
  ].join('\n');
}

const NOTICES: Record<string, string> = {
  approved: 'Approved: the change is being made now.',
  recorded: 'Your approval is recorded: the change waits for the other approvals it needs.',
  denied: 'Denied: nothing was sent.',
};

/** The list of this server's pending changes, each with its whole preview and Approve / Deny. */
export function approvalsPage(
  items: PendingItem[],
  csrf: string,
  version: number,
  notice?: string,
  viewer?: Person,
): string {
  const said = notice === undefined ? undefined : NOTICES[notice];
  return shell(
    items.length === 0
      ? 'No changes waiting: visier-admin-mcp approvals'
      : `${items.length} waiting: visier-admin-mcp approvals`,
    [
      '<h1>Changes waiting for your approval</h1>',
      viewer === undefined ? '' : `<p>Signed in as ${escapeHtml(displayText(personLabel(viewer)))}.</p>`,
      `<p role="status" id="notice">${said === undefined ? '' : escapeHtml(said)}</p>`,
      '<p>Each change below was asked for by an assistant through this server. Read the whole preview: nothing is sent until you approve it, and a change nobody decides in time is refused.</p>',
      items.length === 0
        ? '<p>Nothing is waiting. This page shows new requests as they come.</p>'
        : items.map((item) => changeSection(item, csrf, viewer)).join('\n'),
    ].join('\n'),
    version,
  );
}
