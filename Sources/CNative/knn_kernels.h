// Exact neighbour-search kernels in C.
//
// `ibp_prefetch_bytes`: software prefetch of a row about to be read (box-bitset kNN candidates,
// BoxBitsets.swift; symbol-table slots, DiscreteEntropy.swift), which Swift cannot express.
//
// The max-norm k-d tree's query loops (KDTree.swift) compiled for AVX2: Swift code is compiled
// for the x86-64 baseline (SSE2) and has no per-function target attribute, so a `SIMD4<Double>`
// there is two 128-bit operations; here it is one 256-bit operation. Callers check
// `ibp_kd_avx2_available()` and otherwise run the Swift loops, which visit the same nodes and
// give the same counts and neighbour lists: every test below is the same comparison on the
// same doubles (differences are exact negations of each other, maxima do not round), except
// the float pre-tests, which decide only what they prove for that double comparison and leave
// the rest to it (see "Float pre-tests").
#ifndef IBPLANE_CNATIVE_KNN_KERNELS_H
#define IBPLANE_CNATIVE_KNN_KERNELS_H
#include <math.h>
#include <string.h>

// Asks for the cache lines of p[0 ..< bytes] to be loaded (a hint: no effect on results), one
// prefetch per 64-byte line they touch (a symbol-table slot within one line takes one).
static inline void ibp_prefetch_bytes(const void *p, long bytes) {
  unsigned long line = (unsigned long)p & ~63UL;
  const unsigned long last = (unsigned long)p + (unsigned long)(bytes > 0 ? bytes - 1 : 0);
  for (; line <= last; line += 64) __builtin_prefetch((const void *)line);
}

typedef double ibp_kd_v4 __attribute__((vector_size(32)));
typedef long long ibp_kd_m4 __attribute__((vector_size(32)));

// A read-only view of a `_KDTree` built with lanes (max-norm). Node v: positions lo[v]..<hi[v],
// children left[v] and right[v] (-1 for a leaf), box corners in box_lanes (lower corner at
// v*2g*4, upper at (v*2g+g)*4, coordinates padded with zeros to g*4, g = ceil(d/4)). Positions
// are in leaf order; leaves start at multiples of 8; `lanes` holds coordinate c of positions
// 4m..4m+3 at (m*d + c)*4; `points` is row-major by position; `order[t]` is the original row of
// position t.
typedef struct ibp_kd_view {
  const long *lo;
  const long *hi;
  const long *left;
  const long *right;
  const long *order;
  const double *points;
  const double *lanes;
  const double *box_lanes;
  long d;
  // Float copies for the float pre-tests (NULL when the tree has none; then d <= 64 otherwise):
  // `lanes32` holds fl32(fl64(p_c - center_c)) of positions 8m..8m+7, coordinate c, at
  // (m*d + c)*8; `box32` node v's lower corner at v*2*g8*8 and upper corner at (v*2*g8 + g8)*8,
  // the same roundings of the box corners, padded with zeros to g8*8 coordinates, g8 = ceil(d/8).
  // `margin` bounds, for any two points (or a point and a box corner), the difference between a
  // coordinate difference taken on these floats and the double difference the exact tests
  // take (`_KDTree.init` derives it).
  const float *lanes32;
  const float *box32;
  const double *center;
  double margin;
} ibp_kd_view;

// Float pre-tests. A float test decides only what it proves for the double test it stands
// for, given that the two differences are within `margin` of each other: |D| < lo proves
// |d| < r, |D| >= hi proves |d| > r, anything between is decided by the double test itself. So
// counts, neighbour lists and tie rules are the double code's; the floats only halve the bytes
// read and double the lanes per instruction for the bulk of the points, which are far from the
// radius. When the margin is not small against r (data far from their centre relative to the
// radius: `ibp_kd_f32_usable`), the double tests run alone.
typedef float ibp_kd_f8 __attribute__((vector_size(32)));
typedef int ibp_kd_i8 __attribute__((vector_size(32)));
#define IBP_KD_MOVEMASK8(m) __builtin_ia32_movmskps256((ibp_kd_f8)(m))

__attribute__((target("avx2"))) static inline ibp_kd_f8 ibp_kd_load8(const float *p) {
  ibp_kd_f8 v;
  memcpy(&v, p, sizeof v);
  return v;
}

__attribute__((target("avx2"))) static inline ibp_kd_f8 ibp_kd_splat8(float x) {
  return (ibp_kd_f8){x, x, x, x, x, x, x, x};
}

__attribute__((target("avx2"))) static inline ibp_kd_f8 ibp_kd_abs8(ibp_kd_f8 x) {
  const ibp_kd_i8 magnitude = {0x7fffffff, 0x7fffffff, 0x7fffffff, 0x7fffffff,
                               0x7fffffff, 0x7fffffff, 0x7fffffff, 0x7fffffff};
  return (ibp_kd_f8)((ibp_kd_i8)x & magnitude);
}

__attribute__((target("avx2"))) static inline ibp_kd_f8 ibp_kd_max8(ibp_kd_f8 a, ibp_kd_f8 b) {
  ibp_kd_i8 m = (ibp_kd_i8)(b > a);
  return (ibp_kd_f8)(((ibp_kd_i8)a & ~m) | ((ibp_kd_i8)b & m));
}

