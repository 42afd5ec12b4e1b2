// The part of OData V4 the sandbox serves: `$top`, `$skip`, a `$filter` made of `field eq literal` or
// `tolower(field) eq literal` clauses joined by `or`, the `{"@odata.context", "value"}` envelope and `@odata.nextLink` when the server caps a page.
// Which options Sales Cookie supports beyond `$top`/`$skip` is UNVERIFIED; anything else is refused with a 400
// so a client that relies on more fails here first.
import { badRequest } from './errors.js';

/** Server-side page cap (UNVERIFIED: Sales Cookie publishes none). */
const MAX_PAGE = 1000;

type Literal = string | boolean | null;
type Row = Record<string, unknown>;

interface Clause {
  field: string;
  /** `tolower(field)` on the left, or a GUID literal on the right: compare without regard to case. */
  lower: boolean;
  value: Literal;
}

const GUID = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;

function nonNegative(query: URLSearchParams, name: string): number | undefined {
  const raw = query.get(name);
  if (raw === null) return undefined;
  if (!/^\d+$/.test(raw)) throw badRequest(`Invalid value '${raw}' for ${name}: expected a non-negative integer`);
  return Number(raw);
}

/** Parses `a eq 'x' or b eq 0000...-guid or c eq true`; string literals double their quotes, as OData does. */
export function parseFilter(text: string): Clause[] {
  const clauses: Clause[] = [];
  let rest = text.trim();
  for (;;) {
    const head = /^(?:tolower\(([A-Za-z_][A-Za-z0-9_]*)\)|([A-Za-z_][A-Za-z0-9_]*))\s+eq\s+/.exec(rest);
    if (!head) throw badRequest(`Unsupported $filter near '${rest.slice(0, 40)}': expected 'field eq value'`);
    rest = rest.slice(head[0].length);
    let value: Literal;
    let guid = false;
    if (rest.startsWith("'")) {
      const match = /^'((?:[^']|'')*)'/.exec(rest);
      if (!match) throw badRequest('Unterminated string literal in $filter');
      value = match[1]!.replaceAll("''", "'");
      rest = rest.slice(match[0].length);
    } else {
      const token = /^[^\s)]+/.exec(rest)?.[0] ?? '';
      guid = GUID.test(token);
      if (guid) value = token.toLowerCase();
      else if (token === 'true' || token === 'false') value = token === 'true';
      else if (token === 'null') value = null;
      else throw badRequest(`Unsupported literal '${token}' in $filter`);
      rest = rest.slice(token.length);
    }
    clauses.push({ field: (head[1] ?? head[2])!, lower: head[1] !== undefined || guid, value });
    rest = rest.trim();
    if (rest === '') return clauses;
    const or = /^or\s+/.exec(rest);
    if (!or) throw badRequest(`Unsupported $filter near '${rest.slice(0, 40)}': only 'or' joins clauses`);
    rest = rest.slice(or[0].length);
  }
}

function matches(row: Row, clauses: Clause[]): boolean {
  return clauses.some(({ field, lower, value }) => {
    if (!(field in row)) throw badRequest(`Could not find a property named '${field}'`);
    const actual = row[field];
    return (lower && typeof actual === 'string' ? actual.toLowerCase() : actual) === value;
  });
}

/** Answers an entity-set query over `rows`, in their stored order. */
export function queryEntitySet(rows: Row[], query: URLSearchParams, serviceRoot: string, entity: string): Row {
  for (const name of query.keys()) {
    if (name.startsWith('$') && !['$top', '$skip', '$filter'].includes(name)) {
      throw badRequest(`The query option '${name}' is not supported`);
    }
  }
  const filter = query.get('$filter');
  const clauses = filter === null ? undefined : parseFilter(filter);
  const selected = clauses === undefined ? rows : rows.filter((row) => matches(row, clauses));
  const skip = nonNegative(query, '$skip') ?? 0;
  const top = nonNegative(query, '$top');
  const size = Math.min(top ?? MAX_PAGE, MAX_PAGE);
  const value = selected.slice(skip, skip + size);
  const body: Row = { '@odata.context': `${serviceRoot}/$metadata#${entity}`, value };
  const wanted = top === undefined ? selected.length - skip : Math.min(top, selected.length - skip);
  if (value.length < wanted) {
    const next = new URLSearchParams(query);
    next.set('$skip', String(skip + value.length));
    if (top !== undefined) next.set('$top', String(top - value.length));
    body['@odata.nextLink'] = `${serviceRoot}/${entity}?${next.toString()}`;
  }
  return body;
}
