/* Helpers shared by every kernel program of the native backend (src/engine/native). Each
 * follows the semantics of jax-js's reference `cpu` backend (AluExp.evaluate). */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* Math.min/Math.max: NaN in either argument gives NaN; -0 is below +0. Written as quiet
 * comparisons and bit-mask blends, without a select between FP values: GCC compiles such a
 * select to a branch that, under default trapping math, it will not vectorise (a max
 * reduction ran 2x slower than an exp-sum). On equal operands the bits are combined, AND for
 * max and OR for min, which picks +0 or -0 from a pair of zeros. */
typedef union { float f; uint32_t u; } dj_f32bits;
typedef union { double f; uint64_t u; } dj_f64bits;
#define DJ_MINMAX(NAME, T, BITS, U, QNAN, GT, LT, COMBINE)                                    \
  static inline T NAME(T a, T b) {                                                           \
    BITS va, vb;                                                                             \
    va.f = a;                                                                                \
    vb.f = b;                                                                                \
    const U gt = (U)GT(a, b), lt = (U)LT(a, b), nan = (U)__builtin_isunordered(a, b);        \
    U r = (va.u & ((U)0 - gt)) | (vb.u & ((U)0 - lt)) | ((va.u COMBINE vb.u) & ((gt | lt | nan) - 1)); \
    va.u = (r & (nan - 1)) | ((U)QNAN & ((U)0 - nan));                                       \
    return va.f;                                                                             \
  }
DJ_MINMAX(dj_maxf, float, dj_f32bits, uint32_t, 0x7fc00000u, __builtin_isgreater, __builtin_isless, &)
DJ_MINMAX(dj_minf, float, dj_f32bits, uint32_t, 0x7fc00000u, __builtin_isless, __builtin_isgreater, |)
DJ_MINMAX(dj_max, double, dj_f64bits, uint64_t, 0x7ff8000000000000ull, __builtin_isgreater, __builtin_isless, &)
DJ_MINMAX(dj_min, double, dj_f64bits, uint64_t, 0x7ff8000000000000ull, __builtin_isless, __builtin_isgreater, |)
#undef DJ_MINMAX

/* max(x, c) and min(x, c) against a constant c that is not NaN (for max not -0, for min not
 * +0, where the pair of zeros would need the other operand's sign): x when it wins or is NaN,
 * else c. Four operations instead of the general case's dozen (ReLU, clamps). */
#define DJ_MINMAX_CONSTANT(NAME, WINS)                                                    \
  static inline float NAME(float x, float c) {                                           \
    dj_f32bits vx, vc;                                                                   \
    vx.f = x;                                                                            \
    vc.f = c;                                                                            \
    const uint32_t keep = (uint32_t)(WINS(x, c) | __builtin_isunordered(x, x));          \
    vx.u = (vx.u & (0u - keep)) | (vc.u & (keep - 1u));                                  \
    return vx.f;                                                                         \
  }
DJ_MINMAX_CONSTANT(dj_maxcf, __builtin_isgreater)
DJ_MINMAX_CONSTANT(dj_mincf, __builtin_isless)
#undef DJ_MINMAX_CONSTANT

/* Integer division and remainder as the reference interpreter stores them: x / 0 and x % 0
 * give 0 (JS's Infinity or NaN stored into an integer array), INT32_MIN / -1 wraps to
 * INT32_MIN. A bare C `/` would trap (SIGFPE) and end the process. */
static inline int32_t dj_idiv_i32(int32_t a, int32_t b) {
  return b == 0 ? 0 : (b == -1 ? (int32_t)(0u - (uint32_t)a) : a / b);
}
static inline int32_t dj_mod_i32(int32_t a, int32_t b) { return (b == 0 || b == -1) ? 0 : a % b; }
static inline uint32_t dj_idiv_u32(uint32_t a, uint32_t b) { return b == 0 ? 0 : a / b; }
static inline uint32_t dj_mod_u32(uint32_t a, uint32_t b) { return b == 0 ? 0 : a % b; }

