import { hkdfSync } from 'node:crypto';
import { CompactEncrypt, compactDecrypt } from 'jose';
import { storeDigest } from '../shared-state/digest.js';
import type { RedisStore } from '../shared-state/redis-store.js';
import { KEY_PREFIX } from '../shared-state/store.js';
import type { SignInStates, Transaction } from './sign-in.js';

const stateKey = (state: string) => `${KEY_PREFIX}:approvals:sign-in:${storeDigest(state)}`;

// A key only the sign-in's own state opens: Redis holds a digest of the state and a ciphertext, so what it keeps
// (the PKCE verifier and the nonce) is of no use to someone who can read Redis but never saw the state, which only
// the tab that started the sign-in and the issuer's redirect carry.
const keyOf = (state: string) =>
  new Uint8Array(hkdfSync('sha256', state, '', 'visier-admin-mcp approvals sign-in', 32));

/**
 * Sign-ins under way in Redis (`--redis-url`), so the issuer's callback finishes on whichever replica it reaches:
 * `vam:approvals:sign-in:<digest of state>` holds the transaction encrypted (JWE, dir + A256GCM, jose) under a
 * key derived from the state, TTL until the sign-in expires; taken by GETDEL, once across replicas. No cap on
 * how many: each lives at most TRANSACTION_MS. Rejects with `StoreUnavailableError`.
 */
export class SharedSignInStates implements SignInStates {
  constructor(private readonly store: RedisStore) {}

  async put(tx: Transaction, now: number): Promise<void> {
    const sealed = await new CompactEncrypt(new TextEncoder().encode(JSON.stringify(tx)))
      .setProtectedHeader({ alg: 'dir', enc: 'A256GCM' })
      .encrypt(keyOf(tx.state));
    await this.store.command((redis) =>
      redis.set(stateKey(tx.state), sealed, { expiration: { type: 'PX', value: Math.max(1, tx.expires - now) } }),
    );
  }

  async take(state: string): Promise<Transaction | undefined> {
    const sealed = await this.store.command((redis) => redis.getDel(stateKey(state)));
    if (sealed === null) return undefined;
    const { plaintext } = await compactDecrypt(sealed, keyOf(state));
    return JSON.parse(new TextDecoder().decode(plaintext)) as Transaction;
  }
}
