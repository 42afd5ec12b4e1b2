// The systems this server can serve, one line each. Adding one: its client in src/providers/<id>/, its sandbox in
// src/sandbox/<id>/, its tools and Provider in src/tools/<id>/, its resources in src/resources/<id>.ts, its start-up
// in src/registry/<id>.ts, its credentials in config.ts's CREDENTIALS, and a line here.
import type pino from 'pino';
import type { Config, ProviderId } from '../config.js';
import type { SharedReads } from '../shared-state/shared-reads.js';
import type { SharedStore } from '../shared-state/store.js';
import { SALESCOOKIE_SERVING, startSalescookie } from './salescookie.js';
import { type ProviderServing, SISENSE_SERVING, VISIER_SERVING } from './serving.js';
import { startSisense } from './sisense.js';
import type { StartedProvider } from './started.js';
import { startVisier } from './visier.js';

export interface ProviderEntry extends ProviderServing {
  /**
   * `shared`: the store replicas share (`--redis-url`), for a provider whose rate budget and read cache they must
   * share.
   */
  start(config: Config, logger: pino.Logger, shared?: SharedStore & SharedReads): Promise<StartedProvider>;
}

export const PROVIDERS: Record<ProviderId, ProviderEntry> = {
  visier: { ...VISIER_SERVING, start: startVisier },
  sisense: { ...SISENSE_SERVING, start: startSisense },
  salescookie: { ...SALESCOOKIE_SERVING, start: startSalescookie },
};
