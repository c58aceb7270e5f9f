// The one C surface of ibplane: GSL (special functions, RNGs, distributions), the cblas_*
// prototypes (through GSL's gsl_cblas.h, which OpenBLAS implements) and LAPACKE, both called
// through the lazily loading ibp_ wrappers below. OpenBLAS's own cblas.h is NOT included: its
// CBLAS_TRANSPOSE clashes with GSL's; the two OpenBLAS extras are declared here.
#ifndef IBPLANE_CNATIVE_SHIM_H
#define IBPLANE_CNATIVE_SHIM_H

#include <gsl/gsl_errno.h>
#include <gsl/gsl_sf_psi.h>
#include <gsl/gsl_sf_gamma.h>
#include <gsl/gsl_sf_erf.h>
#include <gsl/gsl_rng.h>
#include <gsl/gsl_randist.h>
#include <gsl/gsl_cdf.h>
#include <gsl/gsl_blas.h>
#include <lapacke.h>
#include <zlib.h>
#include <isa-l/crc.h>

void openblas_set_num_threads(int num_threads);
int openblas_get_num_threads(void);

// Whether the processor can run OpenBLAS's Haswell kernels: x86-64 with AVX2 and FMA
// (NativeRuntime.swift pins them when OpenBLAS is loaded).
static inline int ibp_cpu_runs_haswell_kernels(void) {
#if defined(__x86_64__)
  return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
#else
  return 0;
#endif
}

// OpenBLAS and LAPACKE are loaded on first use, not linked: loading them (symbol resolution, and
// OpenBLAS's constructor, which starts its thread pool) cost ~2.7 ms of every process start,
// whether or not the command ever calls BLAS (issue 17.4). Swift calls the ibp_-prefixed
// wrappers below; each looks its function up once through `ibp_native_symbol`
// (NativeRuntime.swift: dlopen of libopenblas.so.0 / liblapacke.so.3, the thread policy applied
// on load; a missing library or symbol stops the process with a message naming it). The
// pointer types are taken from the libraries' own prototypes (__typeof__), so a wrapper that
// forwarded the wrong arguments would not compile.
enum { IBP_OPENBLAS = 0, IBP_LAPACKE = 1 };
void *ibp_native_symbol(int library, const char *name);

