// The shared HTTP client's Session for Sisense: a static per-site key in `HTTP-X-PARTNER-AUTH`. There is no
// token to renew, so `invalidate` has nothing to forget.
import type { Session } from '../http/http.js';
import { PARTNER_AUTH_HEADER } from './wire.js';

export class PartnerAuthSession implements Session {
  private readonly value: string;

  constructor(site: string, apiKey: string) {
    this.value = `${site}:${apiKey}`;
  }

  async credential(): Promise<{ token: string; headers: Record<string, string> }> {
    return { token: this.value, headers: { [PARTNER_AUTH_HEADER]: this.value } };
  }

  invalidate(): void {}
}
