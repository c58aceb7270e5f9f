// The one C surface of ibplane: GSL (special functions, RNGs, distributions),
// the cblas_* prototypes (through GSL's gsl_cblas.h, which OpenBLAS implements at
// link time) and LAPACKE. OpenBLAS's own cblas.h is NOT included: its
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

// Swift 6 rejects C globals as not concurrency-safe: read them through functions.
static inline const gsl_rng_type *ibp_rng_mt19937(void) { return gsl_rng_mt19937; }

#endif
