// glibc's vector math library (libmvec) behind static inline loops: the trainer's element-wise
// tanh and the pairwise engine's exponentials. ibplane never hand-writes a transcendental
// function. AVX2 variants are chosen at run time (__builtin_cpu_supports), SSE2 otherwise; on a
// given machine every element goes through the same variant, so results do not depend on
// position or thread count (they may differ in the last ulp between AVX2 and SSE2 machines).
#ifndef IBPLANE_CNATIVE_VECTOR_MATH_H
#define IBPLANE_CNATIVE_VECTOR_MATH_H
#include <math.h>
#include <string.h>

// libmvec's vector-function ABI: `b` variants take 4 floats in an SSE register, `d` variants
// 8 floats in an AVX2 register (callers must be compiled for AVX2, hence the target attribute).
typedef float ibp_v4sf __attribute__((vector_size(16)));
typedef float ibp_v8sf __attribute__((vector_size(32)));
// tanhf on 4 or 8 lanes (glibc >= 2.35; IFUNCs picking the best implementation at load time).
ibp_v4sf _ZGVbN4v_tanhf(ibp_v4sf x);
__attribute__((target("avx2"))) ibp_v8sf _ZGVdN8v_tanhf(ibp_v8sf x);

__attribute__((target("avx2"))) static inline void ibp_tanhf_avx2(float *x, long n) {
  long i = 0;
  for (; i + 8 <= n; i += 8) {
    ibp_v8sf v;
    memcpy(&v, x + i, sizeof v);
    v = _ZGVdN8v_tanhf(v);
    memcpy(x + i, &v, sizeof v);
  }
  if (i < n) {
    ibp_v8sf v = {0, 0, 0, 0, 0, 0, 0, 0};
    memcpy(&v, x + i, (size_t)(n - i) * sizeof(float));
    v = _ZGVdN8v_tanhf(v);
    memcpy(x + i, &v, (size_t)(n - i) * sizeof(float));
  }
}

static inline void ibp_tanhf_sse(float *x, long n) {
  long i = 0;
  for (; i + 4 <= n; i += 4) {
    ibp_v4sf v;
    memcpy(&v, x + i, sizeof v);
    v = _ZGVbN4v_tanhf(v);
    memcpy(x + i, &v, sizeof v);
  }
  if (i < n) {
    ibp_v4sf v = {0, 0, 0, 0};
    memcpy(&v, x + i, (size_t)(n - i) * sizeof(float));
    v = _ZGVbN4v_tanhf(v);
    memcpy(x + i, &v, (size_t)(n - i) * sizeof(float));
  }
}

// x[i] = tanhf(x[i]) for i < n: 8 lanes per call on AVX2 machines, else 4. The tail is padded
// into one more vector, so on a given machine every element goes through the same function
// and results do not depend on position.
static inline void ibp_tanhf_inplace(float *x, long n) {
  if (__builtin_cpu_supports("avx2")) {
    ibp_tanhf_avx2(x, n);
  } else {
    ibp_tanhf_sse(x, n);
  }
}

typedef double ibp_v2df __attribute__((vector_size(16)));
typedef double ibp_v4df __attribute__((vector_size(32)));
// exp on 2 or 4 lanes (glibc >= 2.22), accuracy < 4 ulp.
ibp_v2df _ZGVbN2v_exp(ibp_v2df x);
__attribute__((target("avx2"))) ibp_v4df _ZGVdN4v_exp(ibp_v4df x);

__attribute__((target("avx2"))) static inline void ibp_exp_avx2(double *x, long n) {
  long i = 0;
  for (; i + 4 <= n; i += 4) {
    ibp_v4df v;
    memcpy(&v, x + i, sizeof v);
    v = _ZGVdN4v_exp(v);
    memcpy(x + i, &v, sizeof v);
  }
  if (i < n) {
    ibp_v4df v = {0, 0, 0, 0};
    memcpy(&v, x + i, (size_t)(n - i) * sizeof(double));
    v = _ZGVdN4v_exp(v);
    memcpy(x + i, &v, (size_t)(n - i) * sizeof(double));
  }
}

