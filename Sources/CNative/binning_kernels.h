// Bin codes compiled for AVX2: the bounded binning conventions' (Binning.swift's fused pass)
// and adaptive binning's edge search (`ibp_bin_search_f64/_f32`, AdaptiveBinning.swift's
// `assign` and float layers), and `DistinctSort`'s pass over few distinct values, each with Swift loops of the same results for other processors.
//
// Swift code is compiled for the x86-64 baseline (SSE2), so its per-value coding is scalar:
// a multiply-add, a clamp, a checked conversion and, for IDNNs, two table loads and compares,
// about ten cycles a value. Here four values go through each instruction. Callers check
// `ibp_bin_avx2_available()` and otherwise run the Swift coders (`_IDNNSCoding`,
// `_LinearCoding`), with the same codes:
// - the equal-width kernel repeats `_LinearCoding.code` operation for operation, in the same
//   order and precision (products, differences and quotients of doubles round the same way in
//   either language, contraction into fused multiply-adds is off, and min, floor and
//   truncation are exact);
// - the IDNNs kernel counts the edges <= v by one table read where the Swift coder takes two
//   (see `ibp_bin_idnns4` for why the counts agree).
// The tests compare both kernels with the Swift coders, and the IDNNs codes with a bisection
// of the edges, on every edge, its neighbours, the grid's cell boundaries and the extremes.
#ifndef IBPLANE_CNATIVE_BINNING_KERNELS_H
#define IBPLANE_CNATIVE_BINNING_KERNELS_H
#include <immintrin.h>
#include <stdint.h>

#pragma float_control(push)
#pragma clang fp contract(off)

static inline int ibp_bin_avx2_available(void) { return __builtin_cpu_supports("avx2"); }

// The low 32 bits of each 64-bit lane (the lanes hold small integers).
__attribute__((target("avx2"))) static inline __m128i ibp_bin_low32(__m256i x) {
  return _mm256_castsi256_si128(_mm256_permutevar8x32_epi32(x, _mm256_setr_epi32(0, 2, 4, 6, 0, 2, 4, 6)));
}

// IDNNs' digitize (`_IDNNSCoding.code`): #{edges <= v}, code = that count - 1, or bins - 1
// for a count of 0. The count is read from v's cell in a grid of cells centred on the edges,
// c = trunc(min(max((v + 1) * inverse_step + 0.5, 0), bins - 1)), which holds edge c and no
// other: count = c + [edge_c <= v], one table read where `_IDNNSCoding.code` (scalar, where a
// compare's result is a branch and the branch must be predictable) corrects its guess both
// ways. The same count for every v: `_IDNNSCoding.code`'s comment bounds an edge's distance
// from its grid point (< 0.04 of a step) and the grid index's rounding (~2^-33 of a step), so
// a v whose cell index rounds into a neighbouring cell lies near the boundary, about half a
// step from both edges, where the two cells give the same count; below the first cell the
// count is 0 (v < edge_0 = -1), above the last it is bins (v >= edge_{bins-1} = 1).
// `padded` holds bins + 2 doubles: -inf, the bins edges, +inf.
__attribute__((target("avx2"))) static inline __m128i ibp_bin_idnns4(
    __m256d v, const double *padded, __m256d inverse_step, __m256d top, __m128i last) {
  __m256d t = _mm256_add_pd(_mm256_mul_pd(_mm256_add_pd(v, _mm256_set1_pd(1.0)), inverse_step), _mm256_set1_pd(0.5));
  t = _mm256_min_pd(_mm256_max_pd(t, _mm256_setzero_pd()), top);
  __m128i c = _mm256_cvttpd_epi32(t);
  __m256d edge = _mm256_i32gather_pd(padded + 1, c, 8);
  // The compare mask is -1 where true: count = c - (-[edge <= v]).
  __m128i le = ibp_bin_low32(_mm256_castpd_si256(_mm256_cmp_pd(edge, v, _CMP_LE_OQ)));
  __m128i count = _mm_sub_epi32(c, le);
  __m128i wrap = _mm_cmpeq_epi32(count, _mm_setzero_si128());
  return _mm_blendv_epi8(_mm_sub_epi32(count, _mm_set1_epi32(1)), last, wrap);
}

