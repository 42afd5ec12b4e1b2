import { type Person, personLabel } from '../auth/person.js';
import { displayText } from '../guards/untrusted.js';
import { isRequester, type PendingItem } from './click-rules.js';

// The page is one static shell; its script (assets.ts, served from the page's own origin, so the CSP needs no
// 'unsafe-inline') fills it from /pending with DOM text nodes only: directory text never becomes markup. Every
// address is relative: the page sits at its own listener's / or under the main server's /approvals/.

/**
 * The page's HTML for a navigation the person or the page itself made: the same for everyone, with no secret and
 * no change in it. Its `data-stored-key` tells the script whether it may sign in with a key the tab holds.
 */
export const SHELL = [
  '<!doctype html>',
  '<html lang="en" data-stored-key="use">',
  '<head>',
  '<meta charset="utf-8">',
  '<meta name="viewport" content="width=device-width, initial-scale=1">',
  '<title>visier-admin-mcp approvals</title>',
  '<link rel="stylesheet" href="approvals.css">',
  '<script src="approvals.js" defer></script>',
  '</head>',
  '<body>',
  '<main>',
  '<h1>Changes waiting for your approval</h1>',
  '<p id="viewer" hidden></p>',
  '<p role="alert" id="problem"></p>',
  '<p id="sign-in-offer" hidden><button type="button">Sign in</button></p>',
  '<p>Each change below was asked for by an assistant through this server. Read the whole preview: nothing is sent until you approve it, and a change nobody decides in time is refused. New requests are added below; nothing on this page moves.</p>',
  '<div id="changes"></div>',
  // Below the list: text appearing here moves nothing the person may be aiming at.
  '<p id="empty" hidden>Nothing is waiting. This page shows new requests as they come.</p>',
  '<p role="status" id="notice"></p>',
  '</main>',
  '</body>',
  '</html>',
].join('\n');

/**
 * The shell for a navigation another site made: the script drops the tab's stored key before anything else
 * (see `mayUseStoredKey` in request-rules.ts), so only a fresh link signs it in.
 */
export const SHELL_WITHOUT_STORED_KEY = SHELL.replace('data-stored-key="use"', 'data-stored-key="discard"');

/** A pending change as the page's script shows it (JSON of /pending; every string is shown as text). */
export interface ItemView {
  id: string;
  digest: string;
  tool: string;
  classification: string;
  who: string;
  preview: string;
  typed?: { what: string; value: string };
  /** The viewer asked for this change: their approval is refused (they may deny it). */
  own?: true;
  /** Who approved so far and how many must, when more than one must or someone has. */
  approvals?: string;
}

const time = (ms: number) => `${new Date(ms).toISOString().slice(11, 19)} UTC`;

function whoAsked(item: PendingItem): string {
  const { client, principal, person, sessionId } = item.change;
  // A person's e-mail or name is the issuer's claim: shown as visible text, like the client's name.
  const asker = person === undefined ? principal : displayText(personLabel(person));
  const clientText =
    client.name === undefined
      ? 'a client that gave no name'
      : `${displayText(client.name)}${client.version === undefined ? '' : ` ${displayText(client.version)}`}`;
  return `Asked by ${asker}${sessionId === undefined ? '' : ` (session ${sessionId})`} through ${clientText}, at ${time(item.askedAt)}; refused unless decided by ${time(item.deadline)}.`;
}

/** Who approved so far and how many must, for a change that needs more than one person or has approvals. */
function approvalsLine(item: PendingItem): string | undefined {
  const required = item.change.approversRequired ?? 1;
  if (required <= 1 && item.approvedBy.length === 0) return undefined;
  const by = item.approvedBy.map((p) => displayText(personLabel(p))).join(', ');
  return `Needs ${required} different people to approve; ${item.approvedBy.length === 0 ? 'nobody has yet' : `approved so far by ${by}`}.`;
}

/** A pending change as `viewer` (the session's signed-in person, if any) sees it. */
export function itemView(item: PendingItem, viewer?: Person): ItemView {
  const { change } = item;
  const approvals = approvalsLine(item);
  return {
    id: item.id,
    digest: change.digest,
    tool: change.tool,
    classification: change.classification,
    who: whoAsked(item),
    preview: change.lines.join('\n'),
    ...(change.typed === undefined ? {} : { typed: change.typed }),
    ...(viewer !== undefined && isRequester(viewer, change) ? { own: true as const } : {}),
    ...(approvals === undefined ? {} : { approvals }),
  };
}

/** Who is signed in to the page, as it says so (the issuer's claims: untrusted display text). */
export const viewerLine = (viewer: Person) => `Signed in as ${displayText(personLabel(viewer))}.`;

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** A page of its own for what ends a navigation rather than a script's request: a sign-in the issuer sent back. */
export function messagePage(title: string, text: string): string {
  const escaped = (value: string) => value.replace(/[&<>"']/g, (c) => ESCAPES[c] as string);
  return [
    '<!doctype html>',
    '<html lang="en">',
    '<head>',
    '<meta charset="utf-8">',
    `<title>${escaped(title)}</title>`,
    '<link rel="stylesheet" href="approvals.css">',
    '</head>',
    '<body>',
    '<main>',
    `<h1>${escaped(title)}</h1>`,
    `<p role="alert">${escaped(text)}</p>`,
    '<p><a href="./">Back to the changes waiting for approval</a></p>',
    '</main>',
    '</body>',
    '</html>',
  ].join('\n');
}
