// The symmetric Gaussian kernel pass's per-row loops (`TiledKernelSums`'s
// `_symmetricGaussianRowLogSums`, the kde estimators) compiled for AVX2.
//
// Swift code is compiled for the x86-64 baseline (SSE2): there a `SIMD4<Double>` is two 128-bit
// operations, and the row's steps (scale the distances, build the same-group mask, multiply by
// it, add into the row and column sums) were five loops over the row. Here they are two, one
// before the exponentials and one after, four doubles per instruction. Callers check
// `ibp_pairwise_avx2_available()` and otherwise run the Swift loops. The results are the same
// bits: every product is the same product, every column sum gets the same addition, and the row
// sums are kept in the same four lanes ((c - start) mod 4, combined as ((l0 + l1) + (l2 + l3))
// plus the tail added in order) as `_addToRowAndColumns`; fused multiply-adds are off.
#ifndef IBPLANE_CNATIVE_PAIRWISE_ROW_KERNELS_H
#define IBPLANE_CNATIVE_PAIRWISE_ROW_KERNELS_H
#include <immintrin.h>
#include <stdint.h>

#pragma float_control(push)
#pragma clang fp contract(off)

static inline int ibp_pairwise_avx2_available(void) { return __builtin_cpu_supports("avx2"); }

// e[c] = k * d[c] for c in [start, w) (k = -gamma; the distances of a double tile).
__attribute__((target("avx2"))) static inline void ibp_scale_row_f64(const double *d, double k, long start, long w,
                                                                     double *e) {
  const __m256d kv = _mm256_set1_pd(k);
  long c = start;
  for (; c + 4 <= w; c += 4) _mm256_storeu_pd(e + c, _mm256_mul_pd(kv, _mm256_loadu_pd(d + c)));
  for (; c < w; c++) e[c] = k * d[c];
}

// The same of a float tile, each distance widened exactly.
__attribute__((target("avx2"))) static inline void ibp_scale_row_f32(const float *d, double k, long start, long w,
                                                                     double *e) {
  const __m256d kv = _mm256_set1_pd(k);
  long c = start;
  for (; c + 4 <= w; c += 4) _mm256_storeu_pd(e + c, _mm256_mul_pd(kv, _mm256_cvtps_pd(_mm_loadu_ps(d + c))));
  for (; c < w; c++) e[c] = k * (double)d[c];
}

// q[c] = ((e[c] * e[c]) * e[c]) * e[c] for c in [start, w): the fourth power, multiplied in the
// Swift loop's order.
__attribute__((target("avx2"))) static inline void ibp_power4_row(const double *e, long start, long w, double *q) {
  long c = start;
  for (; c + 4 <= w; c += 4) {
    __m256d x = _mm256_loadu_pd(e + c);
    _mm256_storeu_pd(q + c, _mm256_mul_pd(_mm256_mul_pd(_mm256_mul_pd(x, x), x), x));
  }
  for (; c < w; c++) q[c] = ((e[c] * e[c]) * e[c]) * e[c];
}

// Over c in [start, w): *row gets the sum of v[c] and col[c] += v[c]; when `groups` is not
// NULL, g = v[c] * (groups[c] == group ? 1 : 0) goes the same way into *row_group and
// col_group[c]. The sums are returned, not added: the caller adds each to its accumulator.
__attribute__((target("avx2"))) static inline void ibp_row_column_sums(const double *v, long start, long w, double *col,
                                                                       const int32_t *groups, int32_t group,
                                                                       double *col_group, double *row,
                                                                       double *row_group) {
  const __m256d one = _mm256_set1_pd(1.0);
  const __m128i gv = _mm_set1_epi32(group);
  __m256d s = _mm256_setzero_pd();
  __m256d sg = _mm256_setzero_pd();
  long c = start;
  for (; c + 4 <= w; c += 4) {
    __m256d x = _mm256_loadu_pd(v + c);
    s = _mm256_add_pd(s, x);
    _mm256_storeu_pd(col + c, _mm256_add_pd(_mm256_loadu_pd(col + c), x));
    if (groups) {
      __m128i eq = _mm_cmpeq_epi32(_mm_loadu_si128((const __m128i *)(groups + c)), gv);
      __m256d same = _mm256_and_pd(_mm256_castsi256_pd(_mm256_cvtepi32_epi64(eq)), one);
      __m256d g = _mm256_mul_pd(x, same);
      sg = _mm256_add_pd(sg, g);
      _mm256_storeu_pd(col_group + c, _mm256_add_pd(_mm256_loadu_pd(col_group + c), g));
    }
  }
  double tail = 0, tail_group = 0;
  for (; c < w; c++) {
    tail += v[c];
    col[c] += v[c];
    if (groups) {
      double g = v[c] * (groups[c] == group ? 1.0 : 0.0);
      tail_group += g;
      col_group[c] += g;
    }
  }
  double l[4], lg[4];
  _mm256_storeu_pd(l, s);
  _mm256_storeu_pd(lg, sg);
  *row = ((l[0] + l[1]) + (l[2] + l[3])) + tail;
  *row_group = ((lg[0] + lg[1]) + (lg[2] + lg[3])) + tail_group;
}

// `ibp_distance_row_d/_f` (vector_math.h) in 256-bit lanes: o[c] = max-with-zero of
// o[c] + (nx + ny[c]), the same two additions in the same order and the same clamp (a negative
// sum becomes +0, as the SSE2 loop's mask makes it), so the same bits; 4 doubles or 8 floats a
// step where the SSE2 loop takes 2 or 4. `TiledKernelSums._DistancePlan.fillDistances` runs
// these where `_pairwiseRowKernels` holds.
__attribute__((target("avx2"))) static inline void ibp_distance_row_d_avx2(double *o, double nx, const double *ny, long w) {
  const __m256d nxv = _mm256_set1_pd(nx);
  const __m256d zero = _mm256_setzero_pd();
  long c = 0;
  for (; c + 4 <= w; c += 4) {
    __m256d v = _mm256_add_pd(_mm256_loadu_pd(o + c), _mm256_add_pd(nxv, _mm256_loadu_pd(ny + c)));
    v = _mm256_andnot_pd(_mm256_cmp_pd(v, zero, _CMP_LT_OQ), v);
    _mm256_storeu_pd(o + c, v);
  }
  for (; c < w; c++) {
    double v = o[c] + (nx + ny[c]);
    o[c] = v < 0 ? 0 : v;
  }
}

__attribute__((target("avx2"))) static inline void ibp_distance_row_f_avx2(float *o, float nx, const float *ny, long w) {
  const __m256 nxv = _mm256_set1_ps(nx);
  const __m256 zero = _mm256_setzero_ps();
  long c = 0;
  for (; c + 8 <= w; c += 8) {
    __m256 v = _mm256_add_ps(_mm256_loadu_ps(o + c), _mm256_add_ps(nxv, _mm256_loadu_ps(ny + c)));
    v = _mm256_andnot_ps(_mm256_cmp_ps(v, zero, _CMP_LT_OQ), v);
    _mm256_storeu_ps(o + c, v);
  }
  for (; c < w; c++) {
    float v = o[c] + (nx + ny[c]);
    o[c] = v < 0 ? 0 : v;
  }
}

#pragma float_control(pop)

#endif
