import type { z } from 'zod';

// Rules for values that go into a request URL's path, shared by every provider.

/**
 * `.` and `..` are path segments even percent-encoded as themselves: a URL resolver turns `/groups/..` into the
 * parent collection, so an id or name that is one would send the request to another endpoint.
 */
export function notDotSegment<T extends z.ZodString>(field: T) {
  return field.refine((value) => value !== '.' && value !== '..', {
    error: "must not be '.' or '..' (it would name another endpoint in the request's path)",
  });
}
