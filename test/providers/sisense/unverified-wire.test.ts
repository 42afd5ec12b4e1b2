// The tolerant readers of the UNVERIFIED reply shapes: a bare array or one wrapper key; bare or wrapped objects.
import { describe, expect, it } from 'vitest';
import { listItems, singleObject } from '../../../src/providers/sisense/unverified-wire.js';

describe('list replies', () => {
  it('accepts a bare array, or one array-valued key beside a cursor', () => {
    expect(listItems([{ email: 'a' }])).toEqual({ items: [{ email: 'a' }] });
    expect(listItems({ data: [1], next_page_start: 17, items_this_page: 1 })).toEqual({
      items: [1],
      nextPageStart: '17',
    });
    expect(listItems({ users: [], next_page_start: null })).toEqual({ items: [] });
  });

  it('names the problem when the list cannot be told', () => {
    expect(listItems({ users: [], groups: [] })).toEqual({ problem: 'expected one array-valued key, found 2' });
    expect(listItems('x')).toEqual({ problem: 'expected an array or an object' });
  });
});

describe('single-object replies', () => {
  it('reads the object itself, or the one object-valued key wrapping it', () => {
    expect(singleObject({ email: 'a' }, 'email')).toEqual({ email: 'a' });
    expect(singleObject({ test_mode: true, user: { email: 'a' } }, 'email')).toEqual({ email: 'a' });
    expect(singleObject(undefined, 'email')).toBeUndefined();
    expect(singleObject({ a: {}, b: {} }, 'email')).toBeUndefined();
  });
});
