// The C surface of IBTrain: zlib (zlib1g-dev) for the gzip-compressed MNIST IDX files, and
// glibc's vector math library libmvec for the trainer's hot element-wise tanh. ibplane never
// hand-writes a decompressor or a transcendental function.
#ifndef IBPLANE_CTRAINNATIVE_SHIM_H
#define IBPLANE_CTRAINNATIVE_SHIM_H
#include <math.h>
#include <string.h>
#include <zlib.h>

// Four floats in one SSE register: the x86-64 vector-function ABI of libmvec's `b` variants.
typedef float ibt_v4sf __attribute__((vector_size(16)));
// tanhf on 4 lanes (glibc >= 2.35; an IFUNC picking the best SSE implementation at load time).
ibt_v4sf _ZGVbN4v_tanhf(ibt_v4sf x);

// x[i] = tanhf(x[i]) for i < n, four lanes per call. The tail is padded into one more vector,
// so every element goes through the same function and results do not depend on position.
static inline void ibt_tanhf_inplace(float *x, long n) {
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
#endif
