// The arguments of the sampled-SGD epoch kernels (native/sgd.inc) and of the kNN kernel, as plain structs:
// the bindings in dispatch.cc check and fill them, the kernels read them. Pointers are borrowed from the
// JS typed arrays for the duration of one call.
#pragma once
#include <cstdint>

/** A CSR matrix's three arrays (rows by indptr, sorted column ids, float32 values). */
struct CsrView {
  const int32_t* ptr;
  const int32_t* idx;
  const float* val;
};

/** hybrid-mf (models/hybrid-mf.ts, the loop of train()): one epoch over `order`. */
struct HybridEpochArgs {
  const int32_t* order;  // n event ids (shuffled by the caller)
  int n;
  const int32_t* userOf;  // event -> user
  CsrView history;        // users x items, the train events (sorted rows: the negative check)
  CsrView userCols, itemCols;
  float* userEmb;
  float* itemEmb;
  float* itemBias;
  float *accUser, *accItem, *accBias;  // adagrad / adadelta accumulators (unused by sgd)
  float *momUser, *momItem, *momBias;  // adadelta running averages of squared updates
  int f, nItems;
  bool warp;      // else bpr
  int optimizer;  // 0 adagrad, 1 adadelta, 2 sgd
  double lr, rho, eps, reg;
  int maxSampled;
  const double* warpWeight;  // [0 .. maxSampled]
  uint32_t* rng;             // xoshiro128** state, advanced in place
};

/** bpr (models/bpr.ts): one epoch, plain SGD (sgdEpoch) or mini-batch dense Adam (adamEpoch). */
struct BprEpochArgs {
  const int32_t* order;  // adam: nnz event ids, shuffled by the caller
  const int32_t* userOf;
  CsrView history;
  int nnz, nUsers, nItems, f;
  float *x, *y, *b;
  const double* cdf;  // popularity sampling (nItems), or null for uniform
  bool itemBias;
  double lr, reg;
  // adam
  int batchSize;
  float *gX, *gY, *gB, *mX, *mY, *mB, *vX, *vY, *vB;
  const double* rates;  // per batch: [rate, eps] (Adam.schedule)
  uint32_t* rng;
};

/** svdpp (models/svdpp.ts, the loop of fit()): one epoch over users in `userOrder`. */
struct SvdppEpochArgs {
  const int32_t* userOrder;  // nUsers, shuffled by the caller
  int32_t* ratingOrder;      // nnz, each user's slice reshuffled in place
  CsrView byUser;
  int nUsers, f;
  float *p, *q, *y, *bu, *bi;
  double mu, lr, reg;
  uint32_t* rng;
};