/* Float to int32/uint32: clamp to the range, NaN gives 0, then truncate. */
static inline int32_t dj_f2i(double x) {
  if (x != x) return 0;
  if (x <= -2147483648.0) return INT32_MIN;
  if (x >= 2147483647.0) return INT32_MAX;
  return (int32_t)x;
}
static inline uint32_t dj_f2u(double x) {
  if (x != x || x <= 0) return 0;
  if (x >= 4294967295.0) return UINT32_MAX;
  return (uint32_t)x;
}

#define DJ_BITCAST(FROM, TO, FT, TT) \
  static inline TT dj_bitcast_##FROM##_##TO(FT x) { TT y; memcpy(&y, &x, sizeof y); return y; }
DJ_BITCAST(float32, int32, float, int32_t)
DJ_BITCAST(float32, uint32, float, uint32_t)
DJ_BITCAST(int32, float32, int32_t, float)
DJ_BITCAST(uint32, float32, uint32_t, float)
DJ_BITCAST(int32, uint32, int32_t, uint32_t)
DJ_BITCAST(uint32, int32, uint32_t, int32_t)

static inline uint32_t dj_rotl(uint32_t x, int r) { return (x << r) | (x >> (32 - r)); }

/* Threefry-2x32 with 20 rounds (Salmon et al. 2011), as jax-js's threefry2x32; mode 0/1 picks
 * a word, 2 their xor. */
static inline uint32_t dj_threefry(uint32_t k0, uint32_t k1, uint32_t c0, uint32_t c1, int mode) {
  const uint32_t ks0 = k0, ks1 = k1, ks2 = k0 ^ k1 ^ 466688986u;
  uint32_t x0 = c0 + ks0, x1 = c1 + ks1;
#define DJ_R(r) x0 += x1; x1 = dj_rotl(x1, r) ^ x0;
  DJ_R(13) DJ_R(15) DJ_R(26) DJ_R(6) x0 += ks1; x1 += ks2 + 1u;
  DJ_R(17) DJ_R(29) DJ_R(16) DJ_R(24) x0 += ks2; x1 += ks0 + 2u;
  DJ_R(13) DJ_R(15) DJ_R(26) DJ_R(6) x0 += ks0; x1 += ks1 + 3u;
  DJ_R(17) DJ_R(29) DJ_R(16) DJ_R(24) x0 += ks1; x1 += ks2 + 4u;
  DJ_R(13) DJ_R(15) DJ_R(26) DJ_R(6) x0 += ks2; x1 += ks0 + 5u;
#undef DJ_R
  return mode == 0 ? x0 : mode == 1 ? x1 : (x0 ^ x1);
}

#ifdef DJ_BLAS
/* OpenBLAS's cblas_sgemm (declared here: the headers need not be installed). Each call runs on
 * one BLAS thread; the kernel splits the work across OpenMP threads itself. */
extern void cblas_sgemm(int order, int transA, int transB, int m, int n, int k, float alpha,
                        const float* a, int lda, const float* b, int ldb, float beta, float* c,
                        int ldc);
extern void openblas_set_num_threads(int threads);
__attribute__((constructor)) static void dj_blas_single_thread(void) { openblas_set_num_threads(1); }
#endif

/* exp and log in float32 written so the compiler vectorises them (glibc's expf/logf vectorise
 * only under -ffast-math). Cody-Waite range reduction and the minimax polynomials of Cephes'
 * expf.c / logf.c (S. Moshier), about 1 ulp; branch-free, so SIMD lanes and the scalar tail
 * compute every element identically. Overflow gives inf, underflow 0 (subnormal results are
 * kept), NaN stays NaN, log of a negative number is NaN and log(0) = -inf. */
/* Bit casts go through dj_f32bits, a union, which GCC vectorises (a memcpy in a loop it does
 * not). */
