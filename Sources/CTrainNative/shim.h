// The C surface of IBTrain: zlib (zlib1g-dev) for the gzip-compressed MNIST IDX files, and
// glibc's vector math library libmvec for the trainer's hot element-wise tanh. ibplane never
// hand-writes a decompressor or a transcendental function.
#ifndef IBPLANE_CTRAINNATIVE_SHIM_H
#define IBPLANE_CTRAINNATIVE_SHIM_H
#include <math.h>
#include <string.h>
#include <zlib.h>

// libmvec's vector-function ABI: `b` variants take 4 floats in an SSE register, `d` variants
// 8 floats in an AVX2 register (callers must be compiled for AVX2, hence the target attribute).
typedef float ibt_v4sf __attribute__((vector_size(16)));
typedef float ibt_v8sf __attribute__((vector_size(32)));
// tanhf on 4 or 8 lanes (glibc >= 2.35; IFUNCs picking the best implementation at load time).
ibt_v4sf _ZGVbN4v_tanhf(ibt_v4sf x);
__attribute__((target("avx2"))) ibt_v8sf _ZGVdN8v_tanhf(ibt_v8sf x);

__attribute__((target("avx2"))) static inline void ibt_tanhf_avx2(float *x, long n) {
  long i = 0;
  for (; i + 8 <= n; i += 8) {
    ibt_v8sf v;
    memcpy(&v, x + i, sizeof v);
    v = _ZGVdN8v_tanhf(v);
    memcpy(x + i, &v, sizeof v);
  }
  if (i < n) {
    ibt_v8sf v = {0, 0, 0, 0, 0, 0, 0, 0};
    memcpy(&v, x + i, (size_t)(n - i) * sizeof(float));
    v = _ZGVdN8v_tanhf(v);
    memcpy(x + i, &v, (size_t)(n - i) * sizeof(float));
  }
}

static inline void ibt_tanhf_sse(float *x, long n) {
  long i = 0;
  for (; i + 4 <= n; i += 4) {
    ibt_v4sf v;
    memcpy(&v, x + i, sizeof v);
    v = _ZGVbN4v_tanhf(v);
    memcpy(x + i, &v, sizeof v);
  }
  if (i < n) {
    ibt_v4sf v = {0, 0, 0, 0};
    memcpy(&v, x + i, (size_t)(n - i) * sizeof(float));
    v = _ZGVbN4v_tanhf(v);
    memcpy(x + i, &v, (size_t)(n - i) * sizeof(float));
  }
}

// x[i] = tanhf(x[i]) for i < n: 8 lanes per call on AVX2 machines, else 4. The tail is padded
// into one more vector, so on a given machine every element goes through the same function
// and results do not depend on position.
static inline void ibt_tanhf_inplace(float *x, long n) {
  if (__builtin_cpu_supports("avx2")) {
    ibt_tanhf_avx2(x, n);
  } else {
    ibt_tanhf_sse(x, n);
  }
}
#endif
