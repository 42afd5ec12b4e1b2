// The Sales Cookie provider's public entry: the client, its configuration, types, errors and role facts.
export { type BulkOptions, SalescookieClient } from './client.js';
export type { SalescookieClientConfig } from './config.js';
export { SalescookieApiError } from './errors.js';
export { isDeactivatingRole, isPrivilegedRole, SALESCOOKIE_ROLES, type SalescookieRole } from './roles.js';
export type * from './types.js';