// The largest float <= x and the smallest float >= x (|x| < 1e30).
static inline float ibp_kd_float_down(double x) {
  float f = (float)x;
  return (double)f > x ? nextafterf(f, -INFINITY) : f;
}
static inline float ibp_kd_float_up(double x) {
  float f = (float)x;
  return (double)f < x ? nextafterf(f, INFINITY) : f;
}

// Whether float tests can decide most points for a radius or bound r.
static inline int ibp_kd_f32_usable(const ibp_kd_view *v, double r) {
  return v->lanes32 != NULL && v->margin * 1024 < r && r < 1e30;
}

// A query in floats: coordinate c in all eight lanes (`lane`), and eight coordinates per vector
// padded with zeros (`pad`, for node boxes).
typedef struct ibp_kd_fq {
  ibp_kd_f8 lane[64];
  ibp_kd_f8 pad[8];
} ibp_kd_fq;

__attribute__((target("avx2"))) static inline void ibp_kd_fq_load(const ibp_kd_view *v, const double *q, ibp_kd_fq *f) {
  float tmp[64] = {0};
  for (long c = 0; c < v->d; c++) {
    tmp[c] = (float)(q[c] - v->center[c]);
    f->lane[c] = ibp_kd_splat8(tmp[c]);
  }
  for (long j = 0; j < (v->d + 7) / 8; j++) f->pad[j] = ibp_kd_load8(tmp + 8 * j);
}

// Node test in floats for a count with thresholds lo = float_down(r - margin) and
// hi = float_up(r + margin): 0 when the node is proved outside (some coordinate's gap
// >= r: a double test would skip it), 1 when proved wholly inside (every farthest-corner
// difference < r), 2 otherwise (descend: exact either way, since a descended node is counted
// point by point).
__attribute__((target("avx2"))) static inline int ibp_kd_box_state32(const ibp_kd_view *v, long node, const ibp_kd_fq *f,
                                                                    ibp_kd_f8 lo, ibp_kd_f8 hi) {
  const long g8 = (v->d + 7) / 8;
  const float *box = v->box32 + node * 2 * g8 * 8;
  ibp_kd_i8 out = {0, 0, 0, 0, 0, 0, 0, 0};
  ibp_kd_i8 whole = {-1, -1, -1, -1, -1, -1, -1, -1};
  for (long j = 0; j < g8; j++) {
    ibp_kd_f8 a = ibp_kd_load8(box + 8 * j) - f->pad[j];
    ibp_kd_f8 b = f->pad[j] - ibp_kd_load8(box + 8 * (g8 + j));
    out |= (ibp_kd_i8)(a >= hi) | (ibp_kd_i8)(b >= hi);
    whole &= (ibp_kd_i8)(-a < lo) & (ibp_kd_i8)(-b < lo);
  }
  if (IBP_KD_MOVEMASK8(out) != 0) return 0;
  return IBP_KD_MOVEMASK8(whole) == 255 ? 1 : 2;
}

// A lower bound on the double max-norm distance from the query to the node's box (0 inside),
// from the float box: the float distance less the margin, rounded in double (monotone, so a box
// within a double bound has this value within it too).
__attribute__((target("avx2"))) static inline double ibp_kd_box_near32(const ibp_kd_view *v, long node, const ibp_kd_fq *f) {
  const long g8 = (v->d + 7) / 8;
  const float *box = v->box32 + node * 2 * g8 * 8;
  ibp_kd_f8 m = {0, 0, 0, 0, 0, 0, 0, 0};
  for (long j = 0; j < g8; j++) {
    m = ibp_kd_max8(m, ibp_kd_load8(box + 8 * j) - f->pad[j]);
    m = ibp_kd_max8(m, f->pad[j] - ibp_kd_load8(box + 8 * (g8 + j)));
  }
  float a = m[0] > m[4] ? m[0] : m[4], b = m[1] > m[5] ? m[1] : m[5];
  float c = m[2] > m[6] ? m[2] : m[6], e = m[3] > m[7] ? m[3] : m[7];
  a = a > b ? a : b;
  c = c > e ? c : e;
  return (double)(a > c ? a : c) - v->margin;
}

// AVX2, and POPCNT for the box-bitset counts (every AVX2 processor has it; checked anyway).
static inline int ibp_kd_avx2_available(void) {
  return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("popcnt");
}

__attribute__((target("avx2"))) static inline ibp_kd_v4 ibp_kd_load(const double *p) {
  ibp_kd_v4 v;
  memcpy(&v, p, sizeof v);
  return v;
}

__attribute__((target("avx2"))) static inline ibp_kd_v4 ibp_kd_abs(ibp_kd_v4 v) {
  const ibp_kd_m4 magnitude = {0x7fffffffffffffffLL, 0x7fffffffffffffffLL, 0x7fffffffffffffffLL,
                               0x7fffffffffffffffLL};
  return (ibp_kd_v4)((ibp_kd_m4)v & magnitude);
}

// Lane-wise maximum (b where b > a): one vmaxpd-style select, no branch.
__attribute__((target("avx2"))) static inline ibp_kd_v4 ibp_kd_max(ibp_kd_v4 a, ibp_kd_v4 b) {
  ibp_kd_m4 m = (ibp_kd_m4)(b > a);
  return (ibp_kd_v4)(((ibp_kd_m4)a & ~m) | ((ibp_kd_m4)b & m));
}

