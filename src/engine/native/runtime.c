/* Memory and threads of the native backend (src/engine/native/backend.ts). Addresses cross
 * the FFI as doubles: every user-space address fits in the 53 bits of a double's mantissa. */
#include <omp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

double dj_alloc(double bytes) {
  size_t n = (size_t)bytes;
  size_t rounded = (n + 63) / 64 * 64;
  return (double)(uintptr_t)aligned_alloc(64, rounded ? rounded : 64);
}
void dj_free(double address) { free((void*)(uintptr_t)address); }
void dj_write(double address, const uint8_t* src, double offset, double bytes) {
  memcpy((uint8_t*)(uintptr_t)address + (size_t)offset, src, (size_t)bytes);
}
void dj_read(uint8_t* dst, double address, double offset, double bytes) {
  memcpy(dst, (const uint8_t*)(uintptr_t)address + (size_t)offset, (size_t)bytes);
}
void dj_set_threads(int threads) { omp_set_num_threads(threads); }
int dj_max_threads(void) { return omp_get_max_threads(); }
