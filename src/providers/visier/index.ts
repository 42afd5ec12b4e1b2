// The Visier client's public surface: the client, its configuration, its error type and the API types.

export type { Clock } from '../http/clock.js';
export { VisierApiError, type VisierErrorKind } from '../http/errors.js';
export * from './api.js';
export { VisierClient } from './client.js';
export type { RateLimitConfig, RetryConfig, VisierAuthConfig, VisierClientConfig } from './config.js';
