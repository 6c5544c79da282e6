/* FP32 fused multiply-add peak of one core, for `npm run bench` (bench/fma_peak.ts).
 *
 * NACC independent accumulator vectors each take one FMA per iteration (acc = acc * m + a),
 * enough of them to cover the FMA latency times the FMA units of any recent core, and few
 * enough to stay in registers. Built with -O3 -march=native -ffp-contract=off (the native
 * backend's flags), so every FMA is an explicit intrinsic, never a contracted a * b + c. */
#include <stdint.h>

#if defined(__AVX512F__)
#include <immintrin.h>
typedef __m512 vec;
#define NACC 16
#define LANES 16
#define SPLAT(x) _mm512_set1_ps(x)
#define FMA(acc, m, a) _mm512_fmadd_ps(acc, m, a)
static float hsum(vec v) { return _mm512_reduce_add_ps(v); }
static const char isa[] = "AVX-512 vfmadd on zmm";
#elif defined(__AVX2__) && defined(__FMA__)
#include <immintrin.h>
typedef __m256 vec;
#define NACC 12
#define LANES 8
#define SPLAT(x) _mm256_set1_ps(x)
#define FMA(acc, m, a) _mm256_fmadd_ps(acc, m, a)
static float hsum(vec v) {
  float f[8];
  _mm256_storeu_ps(f, v);
  return f[0] + f[1] + f[2] + f[3] + f[4] + f[5] + f[6] + f[7];
}
static const char isa[] = "AVX2 vfmadd on ymm";
#elif defined(__ARM_NEON) && defined(__ARM_FEATURE_FMA)
#include <arm_neon.h>
typedef float32x4_t vec;
#define NACC 16
#define LANES 4
#define SPLAT(x) vdupq_n_f32(x)
#define FMA(acc, m, a) vfmaq_f32(a, acc, m)
static float hsum(vec v) { return vaddvq_f32(v); }
static const char isa[] = "NEON fmla on q registers";
#else
#include <math.h>
typedef float vec;
#define NACC 8
#define LANES 1
#define SPLAT(x) (x)
#define FMA(acc, m, a) fmaf(acc, m, a)
static float hsum(vec v) { return v; }
static const char isa[] = "scalar fmaf (no AVX2/FMA, AVX-512 or NEON at -march=native)";
#endif

const char *fma_peak_isa(void) { return isa; }
int fma_peak_accumulators(void) { return NACC; }
int fma_peak_lanes(void) { return LANES; }
/* FLOPs of one iteration: NACC vectors of LANES lanes, 2 per FMA. */
double fma_peak_flops_per_iteration(void) { return 2.0 * NACC * LANES; }

/* Runs `iterations` rounds; m and a come from the caller, so nothing folds at compile time,
 * and the sum is returned so nothing is dead. With m < 1 the accumulators converge to
 * a / (1 - m) and never overflow. */
float fma_peak_run(double iterations, float m, float a) {
  const vec vm = SPLAT(m), va = SPLAT(a);
  vec acc[NACC];
  for (int j = 0; j < NACC; j++) acc[j] = SPLAT((float)j);
  const int64_t n = (int64_t)iterations;
  for (int64_t i = 0; i < n; i++) {
#pragma GCC unroll 32
    for (int j = 0; j < NACC; j++) acc[j] = FMA(acc[j], vm, va);
  }
  float sum = 0;
  for (int j = 0; j < NACC; j++) sum += hsum(acc[j]);
  return sum;
}
