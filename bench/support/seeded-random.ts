/** Seeded randomness for the benches, so every run seeds the same rows and asks the same requests. */

export interface SeededRandom {
  /** A number in [0, 1). */
  next(): number;
  pick<T>(items: readonly T[]): T;
  /** Between `min` and `max` picks, without repeats. */
  some<T>(items: readonly T[], min: number, max: number): T[];
}

/** mulberry32: small, fast and good enough to spread bench data; not for anything secret. */
export function seededRandom(seed: number): SeededRandom {
  let state = seed;
  const next = () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const pick = <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)] as T;
  const some = <T>(items: readonly T[], min: number, max: number): T[] => {
    const count = min + Math.floor(next() * (max - min + 1));
    return [...new Set(Array.from({ length: count }, () => pick(items)))];
  };
  return { next, pick, some };
}