static inline float dj_pow2i(int32_t k) {
  dj_f32bits v;
  v.u = (uint32_t)(k + 127) << 23;
  return v.f;
}
static inline float dj_expf(float x) {
  const float hi = 88.72283935546875f, lo = -103.97207708f;
  float xc = __builtin_isgreater(x, hi) ? hi : x;
  xc = __builtin_isless(xc, lo) ? lo : xc;
  /* k = round(x / ln 2) by the 1.5 * 2^23 trick (floorf would not vectorise without
   * -fno-trapping-math, which lets GCC turn (float)(int)x into truncf and so -0). */
  const float k = (xc * 1.44269504088896341f + 12582912.0f) - 12582912.0f;
  float r = xc - k * 0.693359375f;
  r = r - k * -2.12194440e-4f;
  float p = 1.9875691500e-4f;
  p = p * r + 1.3981999507e-3f;
  p = p * r + 8.3334519073e-3f;
  p = p * r + 4.1665795894e-2f;
  p = p * r + 1.6666665459e-1f;
  p = p * r + 5.0000001201e-1f;
  const float e = p * (r * r) + r + 1.0f;
  const int32_t ki = (int32_t)k;
  const int32_t k1 = ki / 2;
  const float y = e * dj_pow2i(k1) * dj_pow2i(ki - k1);
  /* Overflow and underflow blend in through bit masks (see dj_logf for why not a select). */
  const uint32_t over = (uint32_t)__builtin_isgreater(x, hi);
  const uint32_t under = (uint32_t)__builtin_isless(x, lo);
  dj_f32bits v;
  v.f = y;
  v.u = (v.u & ((over | under) - 1u)) | (0x7f800000u & (0u - over)); /* inf, or 0 */
  return v.f;
}
static inline float dj_logf(float x) {
  /* Integer arithmetic on the bits wherever a select would do: GCC turns a select between FP
   * expressions into a branch, and under default trapping math it will not if-convert (and
   * so vectorise) a branch that holds an FP operation. */
  const uint32_t small = (uint32_t)__builtin_isless(x, 1.17549435e-38f);
  dj_f32bits v;
  v.u = 0x3f800000u + small * (0x4b000000u - 0x3f800000u); /* 1 or 2^23 */
  v.f = x * v.f;
  const uint32_t bits = v.u;
  int32_t e = (int32_t)((bits >> 23) & 0xff) - 126 - (int32_t)(small * 23u);
  v.u = (bits & 0x007fffffu) | 0x3f000000u;
  const uint32_t below = (uint32_t)__builtin_isless(v.f, 0.707106781186547524f);
  e -= (int32_t)below;
  v.u += below << 23; /* m * 2 when below sqrt(1/2) */
  float m = v.f - 1.0f;
  const float z = m * m;
  float p = 7.0376836292e-2f;
  p = p * m + -1.1514610310e-1f;
  p = p * m + 1.1676998740e-1f;
  p = p * m + -1.2420140846e-1f;
  p = p * m + 1.4249322787e-1f;
  p = p * m + -1.6668057665e-1f;
  p = p * m + 2.0000714765e-1f;
  p = p * m + -2.4999993993e-1f;
  p = p * m + 3.3333331174e-1f;
  const float fe = (float)e;
  float y = m * z * p;
  y = y + fe * -2.12194440e-4f;
  y = y - 0.5f * z;
  const float result = m + y + fe * 0.693359375f;
  /* The special cases blend in through bit masks: a select here lets GCC sink the whole
   * computation above into a branch, which it then will not vectorise. */
  const uint32_t invalid = (uint32_t)((x != x) | __builtin_isless(x, 0.0f));
  const uint32_t zero = (uint32_t)(x == 0.0f);
  const uint32_t edge = (uint32_t)(zero | (uint32_t)(x == INFINITY));
  const uint32_t edgeBits = zero ? 0xff800000u : 0x7f800000u; /* -inf or +inf */
  v.f = result;
  uint32_t out = (v.u & (edge - 1u)) | (edgeBits & (0u - edge));
  out = (out & (invalid - 1u)) | (0x7fc00000u & (0u - invalid)); /* NaN */
  v.u = out;
  return v.f;
}
