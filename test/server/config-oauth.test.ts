import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';

const ISSUER = ['--oauth-issuer', 'https://idp.example.com/oauth2/default'];
const PUBLIC = ['--public-url', 'https://mcp.example.com'];

describe('OAuth configuration', () => {
  it('takes the issuer, public URL and audience from flags or the environment, and binds off loopback without a bearer', () => {
    const c = loadConfig(['--http', '--host', '0.0.0.0', ...ISSUER, ...PUBLIC, '--oauth-audience', 'api://visier'], {});
    expect(c).toMatchObject({
      oauthIssuer: 'https://idp.example.com/oauth2/default',
      publicUrl: 'https://mcp.example.com',
      oauthAudience: 'api://visier',
    });
    const fromEnv = loadConfig(['--http'], {
      VISIER_MCP_OAUTH_ISSUER: 'https://idp.example.com',
      VISIER_MCP_PUBLIC_URL: 'https://mcp.example.com',
    });
    expect(fromEnv.oauthIssuer).toBe('https://idp.example.com');
  });

  it('refuses the combinations that cannot work, naming the flag and what fixes it', () => {
    expect(() => loadConfig([...ISSUER, ...PUBLIC], {})).toThrow(
      '--oauth-issuer: OAuth protects Streamable HTTP; add --http',
    );
    expect(() => loadConfig(['--http', ...ISSUER], {})).toThrow('--oauth-issuer: needs --public-url');
    expect(() =>
      loadConfig(['--http', ...ISSUER, ...PUBLIC], { VISIER_MCP_HTTP_TOKEN: 'a-static-bearer-0123456789' }),
    ).toThrow('--oauth-issuer and VISIER_MCP_HTTP_TOKEN: choose one');
    expect(() => loadConfig(['--http', ...PUBLIC], {})).toThrow('--public-url: only with --oauth-issuer');
    expect(() => loadConfig(['--http', '--oauth-issuer', 'idp.example.com', ...PUBLIC], {})).toThrow(
      '--oauth-issuer: must be a URL starting with https://',
    );
  });
});
