import { describe, expect, it } from 'vitest';
import { loadConfig, pageSignIn, webConfirmed } from '../../src/config.js';

// --approvers: how many people approve each class, what it implies for the channel, and what it cannot be
// combined with. Errors name the flag and the rule.
const SIGN_IN = [
  '--http',
  '--oauth-issuer',
  'https://login.example.com',
  '--oauth-client-id',
  'approvals-page',
  '--public-url',
  'https://mcp.example.com/',
];

describe('config: --approvers and the page sign-in', () => {
  it('parses per class and per tenant; a class needing one person puts the page on', () => {
    const config = loadConfig(['--approvers', 'access=1,privileged=2', ...SIGN_IN], {});
    expect(config.approvers).toEqual({ '*': { access: 1, privileged: 2 } });
    expect(webConfirmed(config)).toBe(true);
    expect(pageSignIn(config)).toBe(true);
    expect(loadConfig([], { VISIER_MCP_APPROVERS: 'acme:access=1;*:write=0' }).approvers).toEqual({
      acme: { access: 1 },
      '*': { write: 0 },
    });
    expect(webConfirmed(loadConfig(['--approvers', 'write=0'], {}))).toBe(false);
  });

  it.each([
    [
      ['--approvers', 'access=1', '--confirm', 'access=elicitation'],
      /--approvers: asks people to approve the class access on the approvals page, while --confirm keeps access in the client/,
    ],
    [
      ['--approvers', 'privileged=1', '--confirm', 'elicitation'],
      /approve the class access on the approvals page, while --confirm keeps access/,
    ],
    [
      ['--approvers', 'privileged=2'],
      /--approvers: 2 different people can be told apart only when they sign in; set --oauth-issuer, --oauth-client-id and --public-url \(a loopback link cannot tell people apart\)/,
    ],
    [['--approvers', 'admins=2'], /--approvers: 'admins=2' is not CLASS=N/],
    [
      ['--http', '--oauth-client-id', 'x'],
      /--oauth-client-id: the approvals page's sign-in needs --oauth-issuer and --public-url too/,
    ],
    // The page's sign-in rides on the issuer's own rule (OAuth protects HTTP), stated once.
    [SIGN_IN.slice(1), /--oauth-issuer: OAuth protects Streamable HTTP; add --http/],
  ])('%j is refused at start with a clear message', (argv, said) => {
    expect(() => loadConfig(argv, {})).toThrow(said);
  });

  it('the client secret comes from the environment only, and is never a flag', () => {
    const config = loadConfig(SIGN_IN, { VISIER_MCP_OAUTH_CLIENT_SECRET: 'page-secret' });
    expect(config.oauthClientSecret).toBe('page-secret');
    expect(() => loadConfig([...SIGN_IN, '--oauth-client-secret', 'x'], {})).toThrow(
      /unknown flag --oauth-client-secret/,
    );
  });
});