static inline void ibp_exp_sse(double *x, long n) {
  long i = 0;
  for (; i + 2 <= n; i += 2) {
    ibp_v2df v;
    memcpy(&v, x + i, sizeof v);
    v = _ZGVbN2v_exp(v);
    memcpy(x + i, &v, sizeof v);
  }
  if (i < n) {
    ibp_v2df v = {0, 0};
    memcpy(&v, x + i, (size_t)(n - i) * sizeof(double));
    v = _ZGVbN2v_exp(v);
    memcpy(x + i, &v, (size_t)(n - i) * sizeof(double));
  }
}

// x[i] = exp(x[i]) for i < n.
static inline void ibp_exp_inplace(double *x, long n) {
  if (__builtin_cpu_supports("avx2")) {
    ibp_exp_avx2(x, n);
  } else {
    ibp_exp_sse(x, n);
  }
}
// One row of a squared-distance tile: o[c] = max-clamp(o[c] + (nx + ny[c])) with the clamp
// `v < 0 ? +0 : v` (NaN passes through), exactly the operations and order of the scalar loop,
// in SSE2 vectors (Swift's loop compiled to a compare and a jump per element, ~9 % of a kernel
// job, issue 17). Branch-free: v & ~(v < 0) zeroes the negative lanes. The norms are added
// first, so D_ij and D_ji are the same bits (o = −2 x_i·x_j is symmetric and so is nx + ny):
// the symmetric pass computes each pair once and uses it for both rows.
typedef long long ibp_v2di __attribute__((vector_size(16)));
typedef int ibp_v4si __attribute__((vector_size(16)));
static inline void ibp_distance_row_d(double *o, double nx, const double *ny, long w) {
  const ibp_v2df nxv = {nx, nx};
  const ibp_v2df zero = {0, 0};
  long c = 0;
  for (; c + 2 <= w; c += 2) {
    ibp_v2df v, y;
    memcpy(&v, o + c, sizeof v);
    memcpy(&y, ny + c, sizeof y);
    v = v + (nxv + y);
    ibp_v2di negative = (ibp_v2di)(v < zero);
    v = (ibp_v2df)((ibp_v2di)v & ~negative);
    memcpy(o + c, &v, sizeof v);
  }
  for (; c < w; c++) {
    double v = o[c] + (nx + ny[c]);
    o[c] = v < 0 ? 0 : v;
  }
}

static inline void ibp_distance_row_f(float *o, float nx, const float *ny, long w) {
  const ibp_v4sf nxv = {nx, nx, nx, nx};
  const ibp_v4sf zero = {0, 0, 0, 0};
  long c = 0;
  for (; c + 4 <= w; c += 4) {
    ibp_v4sf v, y;
    memcpy(&v, o + c, sizeof v);
    memcpy(&y, ny + c, sizeof y);
    v = v + (nxv + y);
    ibp_v4si negative = (ibp_v4si)(v < zero);
    v = (ibp_v4sf)((ibp_v4si)v & ~negative);
    memcpy(o + c, &v, sizeof v);
  }
  for (; c < w; c++) {
    float v = o[c] + (nx + ny[c]);
    o[c] = v < 0 ? 0 : v;
  }
}

// expf on 4 or 8 lanes (glibc >= 2.22), accuracy < 4 ulp.
ibp_v4sf _ZGVbN4v_expf(ibp_v4sf x);
__attribute__((target("avx2"))) ibp_v8sf _ZGVdN8v_expf(ibp_v8sf x);

// Range of the single-precision kernel exponentials below: e^-87 ≈ 1.65e-38 is still a normal
// float (FLT_MIN ≈ 1.18e-38), and 1.7e-38 sits just above it.
#define IBP_EXPF_FLOOR_ARGUMENT (-87.0f)
#define IBP_EXPF_FLUSH_BELOW (1.7e-38f)

typedef int ibp_v8si __attribute__((vector_size(32)));

