// Issued session credentials: ASID tokens, OAuth access and refresh tokens, each with an expiry.
import { randomBytes } from 'node:crypto';

export interface OAuthTokenResponse {
  access_token: string;
  refresh_token: string;
  id_token: string;
  token_type: 'Bearer';
  expires_in: number;
}

const base64url = (value: string | Buffer) => Buffer.from(value).toString('base64url');

/** JWT-shaped (header.payload.signature) like Visier's, though the sandbox only checks it by lookup. */
function jwtLike(claims: Record<string, unknown>): string {
  return [
    base64url(JSON.stringify({ alg: 'RS256', typ: 'JWT' })),
    base64url(JSON.stringify(claims)),
    randomBytes(32).toString('base64url'),
  ].join('.');
}

export class TokenStore {
  /** token -> username and expiry (epoch ms), for ASID and access tokens alike. */
  private readonly sessions = new Map<string, { username: string; expiresAt: number }>();
  private readonly refreshTokens = new Map<string, { username: string; expiresAt: number }>();

  constructor(private readonly ttlSeconds: number) {}

  issueAsid(username: string): string {
    const token = randomBytes(32).toString('base64url');
    this.sessions.set(token, { username, expiresAt: this.expiry() });
    return token;
  }

  issueOAuth(username: string, clientId: string): OAuthTokenResponse {
    const now = Math.floor(Date.now() / 1000);
    const claims = { sub: username, aud: clientId, iat: now, exp: now + this.ttlSeconds };
    const access = jwtLike({ ...claims, jti: randomBytes(8).toString('hex') });
    const refresh = randomBytes(32).toString('base64url');
    this.sessions.set(access, { username, expiresAt: this.expiry() });
    // Refresh tokens outlive access tokens, as in any OAuth server, so a client can renew after expiry.
    this.refreshTokens.set(refresh, { username, expiresAt: this.expiry() + this.ttlSeconds * 1000 * 24 });
    return {
      access_token: access,
      refresh_token: refresh,
      id_token: jwtLike({ ...claims, email: username }),
      token_type: 'Bearer',
      expires_in: this.ttlSeconds,
    };
  }

  /** Exchanges a refresh token for a new pair; the old refresh token is spent. */
  refresh(refreshToken: string, clientId: string): OAuthTokenResponse | undefined {
    const entry = this.refreshTokens.get(refreshToken);
    this.refreshTokens.delete(refreshToken);
    if (!entry || entry.expiresAt <= Date.now()) return undefined;
    return this.issueOAuth(entry.username, clientId);
  }

  /** The username the token was issued to, if it is known and unexpired. */
  holder(token: string): string | undefined {
    const entry = this.sessions.get(token);
    if (!entry) return undefined;
    if (entry.expiresAt <= Date.now()) {
      this.sessions.delete(token);
      return undefined;
    }
    return entry.username;
  }

  expireAll(): void {
    this.sessions.clear();
    this.refreshTokens.clear();
  }

  private expiry(): number {
    return Date.now() + this.ttlSeconds * 1000;
  }
}
