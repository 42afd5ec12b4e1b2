// Finding people in a directory snapshot: a full-text index (MiniSearch) over each user's name, username, e-mail and
// employee id, built once per snapshot, that ranks matches and tolerates typos and accents. A userId is looked up
// whole (its hex words would only add noise to typo matching).
import MiniSearch, { type Query, type SearchResult } from 'minisearch';
import type { DirectorySnapshot, DirectoryUser } from './directory.js';

export const SEARCH_FIELDS = ['userId', 'displayName', 'username', 'email', 'employeeId'] as const;
const INDEXED = SEARCH_FIELDS.filter((f) => f !== 'userId');
export type SearchField = (typeof SEARCH_FIELDS)[number];

/** How one indexed word matched: whole, as its start, as part of an id, or within a typo or two of the query. */
export type MatchKind = 'exact' | 'prefix' | 'part' | 'typo';

export interface FieldMatch {
  field: SearchField;
  /** The indexed word, folded (lower case, accents removed). */
  term: string;
  /** The query word it answers, folded the same way. */
  query: string;
  kind: MatchKind;
}

export interface UserHit {
  userId: string;
  /** Relevance (BM25 with field boosts); higher first. Comparable only within one search. */
  score: number;
  /** Which words matched, in which fields, and how. */
  readonly matched: FieldMatch[];
}

/** Lower case without accents ("José" and "jose" are one word), as both the index and queries see text. */
export function fold(text: string): string {
  return text.normalize('NFKD').replace(/\p{M}/gu, '').toLowerCase();
}

const words = (text: string) =>
  fold(text)
    .split(/[^\p{L}\p{N}]+/u)
    .filter(Boolean);

/**
 * An id is found by any part of it ("123" finds E000123): each of its words is indexed with every ending of two or
 * more characters, so a part is a prefix of one of them. Names and addresses are indexed by word.
 */
function tokenize(text: string, field?: string): string[] {
  if (field !== 'employeeId') return words(text);
  return words(text).flatMap((word) => Array.from({ length: Math.max(1, word.length - 2) }, (_, i) => word.slice(i)));
}

/** Each query word, and each spelling `withSwaps` adds, mapped to the word the person typed. */
function typedWords(terms: readonly string[]): Map<string, string> {
  const typed = new Map<string, string>();
  for (const term of terms) {
    for (const variant of swapsOf(term)) if (!typed.has(variant)) typed.set(variant, term);
    typed.set(term, term);
  }
  return typed;
}

// A name matters most; an id is searched for as written, so it gets no typo tolerance (below).
const BOOST: Record<string, number> = { displayName: 3, username: 2, email: 1.5, employeeId: 1.5 };

/**
 * Typos are forgiven in words, not in numbers: 1 edit from 4 letters, 2 from 8 (2 edits on a shorter word
 * reach so many others that ranking them costs more than it finds). MiniSearch counts edits as
 * Levenshtein does, where two letters swapped ("dnaa" for "dana") are 2; `swaps` adds those as 1.
 */
function typos(term: string): number | false {
  if (/\d/.test(term) || term.length < 4) return false;
  return term.length < 8 ? 1 : 2;
}

/** A word, or any of its spellings with two neighbouring letters swapped, when it is long enough to forgive typos. */
function withSwaps(word: string): Query {
  const swaps = swapsOf(word);
  return swaps.length === 0 ? word : { combineWith: 'OR', queries: [word, { queries: swaps, fuzzy: false }] };
}

function swapsOf(word: string): string[] {
  if (typos(word) === false) return [];
  const swaps = new Set<string>();
  for (let i = 0; i + 1 < word.length; i++) {
    if (word[i] !== word[i + 1]) swaps.add(word.slice(0, i) + word[i + 1] + word[i] + word.slice(i + 2));
  }
  return [...swaps];
}

interface Index {
  search: MiniSearch<DirectoryUser>;
  /** userId -> place in the directory, which orders equal scores. */
  position: Map<string, number>;
}

const indexes = new WeakMap<DirectorySnapshot, Index>();