// Equal-width bins (`_LinearCoding.code`): q = (v * h - low_scaled) / span * scale, floored
// when `floor_q`, then trunc(min(q, last)).
__attribute__((target("avx2"))) static inline __m128i ibp_bin_linear4(
    __m256d v, __m256d h, __m256d low_scaled, __m256d span, __m256d scale, __m256d last, int floor_q) {
  __m256d q = _mm256_mul_pd(_mm256_div_pd(_mm256_sub_pd(_mm256_mul_pd(v, h), low_scaled), span), scale);
  if (floor_q) q = _mm256_floor_pd(q);
  return _mm256_cvttpd_epi32(_mm256_min_pd(q, last));
}

// Parameters of one coder; `kind` 0 is IDNNs (padded, bins, inverse_step), 1 is linear (h,
// low_scaled, span, scale, last, floor_q).
typedef struct ibp_bin_coder {
  int kind;
  const double *padded;
  long bins;
  double inverse_step;
  double h, low_scaled, span, scale, last;
  int floor_q;
} ibp_bin_coder;

// Four values' codes under `c`.
__attribute__((target("avx2"))) static inline __m128i ibp_bin_code4(const ibp_bin_coder *c, __m256d v) {
  if (c->kind == 0) {
    return ibp_bin_idnns4(v, c->padded, _mm256_set1_pd(c->inverse_step), _mm256_set1_pd((double)(c->bins - 1)),
                          _mm_set1_epi32((int)(c->bins - 1)));
  }
  return ibp_bin_linear4(v, _mm256_set1_pd(c->h), _mm256_set1_pd(c->low_scaled), _mm256_set1_pd(c->span),
                         _mm256_set1_pd(c->scale), _mm256_set1_pd(c->last), c->floor_q);
}

// Codes of the doubles x[0 ..< n] into out[0 ..< n]. The last partial group of four is coded
// from a copy padded with its first value (every value is finite; the padding is not stored).
__attribute__((target("avx2"))) static inline void ibp_bin_codes_f64(const ibp_bin_coder *c, const double *x, long n,
                                                                     int32_t *out) {
  long i = 0;
  for (; i + 4 <= n; i += 4) _mm_storeu_si128((__m128i *)(out + i), ibp_bin_code4(c, _mm256_loadu_pd(x + i)));
  if (i < n) {
    double v[4];
    int32_t o[4];
    for (int k = 0; k < 4; k++) v[k] = x[i + k < n ? i + k : i];
    _mm_storeu_si128((__m128i *)o, ibp_bin_code4(c, _mm256_loadu_pd(v)));
    for (int k = 0; i + k < n; k++) out[i + k] = o[k];
  }
}

// `ibp_bin_codes_f64` of floats, each widened to a double exactly as Swift's `Double(x)`.
__attribute__((target("avx2"))) static inline void ibp_bin_codes_f32(const ibp_bin_coder *c, const float *x, long n,
                                                                     int32_t *out) {
  long i = 0;
  for (; i + 4 <= n; i += 4) _mm_storeu_si128((__m128i *)(out + i), ibp_bin_code4(c, _mm256_cvtps_pd(_mm_loadu_ps(x + i))));
  if (i < n) {
    float v[4];
    int32_t o[4];
    for (int k = 0; k < 4; k++) v[k] = x[i + k < n ? i + k : i];
    _mm_storeu_si128((__m128i *)o, ibp_bin_code4(c, _mm256_cvtps_pd(_mm_loadu_ps(v))));
    for (int k = 0; i + k < n; k++) out[i + k] = o[k];
  }
}

