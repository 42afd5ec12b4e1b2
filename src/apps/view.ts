// The server's MCP Apps view: one self-contained HTML document a host renders in a sandboxed iframe for a tool's
// result: a change waiting for approval (Approve / Deny), a user's access as a tree, else the result's text. It loads
// nothing (no network, no external script or style: the spec's restrictive default CSP is enough), writes all
// text with textContent (names are directory text), and speaks the host's postMessage JSON-RPC itself, as the
// spec allows ("you don't need an SDK"): ext-apps' App class would be inlined as a 540 KB bundle for four messages.
import { version } from '../version.js';

/** The `ui://` resource of the view, named in the `_meta.ui.resourceUri` of every tool it draws. */
export const VIEW_URI = 'ui://visier-admin-mcp/view.html';

/** What the view needs to know of the server; written into the page as JSON. */
export interface ViewConfig {
  /** The app-only tool the Approve and Deny buttons call. */
  confirmTool: string;
  /** The result `_meta` key under which a pending approval reaches the view. */
  approvalKey: string;
  /** The result `_meta` key under which a user's access tree reaches the view. */
  treeKey: string;
  version: string;
}

// The DOM as the view uses it: the view is built as a function of these so that it type-checks without the DOM
// library in the server's compilation, and is embedded as its own source text.
interface ViewNode {
  textContent: string | null;
  className: string;
  hidden: boolean;
  id: string;
  append(...nodes: (ViewNode | string)[]): void;
  replaceChildren(...nodes: (ViewNode | string)[]): void;
  setAttribute(name: string, value: string): void;
  addEventListener(type: string, listener: () => void): void;
}
interface ViewInput extends ViewNode {
  value: string;
  disabled: boolean;
  focus(): void;
}
interface ViewDocument {
  createElement(tag: string): ViewInput;
  getElementById(id: string): ViewNode | null;
  documentElement: { scrollHeight: number; scrollWidth: number };
}
interface ViewWindow {
  parent: { postMessage(message: unknown, targetOrigin: string): void };
  addEventListener(type: 'message', listener: (event: { source: unknown; data: unknown }) => void): void;
}

/**
 * The view's whole behaviour. Runs in the browser only, from its own source text: it may use nothing outside
 * its parameters and the language itself.
 */
