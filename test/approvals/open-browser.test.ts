import { describe, expect, it } from 'vitest';
import { canOpenBrowser } from '../../src/approvals/index.js';

// The link is opened only where a person has a screen: never in CI, never on a Linux box without a display.
describe('opening the approvals link', () => {
  it.each<[string, NodeJS.ProcessEnv, NodeJS.Platform, boolean]>([
    ['CI, even with a display', { CI: 'true', DISPLAY: ':0' }, 'linux', false],
    ['CI on macOS', { CI: '1' }, 'darwin', false],
    ['Linux without a display', {}, 'linux', false],
    ['Linux with X11', { DISPLAY: ':0' }, 'linux', true],
    ['Linux with Wayland', { WAYLAND_DISPLAY: 'wayland-0' }, 'linux', true],
    ['macOS', {}, 'darwin', true],
    ['Windows', {}, 'win32', true],
  ])('%s', (_label, env, platform, expected) => {
    expect(canOpenBrowser(env, platform)).toBe(expected);
  });
});