// Adaptive binning's search (`AdaptiveBinningEstimator.assign`) of the doubles x[0 ..< n]:
// out[i] = #{padded <= x[i]} by halving steps over `padded` (width - 1 entries, width a power of
// two, the edges then +inf), or -1 when x[i] < lower. The same comparisons, in the same
// order, as the Swift search's SIMD4 lanes; indices are exact integers.
__attribute__((target("avx2"))) static inline __m128i ibp_bin_search4(__m256d v, const double *padded, long width,
                                                                      __m256d lower) {
  __m256i at = _mm256_setzero_si256();
  for (long step = width >> 1; step > 0; step >>= 1) {
    __m256d e = _mm256_i64gather_pd(padded + step - 1, at, 8);
    __m256i le = _mm256_castpd_si256(_mm256_cmp_pd(e, v, _CMP_LE_OQ));
    at = _mm256_add_epi64(at, _mm256_and_si256(le, _mm256_set1_epi64x(step)));
  }
  __m256i below = _mm256_castpd_si256(_mm256_cmp_pd(v, lower, _CMP_LT_OQ));
  return ibp_bin_low32(_mm256_or_si256(at, below));  // -1 where below: all ones
}

__attribute__((target("avx2"))) static inline void ibp_bin_search_f64(const double *x, long n, const double *padded,
                                                                      long width, double lower, int32_t *out) {
  const __m256d low = _mm256_set1_pd(lower);
  long i = 0;
  for (; i + 4 <= n; i += 4) _mm_storeu_si128((__m128i *)(out + i), ibp_bin_search4(_mm256_loadu_pd(x + i), padded, width, low));
  if (i < n) {
    double v[4];
    int32_t o[4];
    for (int k = 0; k < 4; k++) v[k] = x[i + k < n ? i + k : i];
    _mm_storeu_si128((__m128i *)o, ibp_bin_search4(_mm256_loadu_pd(v), padded, width, low));
    for (int k = 0; i + k < n; k++) out[i + k] = o[k];
  }
}

// `ibp_bin_search_f64` of floats, with float edges, eight lanes a step: out[i] =
// #{padded32 <= x[i]}, or -1 when x[i] < lower32, where padded32[k] is the smallest float >=
// padded[k] (the double edges) and lower32 the smallest float >= lower
// (`AdaptiveBinningEstimator.floatUp`). For a finite float v and any double e, Double(v) >= e
// exactly when v >= (smallest float >= e) (an e beyond the largest float rounds up to +inf,
// which no finite v reaches); the rounded edges keep their order, so each halving step takes
// the same branch as the double search of the widened value, and the counts are the same.
// Half the bytes per gather and twice the lanes of the double search.
__attribute__((target("avx2"))) static inline __m256i ibp_bin_search8_f32(__m256 v, const float *padded, long width,
                                                                          __m256 lower) {
  __m256i at = _mm256_setzero_si256();
  for (long step = width >> 1; step > 0; step >>= 1) {
    __m256 e = _mm256_i32gather_ps(padded + step - 1, at, 4);
    __m256i le = _mm256_castps_si256(_mm256_cmp_ps(e, v, _CMP_LE_OQ));
    at = _mm256_add_epi32(at, _mm256_and_si256(le, _mm256_set1_epi32((int)step)));
  }
  __m256i below = _mm256_castps_si256(_mm256_cmp_ps(v, lower, _CMP_LT_OQ));
  return _mm256_or_si256(at, below);  // -1 where below: all ones
}

__attribute__((target("avx2"))) static inline void ibp_bin_search_f32(const float *x, long n, const float *padded,
                                                                      long width, float lower, int32_t *out) {
  const __m256 low = _mm256_set1_ps(lower);
  long i = 0;
  for (; i + 8 <= n; i += 8) {
    _mm256_storeu_si256((__m256i *)(out + i), ibp_bin_search8_f32(_mm256_loadu_ps(x + i), padded, width, low));
  }
  if (i < n) {
    float v[8];
    int32_t o[8];
    for (int k = 0; k < 8; k++) v[k] = x[i + k < n ? i + k : i];
    _mm256_storeu_si256((__m256i *)o, ibp_bin_search8_f32(_mm256_loadu_ps(v), padded, width, low));
    for (int k = 0; i + k < n; k++) out[i + k] = o[k];
  }
}

