// Which of the sandbox's logged requests would change a Visier tenant: every method but GET, except Visier's
// POSTs that only read (a preview may send those).
import { DATA_QUERY_LIST_PATH } from '../../src/providers/visier/data-query.js';
import type { RequestLogEntry } from '../../src/sandbox/index.js';

const READING_POSTS = new Set([DATA_QUERY_LIST_PATH]);

export const isChange = (r: RequestLogEntry): boolean => r.method !== 'GET' && !READING_POSTS.has(r.path);
