const STATE_SIZE = 624;
const SHIFT_SIZE = 397;
const MATRIX_A = 0x9908b0df;
const UPPER_MASK = 0x80000000;
const LOWER_MASK = 0x7fffffff;

/**
 * The 32-bit Mersenne Twister (MT19937) as PyTorch's CPU generator runs it (at::mt19937): seeded with
 * Knuth's initialisation from the low 32 bits of the seed, so its output equals `std::mt19937`.
 *
 * All arithmetic stays on uint32 values with `Math.imul` and `>>>`: no BigInt, no float products that
 * could lose bits, so the hot loop stays monomorphic and fast.
 */
export class Mt19937 {
  private readonly state = new Uint32Array(STATE_SIZE);
  private index = STATE_SIZE;

  /** `seed32` must already be reduced to 32 bits; PyTorch ignores the upper half of a 64-bit seed here. */
  constructor(seed32: number) {
    const state = this.state;
    state[0] = seed32;
    for (let i = 1; i < STATE_SIZE; i++) {
      const previous = state[i - 1];
      state[i] = Math.imul(1812433253, previous ^ (previous >>> 30)) + i;
    }
  }

  nextUint32(): number {
    if (this.index === STATE_SIZE) this.twist();
    let y = this.state[this.index++];
    y ^= y >>> 11;
    y ^= (y << 7) & 0x9d2c5680;
    y ^= (y << 15) & 0xefc60000;
    y ^= y >>> 18;
    return y >>> 0;
  }

  private twist(): void {
    const state = this.state;
    // Three loops instead of one with `% STATE_SIZE`: the wrap-around is the only difference between them.
    let i = 0;
    for (; i < STATE_SIZE - SHIFT_SIZE; i++) {
      const y = (state[i] & UPPER_MASK) | (state[i + 1] & LOWER_MASK);
      state[i] = state[i + SHIFT_SIZE] ^ (y >>> 1) ^ (y & 1 ? MATRIX_A : 0);
    }
    for (; i < STATE_SIZE - 1; i++) {
      const y = (state[i] & UPPER_MASK) | (state[i + 1] & LOWER_MASK);
      state[i] = state[i + SHIFT_SIZE - STATE_SIZE] ^ (y >>> 1) ^ (y & 1 ? MATRIX_A : 0);
    }
    const y = (state[STATE_SIZE - 1] & UPPER_MASK) | (state[0] & LOWER_MASK);
    state[STATE_SIZE - 1] = state[SHIFT_SIZE - 1] ^ (y >>> 1) ^ (y & 1 ? MATRIX_A : 0);
    this.index = 0;
  }
}