// The least and greatest of x[0 ..< n] (n >= 1, finite values), eight floats (four doubles) a
// step: `BinningConvention.extremes`' loop in 256-bit lanes. MINPS/MAXPS return their second
// operand unless the first is strictly less (greater), the Swift loop's `v < l ? v : l`, so for
// finite values the result is the same value; only the sign of a zero extreme depends on which
// lane kept it, and the caller takes that sign from the data itself.
__attribute__((target("avx2"))) static inline void ibp_extremes_f32(const float *x, long n, float *lo, float *hi) {
  __m256 l = _mm256_set1_ps(x[0]), h = l;
  long i = 0;
  for (; i + 8 <= n; i += 8) {
    const __m256 v = _mm256_loadu_ps(x + i);
    l = _mm256_min_ps(v, l);
    h = _mm256_max_ps(v, h);
  }
  float ls[8], hs[8];
  _mm256_storeu_ps(ls, l);
  _mm256_storeu_ps(hs, h);
  float a = ls[0], b = hs[0];
  for (int k = 1; k < 8; k++) {
    a = ls[k] < a ? ls[k] : a;
    b = hs[k] > b ? hs[k] : b;
  }
  for (; i < n; i++) {
    a = x[i] < a ? x[i] : a;
    b = x[i] > b ? x[i] : b;
  }
  *lo = a;
  *hi = b;
}

__attribute__((target("avx2"))) static inline void ibp_extremes_f64(const double *x, long n, double *lo, double *hi) {
  __m256d l = _mm256_set1_pd(x[0]), h = l;
  long i = 0;
  for (; i + 4 <= n; i += 4) {
    const __m256d v = _mm256_loadu_pd(x + i);
    l = _mm256_min_pd(v, l);
    h = _mm256_max_pd(v, h);
  }
  double ls[4], hs[4];
  _mm256_storeu_pd(ls, l);
  _mm256_storeu_pd(hs, h);
  double a = ls[0], b = hs[0];
  for (int k = 1; k < 4; k++) {
    a = ls[k] < a ? ls[k] : a;
    b = hs[k] > b ? hs[k] : b;
  }
  for (; i < n; i++) {
    a = x[i] < a ? x[i] : a;
    b = x[i] > b ? x[i] : b;
  }
  *lo = a;
  *hi = b;
}

// `DistinctSort`'s vector pass over few distinct values: the first i in [0, n) whose bit
// pattern x[i] is none of known[0 ..< count] (count <= 16), or n. Bit patterns, not values: -0
// and +0 are different patterns here (the caller folds them), and no NaN rule applies. Eight
// 32-bit (four 64-bit) patterns are compared with every known one per step, so a pool of a few
// values (binary inputs, saturated layers) is scanned with no hash and no branch per value.
__attribute__((target("avx2"))) static inline long ibp_first_unknown_u32(const uint32_t *x, long n, const uint32_t *known,
                                                                         long count) {
  __m256i k[16];
  if (count > 16) count = 16;
  for (long j = 0; j < count; j++) k[j] = _mm256_set1_epi32((int)known[j]);
  long i = 0;
  for (; i + 8 <= n; i += 8) {
    const __m256i v = _mm256_loadu_si256((const __m256i *)(x + i));
    __m256i hit = _mm256_setzero_si256();
    for (long j = 0; j < count; j++) hit = _mm256_or_si256(hit, _mm256_cmpeq_epi32(v, k[j]));
    const unsigned miss = ~(unsigned)_mm256_movemask_ps(_mm256_castsi256_ps(hit)) & 0xFFu;
    if (miss) return i + __builtin_ctz(miss);
  }
  for (; i < n; i++) {
    long j = 0;
    while (j < count && known[j] != x[i]) j++;
    if (j == count) return i;
  }
  return n;
}

