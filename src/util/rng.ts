/**
 * Seeded pseudo-random numbers, so that weight initialisation, dropout and shuffling repeat
 * exactly for a given seed (Math.random cannot be seeded).
 *
 * mulberry32: 32 bits of state, passes the usual statistical batteries well enough for
 * initialisation and shuffling, and is a few lines with no dependency.
 */
export class Rng {
  private readonly uint32: () => number;

  constructor(seed: number) {
    // Mix the seed so that nearby seeds (1, 2, 3) start far apart.
    this.uint32 = mulberry32(hash32(seed >>> 0 ^ 0x9e3779b9));
  }

  /** Uniform 32-bit unsigned integer. */
  nextUint32(): number {
    return this.uint32();
  }

  /** Uniform in [0, 1). */
  next(): number {
    return this.nextUint32() / 4294967296;
  }

  /** Uniform integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.next() * n);
  }

  /** Standard normal (Box-Muller; the second value is discarded to keep the state simple). */
  normal(): number {
    let u = 0;
    while (u === 0) u = this.next();
    const v = this.next();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  }

  /** Fisher-Yates shuffle in place. */
  shuffle<T extends { length: number; [i: number]: number }>(a: T): T {
    for (let i = a.length - 1; i > 0; i--) {
      const j = this.int(i + 1);
      const tmp = a[i];
      a[i] = a[j];
      a[j] = tmp;
    }
    return a;
  }

  /** An independent generator derived from this one (e.g. one stream per epoch). */
  fork(): Rng {
    return new Rng(this.nextUint32());
  }
}

function hash32(x: number): number {
  x = Math.imul(x ^ (x >>> 16), 0x85ebca6b);
  x = Math.imul(x ^ (x >>> 13), 0xc2b2ae35);
  return (x ^ (x >>> 16)) >>> 0;
}

/** The bare mulberry32 stream of uniform 32-bit unsigned integers, started from `seed` unmixed. */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  };
}

/**
 * Uniform numbers in [0, 1) from the bare mulberry32 stream of `seed`: for fixtures and generated
 * files, whose content must stay the same for a seed.
 */
export function seededUniform(seed: number): () => number {
  const next = mulberry32(seed);
  return () => next() / 4294967296;
}
