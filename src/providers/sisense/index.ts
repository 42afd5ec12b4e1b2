// The Sisense for Cloud Data Teams client's public surface.
export { addUserToSites, type BulkOptions, deleteUsers, oneByOne, type SitesBulkResult } from './bulk.js';
export { type CallOptions, type MembershipOptions, type Page, SisenseClient, type WriteOptions } from './client.js';
export { DEFAULT_SISENSE_HOST, type SisenseClientConfig } from './config.js';
export * from './domain.js';
export { SisenseApiError } from './errors.js';
export { SisenseSites } from './sites.js';