function serverView(config: ViewConfig, win: ViewWindow, doc: ViewDocument): void {
  type Json = Record<string, unknown>;
  type Target = { kind?: string; id?: string; name?: string; before?: string[]; after?: string[]; elevated?: string[] };
  const root = doc.getElementById('app') as ViewNode;
  const status = doc.getElementById('status') as ViewNode;
  const pending = new Map<number, (message: Json) => void>();
  let nextId = 1;
  let hostCapabilities: Json = {};

  const send = (message: Json) => win.parent.postMessage({ jsonrpc: '2.0', ...message }, '*');
  const request = (method: string, params: Json) =>
    new Promise<Json>((resolve, reject) => {
      const id = nextId++;
      pending.set(id, (reply) =>
        reply.error !== undefined
          ? reject(new Error(String((reply.error as Json).message)))
          : resolve(reply.result as Json),
      );
      send({ id, method, params });
    });
  const notify = (method: string, params: Json) => send({ method, params });
  const reportSize = () =>
    notify('ui/notifications/size-changed', {
      width: doc.documentElement.scrollWidth,
      height: doc.documentElement.scrollHeight,
    });

  const el = (tag: string, text?: string, className?: string) => {
    const node = doc.createElement(tag);
    if (text !== undefined) node.textContent = text;
    if (className !== undefined) node.className = className;
    return node;
  };
  const lines = (items: string[] | undefined) => {
    const cell = el('td');
    if (items === undefined) return cell;
    if (items.length === 0) cell.append(el('span', 'nothing', 'none'));
    for (const item of items) cell.append(el('div', item));
    return cell;
  };
  const textOf = (result: Json) =>
    ((result.content as Json[] | undefined) ?? [])
      .filter((part) => part.type === 'text')
      .map((part) => String(part.text))
      .join('\n');
  const say = (text: string) => {
    status.textContent = text;
    reportSize();
  };

  const showOutcome = (result: Json, decision: string) => {
    const text = textOf(result);
    const failed = result.isError === true;
    say(failed ? `Not done: ${text}` : `Done: ${text}`);
    status.className = failed ? 'refused' : 'done';
    if ((hostCapabilities.updateModelContext as Json | undefined) !== undefined) {
      const who = decision === 'approve' ? 'approved' : 'denied';
      request('ui/update-model-context', {
        content: [{ type: 'text', text: `The person ${who} the change in the approval view. Result:\n${text}` }],
      }).catch(() => {});
    }
  };

  const showApproval = (approval: Json, preview: Json) => {
    const shown = approval.shown as { alert?: string; body: string[] };
    const typed = approval.typed as { what: string; value: string } | undefined;
    const parts: ViewNode[] = [el('h1', `Approve ${String(approval.tool)}?`)];
    if (shown.alert !== undefined) {
      const alert = el('p', shown.alert, 'alert');
      alert.setAttribute('role', 'alert');
      parts.push(alert);
    }
    parts.push(el('p', shown.body[0] ?? '', 'summary'));
    const table = el('table');
    const caption = el('caption', 'Each target now and after the change; elevated changes are marked.');
    const head = el('tr');
    for (const title of ['Target', 'Now', 'After']) {
      const th = el('th', title);
      th.setAttribute('scope', 'col');
      head.append(th);
    }
    table.append(caption, head);
    for (const target of (preview.targets as Target[] | undefined) ?? []) {
      const row = el('tr', undefined, target.elevated?.length ? 'elevated' : undefined);
      const who = el('th');
      who.setAttribute('scope', 'row');
      who.append(el('div', `${target.kind ?? ''} ${target.name ?? ''}`.trim()), el('div', target.id ?? '', 'id'));
      if (target.elevated?.length) who.append(el('div', `ELEVATED: ${target.elevated.join('; ')}`, 'flag'));
      row.append(who, lines(target.before), lines(target.after));
      table.append(row);
    }
    parts.push(table, el('p', `Valid until ${String(approval.expiresAt)}.`, 'expiry'));
    let typedInput: ViewInput | undefined;
    if (typed !== undefined) {
      const label = el('label', `This cannot be undone. Type ${typed.what} to confirm: ${typed.value}`);
      typedInput = el('input');
      typedInput.id = 'typed';
      typedInput.setAttribute('autocomplete', 'off');
      label.setAttribute('for', 'typed');
      parts.push(label, typedInput);
    }
    const approve = el('button', 'Approve', 'approve');
    const deny = el('button', 'Deny', 'deny');
    const answer = (decision: 'approve' | 'deny') => {
      approve.disabled = true;
      deny.disabled = true;
      say(decision === 'approve' ? 'Approving…' : 'Denying…');
      const args: Json = {
        approval: approval.approval,
        decision,
        ...(typedInput !== undefined && decision === 'approve' ? { typed: typedInput.value } : {}),
      };
      request('tools/call', { name: config.confirmTool, arguments: args })
        .then((result) => showOutcome(result, decision))
        .catch((error: Error) => say(`The answer could not be sent: ${error.message}. Nothing was changed.`));
    };
    approve.addEventListener('click', () => answer('approve'));
    deny.addEventListener('click', () => answer('deny'));
    const buttons = el('div', undefined, 'buttons');
    buttons.append(approve, deny);
    parts.push(buttons);
    root.replaceChildren(...parts);
    say('Waiting for your answer. Nothing has been changed yet.');
  };

  type Permission = { id: string; name?: string; privileged: boolean };
  const permissionList = (permissions: Permission[]) => {
    const list = el('ul');
    if (permissions.length === 0) list.append(el('li', 'no permissions', 'none'));
    for (const p of permissions) {
      const item = el(
        'li',
        `${p.name ?? p.id}${p.privileged ? ' (privileged)' : ''}`,
        p.privileged ? 'flag' : undefined,
      );
      item.append(el('span', ` ${p.id}`, 'id'));
      list.append(item);
    }
    return list;
  };
  const showTree = (tree: { user: { id: string; name?: string }; direct: Permission[]; groups: Json[] }) => {
    const top = el('ul');
    top.setAttribute('role', 'tree');
    top.setAttribute('aria-label', `Access of ${tree.user.name ?? tree.user.id}`);
    const direct = el('li', 'Granted directly');
    direct.setAttribute('role', 'treeitem');
    direct.append(permissionList(tree.direct));
    top.append(direct);
    for (const group of tree.groups) {
      const item = el('li', `Group ${String(group.name ?? group.id)}`);
      item.setAttribute('role', 'treeitem');
      item.append(el('span', ` ${String(group.id)}`, 'id'), permissionList(group.permissions as Permission[]));
      top.append(item);
    }
    root.replaceChildren(el('h1', `${tree.user.name ?? tree.user.id}`), el('p', tree.user.id, 'id'), top);
    say('Each group with the permissions it grants; privileged permissions are marked.');
  };

  const showResult = (result: Json) => {
    const meta = result._meta as Json | undefined;
    const pendingApproval = meta?.[config.approvalKey] as Json | undefined;
    if (pendingApproval !== undefined && typeof pendingApproval.approval === 'string') {
      showApproval(pendingApproval, (pendingApproval.preview as Json | undefined) ?? {});
      return;
    }
    const tree = meta?.[config.treeKey] as Parameters<typeof showTree>[0] | undefined;
    if (tree !== undefined && result.isError !== true) {
      showTree(tree);
      return;
    }
    root.replaceChildren(el('pre', textOf(result)));
    say(result.isError === true ? 'The call did not change anything.' : 'Done.');
  };

  win.addEventListener('message', (event) => {
    if (event.source !== win.parent) return;
    const message = event.data as Json;
    if (typeof message !== 'object' || message === null || message.jsonrpc !== '2.0') return;
    if (typeof message.id === 'number' && message.method === undefined) {
      pending.get(message.id)?.(message);
      pending.delete(message.id);
      return;
    }
    if (message.method === 'ui/notifications/tool-result') showResult(message.params as Json);
    else if (message.method === 'ui/notifications/tool-cancelled') say('The call was cancelled. Nothing was changed.');
    else if (message.id !== undefined && (message.method === 'ui/resource-teardown' || message.method === 'ping'))
      send({ id: message.id, result: {} });
    else if (message.id !== undefined) send({ id: message.id, error: { code: -32601, message: 'Method not found' } });
  });

  request('ui/initialize', {
    appInfo: { name: 'visier-admin-mcp approval', version: config.version },
    appCapabilities: {},
    protocolVersion: '2026-01-26',
  })
    .then((result) => {
      hostCapabilities = (result.hostCapabilities as Json | undefined) ?? {};
      notify('ui/notifications/initialized', {});
      reportSize();
    })
    .catch((error: Error) => say(`The host did not answer: ${error.message}`));
}

