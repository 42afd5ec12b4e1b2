import type { ImpactPreview } from '../contract/tool.js';

// Targets held across all previews; past this the oldest previews are forgotten (their tokens still work, a
// refusal just says less), so a caller asking for many large previews cannot grow memory without bound.
const MAX_HELD_TARGETS = 200_000;

/**
 * The preview shown with each issued confirmation token, held until the token expires, so a refusal on
 * redemption can say what changed since. In this process only: a token redeemed on another replica is still
 * checked by fingerprint, but the refusal cannot name the difference (the README's single-replica promise).
 */
export class ApprovedPreviews {
  private readonly held = new Map<string, { preview: ImpactPreview; exp: number }>();
  private targets = 0;

  constructor(private readonly now: () => number) {}

  /** `exp` in epoch milliseconds, the token's own expiry. */
  remember(tokenId: string, preview: ImpactPreview, exp: number): void {
    this.forgetExpired();
    this.held.set(tokenId, { preview, exp });
    this.targets += preview.targets.length;
    while (this.targets > MAX_HELD_TARGETS) this.forget(this.held.keys().next().value as string);
  }

  /** The preview shown with this token, and forgets it: a token is spent once. */
  take(tokenId: string): ImpactPreview | undefined {
    const entry = this.held.get(tokenId);
    this.forget(tokenId);
    return entry !== undefined && entry.exp > this.now() ? entry.preview : undefined;
  }

  private forgetExpired(): void {
    const now = this.now();
    // Insertion order is issue order and every token lives the same TTL: the expired ones are at the front.
    for (const [id, entry] of this.held) {
      if (entry.exp > now) break;
      this.forget(id);
    }
  }

  private forget(tokenId: string): void {
    const entry = this.held.get(tokenId);
    if (entry === undefined) return;
    this.held.delete(tokenId);
    this.targets -= entry.preview.targets.length;
  }
}
