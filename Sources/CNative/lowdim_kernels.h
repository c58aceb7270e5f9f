// The query loop of the low-dimension max-norm tree (LowDimensionTree.swift) compiled for AVX2:
// the k nearest neighbours of every point of a range of leaves, in 3 or 4 dimensions (the Swift
// loop keeps 1 and 2, where this measured no faster).
//
// Same tree, same walk and same tests as the Swift loop of `_LowDimensionTree.kNearest`, so the
// same lists bit for bit (the tests compare both with brute force):
// - distances are max_c |p_c - q_c|, the IEEE subtraction and a cleared sign bit per
//   coordinate, the largest taken by exact maxima;
// - a node is opened when the max-norm distance from q to its box is below the k-th best, or
//   equal to it with the node's smallest row below the k-th best's row;
// - the walk up from the query's leaf stops at the first ancestor whose box holds the k-th-best
//   ball strictly inside (`ballInside` in Swift; the argument is there).
// What differs is how a leaf is scanned: four positions at a time from coordinate-major copies
// of the points, one vector compare against the current k-th best deciding which lanes are
// offered (a lane is offered when its distance is <= the k-th best; the offer then applies the
// exact (distance, row) rule), instead of one point and two branches at a time. Offers
// are made in position order within a group, as in Swift, and the kept list is the k smallest
// (distance, row) pairs whatever the order of offers.
#ifndef IBPLANE_CNATIVE_LOWDIM_KERNELS_H
#define IBPLANE_CNATIVE_LOWDIM_KERNELS_H
#include <math.h>
#include <stdint.h>
#include <string.h>

#include "knn_kernels.h"  // ibp_kd_v4 / ibp_kd_m4 and their load, abs and max

// A read-only view of a `_LowDimensionTree` with kernel copies. Positions are in leaf order;
// leaf i of 2^depth holds positions (n*i) >> depth ..< (n*(i+1)) >> depth; node h has children
// 2h+1 and 2h+2, the leaves are nodes 2^depth - 1 ... Coordinate c of position t is
// coords[c * stride + t] (c < d, d = 3 or 4; stride >= n + 4, readable and finite past n).
// Node h's box is box_min[4h ..< 4h+4] (lower corner) and box_max[4h ..< 4h+4] (upper corner),
// lanes d..3 set to -inf and +inf (the tree's own `boxMin` / `boxMax` of `SIMD4`s). rows[t] is the row of position t, min_row[h] the smallest row in
// node h.
typedef struct ibp_ld_view {
  const double *coords;
  long stride;
  const double *box_min;
  const double *box_max;
  const int32_t *rows;
  const int32_t *min_row;
  long n;
  long depth;
  long d;
} ibp_ld_view;

// Lane-wise b where b < a, else a (the minimum counterpart of `ibp_kd_max`).
__attribute__((target("avx2"))) static inline ibp_kd_v4 ibp_ld_min(ibp_kd_v4 a, ibp_kd_v4 b) {
  ibp_kd_m4 m = (ibp_kd_m4)(b < a);
  return (ibp_kd_v4)(((ibp_kd_m4)a & ~m) | ((ibp_kd_m4)b & m));
}

// Max-norm distance from q (lanes d..3 zero) to node h's box: the largest of lo_c - q_c,
// q_c - hi_c and 0 (`_LowDimensionTree.boxDistance`).
__attribute__((target("avx2"))) static inline double ibp_ld_box_distance(const ibp_ld_view *v, long h, ibp_kd_v4 q) {
  const double a = ibp_kd_largest(ibp_kd_max(ibp_kd_load(v->box_min + 4 * h) - q, q - ibp_kd_load(v->box_max + 4 * h)));
  return a > 0 ? a : 0;
}

// Whether fl(q_c - lo_c) > r and fl(hi_c - q_c) > r in every lane (`ballInside`).
__attribute__((target("avx2"))) static inline int ibp_ld_ball_inside(const ibp_ld_view *v, long h, ibp_kd_v4 q, double r) {
  ibp_kd_v4 g = ibp_ld_min(q - ibp_kd_load(v->box_min + 4 * h), ibp_kd_load(v->box_max + 4 * h) - q);
  double a = g[0] < g[2] ? g[0] : g[2];
  double b = g[1] < g[3] ? g[1] : g[3];
  a = a < b ? a : b;
  return a > r;
}

// Offers (dist, row j) to the k best, kept sorted by (distance, row).
static inline void ibp_ld_offer(double *best_d, int32_t *best_i, long k, double dist, int32_t j) {
  double worst = best_d[k - 1];
  if (dist > worst || (dist == worst && j >= best_i[k - 1])) return;
  long s = k - 1;
  while (s > 0 && (best_d[s - 1] > dist || (best_d[s - 1] == dist && best_i[s - 1] > j))) {
    best_d[s] = best_d[s - 1];
    best_i[s] = best_i[s - 1];
    s--;
  }
  best_d[s] = dist;
  best_i[s] = j;
}