const STYLE = `
:root { color-scheme: light dark; font-family: var(--font-sans, system-ui, sans-serif); }
body { margin: 0; padding: 12px; color: var(--color-text-primary, CanvasText); background: var(--color-background-primary, Canvas); }
h1 { font-size: 1.1rem; margin: 0 0 8px; }
table { border-collapse: collapse; width: 100%; margin: 8px 0; font-size: 0.9rem; }
caption { text-align: left; font-size: 0.8rem; padding-bottom: 4px; }
th, td { border: 1px solid var(--color-border-primary, #8888); padding: 4px 6px; text-align: left; vertical-align: top; }
.id { font-family: var(--font-mono, monospace); font-size: 0.8rem; }
tr.elevated { background: var(--color-background-warning, #fff3cd); }
.flag, .alert { font-weight: bold; color: var(--color-text-danger, #a00000); }
.alert { border: 2px solid var(--color-border-danger, #a00000); padding: 6px; }
.none { font-style: italic; }
.buttons { display: flex; gap: 8px; margin-top: 8px; }
button { font: inherit; padding: 6px 16px; cursor: pointer; }
button:focus-visible, input:focus-visible { outline: 3px solid var(--color-ring-primary, #1a73e8); }
.approve { font-weight: bold; }
label { display: block; margin-top: 8px; }
input { font: inherit; margin-top: 4px; }
#status.refused { color: var(--color-text-danger, #a00000); }
`;

/**
 * The view's HTML document (a valid HTML5 document, as the spec requires of `text/html;profile=mcp-app`).
 * `config` is written in as JSON with `<` escaped, so no value can close the script.
 */
export function viewHtml(config: Omit<ViewConfig, 'version'>): string {
  const json = JSON.stringify({ ...config, version }).replace(/</g, '\\u003c');
  return [
    '<!DOCTYPE html>',
    '<html lang="en">',
    '<head><meta charset="utf-8"><title>visier-admin-mcp</title>',
    `<style>${STYLE}</style></head>`,
    '<body><main id="app"><p>Waiting for the result…</p></main>',
    '<p id="status" role="status" aria-live="polite"></p>',
    `<script>(${serverView.toString()})(${json}, window, document);</script>`,
    '</body></html>',
  ].join('\n');
}