// Whole vectors only (clamp, exp, flush in registers: scalar stores into a vector that is then
// loaded whole would stall store forwarding); the tail is padded into one more vector.
__attribute__((target("avx2"))) static inline ibp_v8sf ibp_kernel_expf8(ibp_v8sf v) {
  const ibp_v8sf lo = {IBP_EXPF_FLOOR_ARGUMENT, IBP_EXPF_FLOOR_ARGUMENT, IBP_EXPF_FLOOR_ARGUMENT, IBP_EXPF_FLOOR_ARGUMENT,
                       IBP_EXPF_FLOOR_ARGUMENT, IBP_EXPF_FLOOR_ARGUMENT, IBP_EXPF_FLOOR_ARGUMENT, IBP_EXPF_FLOOR_ARGUMENT};
  const ibp_v8sf zero = {0, 0, 0, 0, 0, 0, 0, 0};
  const ibp_v8sf flush = {IBP_EXPF_FLUSH_BELOW, IBP_EXPF_FLUSH_BELOW, IBP_EXPF_FLUSH_BELOW, IBP_EXPF_FLUSH_BELOW,
                          IBP_EXPF_FLUSH_BELOW, IBP_EXPF_FLUSH_BELOW, IBP_EXPF_FLUSH_BELOW, IBP_EXPF_FLUSH_BELOW};
  v = __builtin_elementwise_min(__builtin_elementwise_max(v, lo), zero);
  v = _ZGVdN8v_expf(v);
  ibp_v8si keep = v >= flush;
  return (ibp_v8sf)((ibp_v8si)v & keep);
}

__attribute__((target("avx2"))) static inline void ibp_kernel_expf_avx2(float *x, long n) {
  long i = 0;
  for (; i + 8 <= n; i += 8) {
    ibp_v8sf v;
    memcpy(&v, x + i, sizeof v);
    v = ibp_kernel_expf8(v);
    memcpy(x + i, &v, sizeof v);
  }
  if (i < n) {
    ibp_v8sf v = {0, 0, 0, 0, 0, 0, 0, 0};
    memcpy(&v, x + i, (size_t)(n - i) * sizeof(float));
    v = ibp_kernel_expf8(v);
    memcpy(x + i, &v, (size_t)(n - i) * sizeof(float));
  }
}

static inline ibp_v4sf ibp_kernel_expf4(ibp_v4sf v) {
  const ibp_v4sf lo = {IBP_EXPF_FLOOR_ARGUMENT, IBP_EXPF_FLOOR_ARGUMENT, IBP_EXPF_FLOOR_ARGUMENT, IBP_EXPF_FLOOR_ARGUMENT};
  const ibp_v4sf zero = {0, 0, 0, 0};
  const ibp_v4sf flush = {IBP_EXPF_FLUSH_BELOW, IBP_EXPF_FLUSH_BELOW, IBP_EXPF_FLUSH_BELOW, IBP_EXPF_FLUSH_BELOW};
  v = __builtin_elementwise_min(__builtin_elementwise_max(v, lo), zero);
  v = _ZGVbN4v_expf(v);
  ibp_v4si keep = v >= flush;
  return (ibp_v4sf)((ibp_v4si)v & keep);
}

static inline void ibp_kernel_expf_sse(float *x, long n) {
  long i = 0;
  for (; i + 4 <= n; i += 4) {
    ibp_v4sf v;
    memcpy(&v, x + i, sizeof v);
    v = ibp_kernel_expf4(v);
    memcpy(x + i, &v, sizeof v);
  }
  if (i < n) {
    ibp_v4sf v = {0, 0, 0, 0};
    memcpy(&v, x + i, (size_t)(n - i) * sizeof(float));
    v = ibp_kernel_expf4(v);
    memcpy(x + i, &v, (size_t)(n - i) * sizeof(float));
  }
}

// x[i] = expf(min(x[i], 0)) for the kernel exponents x[i], i < n, with results below 1.7e-38
// set to 0: arguments are clamped to [-87, 0] first (0: a squared distance rounded below zero;
// -87: every lane stays on libmvec's fast path — lanes beyond expf's range fall back to scalar
// code — and no subnormal float reaches the GEMM that multiplies the kernel tile, where
// subnormals are slow); the results of the raised lanes (e^-87 ≈ 1.65e-38) are then flushed to 0
// with the rest of what lies below 1.7e-38. One pass, 8 lanes at a time on AVX2 machines.
static inline void ibp_kernel_expf_inplace(float *x, long n) {
  if (__builtin_cpu_supports("avx2")) {
    ibp_kernel_expf_avx2(x, n);
  } else {
    ibp_kernel_expf_sse(x, n);
  }
}
#endif
