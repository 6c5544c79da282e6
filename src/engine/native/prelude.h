/* Helpers shared by every kernel program of the native backend (src/engine/native). Each
 * follows the semantics of jax-js's reference `cpu` backend (AluExp.evaluate). */
#include <math.h>
#include <stdint.h>
#include <string.h>

/* Math.min/Math.max: NaN in either argument gives NaN. */
static inline float dj_minf(float a, float b) { return a != a ? a : (b != b ? b : (a < b ? a : b)); }
static inline float dj_maxf(float a, float b) { return a != a ? a : (b != b ? b : (a > b ? a : b)); }
static inline double dj_min(double a, double b) { return a != a ? a : (b != b ? b : (a < b ? a : b)); }
static inline double dj_max(double a, double b) { return a != a ? a : (b != b ? b : (a > b ? a : b)); }

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
