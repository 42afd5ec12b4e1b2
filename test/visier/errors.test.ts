import { describe, expect, it } from 'vitest';
import { parseErrorBody, VisierApiError } from '../../src/providers/http/errors.js';

describe('parseErrorBody', () => {
  it('reads the current Status shape', () => {
    const body = JSON.stringify({
      localizedMessage: 'User not found.',
      code: 'NOT_FOUND',
      message: 'Not used.',
      rci: 'rci-123',
      userError: true,
    });
    expect(parseErrorBody(body)).toEqual({
      localizedMessage: 'User not found.',
      code: 'NOT_FOUND',
      rci: 'rci-123',
      userError: true,
    });
  });

  it('reads the 2024 shape with errorCode', () => {
    expect(parseErrorBody('{"errorCode":"INVALID_ARGUMENT","message":"Bad limit","rci":"r-9"}')).toEqual({
      localizedMessage: 'Bad limit',
      code: 'INVALID_ARGUMENT',
      rci: 'r-9',
    });
  });

  it('reads the google.rpc shape with a numeric code', () => {
    expect(parseErrorBody('{"code":5,"message":"not found","details":[]}')).toEqual({
      localizedMessage: 'not found',
      code: '5',
    });
  });

  it('keeps a short excerpt of a non-JSON body', () => {
    expect(parseErrorBody('<html><body>Bad   Gateway</body></html>')).toEqual({
      localizedMessage: '<html><body>Bad Gateway</body></html>',
    });
    expect(parseErrorBody('x'.repeat(500)).localizedMessage).toBe(`${'x'.repeat(200)}…`);
    expect(parseErrorBody('')).toEqual({});
    expect(parseErrorBody('[1,2]')).toEqual({ localizedMessage: '[1,2]' });
  });
});

describe('VisierApiError', () => {
  it('puts Visier message, code and rci in its message and JSON', () => {
    const error = new VisierApiError({
      kind: 'http',
      method: 'GET',
      path: '/v1/admin/users/u1',
      status: 404,
      localizedMessage: 'User not found.',
      code: 'NOT_FOUND',
      rci: 'rci-123',
      retryable: false,
    });
    expect(error.message).toBe(
      'Visier GET /v1/admin/users/u1: User not found. (HTTP 404, code NOT_FOUND, rci rci-123)',
    );
    expect(error).toBeInstanceOf(Error);
    expect(error.name).toBe('VisierApiError');
    expect(JSON.parse(JSON.stringify(error))).toEqual({
      name: 'VisierApiError',
      message: error.message,
      kind: 'http',
      status: 404,
      code: 'NOT_FOUND',
      localizedMessage: 'User not found.',
      rci: 'rci-123',
      retryable: false,
      method: 'GET',
      path: '/v1/admin/users/u1',
    });
  });

  it('describes failures without a status by their kind', () => {
    const error = new VisierApiError({ kind: 'timeout', method: 'POST', path: '/v2/admin/users', retryable: false });
    expect(error.status).toBeUndefined();
    expect(error.message).toBe('Visier POST /v2/admin/users: request timed out (timeout)');
  });
});