__attribute__((target("avx2"))) static inline double ibp_kd_largest(ibp_kd_v4 m) {
  double a = m[0] > m[2] ? m[0] : m[2];
  double b = m[1] > m[3] ? m[1] : m[3];
  return a > b ? a : b;
}

// qp[0 ..< g*4] = q[0 ..< d] padded with zeros (the node boxes' padding is zero too).
static inline void ibp_kd_pad(const double *q, long d, long g, double *qp) {
  for (long c = 0; c < g * 4; c++) qp[c] = c < d ? q[c] : 0;
}

// Sign bits of the four lanes (bit u set when lane u's mask is all ones).
#define IBP_KD_MOVEMASK(m) __builtin_ia32_movmskpd256((ibp_kd_v4)(m))

// Points of node `node` (and below) within max-norm distance r of q: `ibp_kd_count_lt_avx2`
// strictly (|p_c - q_c| < r in every c), `ibp_kd_count_le_avx2` inclusively (<= r). qp: q padded
// to g*4 coordinates. Needs r > 0. Same decisions as `countWithinLanes`: a node is skipped when
// its box's nearest point is not inside (some lower-corner gap lo_c - q_c or upper gap
// q_c - hi_c is not inside r), taken whole when its farthest point is (every q_c - lo_c and
// hi_c - q_c is inside r). Two functions rather than a flag: the comparison is then an
// instruction, not a select in the innermost loop.
// The counts run depth-first with an explicit stack rather than by recursion (call and return
// were a fifth of a 5-d count's cycles). It holds at most one pushed sibling per level plus the
// node: a split of s > 64 positions (`_KDTree.leafSize`) leaves at most s/2 + 8 <= 0.625 s in either child, so the
// depth is below 1.5 log2(N) and 128 entries cover any N < 2^80.
#define IBP_KD_STACK 128
#define IBP_KD_DEFINE_COUNT(NAME, INSIDE)                                                          \
  __attribute__((target("avx2"))) static long NAME(const ibp_kd_view *v, long node, const double *q, \
                                                   const double *qp, long g, double r) {          \
    const ibp_kd_v4 rv = {r, r, r, r};                                                             \
    const long d = v->d;                                                                           \
    const int use32 = ibp_kd_f32_usable(v, r);                                                     \
    ibp_kd_fq fq;                                                                                  \
    ibp_kd_f8 lo8 = {0}, hi8 = {0};                                                                \
    if (use32) {                                                                                   \
      ibp_kd_fq_load(v, q, &fq);                                                                   \
      lo8 = ibp_kd_splat8(ibp_kd_float_down(r - v->margin));                                       \
      hi8 = ibp_kd_splat8(ibp_kd_float_up(r + v->margin));                                         \
    }                                                                                              \
    long stack[IBP_KD_STACK];                                                                      \
    long top = 0;                                                                                  \
    long total = 0;                                                                                \
    stack[top++] = node;                                                                           \
    while (top > 0) {                                                                              \
    node = stack[--top];                                                                           \
    if (use32) {                                                                                   \
      const int state = ibp_kd_box_state32(v, node, &fq, lo8, hi8);                                \
      if (state == 0) continue;                                                                    \
      if (state == 1) { total += v->hi[node] - v->lo[node]; continue; }                            \
    } else {                                                                                       \
      const double *box = v->box_lanes + node * 2 * g * 4;                                         \
      ibp_kd_m4 near = {-1, -1, -1, -1};                                                           \
      ibp_kd_m4 far = {-1, -1, -1, -1};                                                            \
      for (long j = 0; j < g; j++) {                                                               \
        ibp_kd_v4 qj = ibp_kd_load(qp + 4 * j);                                                    \
        ibp_kd_v4 a = ibp_kd_load(box + 4 * j) - qj;                                               \
        ibp_kd_v4 b = qj - ibp_kd_load(box + 4 * (g + j));                                         \
        near &= (ibp_kd_m4)(INSIDE(a, rv)) & (ibp_kd_m4)(INSIDE(b, rv));                           \
        far &= (ibp_kd_m4)(INSIDE(-a, rv)) & (ibp_kd_m4)(INSIDE(-b, rv));                          \
      }                                                                                            \
      if (IBP_KD_MOVEMASK(near) != 15) continue;                                                   \
      if (IBP_KD_MOVEMASK(far) == 15) { total += v->hi[node] - v->lo[node]; continue; }            \
    }                                                                                              \
    const long l = v->left[node];                                                                  \
    if (l >= 0) { stack[top++] = v->right[node]; stack[top++] = l; continue; }                      \
    long t = v->lo[node];                                                                          \
    const long end = v->hi[node];                                                                  \
    if (use32) {                                                                                   \
      /* Eight points at a time in floats; only the undecided lanes are tested in double. */       \
      for (; t + 8 <= end; t += 8) {                                                               \
        const float *base = v->lanes32 + (t >> 3) * d * 8;                                         \
        ibp_kd_f8 m8 = {0, 0, 0, 0, 0, 0, 0, 0};                                                   \
        for (long c = 0; c < d; c++) m8 = ibp_kd_max8(m8, ibp_kd_abs8(ibp_kd_load8(base + 8 * c) - fq.lane[c])); \
        const ibp_kd_i8 sure = (ibp_kd_i8)(m8 < lo8);                                              \
        const ibp_kd_i8 maybe = (ibp_kd_i8)(m8 < hi8);                                             \
        const unsigned ms = IBP_KD_MOVEMASK8(sure);                                                \
        total += __builtin_popcount(ms);                                                           \
        for (unsigned m = IBP_KD_MOVEMASK8(maybe) & ~ms; m; m &= m - 1) {                          \
          const double *p = v->points + (t + __builtin_ctz(m)) * d;                                \
          long c = 0;                                                                              \
          while (c < d && INSIDE(fabs(p[c] - q[c]), r)) c++;                                       \
          total += c == d;                                                                         \
        }                                                                                          \
      }                                                                                            \
    }                                                                                              \
    ibp_kd_m4 acc = {0, 0, 0, 0};                                                                  \
    for (; t + 4 <= end; t += 4) {                                                                 \
      const double *base = v->lanes + (t >> 2) * d * 4;                                            \
      ibp_kd_m4 inside = {-1, -1, -1, -1};                                                         \
      for (long c = 0; c < d; c++) {                                                               \
        ibp_kd_v4 qc = {q[c], q[c], q[c], q[c]};                                                   \
        inside &= (ibp_kd_m4)(INSIDE(ibp_kd_abs(ibp_kd_load(base + 4 * c) - qc), rv));             \
      }                                                                                            \
      acc -= inside;                                                                               \
    }                                                                                              \
    long count = acc[0] + acc[1] + acc[2] + acc[3];                                                \
    for (; t < end; t++) {                                                                         \
      const double *p = v->points + t * d;                                                         \
      long c = 0;                                                                                  \
      while (c < d && INSIDE(fabs(p[c] - q[c]), r)) c++;                                           \
      count += c == d;                                                                             \
    }                                                                                              \
    total += count;                                                                                \
    }                                                                                              \
    return total;                                                                                  \
  }

