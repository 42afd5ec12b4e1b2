// The Visier client's public surface: the client, its configuration, its error type and the API types.
export * from './api.js';
export { VisierClient } from './client.js';
export type { Clock } from './clock.js';
export type { RateLimitConfig, RetryConfig, VisierAuthConfig, VisierClientConfig } from './config.js';
export { VisierApiError, type VisierErrorKind } from './errors.js';
