// zlib (zlib1g-dev) for reading gzip-compressed data sets (MNIST's IDX .gz files).
// gzopen/gzread inflate through zlib; ibplane never hand-writes a decompressor.
#ifndef IBPLANE_CZLIB_SHIM_H
#define IBPLANE_CZLIB_SHIM_H
#include <zlib.h>
#endif