#define IBP_KD_LT(x, r) ((x) < (r))
#define IBP_KD_LE(x, r) ((x) <= (r))
IBP_KD_DEFINE_COUNT(ibp_kd_count_lt_avx2, IBP_KD_LT)
IBP_KD_DEFINE_COUNT(ibp_kd_count_le_avx2, IBP_KD_LE)

// For positions t in [t0, t1): counts[order[t]] = the number of other points within
// radii[order[t]] of point t (reduced max-norm radii; the point itself is not counted), or -1
// where the radius is an inclusive 0, which the caller counts itself.
__attribute__((target("avx2"))) static inline void ibp_kd_count_range_avx2(const ibp_kd_view *v, const double *radii,
                                                                          int inclusive, long t0, long t1, long *counts) {
  const long d = v->d;
  const long g = (d + 3) / 4;
  double qp[g * 4];
  for (long t = t0; t < t1; t++) {
    const long i = v->order[t];
    const double *q = v->points + t * d;
    const double r = radii[i];
    if (!(r > 0)) {
      // Nothing is strictly inside a radius <= 0, nor inclusively inside one < 0; an inclusive
      // radius of 0 (exact duplicates) is left to the Swift loops: -1 marks it.
      counts[i] = inclusive && r == 0 ? -1 : 0;
      continue;
    }
    ibp_kd_pad(q, d, g, qp);
    counts[i] = (inclusive ? ibp_kd_count_le_avx2(v, 0, q, qp, g, r) : ibp_kd_count_lt_avx2(v, 0, q, qp, g, r)) - 1;
  }
}

// A bounded max-heap of (distance, index) pairs keeping the k smallest in (distance, index)
// order: `_NeighborHeap` of NearestNeighbors.swift.
typedef struct ibp_kd_heap {
  double *d;
  long *ix;
  long capacity;
  long size;
} ibp_kd_heap;

static inline int ibp_kd_heap_worse(const ibp_kd_heap *h, long a, long b) {
  return h->d[a] > h->d[b] || (h->d[a] == h->d[b] && h->ix[a] > h->ix[b]);
}

static inline void ibp_kd_heap_swap(ibp_kd_heap *h, long a, long b) {
  double td = h->d[a]; h->d[a] = h->d[b]; h->d[b] = td;
  long ti = h->ix[a]; h->ix[a] = h->ix[b]; h->ix[b] = ti;
}

static inline double ibp_kd_heap_bound(const ibp_kd_heap *h) { return h->size < h->capacity ? INFINITY : h->d[0]; }

static inline void ibp_kd_heap_offer(ibp_kd_heap *h, double dist, long j) {
  if (h->size < h->capacity) {
    long c = h->size++;
    h->d[c] = dist;
    h->ix[c] = j;
    while (c > 0) {
      long p = (c - 1) / 2;
      if (ibp_kd_heap_worse(h, c, p)) { ibp_kd_heap_swap(h, c, p); c = p; } else { break; }
    }
    return;
  }
  if (dist > h->d[0] || (dist == h->d[0] && j > h->ix[0])) return;
  h->d[0] = dist;
  h->ix[0] = j;
  long p = 0;
  for (;;) {
    long l = 2 * p + 1;
    if (l >= h->size) break;
    long c = l;
    if (l + 1 < h->size && ibp_kd_heap_worse(h, l + 1, l)) c = l + 1;
    if (ibp_kd_heap_worse(h, c, p)) { ibp_kd_heap_swap(h, c, p); p = c; } else { break; }
  }
}

