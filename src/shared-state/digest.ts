import { createHash } from 'node:crypto';

/** What the store keeps in place of an id or a key: never the value itself (a token id, a Visier API key). */
export function storeDigest(value: string): string {
  return createHash('sha256').update(value).digest('base64url').slice(0, 32);
}
