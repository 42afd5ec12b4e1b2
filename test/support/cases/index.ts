// Every provider the parameterised suites run, one line each.

import { salescookieCase } from './salescookie.js';
import { sisenseCase } from './sisense.js';
import type { ProviderCase } from './types.js';
import { visierCase } from './visier.js';

export const PROVIDER_CASES: ProviderCase[] = [visierCase, sisenseCase, salescookieCase];