// Max-norm distance from the padded query to the node's box (0 inside): `boxNearLanes`.
__attribute__((target("avx2"))) static inline double ibp_kd_box_near(const ibp_kd_view *v, long node, const double *qp, long g) {
  const double *box = v->box_lanes + node * 2 * g * 4;
  ibp_kd_v4 m = {0, 0, 0, 0};
  for (long j = 0; j < g; j++) {
    ibp_kd_v4 qj = ibp_kd_load(qp + 4 * j);
    m = ibp_kd_max(m, ibp_kd_load(box + 4 * j) - qj);
    m = ibp_kd_max(m, qj - ibp_kd_load(box + 4 * (g + j)));
  }
  return ibp_kd_largest(m);
}

// `searchNearestLanes`: depth-first, nearer child first, a child visited when its box is within
// the current bound (ties included). Leaf points are compared four at a time; each lane's
// distance is the maximum of the same |p_c - q_c| the scalar code takes. An explicit stack of
// (node, box distance) replaces the recursion: the farther child is pushed first and tested
// against the bound when it is popped — after the nearer subtree, as the recursion tested it —
// so the nodes visited and the offers made, in order, are the recursion's.
//
// With float copies (`lanes32`), while the bound is large against the margin, node distances
// are the float lower bounds of `ibp_kd_box_near32` and a leaf's groups of eight offer the
// lanes whose float distance is within the bound plus the margin — supersets of the nodes and
// lanes the double tests pass — each offered lane with its distance computed in double. Nodes
// or lanes beyond the double bound offer nothing that the heap keeps, so the k nearest and their
// (distance, index) order are the double search's.
__attribute__((target("avx2"))) static void ibp_kd_nearest_avx2(const ibp_kd_view *v, long root, const double *q,
                                                               const double *qp, long g, long self, ibp_kd_heap *h,
                                                               const ibp_kd_fq *fq) {
  const double floatFrom = v->margin * 1024;  // bounds above this use the float tests
  double lastBound = -1;
  ibp_kd_f8 bound8 = {0};
  long stackNode[IBP_KD_STACK];
  double stackDist[IBP_KD_STACK];
  long top = 0;
  stackNode[top] = root;
  stackDist[top] = 0;
  top++;
  while (top > 0) {
    top--;
    const long node = stackNode[top];
    if (!(stackDist[top] <= ibp_kd_heap_bound(h))) continue;
    const long l = v->left[node];
    if (l < 0) {
      const long d = v->d;
      long t = v->lo[node];
      const long end = v->hi[node];
      if (fq != NULL) {
        for (; t + 8 <= end; t += 8) {
          const double b = ibp_kd_heap_bound(h);
          if (!(b > floatFrom)) break;  // the double groups below take the rest of the leaf
          if (b != lastBound) {
            lastBound = b;
            bound8 = ibp_kd_splat8(b < 1e30 ? ibp_kd_float_up(b + v->margin) : INFINITY);
          }
          const float *base = v->lanes32 + (t >> 3) * d * 8;
          ibp_kd_f8 m8 = {0, 0, 0, 0, 0, 0, 0, 0};
          for (long c = 0; c < d; c++) m8 = ibp_kd_max8(m8, ibp_kd_abs8(ibp_kd_load8(base + 8 * c) - fq->lane[c]));
          for (unsigned mask = IBP_KD_MOVEMASK8(m8 <= bound8); mask; mask &= mask - 1) {
            const int u = __builtin_ctz(mask);
            const long j = v->order[t + u];
            if (j == self) continue;
            const double *p = v->points + (t + u) * d;
            double m = 0;
            for (long c = 0; c < d; c++) {
              double a = fabs(p[c] - q[c]);
              m = a > m ? a : m;
            }
            if (m <= ibp_kd_heap_bound(h)) ibp_kd_heap_offer(h, m, j);
          }
        }
      }
      for (; t + 4 <= end; t += 4) {
        const double *base = v->lanes + (t >> 2) * d * 4;
        ibp_kd_v4 m = {0, 0, 0, 0};
        for (long c = 0; c < d; c++) {
          ibp_kd_v4 qc = {q[c], q[c], q[c], q[c]};
          m = ibp_kd_max(m, ibp_kd_abs(ibp_kd_load(base + 4 * c) - qc));
        }
        // Lanes within the bound as a mask (usually none): the bound only shrinks while a
        // lane is offered, so each set lane is tested again against the current bound, in
        // lane order — the offers of a lane-by-lane test.
        const double b = ibp_kd_heap_bound(h);
        const ibp_kd_v4 bv = {b, b, b, b};
        for (unsigned mask = IBP_KD_MOVEMASK(m <= bv); mask; mask &= mask - 1) {
          const int u = __builtin_ctz(mask);
          if (m[u] <= ibp_kd_heap_bound(h)) {
            long j = v->order[t + u];
            if (j != self) ibp_kd_heap_offer(h, m[u], j);
          }
        }
      }
      for (; t < end; t++) {
        long j = v->order[t];
        if (j == self) continue;
        const double *p = v->points + t * d;
        double m = 0;
        for (long c = 0; c < d; c++) {
          double a = fabs(p[c] - q[c]);
          m = a > m ? a : m;
        }
        if (m <= ibp_kd_heap_bound(h)) ibp_kd_heap_offer(h, m, j);
      }
      continue;
    }
    const long rgt = v->right[node];
    const int f = fq != NULL && ibp_kd_heap_bound(h) > floatFrom;
    const double dl = f ? ibp_kd_box_near32(v, l, fq) : ibp_kd_box_near(v, l, qp, g);
    const double dr = f ? ibp_kd_box_near32(v, rgt, fq) : ibp_kd_box_near(v, rgt, qp, g);
    long first = l, second = rgt;
    double dFirst = dl, dSecond = dr;
    if (!(dl <= dr)) { first = rgt; second = l; dFirst = dr; dSecond = dl; }
    stackNode[top] = second;
    stackDist[top] = dSecond;
    top++;
    stackNode[top] = first;
    stackDist[top] = dFirst;
    top++;
  }
}

