import { Random } from '@kube-routes/test/support';

/** The shared seeded PRNG, in the raw form the codec fuzz test draws from. */
export class Prng extends Random {
  /** Uniform in [0, 2^32): the generator's raw output. */
  nextU32(): number {
    return this.next() * 4294967296;
  }

  /** Uniform integer in [0, n). */
  below(n: number): number {
    return n <= 0 ? 0 : this.nextU32() % n;
  }
}