#define IBP_NATIVE(library, fn)                                                        \
  static __typeof__(fn) *_ibp_p;                                                      \
  __typeof__(fn) *_ibp_f = __atomic_load_n(&_ibp_p, __ATOMIC_ACQUIRE);                \
  if (!_ibp_f) {                                                                      \
    _ibp_f = (__typeof__(fn) *)ibp_native_symbol(library, #fn);                       \
    __atomic_store_n(&_ibp_p, _ibp_f, __ATOMIC_RELEASE);                              \
  }

static inline void ibp_cblas_dgemm(const enum CBLAS_ORDER o, const enum CBLAS_TRANSPOSE ta,
                                   const enum CBLAS_TRANSPOSE tb, const int m, const int n, const int k,
                                   const double alpha, const double *a, const int lda, const double *b,
                                   const int ldb, const double beta, double *c, const int ldc) {
  IBP_NATIVE(IBP_OPENBLAS, cblas_dgemm)
  _ibp_f(o, ta, tb, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
}
static inline void ibp_cblas_sgemm(const enum CBLAS_ORDER o, const enum CBLAS_TRANSPOSE ta,
                                   const enum CBLAS_TRANSPOSE tb, const int m, const int n, const int k,
                                   const float alpha, const float *a, const int lda, const float *b,
                                   const int ldb, const float beta, float *c, const int ldc) {
  IBP_NATIVE(IBP_OPENBLAS, cblas_sgemm)
  _ibp_f(o, ta, tb, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
}
static inline void ibp_cblas_dsyrk(const enum CBLAS_ORDER o, const enum CBLAS_UPLO u,
                                   const enum CBLAS_TRANSPOSE t, const int n, const int k, const double alpha,
                                   const double *a, const int lda, const double beta, double *c, const int ldc) {
  IBP_NATIVE(IBP_OPENBLAS, cblas_dsyrk)
  _ibp_f(o, u, t, n, k, alpha, a, lda, beta, c, ldc);
}
static inline void ibp_cblas_ssyrk(const enum CBLAS_ORDER o, const enum CBLAS_UPLO u,
                                   const enum CBLAS_TRANSPOSE t, const int n, const int k, const float alpha,
                                   const float *a, const int lda, const float beta, float *c, const int ldc) {
  IBP_NATIVE(IBP_OPENBLAS, cblas_ssyrk)
  _ibp_f(o, u, t, n, k, alpha, a, lda, beta, c, ldc);
}
static inline void ibp_openblas_set_num_threads(int threads) {
  IBP_NATIVE(IBP_OPENBLAS, openblas_set_num_threads)
  _ibp_f(threads);
}
static inline int ibp_openblas_get_num_threads(void) {
  IBP_NATIVE(IBP_OPENBLAS, openblas_get_num_threads)
  return _ibp_f();
}
static inline lapack_int ibp_LAPACKE_dgeqrf(int l, lapack_int m, lapack_int n, double *a, lapack_int lda,
                                            double *tau) {
  IBP_NATIVE(IBP_LAPACKE, LAPACKE_dgeqrf)
  return _ibp_f(l, m, n, a, lda, tau);
}
static inline lapack_int ibp_LAPACKE_dorgqr(int l, lapack_int m, lapack_int n, lapack_int k, double *a,
                                            lapack_int lda, const double *tau) {
  IBP_NATIVE(IBP_LAPACKE, LAPACKE_dorgqr)
  return _ibp_f(l, m, n, k, a, lda, tau);
}
static inline lapack_int ibp_LAPACKE_dgesdd(int l, char jobz, lapack_int m, lapack_int n, double *a,
                                            lapack_int lda, double *s, double *u, lapack_int ldu, double *vt,
                                            lapack_int ldvt) {
  IBP_NATIVE(IBP_LAPACKE, LAPACKE_dgesdd)
  return _ibp_f(l, jobz, m, n, a, lda, s, u, ldu, vt, ldvt);
}
static inline lapack_int ibp_LAPACKE_sgesdd(int l, char jobz, lapack_int m, lapack_int n, float *a,
                                            lapack_int lda, float *s, float *u, lapack_int ldu, float *vt,
                                            lapack_int ldvt) {
  IBP_NATIVE(IBP_LAPACKE, LAPACKE_sgesdd)
  return _ibp_f(l, jobz, m, n, a, lda, s, u, ldu, vt, ldvt);
}
static inline lapack_int ibp_LAPACKE_dpotrf(int l, char uplo, lapack_int n, double *a, lapack_int lda) {
  IBP_NATIVE(IBP_LAPACKE, LAPACKE_dpotrf)
  return _ibp_f(l, uplo, n, a, lda);
}
static inline lapack_int ibp_LAPACKE_spotrf(int l, char uplo, lapack_int n, float *a, lapack_int lda) {
  IBP_NATIVE(IBP_LAPACKE, LAPACKE_spotrf)
  return _ibp_f(l, uplo, n, a, lda);
}
static inline lapack_int ibp_LAPACKE_dstev(int l, char jobz, lapack_int n, double *d, double *e, double *z,
                                           lapack_int ldz) {
  IBP_NATIVE(IBP_LAPACKE, LAPACKE_dstev)
  return _ibp_f(l, jobz, n, d, e, z, ldz);
}
static inline lapack_int ibp_LAPACKE_dsyevd(int l, char jobz, char uplo, lapack_int n, double *a,
                                            lapack_int lda, double *w) {
  IBP_NATIVE(IBP_LAPACKE, LAPACKE_dsyevd)
  return _ibp_f(l, jobz, uplo, n, a, lda, w);
}
static inline lapack_int ibp_LAPACKE_ssyevd(int l, char jobz, char uplo, lapack_int n, float *a,
                                            lapack_int lda, float *w) {
  IBP_NATIVE(IBP_LAPACKE, LAPACKE_ssyevd)
  return _ibp_f(l, jobz, uplo, n, a, lda, w);
}
static inline lapack_int ibp_LAPACKE_dsyevd_2stage(int l, char jobz, char uplo, lapack_int n, double *a,
                                                   lapack_int lda, double *w) {
  IBP_NATIVE(IBP_LAPACKE, LAPACKE_dsyevd_2stage)
  return _ibp_f(l, jobz, uplo, n, a, lda, w);
}
static inline lapack_int ibp_LAPACKE_ssyevd_2stage(int l, char jobz, char uplo, lapack_int n, float *a,
                                                   lapack_int lda, float *w) {
  IBP_NATIVE(IBP_LAPACKE, LAPACKE_ssyevd_2stage)
  return _ibp_f(l, jobz, uplo, n, a, lda, w);
}
#undef IBP_NATIVE

// Swift 6 rejects C globals as not concurrency-safe: read them through functions.
static inline const gsl_rng_type *ibp_rng_mt19937(void) { return gsl_rng_mt19937; }

#endif
