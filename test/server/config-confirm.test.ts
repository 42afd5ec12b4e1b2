import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig, optionDefault, webConfirmed } from '../../src/config.js';

// --confirm takes one channel or one per class; the approvals page's flags. Errors name the flag and the rule.
describe('config: --confirm and the approvals page', () => {
  it('one channel for every class, or CLASS=CHANNEL pairs with the classes left out on auto', () => {
    expect(loadConfig(['--confirm', 'web'], {}).confirm).toBe('web');
    expect(loadConfig([], { VISIER_MCP_CONFIRM: 'elicitation' }).confirm).toBe('elicitation');
    expect(loadConfig(['--confirm', 'access=web, destructive=web,write=auto'], {}).confirm).toEqual({
      access: 'web',
      destructive: 'web',
      write: 'auto',
    });
    expect(loadConfig(['--confirm=destructive=web'], {}).confirm).toEqual({
      access: 'auto',
      destructive: 'web',
      write: 'auto',
    });
    expect(optionDefault('confirm')).toBe('auto');
  });

  it.each([
    ['read=web', "'read=web' is not"],
    ['access=web,access=auto', "'access=auto' is not"],
    ['access=sometimes', "'access=sometimes' is not"],
    ['access', "'access' is not"],
    ['access=web=auto', "'access=web=auto' is not"],
    ['', "'' is not"],
  ])('--confirm %j is refused, naming the flag and the rule', (value, said) => {
    const load = () => loadConfig(['--confirm', value], {});
    expect(load).toThrow(ConfigError);
    expect(load).toThrow(
      /^--confirm: must be auto, elicitation, web, or CLASS=CHANNEL pairs with CLASS one of write, access, destructive/,
    );
    expect(load).toThrow(said);
  });

  it('the page runs when a class is confirmed by web; its port, timeout and --no-open', () => {
    expect(webConfirmed(loadConfig([], {}))).toBe(false);
    expect(webConfirmed(loadConfig(['--confirm', 'write=web'], {}))).toBe(true);
    const c = loadConfig(['--approvals-port', '8799', '--approval-timeout-seconds', '60', '--no-open'], {});
    expect(c).toMatchObject({ approvalsPort: 8799, approvalTimeoutSeconds: 60, noOpen: true });
    const d = loadConfig([], {});
    expect(d.approvalsPort).toBeUndefined();
    expect(d).toMatchObject({ approvalTimeoutSeconds: 300, noOpen: false });
    expect(() => loadConfig(['--approval-timeout-seconds', '5'], {})).toThrow('--approval-timeout-seconds:');
    expect(() => loadConfig([], { VISIER_MCP_APPROVALS_PORT: '70000' })).toThrow('VISIER_MCP_APPROVALS_PORT:');
  });
});