// For positions t in [t0, t1): the k nearest other points of point t, unsorted, into
// dist[order[t]*k ..] and idx[order[t]*k ..] (the caller sorts each list).
__attribute__((target("avx2"))) static inline void ibp_kd_nearest_range_avx2(const ibp_kd_view *v, long k, long t0, long t1,
                                                                            double *dist, long *idx) {
  const long d = v->d;
  const long g = (d + 3) / 4;
  double qp[g * 4];
  ibp_kd_fq fq;
  for (long t = t0; t < t1; t++) {
    const long i = v->order[t];
    const double *q = v->points + t * d;
    ibp_kd_pad(q, d, g, qp);
    if (v->lanes32 != NULL) ibp_kd_fq_load(v, q, &fq);
    ibp_kd_heap h = {dist + i * k, idx + i * k, k, 0};
    ibp_kd_nearest_avx2(v, 0, q, qp, g, i, &h, v->lanes32 != NULL ? &fq : NULL);
  }
}

// Box bitsets' word loops (BoxBitsets.swift) compiled for AVX2 and POPCNT: 4 words per
// operation instead of 2, and a population count instruction instead of the baseline's
// bit-twiddling sequence. Exact integer operations: the same bits as the Swift loops, which
// run where `ibp_kd_avx2_available()` is false. n is a number of 64-bit words.
typedef unsigned long long ibp_bits_v4 __attribute__((vector_size(32)));

__attribute__((target("avx2"))) static inline ibp_bits_v4 ibp_bits_load(const unsigned long long *p) {
  ibp_bits_v4 v;
  memcpy(&v, p, sizeof v);
  return v;
}

__attribute__((target("avx2"))) static inline void ibp_bits_store(unsigned long long *p, ibp_bits_v4 v) {
  memcpy(p, &v, sizeof v);
}

// dst[w] = a[w] ^ b[w]
__attribute__((target("avx2"))) static inline void ibp_bits_xor_avx2(unsigned long long *dst, const unsigned long long *a,
                                                                    const unsigned long long *b, long n) {
  long w = 0;
  for (; w + 4 <= n; w += 4) ibp_bits_store(dst + w, ibp_bits_load(a + w) ^ ibp_bits_load(b + w));
  for (; w < n; w++) dst[w] = a[w] ^ b[w];
}

// Block-sparse word loops: only the 8-word blocks listed in blocks[0 ..< count]
// (block j is words 8j ..< 8j + 8; callers pad their rows to whole blocks with zero words).
// Box bitsets keep, per query, the list of blocks where the running box still has a bit: a
// box shrinks with every slab ANDed into it, and in k-d-tree row order its rows gather in few
// blocks, so later slabs touch a fraction of the words.

// acc &= a ^ b on the listed blocks.
__attribute__((target("avx2"))) static inline void ibp_bits_and_xor_blocks_avx2(unsigned long long *acc,
                                                                               const unsigned long long *a,
                                                                               const unsigned long long *b,
                                                                               const int *blocks, long count) {
  for (long u = 0; u < count; u++) {
    const long w = 8L * blocks[u];
    ibp_bits_store(acc + w, ibp_bits_load(acc + w) & (ibp_bits_load(a + w) ^ ibp_bits_load(b + w)));
    ibp_bits_store(acc + w + 4, ibp_bits_load(acc + w + 4) & (ibp_bits_load(a + w + 4) ^ ibp_bits_load(b + w + 4)));
  }
}

// acc &= src on the listed blocks.
__attribute__((target("avx2"))) static inline void ibp_bits_and_blocks_avx2(unsigned long long *acc,
                                                                           const unsigned long long *src,
                                                                           const int *blocks, long count) {
  for (long u = 0; u < count; u++) {
    const long w = 8L * blocks[u];
    ibp_bits_store(acc + w, ibp_bits_load(acc + w) & ibp_bits_load(src + w));
    ibp_bits_store(acc + w + 4, ibp_bits_load(acc + w + 4) & ibp_bits_load(src + w + 4));
  }
}