__attribute__((target("avx2"))) static inline long ibp_first_unknown_u64(const uint64_t *x, long n, const uint64_t *known,
                                                                         long count) {
  __m256i k[16];
  if (count > 16) count = 16;
  for (long j = 0; j < count; j++) k[j] = _mm256_set1_epi64x((long long)known[j]);
  long i = 0;
  for (; i + 4 <= n; i += 4) {
    const __m256i v = _mm256_loadu_si256((const __m256i *)(x + i));
    __m256i hit = _mm256_setzero_si256();
    for (long j = 0; j < count; j++) hit = _mm256_or_si256(hit, _mm256_cmpeq_epi64(v, k[j]));
    const unsigned miss = ~(unsigned)_mm256_movemask_pd(_mm256_castsi256_pd(hit)) & 0xFu;
    if (miss) return i + __builtin_ctz(miss);
  }
  for (; i < n; i++) {
    long j = 0;
    while (j < count && known[j] != x[i]) j++;
    if (j == count) return i;
  }
  return n;
}

// The codes of a column whose bit patterns are all among known[0 ..< count] (count <= 16, as
// `DistinctSort._vectorPatterns` finds them): out[i] = codes[j] for the j with x[i] == known[j],
// and counts[j] = #{i : x[i] == known[j]}. Eight 32-bit (four 64-bit) values a step: a compare
// per known pattern, its code ORed in where it matched, its matches counted. A class-label
// column (`DiscreteEntropy.symbols(rowsOf:)`) has a few values, so this replaces a scan and a
// counter update per row.
__attribute__((target("avx2"))) static inline void ibp_codes_of_known_u32(const uint32_t *x, long n, const uint32_t *known,
                                                                          const int32_t *codes, long count, int32_t *out,
                                                                          long *counts) {
  __m256i k[16], c[16];
  long tally[16] = {0};
  if (count > 16) count = 16;
  for (long j = 0; j < count; j++) {
    k[j] = _mm256_set1_epi32((int)known[j]);
    c[j] = _mm256_set1_epi32(codes[j]);
  }
  long i = 0;
  for (; i + 8 <= n; i += 8) {
    const __m256i v = _mm256_loadu_si256((const __m256i *)(x + i));
    __m256i acc = _mm256_setzero_si256();
    for (long j = 0; j < count; j++) {
      const __m256i m = _mm256_cmpeq_epi32(v, k[j]);
      acc = _mm256_or_si256(acc, _mm256_and_si256(m, c[j]));
      tally[j] += __builtin_popcount((unsigned)_mm256_movemask_ps(_mm256_castsi256_ps(m)));
    }
    _mm256_storeu_si256((__m256i *)(out + i), acc);
  }
  for (; i < n; i++) {
    for (long j = 0; j < count; j++) {
      if (x[i] == known[j]) {
        out[i] = codes[j];
        tally[j]++;
        break;
      }
    }
  }
  for (long j = 0; j < count; j++) counts[j] = tally[j];
}

__attribute__((target("avx2"))) static inline void ibp_codes_of_known_u64(const uint64_t *x, long n, const uint64_t *known,
                                                                          const int32_t *codes, long count, int32_t *out,
                                                                          long *counts) {
  __m256i k[16], c[16];
  long tally[16] = {0};
  if (count > 16) count = 16;
  for (long j = 0; j < count; j++) {
    k[j] = _mm256_set1_epi64x((long long)known[j]);
    c[j] = _mm256_set1_epi64x(codes[j]);
  }
  long i = 0;
  for (; i + 4 <= n; i += 4) {
    const __m256i v = _mm256_loadu_si256((const __m256i *)(x + i));
    __m256i acc = _mm256_setzero_si256();
    for (long j = 0; j < count; j++) {
      const __m256i m = _mm256_cmpeq_epi64(v, k[j]);
      acc = _mm256_or_si256(acc, _mm256_and_si256(m, c[j]));
      tally[j] += __builtin_popcount((unsigned)_mm256_movemask_pd(_mm256_castsi256_pd(m)));
    }
    _mm_storeu_si128((__m128i *)(out + i), ibp_bin_low32(acc));
  }
  for (; i < n; i++) {
    for (long j = 0; j < count; j++) {
      if (x[i] == known[j]) {
        out[i] = codes[j];
        tally[j]++;
        break;
      }
    }
  }
  for (long j = 0; j < count; j++) counts[j] = tally[j];
}

#pragma float_control(pop)

#endif
