import { hkdfSync } from 'node:crypto';
import { CompactEncrypt, compactDecrypt, errors } from 'jose';
import { z } from 'zod';

/**
 * A sign-in under way: the checks its callback must pass. The PKCE verifier and the nonce are secrets, so the
 * whole is sealed before it leaves the server as the `state` parameter.
 */
export interface SignInState {
  /** Random: what the starting tab keeps, and what marks the sign-in spent once its callback succeeded. */
  id: string;
  nonce: string;
  verifier: string;
  /** Epoch ms. */
  expires: number;
}

const sealed = z.object({ id: z.string(), nonce: z.string(), verifier: z.string(), expires: z.number() });

/**
 * Seals sign-ins under way into their own `state` (JWE, dir + A256GCM, jose) under a key derived from a secret
 * every replica holds: the server keeps nothing per sign-in started, so no number of anonymous starts can fill
 * its memory or Redis, and the issuer's callback finishes on whichever replica it reaches. Only this server can
 * make or read a state; the browser and the issuer carry it unread.
 */
export class SignInStateSeal {
  private readonly key: Uint8Array;

  constructor(secret: string) {
    this.key = new Uint8Array(hkdfSync('sha256', secret, '', 'visier-admin-mcp approvals sign-in state', 32));
  }

  seal(state: SignInState): Promise<string> {
    return new CompactEncrypt(new TextEncoder().encode(JSON.stringify(state)))
      .setProtectedHeader({ alg: 'dir', enc: 'A256GCM' })
      .encrypt(this.key);
  }

  /** The sign-in a state names; undefined for one this server's key did not seal (forged, altered, another's). */
  async open(state: string): Promise<SignInState | undefined> {
    try {
      const { plaintext } = await compactDecrypt(state, this.key, {
        keyManagementAlgorithms: ['dir'],
        contentEncryptionAlgorithms: ['A256GCM'],
      });
      return sealed.parse(JSON.parse(new TextDecoder().decode(plaintext)));
    } catch (error) {
      if (error instanceof errors.JOSEError || error instanceof z.ZodError || error instanceof SyntaxError) {
        return undefined;
      }
      throw error;
    }
  }
}