/** The snapshot's index, built on first use and kept as long as the snapshot is. */
function indexOf(snapshot: DirectorySnapshot): Index {
  let index = indexes.get(snapshot);
  if (!index) {
    const search = new MiniSearch<DirectoryUser>({
      idField: 'userId',
      fields: INDEXED,
      // An address that is the username says nothing new, and scoring it twice would cost every search.
      extractField: (user, field) =>
        field === 'email' && user.email === user.username ? undefined : user[field as keyof DirectoryUser],
      tokenize,
      searchOptions: {
        boost: BOOST,
        prefix: (term) => term.length >= 2,
        fuzzy: typos,
        tokenize: (text) => words(text),
      },
    });
    search.addAll([...snapshot.users.values()]);
    index = { search, position: new Map([...snapshot.users.keys()].map((userId, i) => [userId, i])) };
    indexes.set(snapshot, index);
  }
  return index;
}

export interface SearchOptions {
  /** Forgive typos (default); off, each word must be a whole word or the start of one (or a part of an id). */
  typos?: boolean;
  /** `rank` (default): best first; `directory`: in directory order, as a filtered list. */
  order?: 'rank' | 'directory';
}

/**
 * Every user of the snapshot matching all words of `query` (each whole, as the start of a word, as part of an
 * employee id, or, with `typos`, within a typo or two), best first, ties in directory order; a query that is a
 * userId finds that user first. `matched` is worked out when read, so a long result costs only the page shown.
 * Builds the snapshot's index on first use, then answers from memory. A query with no word finds nobody.
 */
export function searchUsers(snapshot: DirectorySnapshot, query: string, options: SearchOptions = {}): UserHit[] {
  const terms = words(query);
  if (terms.length === 0) return [];
  const { search, position } = indexOf(snapshot);
  const place = (userId: string) => position.get(userId) ?? 0;
  const typoTolerant = options.typos ?? true;
  const tree: Query = typoTolerant
    ? { combineWith: 'AND', queries: terms.map(withSwaps) }
    : { combineWith: 'AND', queries: terms, fuzzy: false };
  const typed = typedWords(terms);
  const byId = query.trim();
  const exactId = snapshot.users.has(byId) ? byId : undefined;
  const hits: UserHit[] = search
    .search(tree)
    .filter((result) => result.id !== exactId)
    .map((result) => {
      const userId = String(result.id);
      let matched: FieldMatch[] | undefined;
      return {
        userId,
        score: result.score,
        get matched() {
          matched ??= matchesOf(result, snapshot.users.get(userId), typed);
          return matched;
        },
      };
    })
    .sort((a, b) =>
      options.order === 'directory'
        ? place(a.userId) - place(b.userId)
        : b.score - a.score || place(a.userId) - place(b.userId),
    );
  if (exactId === undefined) return hits;
  const top = hits[0]?.score ?? 0;
  return [
    { userId: exactId, score: top + 1, matched: [{ field: 'userId', term: exactId, query: exactId, kind: 'exact' }] },
    ...hits,
  ];
}

function matchesOf(
  result: SearchResult,
  user: DirectoryUser | undefined,
  typed: ReadonlyMap<string, string>,
): FieldMatch[] {
  const matched: FieldMatch[] = [];
  for (const [term, fields] of Object.entries(result.match)) {
    for (const field of fields as SearchField[]) {
      // Only an id's endings are indexed beyond its words; a match on one is a part of the id.
      const whole = field !== 'employeeId' || words(user?.[field] ?? '').includes(term);
      const how = howMatched(term, result.queryTerms, whole);
      const word = typed.get(how.query) ?? how.query;
      // A swapped spelling that matched is a typo of the word typed.
      matched.push({ field, term, query: word, kind: word === how.query ? how.kind : 'typo' });
    }
  }
  return matched.sort((a, b) => SEARCH_FIELDS.indexOf(a.field) - SEARCH_FIELDS.indexOf(b.field));
}

function howMatched(term: string, queries: readonly string[], whole: boolean): { query: string; kind: MatchKind } {
  const exact = queries.find((q) => q === term);
  if (exact !== undefined) return { query: exact, kind: whole ? 'exact' : 'part' };
  const prefix = queries.find((q) => term.startsWith(q));
  if (prefix !== undefined) return { query: prefix, kind: whole ? 'prefix' : 'part' };
  const closest = [...queries].sort((a, b) => Math.abs(a.length - term.length) - Math.abs(b.length - term.length));
  return { query: closest[0] ?? '', kind: 'typo' };
}
