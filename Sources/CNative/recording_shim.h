// Inner loop of the recording reader: copy float32 activations out of the memory-mapped file and
// count NaN/±Inf in the same pass (a float is non-finite iff its 8 exponent bits are all ones,
// i.e. iff (bits & 0x7F800000) + 0x00800000 carries into bit 31). Written in C so that an AVX2
// version can be picked at run time (x86-64 Swift code is compiled for the SSE2 baseline).
#ifndef IBPLANE_CNATIVE_RECORDING_SHIM_H
#define IBPLANE_CNATIVE_RECORDING_SHIM_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <immintrin.h>

#define IBP_COPY_COUNT_BODY                                                   \
  uint32_t count = 0;                                                         \
  for (size_t i = 0; i < n; i++) {                                            \
    uint32_t w;                                                               \
    memcpy(&w, (const unsigned char *)src + 4 * i, 4);                        \
    dst[i] = w;                                                               \
    count += ((w & 0x7F800000u) + 0x00800000u) >> 31;                         \
  }                                                                           \
  return count;

static inline uint32_t ibp_copy_count_nonfinite_f32_base(uint32_t *restrict dst, const void *restrict src, size_t n) {
  IBP_COPY_COUNT_BODY
}

// Written with intrinsics: left as a loop, the compiler splits it into a memcpy plus a counting
// loop, which reads the data twice.
__attribute__((target("avx2"))) static inline uint32_t ibp_copy_count_nonfinite_f32_avx2(
    uint32_t *restrict dst, const void *restrict src, size_t n) {
  const __m256i exponent = _mm256_set1_epi32(0x7F800000);
  const __m256i carry = _mm256_set1_epi32(0x00800000);
  __m256i counts = _mm256_setzero_si256();
  size_t i = 0;
  for (; i + 8 <= n; i += 8) {
    __m256i w = _mm256_loadu_si256((const __m256i *)((const unsigned char *)src + 4 * i));
    _mm256_storeu_si256((__m256i *)(dst + i), w);
    __m256i top = _mm256_srli_epi32(_mm256_add_epi32(_mm256_and_si256(w, exponent), carry), 31);
    counts = _mm256_add_epi32(counts, top);
  }
  uint32_t lanes[8];
  _mm256_storeu_si256((__m256i *)lanes, counts);
  uint32_t count = lanes[0] + lanes[1] + lanes[2] + lanes[3] + lanes[4] + lanes[5] + lanes[6] + lanes[7];
  for (; i < n; i++) {
    uint32_t w;
    memcpy(&w, (const unsigned char *)src + 4 * i, 4);
    dst[i] = w;
    count += ((w & 0x7F800000u) + 0x00800000u) >> 31;
  }
  return count;
}

/// Copies n float32 bit patterns from src (any alignment) to dst and returns how many are
/// NaN or ±Inf. n must be < 2^32.
static inline uint32_t ibp_copy_count_nonfinite_f32(uint32_t *restrict dst, const void *restrict src, size_t n) {
  if (__builtin_cpu_supports("avx2")) return ibp_copy_count_nonfinite_f32_avx2(dst, src, n);
  return ibp_copy_count_nonfinite_f32_base(dst, src, n);
}

__attribute__((target("avx2"))) static inline uint32_t ibp_count_nonfinite_f32_avx2(const uint32_t *src, size_t n) {
  const __m256i exponent = _mm256_set1_epi32(0x7F800000);
  const __m256i carry = _mm256_set1_epi32(0x00800000);
  __m256i counts = _mm256_setzero_si256();
  size_t i = 0;
  for (; i + 8 <= n; i += 8) {
    __m256i w = _mm256_loadu_si256((const __m256i *)(src + i));
    counts = _mm256_add_epi32(counts, _mm256_srli_epi32(_mm256_add_epi32(_mm256_and_si256(w, exponent), carry), 31));
  }
  uint32_t lanes[8];
  _mm256_storeu_si256((__m256i *)lanes, counts);
  uint32_t count = lanes[0] + lanes[1] + lanes[2] + lanes[3] + lanes[4] + lanes[5] + lanes[6] + lanes[7];
  for (; i < n; i++) count += ((src[i] & 0x7F800000u) + 0x00800000u) >> 31;
  return count;
}

/// How many of the n float32 bit patterns at src are NaN or ±Inf. n must be < 2^32.
static inline uint32_t ibp_count_nonfinite_f32(const uint32_t *src, size_t n) {
  if (__builtin_cpu_supports("avx2")) return ibp_count_nonfinite_f32_avx2(src, n);
  uint32_t count = 0;
  for (size_t i = 0; i < n; i++) count += ((src[i] & 0x7F800000u) + 0x00800000u) >> 31;
  return count;
}

/// 1 when the CPU converts float16 in hardware (F16C) and has AVX2.
static inline int ibp_has_f16c(void) { return __builtin_cpu_supports("f16c") && __builtin_cpu_supports("avx2"); }

/// Converts n IEEE binary16 values at src (any alignment) to float32 at dst with F16C and returns
/// how many are NaN or ±Inf. Call only when ibp_has_f16c(); n must be < 2^32.
__attribute__((target("avx2,f16c"))) static inline uint32_t ibp_convert_count_f16_f16c(
    float *restrict dst, const void *restrict src, size_t n) {
  const __m256i exponent = _mm256_set1_epi32(0x7F800000);
  const __m256i carry = _mm256_set1_epi32(0x00800000);
  __m256i counts = _mm256_setzero_si256();
  size_t i = 0;
  for (; i + 8 <= n; i += 8) {
    __m256 f = _mm256_cvtph_ps(_mm_loadu_si128((const __m128i *)((const unsigned char *)src + 2 * i)));
    _mm256_storeu_ps(dst + i, f);
    __m256i w = _mm256_castps_si256(f);
    counts = _mm256_add_epi32(counts, _mm256_srli_epi32(_mm256_add_epi32(_mm256_and_si256(w, exponent), carry), 31));
  }
  uint32_t lanes[8];
  _mm256_storeu_si256((__m256i *)lanes, counts);
  uint32_t count = lanes[0] + lanes[1] + lanes[2] + lanes[3] + lanes[4] + lanes[5] + lanes[6] + lanes[7];
  if (i < n) {
    uint16_t half[8] = {0};
    float out[8];
    memcpy(half, (const unsigned char *)src + 2 * i, 2 * (n - i));
    _mm256_storeu_ps(out, _mm256_cvtph_ps(_mm_loadu_si128((const __m128i *)half)));
    for (size_t k = 0; k < n - i; k++) {
      uint32_t w;
      memcpy(&w, &out[k], 4);
      dst[i + k] = out[k];
      count += ((w & 0x7F800000u) + 0x00800000u) >> 31;
    }
  }
  return count;
}

#endif
