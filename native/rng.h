// xoshiro128** (Blackman & Vigna) exactly as src/math/rng.ts (Rng): the same 32-bit integer steps, so a
// native kernel handed the JS generator's state (Rng.getState) draws the same numbers and hands the state
// back (Rng.setState). Included inside each kernel namespace (no include guard, no headers of its own).
struct Xoshiro128 {
  uint32_t a, b, c, d;

  __attribute__((always_inline)) static inline uint32_t rotl(uint32_t x, int k) { return (x << k) | (x >> (32 - k)); }

  /** Rng.nextU32 */
  __attribute__((always_inline)) inline uint32_t nextU32() {
    const uint32_t result = rotl(b * 5u, 7) * 9u;
    const uint32_t t = b << 9;
    c ^= a;
    d ^= b;
    b ^= c;
    a ^= d;
    c ^= t;
    d = rotl(d, 11);
    return result;
  }

  /** Rng.next: uniform in [0, 1) */
  __attribute__((always_inline)) inline double next() { return (double)nextU32() / 4294967296.0; }

  /** Rng.int: uniform in [0, n) (floor of next() * n, the same double product) */
  __attribute__((always_inline)) inline int below(int n) { return (int)(next() * (double)n); }

  void load(const uint32_t* s) {
    a = s[0];
    b = s[1];
    c = s[2];
    d = s[3];
  }
  void store(uint32_t* s) const {
    s[0] = a;
    s[1] = b;
    s[2] = c;
    s[3] = d;
  }
};
