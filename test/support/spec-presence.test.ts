import { describe, expect, it, vi } from 'vitest';
import { requireSpec, SPEC_WHERE } from './openapi.js';
import { inCi, specVerdict } from './spec-presence.js';

const FILES = ['administration-apis.yaml', 'authentication-apis.yaml'];

describe('whether the OpenAPI contract tests run, skip or fail', () => {
  it('run when no spec file is missing, in CI or not', () => {
    expect(specVerdict({ CI: 'true' }, [], SPEC_WHERE)).toEqual({ kind: 'run' });
    expect(specVerdict({}, [], SPEC_WHERE)).toEqual({ kind: 'run' });
  });

  it('fail under CI=true when the spec is missing, saying which files and where they are expected', () => {
    expect(specVerdict({ CI: 'true' }, FILES, SPEC_WHERE)).toEqual({
      kind: 'fail',
      reason:
        'Visier OpenAPI spec not found: expected administration-apis.yaml, authentication-apis.yaml in ' +
        '../shared/reference/visier-openapi (relative to the repository root). CI=true: the contract tests ' +
        'must run there, so they fail instead of skipping',
    });
  });

  it('skip outside CI when the spec is missing, with the same account of what is missing', () => {
    expect(specVerdict({}, FILES.slice(1), SPEC_WHERE)).toEqual({
      kind: 'skip',
      reason:
        'Visier OpenAPI spec not found: expected authentication-apis.yaml in ../shared/reference/visier-openapi ' +
        '(relative to the repository root); contract tests skipped (under CI they fail)',
    });
  });

  it.each([
    ['true', true],
    ['1', true],
    ['TRUE', true],
    ['woodpecker', true],
    ['false', false],
    ['0', false],
    ['', false],
    [undefined, false],
  ])('CI=%s counts as CI: %s', (value, expected) => {
    expect(inCi({ CI: value })).toBe(expected);
  });

  it('requireSpec throws under CI, and elsewhere warns and returns nothing, when the files are not there', () => {
    const nowhere = () => false;
    expect(() => requireSpec({ CI: 'true' }, nowhere)).toThrow(
      /^Visier OpenAPI spec not found: expected administration-apis\.yaml, authentication-apis\.yaml in \.\.\/shared\/reference\/visier-openapi/,
    );
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    try {
      expect(requireSpec({ CI: 'false' }, nowhere)).toBeUndefined();
      expect(warn).toHaveBeenCalledWith(expect.stringMatching(/contract tests skipped \(under CI they fail\)$/));
    } finally {
      warn.mockRestore();
    }
  });
});
