// The numeric kernels of unirec's native core: one declaration set, compiled twice (kernels-avx2.cc with
// AVX2 + FMA code generation, kernels-generic.cc for any x86-64 / other CPU) into two namespaces;
// dispatch.cc picks one at load time from the CPU's features. Every function is single-threaded on the
// range it is given; threading (std::thread) lives in dispatch.cc, over independent rows, so results do
// not depend on the thread count.
#pragma once
#include <cstddef>
#include <cstdint>

#include "sgd.h"

#define UNIREC_KERNEL_DECLS                                                                                  \
  /* C = alpha op(A) op(B) + beta C, row-major, op(A) m x k, op(B) k x n */                                 \
  void dgemm(bool transA, bool transB, int m, int n, int k, double alpha, const double* a, int lda,         \
             const double* b, int ldb, double beta, double* c, int ldc);                                    \
  void sgemm(bool transA, bool transB, int m, int n, int k, float alpha, const float* a, int lda,           \
             const float* b, int ldb, float beta, float* c, int ldc);                                       \
  /* one blocked-sweep step's update of row chunk [r0, r1) (see spd-inverse.cc) */                          \
  void sweepChunk(double* a, int n, int p0, int nb, const double* panel, const double* d, int r0, int r1,   \
                  double* t);                                                                               \
  /* implicit ALS CG solves for rows [from, to) */                                                          \
  void alsRows(const int32_t* indptr, const int32_t* indices, const float* data, float* x, const float* y,  \
               const double* yty, int f, double alpha, int cgSteps, bool binary, double regPerEvent,        \
               int from, int to);                                                                           \
  /* out[t] = sum_p v_p B[idx_p, :] over the CSR row rows[t], for t < nRows (B ncols wide) */              \
  void spmmRows(const int32_t* indptr, const int32_t* indices, const float* data, bool binary,              \
                const float* b, int ncols, const int32_t* rows, int nRows, float* out);                     \
  /* rows [from, to) of the lower triangle of X^T X from X (CSR by rows) and X^T (CSR by columns) */       \
  void gramSparseRows(const int32_t* xPtr, const int32_t* xIdx, const float* xVal, const int32_t* tPtr,     \
                      const int32_t* tIdx, const float* tVal, int n, bool binary, int from, int to,         \
                      double* out);                                                                         \
  /* one SGD epoch of biased MF over order[0 .. n) */                                                       \
  void mfEpoch(const int32_t* order, int n, const int32_t* users, const int32_t* items, const float* values, \
               float* p, float* q, float* bu, float* bi, int f, double mu, double lr, double reg,           \
               bool biased);                                                                                \
  /* one epoch of hybrid-mf / bpr / svdpp (sgd.inc); hybrid and bpr return the summed loss */           \
  double hybridEpoch(const HybridEpochArgs& args);                                                          \
  double bprEpoch(const BprEpochArgs& args, bool adam);                                                     \
  void svdppEpoch(const SvdppEpochArgs& args);                                                              \
  /* cosine kNN rows [from, to) of m (knn.ts cosineNeighbourRows); acc: n zeroed doubles of scratch */      \
  void knnRows(CsrView m, CsrView mT, int n, const double* norms, int k, double shrink, int from, int to,   \
               int32_t* outIdx, float* outSim, int32_t* outLen, double* acc);                             \
  /* rows [from, to) of an n x c logits matrix, in place: (softmax - one-hot(target)) * scale; returns the */ \
  /* sum of the rows' cross-entropies log sum_j exp(x_j) - x_target */                                      \
  double softmaxXentRows(float* logits, int c, const int32_t* targets, float scale, int from, int to);      \
  /* seconds for `reps` passes of a register-blocked FMA loop (FLOPs returned through flops) */            \
  double fmaPeak(long reps, double* flops);

namespace unirec_avx2 {
UNIREC_KERNEL_DECLS
}
namespace unirec_generic {
UNIREC_KERNEL_DECLS
}