// dst = a ^ b on the listed blocks.
__attribute__((target("avx2"))) static inline void ibp_bits_xor_blocks_avx2(unsigned long long *dst,
                                                                           const unsigned long long *a,
                                                                           const unsigned long long *b,
                                                                           const int *blocks, long count) {
  for (long u = 0; u < count; u++) {
    const long w = 8L * blocks[u];
    ibp_bits_store(dst + w, ibp_bits_load(a + w) ^ ibp_bits_load(b + w));
    ibp_bits_store(dst + w + 4, ibp_bits_load(a + w + 4) ^ ibp_bits_load(b + w + 4));
  }
}

// Keeps, in order, the listed blocks of x that hold a set bit; returns how many.
__attribute__((target("avx2"))) static inline long ibp_bits_compact_blocks_avx2(const unsigned long long *x, int *blocks,
                                                                               long count) {
  long kept = 0;
  for (long u = 0; u < count; u++) {
    const int j = blocks[u];
    const ibp_bits_v4 v = ibp_bits_load(x + 8L * j) | ibp_bits_load(x + 8L * j + 4);
    const ibp_bits_v4 h = v | __builtin_shufflevector(v, v, 2, 3, 0, 1);
    blocks[kept] = j;
    kept += (h[0] | h[1]) != 0;
  }
  return kept;
}

// The number of set bits in the listed blocks.
__attribute__((target("avx2,popcnt"))) static inline long ibp_bits_popcount_blocks_avx2(const unsigned long long *x,
                                                                                       const int *blocks, long count) {
  long c0 = 0, c1 = 0, c2 = 0, c3 = 0;
  for (long u = 0; u < count; u++) {
    const unsigned long long *p = x + 8L * blocks[u];
    c0 += __builtin_popcountll(p[0]) + __builtin_popcountll(p[4]);
    c1 += __builtin_popcountll(p[1]) + __builtin_popcountll(p[5]);
    c2 += __builtin_popcountll(p[2]) + __builtin_popcountll(p[6]);
    c3 += __builtin_popcountll(p[3]) + __builtin_popcountll(p[7]);
  }
  return c0 + c1 + c2 + c3;
}

// Box-bitset slab searches (`_BoxBitsets.slabs`, BoxBitsets.swift): for each coordinate c of
// c0 ..< c0 + count, the ranks [lo, hi) of the ascending values sorted[c*n ..< c*n + n] with
// |v - x_c| < r (<= r when inclusive), x = q. The same two-level bisection as `_maxNormSlab`
// (first over the block ends ends[c*blocks ..], every 2^shift-th value, then within the block),
// lane 2k the upper end and lane 2k+1 the lower end of a coordinate, up to 8 coordinates in four
// 4-lane vectors whose bisections run side by side (independent chains of loads); "holds" is
// monotone over the ranks, so any exact bisection gives the same ends. Needs n > 0 and r > 0
// (r >= 0 when inclusive). Why C: in Swift (SSE2) the eight-lane version spent ~470 ns per four
// coordinates, a third of a 5+5 KSG estimate at N = 10^4, in lane extracts and mask shuffles.
__attribute__((target("avx2"))) static inline ibp_kd_v4 ibp_slab_gather(const double *p, ibp_kd_m4 at) {
  return (ibp_kd_v4){p[at[0]], p[at[1]], p[at[2]], p[at[3]]};
}

__attribute__((target("avx2"))) static inline void ibp_box_slabs_avx2(const double *sorted, const double *ends, long n,
                                                                      long blocks, long shift, const double *q, long c0,
                                                                      long count, double r, int inclusive, long *lo,
                                                                      long *hi) {
  const ibp_kd_v4 sign = {1, -1, 1, -1};
  const ibp_kd_m4 flip = {0, -1, 0, -1};
  const ibp_kd_v4 rs = {r, r, r, r};
  const ibp_kd_m4 last = {n - 1, n - 1, n - 1, n - 1};
  for (long g0 = 0; g0 < count; g0 += 8) {
    const long m = count - g0 < 8 ? count - g0 : 8;
    const long vectors = (m + 1) / 2;
    ibp_kd_m4 column[4], endsAt[4], block[4], base[4];
    ibp_kd_v4 xs[4];
    for (long u = 0; u < 4; u++) {
      const long ca = c0 + g0 + (2 * u < m ? 2 * u : m - 1);
      const long cb = c0 + g0 + (2 * u + 1 < m ? 2 * u + 1 : m - 1);
      column[u] = (ibp_kd_m4){ca * n, ca * n, cb * n, cb * n};
      endsAt[u] = (ibp_kd_m4){ca * blocks, ca * blocks, cb * blocks, cb * blocks};
      xs[u] = (ibp_kd_v4){q[ca], q[ca], q[cb], q[cb]};
      block[u] = (ibp_kd_m4){0, 0, 0, 0};
    }
#define IBP_SLAB_HOLDS(v, u) \
  ((inclusive ? (ibp_kd_m4)(((v) - xs[u]) * sign <= rs) : (ibp_kd_m4)(((v) - xs[u]) * sign < rs)) ^ flip)
    long len = blocks;
    while (len > 1) {
      const long half = len >> 1;
      for (long u = 0; u < vectors; u++) {
        const ibp_kd_v4 v = ibp_slab_gather(ends, endsAt[u] + block[u] + (half - 1));
        block[u] += IBP_SLAB_HOLDS(v, u) & half;
      }
      len -= half;
    }
    for (long u = 0; u < vectors; u++) {
      const ibp_kd_v4 v = ibp_slab_gather(ends, endsAt[u] + block[u]);
      block[u] += IBP_SLAB_HOLDS(v, u) & 1;
      base[u] = block[u] << shift;
    }
    len = 1L << shift;
    while (len > 1) {
      const long half = len >> 1;
      for (long u = 0; u < vectors; u++) {
        ibp_kd_m4 at = base[u] + (half - 1);
        const ibp_kd_m4 past = (ibp_kd_m4)(at > last);
        at = (at & ~past) | (last & past);
        const ibp_kd_v4 v = ibp_slab_gather(sorted, column[u] + at);
        base[u] += IBP_SLAB_HOLDS(v, u) & half;
      }
      len -= half;
    }
    for (long u = 0; u < vectors; u++) {
      const ibp_kd_m4 past = (ibp_kd_m4)(base[u] > last);
      const ibp_kd_m4 at = (base[u] & ~past) | (last & past);
      const ibp_kd_v4 v = ibp_slab_gather(sorted, column[u] + at);
      base[u] += IBP_SLAB_HOLDS(v, u) & 1;
      for (long h = 0; h < 2; h++) {
        const long c = 2 * u + h;
        if (c < m) {
          const long b = base[u][2 * h], a = base[u][2 * h + 1];
          hi[g0 + c] = b < n ? b : n;
          lo[g0 + c] = a < n ? a : n;
        }
      }
    }
#undef IBP_SLAB_HOLDS
  }
}

