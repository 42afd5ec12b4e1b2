// The session credential that goes with the API key on every data call: an ASID token (sent as the
// VisierASIDToken cookie) or an OAuth2 access token (Bearer). Tokens are cached, renewed before they
// expire, and renewed by exactly one request however many calls need a new one at the same moment.
import { z } from 'zod';
import { VisierApiError } from '../http/errors.js';
import type { HttpClient, HttpStats, Session } from '../http/http.js';
import { asRateCaller } from '../http/rate-caller.js';
import type { Redactor } from '../http/redact.js';
import type { VisierAuthConfig } from './config.js';

export const ASID_TOKEN_PATH = '/v1/admin/visierSecureToken';
export const OAUTH2_TOKEN_PATH = '/v1/auth/oauth2/token';

/** The rate budget's turn the session credential's renewal waits in, apart from every caller's. */
const RENEWAL_TURN = 'session-credential';

/** Visier does not state the ASID lifetime; its SDK assumes an hour. */
const ASID_LIFETIME_S = 3600;
/** Renew this long before expiry so a call never starts with a token about to lapse. */
const EARLY_RENEWAL_S = 300;

interface Token {
  value: string;
  /** Epoch ms after which the token is renewed before use. */
  renewAt: number;
  refreshToken?: string;
}

const tokenResponseSchema = z.looseObject({
  access_token: z.string().min(1),
  refresh_token: z.string().optional(),
  expires_in: z.number().optional(),
  token_type: z.string().optional(),
});

export class SessionAuth implements Session {
  private current: Token | undefined;
  private pending: Promise<Token> | undefined;

  constructor(
    private readonly http: HttpClient,
    private readonly config: VisierAuthConfig,
    private readonly apiKey: string,
    private readonly redactor: Redactor,
    private readonly stats: HttpStats,
    private readonly now: () => number = Date.now,
  ) {}

  async credential(signal?: AbortSignal): Promise<{ token: string; headers: Record<string, string> }> {
    const token = await this.validToken(signal);
    const headers: Record<string, string> = { apikey: this.apiKey };
    if (this.config.kind === 'asid') headers.cookie = `VisierASIDToken=${token.value}`;
    else headers.authorization = `Bearer ${token.value}`;
    return { token: token.value, headers };
  }

  invalidate(token: string): void {
    if (this.current?.value === token) {
      // Keep the refresh token: it is still the cheapest way to a new access token.
      this.current = { ...this.current, renewAt: 0 };
    }
  }

  private validToken(signal?: AbortSignal): Promise<Token> {
    if (this.current && this.now() < this.current.renewAt) return Promise.resolve(this.current);
    if (!this.pending) {
      const previous = this.current;
      // The shared renewal is not tied to any one caller's signal: others may still want its result. Nor to her
      // turn for the rate budget: behind her own queued calls it would hold everyone's calls that wait for it.
      this.pending = asRateCaller(RENEWAL_TURN, () => this.obtain(previous))
        .then((token) => {
          this.current = token;
          return token;
        })
        .finally(() => {
          this.pending = undefined;
        });
    }
    return abortable(this.pending, signal);
  }

  private async obtain(previous: Token | undefined): Promise<Token> {
    if (this.config.kind === 'asid') return this.obtainAsid(this.config);
    if (previous?.refreshToken) {
      try {
        return await this.obtainOAuth({ grant_type: 'refresh_token', refresh_token: previous.refreshToken });
      } catch (err) {
        // An expired or revoked refresh token is normal; the password grant still works.
        if (!(err instanceof VisierApiError) || err.status === undefined || err.status >= 500) throw err;
      }
    }
    return this.obtainOAuth({
      grant_type: 'password',
      username: this.config.username,
      password: this.config.password,
    });
  }

  private async obtainAsid(config: Extract<VisierAuthConfig, { kind: 'asid' }>): Promise<Token> {
    // Visier's own clients send no apikey on this call.
    const res = await this.http.send({
      method: 'POST',
      path: ASID_TOKEN_PATH,
      form: { username: config.username, password: config.password, vanityName: config.vanityName },
      accept: 'text',
    });
    const value = String(res.body).trim();
    if (value === '') throw this.malformed(ASID_TOKEN_PATH, 'empty ASID token');
    this.redactor.add(value);
    this.stats.tokenRefreshes++;
    return { value, renewAt: this.now() + (ASID_LIFETIME_S - EARLY_RENEWAL_S) * 1000 };
  }

  private async obtainOAuth(grant: Record<string, string>): Promise<Token> {
    const config = this.config as Extract<VisierAuthConfig, { kind: 'oauth2' }>;
    const basic = Buffer.from(
      `${encodeURIComponent(config.clientId)}:${encodeURIComponent(config.clientSecret)}`,
    ).toString('base64');
    this.redactor.add(basic);
    const res = await this.http.send({
      method: 'POST',
      path: OAUTH2_TOKEN_PATH,
      headers: { apikey: this.apiKey, authorization: `Basic ${basic}` },
      form: { ...grant, client_id: config.clientId, scope: config.scope ?? 'read' },
      accept: 'json',
    });
    const parsed = tokenResponseSchema.safeParse(res.body);
    if (!parsed.success) throw this.malformed(OAUTH2_TOKEN_PATH, 'token response without access_token');
    const { access_token, refresh_token, expires_in } = parsed.data;
    this.redactor.add(access_token);
    this.redactor.add(refresh_token);
    this.stats.tokenRefreshes++;
    const lifetime = expires_in ?? ASID_LIFETIME_S;
    const early = Math.min(EARLY_RENEWAL_S, lifetime / 10);
    const token: Token = { value: access_token, renewAt: this.now() + (lifetime - early) * 1000 };
    if (refresh_token) token.refreshToken = refresh_token;
    return token;
  }

  private malformed(path: string, detail: string): VisierApiError {
    return new VisierApiError({ kind: 'malformed', method: 'POST', path, retryable: false, detail });
  }
}

function abortable<T>(promise: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (!signal) return promise;
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (v) => {
        signal.removeEventListener('abort', onAbort);
        resolve(v);
      },
      (e) => {
        signal.removeEventListener('abort', onAbort);
        reject(e);
      },
    );
  });
}