// Offers the positions lo ..< hi except `own` (-1: none), four at a time. `qc[c]` holds q_c in
// every lane. D is the dimension, a constant where this is inlined.
__attribute__((target("avx2"), always_inline)) static inline void ibp_ld_scan(
    const ibp_ld_view *v, const long D, const ibp_kd_v4 *qc, long lo, long hi, long own, double *best_d,
    int32_t *best_i, long k) {
  for (long u0 = lo; u0 < hi; u0 += 4) {
    ibp_kd_v4 m = ibp_kd_abs(ibp_kd_load(v->coords + u0) - qc[0]);
    for (long c = 1; c < D; c++) m = ibp_kd_max(m, ibp_kd_abs(ibp_kd_load(v->coords + c * v->stride + u0) - qc[c]));
    const double worst = best_d[k - 1];
    const ibp_kd_v4 w = {worst, worst, worst, worst};
    int bits = IBP_KD_MOVEMASK(m <= w);
    if (hi - u0 < 4) bits &= (1 << (hi - u0)) - 1;
    if (own >= u0 && own < u0 + 4) bits &= ~(1 << (own - u0));
    while (bits) {
      const int l = __builtin_ctz(bits);
      bits &= bits - 1;
      ibp_ld_offer(best_d, best_i, k, m[l], v->rows[u0 + l]);
    }
  }
}

// The k nearest neighbours of every position of leaves leaf_lo ..< leaf_hi: position t's list at
// out_d/out_i[(t - first) * k ...], first the first position of leaf_lo, sorted by (distance,
// row). `stack_node` and `stack_dist` have room for depth + 2 entries (one per level); 1 <= k <= 32.
__attribute__((target("avx2"), always_inline)) static inline void ibp_ld_knn_body(
    const ibp_ld_view *v, const long D, long k, long leaf_lo, long leaf_hi, double *out_d, int32_t *out_i,
    long *stack_node, double *stack_dist) {
  const long n = v->n, depth = v->depth;
  const long first_leaf = (1L << depth) - 1;
  const long first = (n * leaf_lo) >> depth;
  double best_d[32];
  int32_t best_i[32];
  for (long leaf = leaf_lo; leaf < leaf_hi; leaf++) {
    const long a = (n * leaf) >> depth, b = (n * (leaf + 1)) >> depth;
    for (long t = a; t < b; t++) {
      double qs[4] = {0, 0, 0, 0};
      ibp_kd_v4 qc[4];
      for (long c = 0; c < D; c++) {
        qs[c] = v->coords[c * v->stride + t];
        qc[c] = (ibp_kd_v4){qs[c], qs[c], qs[c], qs[c]};
      }
      const ibp_kd_v4 q = ibp_kd_load(qs);
      for (long s = 0; s < k; s++) {
        best_d[s] = INFINITY;
        best_i[s] = INT32_MAX;
      }
      ibp_ld_scan(v, D, qc, a, b, t, best_d, best_i, k);
      long node = first_leaf + leaf;
      while (node > 0 && !ibp_ld_ball_inside(v, node, q, best_d[k - 1])) {
        long h = (node & 1) ? node + 1 : node - 1;
        double near = ibp_ld_box_distance(v, h, q);
        long top = 0;
        for (;;) {
          const double worst = best_d[k - 1];
          if (near < worst || (near == worst && v->min_row[h] < best_i[k - 1])) {
            if (h >= first_leaf) {
              const long leaf_h = h - first_leaf;
              ibp_ld_scan(v, D, qc, (n * leaf_h) >> depth, (n * (leaf_h + 1)) >> depth, -1, best_d, best_i, k);
            } else {
              const long ca = 2 * h + 1, cb = ca + 1;
              const double da = ibp_ld_box_distance(v, ca, q), db = ibp_ld_box_distance(v, cb, q);
              if (da <= db) {
                stack_node[top] = cb; stack_dist[top] = db; top++;
                h = ca; near = da;
              } else {
                stack_node[top] = ca; stack_dist[top] = da; top++;
                h = cb; near = db;
              }
              continue;
            }
          }
          if (top == 0) break;
          top--;
          h = stack_node[top];
          near = stack_dist[top];
        }
        node = (node - 1) / 2;
      }
      memcpy(out_d + (t - first) * k, best_d, k * sizeof(double));
      memcpy(out_i + (t - first) * k, best_i, k * sizeof(int32_t));
    }
  }
}

// `ibp_ld_knn_body` with the dimension fixed (3 or 4), so its loops over coordinates unroll.
__attribute__((target("avx2"))) static inline void ibp_ld_knn_avx2(const ibp_ld_view *v, long k, long leaf_lo,
                                                                   long leaf_hi, double *out_d, int32_t *out_i,
                                                                   long *stack_node, double *stack_dist) {
  switch (v->d) {
  case 3: ibp_ld_knn_body(v, 3, k, leaf_lo, leaf_hi, out_d, out_i, stack_node, stack_dist); break;
  default: ibp_ld_knn_body(v, 4, k, leaf_lo, leaf_hi, out_d, out_i, stack_node, stack_dist); break;
  }
}

#endif