// max_c |p_c - q_c| over d coordinates, the sign bit cleared (as `_maxNormDistance`; a maximum
// does not round, so any order gives the same double).
__attribute__((target("avx2"))) static inline double ibp_max_norm_avx2(const double *p, const double *q, long d) {
  const ibp_kd_m4 magnitude = {0x7fffffffffffffffLL, 0x7fffffffffffffffLL, 0x7fffffffffffffffLL,
                               0x7fffffffffffffffLL};
  ibp_kd_v4 acc = {0, 0, 0, 0};
  long c = 0;
  for (; c + 4 <= d; c += 4) acc = ibp_kd_max(acc, (ibp_kd_v4)((ibp_kd_m4)(ibp_kd_load(p + c) - ibp_kd_load(q + c)) & magnitude));
  double dist = ibp_kd_largest(acc);
  for (; c < d; c++) {
    const double v = fabs(p[c] - q[c]);
    dist = v > dist ? v : dist;
  }
  return dist;
}

// The kNN upper bounds of box bitsets (`_leafOrderBounds`, NearestNeighbors.swift): for each
// query position t in [t0, t1), the k-th smallest max-norm distance from row t of data (n rows
// of d doubles, in query order) to the rows of its window lo .. lo + 2m (t excluded), lo =
// max(0, min(t - m, n - 1 - 2m)), clipped to n; INFINITY when the window holds fewer than k
// other rows. Distances are max_c |p_c - q_c| with the sign bit cleared, as `_maxNormDistance`
// computes them; only the k smallest values are kept (the bound needs no indices). best: k
// doubles of scratch. Why C: the window's rows are contiguous here (rows in query order), and a
// 20-d distance is five 256-bit operations.
__attribute__((target("avx2"))) static inline void ibp_window_bounds_avx2(const double *data, long n, long d, long m,
                                                                          long k, long t0, long t1, double *out,
                                                                          double *best) {
  for (long t = t0; t < t1; t++) {
    long lo = t - m < n - 1 - 2 * m ? t - m : n - 1 - 2 * m;
    if (lo < 0) lo = 0;
    const long hi = lo + 2 * m + 1 < n ? lo + 2 * m + 1 : n;
    for (long s = 0; s < k; s++) best[s] = INFINITY;
    const double *q = data + t * d;
    for (long u = lo; u < hi; u++) {
      if (u == t) continue;
      const double dist = ibp_max_norm_avx2(data + u * d, q, d);
      if (dist < best[k - 1]) {
        long s = k - 1;
        while (s > 0 && best[s - 1] > dist) {
          best[s] = best[s - 1];
          s--;
        }
        best[s] = dist;
      }
    }
    out[t - t0] = best[k - 1];
  }
}

// Max-norm distances from q to the rows candidates[0 ..< count] of data (d doubles per row):
// out[a] = max_c |p_c - q_c| (sign bit cleared, as `_maxNormDistance`). Rows are scattered, so
// each is prefetched eight candidates ahead (box-bitset kNN, `_BoxBitsets.kNearest`).
__attribute__((target("avx2"))) static inline void ibp_candidate_distances_avx2(const double *data, long d,
                                                                                const double *q, const int *candidates,
                                                                                long count, double *out) {
  const long bytes = d * (long)sizeof(double);
  for (long a = 0; a < count && a < 8; a++) ibp_prefetch_bytes(data + (long)candidates[a] * d, bytes);
  for (long a = 0; a < count; a++) {
    if (a + 8 < count) ibp_prefetch_bytes(data + (long)candidates[a + 8] * d, bytes);
    out[a] = ibp_max_norm_avx2(data + (long)candidates[a] * d, q, d);
  }
}

#endif
