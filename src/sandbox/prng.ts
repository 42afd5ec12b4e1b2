// A small seeded generator: the demo tenant and probabilistic faults must repeat exactly for a given seed,
// which Math.random cannot promise.

export type Prng = () => number;

/** mulberry32: fast, 32-bit state, good enough spread for demo data and fault sampling. */
export function createPrng(seed: number): Prng {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function pickInt(prng: Prng, below: number): number {
  return Math.floor(prng() * below);
}

function hex8(prng: Prng): string {
  return Math.floor(prng() * 4294967296)
    .toString(16)
    .padStart(8, '0');
}

/** A version-4-shaped UUID drawn from the generator, so ids repeat with the seed. */
export function seededUuid(prng: Prng): string {
  const a = hex8(prng);
  const b = hex8(prng);
  const c = hex8(prng);
  const d = hex8(prng);
  return `${a}-${b.slice(0, 4)}-4${b.slice(5, 8)}-${((Number.parseInt(c[0] ?? '0', 16) & 3) | 8).toString(16)}${c.slice(1, 4)}-${c.slice(4)}${d}`;
}
