// unirec's native core: picks the kernel build for this CPU (AVX2 + FMA, else generic), runs kernels on
// std::threads over independent rows (so any thread count gives the same bits), and exposes them to
// JavaScript through Node-API (node_api.h: ABI-stable, no extra npm package). The JS side is
// src/math/native.ts, which falls back to the scalar JS reference when this addon is absent.
#include <node_api.h>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <string>
#include <thread>
#include <vector>

#include "kernels.h"

namespace {

struct Kernels {
  decltype(&unirec_generic::dgemm) dgemm;
  decltype(&unirec_generic::sgemm) sgemm;
  decltype(&unirec_generic::sweepChunk) sweepChunk;
  decltype(&unirec_generic::alsRows) alsRows;
  decltype(&unirec_generic::spmmRows) spmmRows;
  decltype(&unirec_generic::gramSparseRows) gramSparseRows;
  decltype(&unirec_generic::mfEpoch) mfEpoch;
  decltype(&unirec_generic::hybridEpoch) hybridEpoch;
  decltype(&unirec_generic::bprEpoch) bprEpoch;
  decltype(&unirec_generic::svdppEpoch) svdppEpoch;
  decltype(&unirec_generic::knnRows) knnRows;
  decltype(&unirec_generic::fmaPeak) fmaPeak;
  decltype(&unirec_generic::softmaxXentRows) softmaxXentRows;
  const char* isa;
};

#define UNIREC_TABLE(ns, name) {&ns::dgemm, &ns::sgemm, &ns::sweepChunk, &ns::alsRows, &ns::spmmRows, &ns::gramSparseRows, &ns::mfEpoch, &ns::hybridEpoch, &ns::bprEpoch, &ns::svdppEpoch, &ns::knnRows, &ns::fmaPeak, &ns::softmaxXentRows, name}

Kernels chooseKernels() {
  const char* want = std::getenv("UNIREC_NATIVE_ISA");
  const bool forceGeneric = want != nullptr && std::strcmp(want, "generic") == 0;
#if defined(__x86_64__) || defined(__i386__)
  __builtin_cpu_init();
  if (!forceGeneric && __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) return UNIREC_TABLE(unirec_avx2, "avx2-fma");
#endif
  (void)forceGeneric;
  return UNIREC_TABLE(unirec_generic, "generic");
}

const Kernels K = chooseKernels();

/** Runs fn(task, worker) for task in [0, nTasks), tasks handed out in order to `threads` threads. */
template <typename F>
void parallelFor(int nTasks, int threads, F fn) {
  threads = std::max(1, std::min(threads, nTasks));
  if (threads <= 1) {
    for (int t = 0; t < nTasks; t++) fn(t, 0);
    return;
  }
  std::atomic<int> next{0};
  auto work = [&](int worker) {
    for (;;) {
      const int t = next.fetch_add(1);
      if (t >= nTasks) break;
      fn(t, worker);
    }
  };
  std::vector<std::thread> pool;
  for (int w = 1; w < threads; w++) pool.emplace_back(work, w);
  work(0);
  for (auto& th : pool) th.join();
}

// ---------------------------------------------------------------------------------------------------
// SPD inverse by the blocked symmetric sweep (the algorithm of src/math/spd-inverse.ts, pivot blocks of
// 128): per step a panel gather and a 128 x 128 inverse here, then the rank-128 update of the lower
// triangle in row chunks on all threads (math in kernels.inc sweepChunk).

/** In-place Cholesky of an nb x nb full symmetric matrix (lower = L); false when not positive definite. */
bool smallCholesky(double* l, int nb, int pivotBase, std::string& err) {
  for (int i = 0; i < nb; i++) {
    for (int j = 0; j <= i; j++) {
      double s = l[i * nb + j];
      for (int k = 0; k < j; k++) s -= l[i * nb + k] * l[j * nb + k];
      if (j == i) {
        if (!(s > 0)) {
          err = "matrix is not positive definite (pivot " + std::to_string(pivotBase + i) + " is " + std::to_string(s) + ")";
          return false;
        }
        l[i * nb + i] = std::sqrt(s);
      } else {
        l[i * nb + j] = s / l[j * nb + j];
      }
    }
  }
  return true;
}

/** d = (L L^T)^-1 (full) from the lower Cholesky factor in l; `inv` is nb x nb scratch. */
void smallInverseFromCholesky(const double* l, int nb, double* inv, double* d) {
  std::fill(inv, inv + (size_t)nb * nb, 0.0);
  for (int j = 0; j < nb; j++) {
    inv[j * nb + j] = 1 / l[j * nb + j];
    for (int i = j + 1; i < nb; i++) {
      double s = 0;
      for (int k = j; k < i; k++) s += l[i * nb + k] * inv[k * nb + j];
      inv[i * nb + j] = -s / l[i * nb + i];
    }
  }
  // (L L^T)^-1 = L^-T L^-1: d_ij = sum_{k >= max(i, j)} inv_ki inv_kj
  for (int i = 0; i < nb; i++) {
    for (int j = 0; j <= i; j++) {
      double s = 0;
      for (int k = i; k < nb; k++) s += inv[k * nb + i] * inv[k * nb + j];
      d[i * nb + j] = s;
      d[j * nb + i] = s;
    }
  }
}

constexpr int SWEEP_NB = 128;
constexpr int SWEEP_CHUNK = 96;

bool spdInverse(double* a, int n, int threads, std::string& err) {
  const int nb0 = std::min(SWEEP_NB, std::max(1, n));
  std::vector<double> panel((size_t)n * nb0), d((size_t)nb0 * nb0), l((size_t)nb0 * nb0), inv((size_t)nb0 * nb0);
  threads = std::max(1, threads);
  std::vector<std::vector<double>> scratch(threads, std::vector<double>((size_t)SWEEP_CHUNK * nb0));
  std::vector<std::pair<int, int>> chunks;
  for (int p0 = 0; p0 < n; p0 += SWEEP_NB) {
    const int nb = std::min(SWEEP_NB, n - p0);
    double* pan = panel.data();
    // panel row i = A[i, K] (symmetric; only the lower triangle is valid)
    for (int i = p0 + nb; i < n; i++) std::memcpy(pan + (size_t)i * nb, a + (size_t)i * n + p0, sizeof(double) * nb);
    for (int c = 0; c < nb; c++) {
      const double* src = a + (size_t)(p0 + c) * n;
      for (int i = 0; i < p0; i++) pan[(size_t)i * nb + c] = src[i];
    }
    for (int i = p0; i < p0 + nb; i++)
      for (int c = 0; c < nb; c++) pan[(size_t)i * nb + c] = p0 + c <= i ? a[(size_t)i * n + p0 + c] : a[(size_t)(p0 + c) * n + i];
    std::memcpy(l.data(), pan + (size_t)p0 * nb, sizeof(double) * nb * nb);
    if (!smallCholesky(l.data(), nb, p0, err)) return false;
    smallInverseFromCholesky(l.data(), nb, inv.data(), d.data());
    chunks.clear();
    for (int r0 = 0; r0 < p0; r0 += SWEEP_CHUNK) chunks.emplace_back(r0, std::min(p0, r0 + SWEEP_CHUNK));
    for (int r0 = p0 + nb; r0 < n; r0 += SWEEP_CHUNK) chunks.emplace_back(r0, std::min(n, r0 + SWEEP_CHUNK));
    // the widest (lowest) chunks first, so the last ones handed out are short
    std::sort(chunks.begin(), chunks.end(), [](auto x, auto y) { return x.second > y.second; });
    const double* dd = d.data();
    parallelFor((int)chunks.size(), threads, [&](int t, int w) {
      K.sweepChunk(a, n, p0, nb, pan, dd, chunks[t].first, chunks[t].second, scratch[w].data());
    });
    for (int r = 0; r < nb; r++)
      for (int c = 0; c <= r; c++) a[(size_t)(p0 + r) * n + p0 + c] = -dd[r * nb + c];
  }
  // A holds -A^-1 in its lower triangle: negate and mirror
  for (int i = 0; i < n; i++) {
    for (int j = 0; j <= i; j++) {
      const double v = -a[(size_t)i * n + j];
      a[(size_t)i * n + j] = v;
      a[(size_t)j * n + i] = v;
    }
  }
  return true;
}

// ---------------------------------------------------------------------------------------------------
// Node-API glue

struct ArgError {
  std::string message;
};

class Args {
 public:
  Args(napi_env env, napi_callback_info info) : env_(env) {
    size_t argc = 32;
    napi_get_cb_info(env, info, &argc, argv_, nullptr, nullptr);
    argc_ = argc;
  }
  napi_value at(size_t i) const {
    if (i >= argc_) throw ArgError{"missing argument " + std::to_string(i)};
    return argv_[i];
  }
  double num(size_t i) const {
    double v;
    if (napi_get_value_double(env_, at(i), &v) != napi_ok) throw ArgError{"argument " + std::to_string(i) + " must be a number"};
    return v;
  }
  int int32(size_t i) const { return (int)num(i); }
  bool flag(size_t i) const {
    bool v;
    if (napi_get_value_bool(env_, at(i), &v) != napi_ok) throw ArgError{"argument " + std::to_string(i) + " must be a boolean"};
    return v;
  }
  template <typename T>
  T* array(size_t i, napi_typedarray_type want, size_t minLength, size_t* lengthOut = nullptr) const {
    napi_typedarray_type type;
    size_t length;
    void* data;
    napi_value buffer;
    size_t offset;
    if (napi_get_typedarray_info(env_, at(i), &type, &length, &data, &buffer, &offset) != napi_ok || type != want) {
      throw ArgError{"argument " + std::to_string(i) + " has the wrong typed-array type"};
    }
    if (length < minLength) throw ArgError{"argument " + std::to_string(i) + " is too short (" + std::to_string(length) + " < " + std::to_string(minLength) + ")"};
    if (lengthOut) *lengthOut = length;
    return static_cast<T*>(data);
  }
  /** An Int32Array and its length. */
  const int32_t* ints(size_t i, size_t* length) const { return array<int32_t>(i, napi_int32_array, 0, length); }
  /**
   * A CSR of nRows rows from arguments i (indptr), i + 1 (indices) and, when withValues, i + 2 (float32
   * values): indptr non-decreasing from 0, every index in [0, nCols).
   */
  CsrView csr(size_t i, int nRows, int nCols, bool withValues) const {
    const int32_t* ptr = array<int32_t>(i, napi_int32_array, (size_t)nRows + 1);
    size_t nIdx;
    const int32_t* idx = ints(i + 1, &nIdx);
    if (ptr[0] != 0) throw ArgError{"argument " + std::to_string(i) + ": indptr must start at 0"};
    for (int r = 0; r < nRows; r++)
      if (ptr[r + 1] < ptr[r]) throw ArgError{"argument " + std::to_string(i) + ": indptr must not decrease"};
    if ((size_t)ptr[nRows] > nIdx) throw ArgError{"argument " + std::to_string(i + 1) + " is shorter than indptr says"};
    for (int p = 0; p < ptr[nRows]; p++)
      if (idx[p] < 0 || idx[p] >= nCols) throw ArgError{"argument " + std::to_string(i + 1) + ": column index out of range"};
    const float* val = withValues ? array<float>(i + 2, napi_float32_array, (size_t)ptr[nRows]) : nullptr;
    return CsrView{ptr, idx, val};
  }
  /** An xoshiro128** state: a Uint32Array of 4 words, not all zero. */
  uint32_t* rngState(size_t i) const {
    uint32_t* s = array<uint32_t>(i, napi_uint32_array, 4);
    if ((s[0] | s[1] | s[2] | s[3]) == 0) throw ArgError{"argument " + std::to_string(i) + ": an all-zero generator state"};
    return s;
  }

 private:
  napi_env env_;
  napi_value argv_[32];
  size_t argc_ = 0;
};

template <typename F>
napi_value guarded(napi_env env, F body) {
  try {
    return body();
  } catch (const ArgError& e) {
    napi_throw_type_error(env, "ERR_UNIREC_NATIVE", e.message.c_str());
  } catch (const std::exception& e) {
    napi_throw_error(env, "ERR_UNIREC_NATIVE", e.what());
  }
  return nullptr;
}

napi_value undefinedValue(napi_env env) {
  napi_value u;
  napi_get_undefined(env, &u);
  return u;
}

/** Rows of op(A) m x k, op(B) k x n, C m x n, checked against the arrays' lengths. */
size_t need(bool trans, int rows, int cols, int ld) {
  if (rows <= 0 || cols <= 0) return 0;
  return trans ? (size_t)(cols - 1) * ld + rows : (size_t)(rows - 1) * ld + cols;
}

template <typename T>
napi_value gemmBinding(napi_env env, napi_callback_info info, napi_typedarray_type tt,
                       void (*fn)(bool, bool, int, int, int, T, const T*, int, const T*, int, T, T*, int)) {
  return guarded(env, [&]() {
    Args g(env, info);
    // (transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc, threads)
    const bool tA = g.flag(0), tB = g.flag(1);
    const int m = g.int32(2), n = g.int32(3), k = g.int32(4);
    const T alpha = (T)g.num(5);
    const int lda = g.int32(7), ldb = g.int32(9), ldc = g.int32(12);
    const T* a = g.array<T>(6, tt, need(tA, m, k, lda) * (k > 0));
    const T* b = g.array<T>(8, tt, need(tB, k, n, ldb) * (k > 0));
    const T beta = (T)g.num(10);
    T* c = g.array<T>(11, tt, need(false, m, n, ldc));
    const int threads = g.int32(13);
    // op(A) rows split over threads (contiguous, multiples of 6): each entry of C is summed the same way
    const int parts = std::max(1, std::min(threads, (m + 95) / 96));
    parallelFor(parts, parts, [&](int t, int) {
      const int r0 = (int)((long)m * t / parts) / 6 * 6;
      const int r1 = t + 1 == parts ? m : (int)((long)m * (t + 1) / parts) / 6 * 6;
      if (r1 <= r0) return;
      const T* at = tA ? a + r0 : a + (size_t)r0 * lda;
      fn(tA, tB, r1 - r0, n, k, alpha, at, lda, b, ldb, beta, c + (size_t)r0 * ldc, ldc);
    });
    return undefinedValue(env);
  });
}

napi_value Dgemm(napi_env env, napi_callback_info info) { return gemmBinding<double>(env, info, napi_float64_array, K.dgemm); }
napi_value Sgemm(napi_env env, napi_callback_info info) { return gemmBinding<float>(env, info, napi_float32_array, K.sgemm); }

napi_value SpdInverse(napi_env env, napi_callback_info info) {
  return guarded(env, [&]() -> napi_value {
    Args g(env, info);
    // (a, n, threads)
    const int n = g.int32(1);
    double* a = g.array<double>(0, napi_float64_array, (size_t)n * n);
    std::string err;
    if (!spdInverse(a, n, g.int32(2), err)) {
      napi_throw_range_error(env, "ERR_UNIREC_NOT_SPD", err.c_str());
      return nullptr;
    }
    return undefinedValue(env);
  });
}

napi_value GramSparse(napi_env env, napi_callback_info info) {
  return guarded(env, [&]() {
    Args g(env, info);
    // (xPtr, xIdx, xVal, tPtr, tIdx, tVal, nRows, n, binary, out, threads): out = X^T X, both triangles
    const int nRows = g.int32(6), n = g.int32(7);
    const int32_t* xPtr = g.array<int32_t>(0, napi_int32_array, nRows + 1);
    const int32_t* tPtr = g.array<int32_t>(3, napi_int32_array, n + 1);
    const int32_t* xIdx = g.array<int32_t>(1, napi_int32_array, xPtr[nRows]);
    const float* xVal = g.array<float>(2, napi_float32_array, xPtr[nRows]);
    const int32_t* tIdx = g.array<int32_t>(4, napi_int32_array, tPtr[n]);
    const float* tVal = g.array<float>(5, napi_float32_array, tPtr[n]);
    const bool binary = g.flag(8);
    double* out = g.array<double>(9, napi_float64_array, (size_t)n * n);
    std::fill(out, out + (size_t)n * n, 0.0);
    const int block = 32;
    const int tasks = (n + block - 1) / block;
    // the last rows of the triangle cost the most: hand them out first
    parallelFor(tasks, g.int32(10), [&](int t, int) {
      const int from = (tasks - 1 - t) * block;
      K.gramSparseRows(xPtr, xIdx, xVal, tPtr, tIdx, tVal, n, binary, from, std::min(n, from + block), out);
    });
    for (int i = 0; i < n; i++)
      for (int j = i + 1; j < n; j++) out[(size_t)i * n + j] = out[(size_t)j * n + i];
    return undefinedValue(env);
  });
}

napi_value AlsRows(napi_env env, napi_callback_info info) {
  return guarded(env, [&]() {
    Args g(env, info);
    // (indptr, indices, data, x, y, yty, f, alpha, cgSteps, binary, regPerEvent, from, to, nYRows, threads)
    const int f = g.int32(6);
    const int from = g.int32(11), to = g.int32(12), nY = g.int32(13);
    const int32_t* indptr = g.array<int32_t>(0, napi_int32_array, to + 1);
    const int32_t* indices = g.array<int32_t>(1, napi_int32_array, indptr[to]);
    const float* data = g.array<float>(2, napi_float32_array, indptr[to]);
    float* x = g.array<float>(3, napi_float32_array, (size_t)to * f);
    const float* y = g.array<float>(4, napi_float32_array, (size_t)nY * f);
    const double* yty = g.array<double>(5, napi_float64_array, (size_t)f * f);
    for (int p = indptr[from]; p < indptr[to]; p++)
      if (indices[p] < 0 || indices[p] >= nY) throw ArgError{"column index out of range"};
    const double alpha = g.num(7), reg = g.num(10);
    const int steps = g.int32(8);
    const bool binary = g.flag(9);
    const int block = 64;
    const int tasks = (to - from + block - 1) / block;
    parallelFor(tasks, g.int32(14), [&](int t, int) {
      const int r0 = from + t * block;
      K.alsRows(indptr, indices, data, x, y, yty, f, alpha, steps, binary, reg, r0, std::min(to, r0 + block));
    });
    return undefinedValue(env);
  });
}

napi_value SpmmRows(napi_env env, napi_callback_info info) {
  return guarded(env, [&]() {
    Args g(env, info);
    // (indptr, indices, data, binary, b, nBRows, ncols, rows, out, threads)
    const int nB = g.int32(5), ncols = g.int32(6);
    const bool binary = g.flag(3);
    const float* b = g.array<float>(4, napi_float32_array, (size_t)nB * ncols);
    // rows: Int32Array of CSR row ids
    napi_typedarray_type type;
    size_t nRows;
    void* rowsData;
    napi_value buf;
    size_t off;
    if (napi_get_typedarray_info(env, g.at(7), &type, &nRows, &rowsData, &buf, &off) != napi_ok || type != napi_int32_array)
      throw ArgError{"argument 7 must be an Int32Array"};
    const int32_t* rows = static_cast<const int32_t*>(rowsData);
    int maxRow = -1;
    for (size_t t = 0; t < nRows; t++) maxRow = std::max(maxRow, rows[t]);
    const int32_t* indptr = g.array<int32_t>(0, napi_int32_array, (size_t)maxRow + 2);
    const int32_t* indices = g.array<int32_t>(1, napi_int32_array, 0);
    const float* data = g.array<float>(2, napi_float32_array, 0);
    for (size_t t = 0; t < nRows; t++) {
      if (rows[t] < 0) throw ArgError{"negative row id"};
      for (int p = indptr[rows[t]]; p < indptr[rows[t] + 1]; p++)
        if (indices[p] < 0 || indices[p] >= nB) throw ArgError{"column index out of range"};
    }
    float* out = g.array<float>(8, napi_float32_array, nRows * (size_t)ncols);
    const int threads = g.int32(9);
    const int block = std::max(1, (int)((nRows + threads - 1) / std::max(1, threads)));
    const int tasks = (int)((nRows + block - 1) / block);
    parallelFor(tasks, threads, [&](int t, int) {
      const int t0 = t * block;
      const int cnt = std::min(block, (int)nRows - t0);
      K.spmmRows(indptr, indices, data, binary, b, ncols, rows + t0, cnt, out + (size_t)t0 * ncols);
    });
    return undefinedValue(env);
  });
}

napi_value MfEpoch(napi_env env, napi_callback_info info) {
  return guarded(env, [&]() {
    Args g(env, info);
    // (order, users, items, values, p, q, bu, bi, f, mu, lr, reg, biased, nUsers, nItems)
    const int f = g.int32(8);
    const int nUsers = g.int32(13), nItems = g.int32(14);
    napi_typedarray_type type;
    size_t n;
    void* od;
    napi_value buf;
    size_t off;
    if (napi_get_typedarray_info(env, g.at(0), &type, &n, &od, &buf, &off) != napi_ok || type != napi_int32_array)
      throw ArgError{"argument 0 must be an Int32Array"};
    const int32_t* order = static_cast<const int32_t*>(od);
    const int32_t* users = g.array<int32_t>(1, napi_int32_array, n);
    const int32_t* items = g.array<int32_t>(2, napi_int32_array, n);
    const float* values = g.array<float>(3, napi_float32_array, n);
    float* p = g.array<float>(4, napi_float32_array, (size_t)nUsers * f);
    float* q = g.array<float>(5, napi_float32_array, (size_t)nItems * f);
    float* bu = g.array<float>(6, napi_float32_array, nUsers);
    float* bi = g.array<float>(7, napi_float32_array, nItems);
    for (size_t t = 0; t < n; t++) {
      const int r = order[t];
      if (r < 0 || (size_t)r >= n || users[r] < 0 || users[r] >= nUsers || items[r] < 0 || items[r] >= nItems)
        throw ArgError{"index out of range"};
    }
    K.mfEpoch(order, (int)n, users, items, values, p, q, bu, bi, f, g.num(9), g.num(10), g.num(11), g.flag(12));
    return undefinedValue(env);
  });
}

/** Every entry of a[0 .. n) in [0, bound). */
void checkRange(const int32_t* a, size_t n, int bound, const char* what) {
  for (size_t t = 0; t < n; t++)
    if (a[t] < 0 || a[t] >= bound) throw ArgError{std::string(what) + " out of range"};
}

napi_value doubleValue(napi_env env, double x) {
  napi_value v;
  napi_create_double(env, x, &v);
  return v;
}

napi_value HybridEpoch(napi_env env, napi_callback_info info) {
  return guarded(env, [&]() {
    Args g(env, info);
    // (order, userOf, histPtr, histIdx, ucPtr, ucIdx, ucVal, icPtr, icIdx, icVal, userEmb, itemEmb, itemBias,
    //  accUser, accItem, accBias, momUser, momItem, momBias, f, nItems, warp, optimizer, lr, rho, eps, reg,
    //  maxSampled, warpWeight, rng) -> summed loss
    HybridEpochArgs a{};
    a.f = g.int32(19);
    a.nItems = g.int32(20);
    if (a.f <= 0 || a.nItems <= 0) throw ArgError{"factors and items must be positive"};
    size_t n, nnz, nUserEmb, nItemEmb, nBias;
    a.order = g.ints(0, &n);
    a.n = (int)n;
    a.userOf = g.ints(1, &nnz);
    checkRange(a.order, n, (int)nnz, "event id");
    size_t nPtr;
    g.ints(2, &nPtr);
    const int nUsers = (int)nPtr - 1;
    if (nUsers < 0) throw ArgError{"argument 2: empty indptr"};
    checkRange(a.userOf, nnz, nUsers, "user id");
    a.history = g.csr(2, nUsers, a.nItems, false);
    if ((size_t)a.history.ptr[nUsers] != nnz) throw ArgError{"history and userOf disagree on the number of events"};
    a.userEmb = g.array<float>(10, napi_float32_array, 0, &nUserEmb);
    a.itemEmb = g.array<float>(11, napi_float32_array, 0, &nItemEmb);
    a.itemBias = g.array<float>(12, napi_float32_array, 0, &nBias);
    const int nUserCols = (int)(nUserEmb / a.f), nItemCols = (int)(nItemEmb / a.f);
    if ((int)nBias < nItemCols) throw ArgError{"argument 12 is shorter than the item columns"};
    a.userCols = g.csr(4, nUsers, nUserCols, true);
    a.itemCols = g.csr(7, a.nItems, nItemCols, true);
    a.warp = g.flag(21);
    a.optimizer = g.int32(22);
    if (a.optimizer < 0 || a.optimizer > 2) throw ArgError{"optimizer must be 0 (adagrad), 1 (adadelta) or 2 (sgd)"};
    const size_t accN = a.optimizer == 2 ? 0 : 1, momN = a.optimizer == 1 ? 1 : 0;
    a.accUser = g.array<float>(13, napi_float32_array, accN * nUserEmb);
    a.accItem = g.array<float>(14, napi_float32_array, accN * nItemEmb);
    a.accBias = g.array<float>(15, napi_float32_array, accN * nBias);
    a.momUser = g.array<float>(16, napi_float32_array, momN * nUserEmb);
    a.momItem = g.array<float>(17, napi_float32_array, momN * nItemEmb);
    a.momBias = g.array<float>(18, napi_float32_array, momN * nBias);
    a.lr = g.num(23);
    a.rho = g.num(24);
    a.eps = g.num(25);
    a.reg = g.num(26);
    a.maxSampled = g.int32(27);
    a.warpWeight = g.array<double>(28, napi_float64_array, (size_t)std::max(0, a.maxSampled) + 1);
    a.rng = g.rngState(29);
    return doubleValue(env, K.hybridEpoch(a));
  });
}

napi_value BprEpoch(napi_env env, napi_callback_info info) {
  return guarded(env, [&]() {
    Args g(env, info);
    // (adam, order, userOf, histPtr, histIdx, x, y, b, cdf, itemBias, lr, reg, f, nUsers, nItems, batchSize,
    //  gX, gY, gB, mX, mY, mB, vX, vY, vB, rates, rng) -> summed loss
    BprEpochArgs a{};
    const bool adam = g.flag(0);
    a.f = g.int32(12);
    a.nUsers = g.int32(13);
    a.nItems = g.int32(14);
    if (a.f <= 0 || a.nUsers <= 0 || a.nItems <= 0) throw ArgError{"factors, users and items must be positive"};
    size_t nOrder, nnz, nCdf;
    a.order = g.ints(1, &nOrder);
    a.userOf = g.ints(2, &nnz);
    a.nnz = (int)nnz;
    if (adam) {
      if (nOrder != nnz) throw ArgError{"argument 1 must hold every event once"};
      checkRange(a.order, nOrder, a.nnz, "event id");
    }
    checkRange(a.userOf, nnz, a.nUsers, "user id");
    a.history = g.csr(3, a.nUsers, a.nItems, false);
    if ((size_t)a.history.ptr[a.nUsers] != nnz) throw ArgError{"history and userOf disagree on the number of events"};
    const size_t nx = (size_t)a.nUsers * a.f, ny = (size_t)a.nItems * a.f, nb = (size_t)a.nItems;
    a.x = g.array<float>(5, napi_float32_array, nx);
    a.y = g.array<float>(6, napi_float32_array, ny);
    a.b = g.array<float>(7, napi_float32_array, nb);
    const double* cdf = g.array<double>(8, napi_float64_array, 0, &nCdf);
    if (nCdf != 0 && nCdf != (size_t)a.nItems) throw ArgError{"argument 8 (cdf) must be empty or one entry per item"};
    a.cdf = nCdf ? cdf : nullptr;
    a.itemBias = g.flag(9);
    a.lr = g.num(10);
    a.reg = g.num(11);
    a.batchSize = g.int32(15);
    const size_t on = adam ? 1 : 0;
    if (adam && a.batchSize <= 0) throw ArgError{"batchSize must be positive"};
    a.gX = g.array<float>(16, napi_float32_array, on * nx);
    a.gY = g.array<float>(17, napi_float32_array, on * ny);
    a.gB = g.array<float>(18, napi_float32_array, on * nb);
    a.mX = g.array<float>(19, napi_float32_array, on * nx);
    a.mY = g.array<float>(20, napi_float32_array, on * ny);
    a.mB = g.array<float>(21, napi_float32_array, on * nb);
    a.vX = g.array<float>(22, napi_float32_array, on * nx);
    a.vY = g.array<float>(23, napi_float32_array, on * ny);
    a.vB = g.array<float>(24, napi_float32_array, on * nb);
    const size_t batches = adam ? (nnz + a.batchSize - 1) / a.batchSize : 0;
    a.rates = g.array<double>(25, napi_float64_array, 2 * batches);
    a.rng = g.rngState(26);
    return doubleValue(env, K.bprEpoch(a, adam));
  });
}

napi_value SvdppEpoch(napi_env env, napi_callback_info info) {
  return guarded(env, [&]() {
    Args g(env, info);
    // (userOrder, ratingOrder, indptr, indices, data, p, q, y, bu, bi, f, nItems, mu, lr, reg, rng)
    SvdppEpochArgs a{};
    a.f = g.int32(10);
    const int nItems = g.int32(11);
    if (a.f <= 0 || nItems <= 0) throw ArgError{"factors and items must be positive"};
    size_t nUsers, nnz;
    a.userOrder = g.ints(0, &nUsers);
    a.nUsers = (int)nUsers;
    checkRange(a.userOrder, nUsers, a.nUsers, "user id");
    a.ratingOrder = const_cast<int32_t*>(g.ints(1, &nnz));
    checkRange(a.ratingOrder, nnz, (int)nnz, "rating id");
    a.byUser = g.csr(2, a.nUsers, nItems, true);
    if ((size_t)a.byUser.ptr[a.nUsers] != nnz) throw ArgError{"argument 1 must hold every rating once"};
    // a user's slice of ratingOrder must hold that user's own ratings
    for (int u = 0; u < a.nUsers; u++)
      for (int s = a.byUser.ptr[u]; s < a.byUser.ptr[u + 1]; s++)
        if (a.ratingOrder[s] < a.byUser.ptr[u] || a.ratingOrder[s] >= a.byUser.ptr[u + 1]) throw ArgError{"ratingOrder mixes users"};
    a.p = g.array<float>(5, napi_float32_array, nUsers * a.f);
    a.q = g.array<float>(6, napi_float32_array, (size_t)nItems * a.f);
    a.y = g.array<float>(7, napi_float32_array, (size_t)nItems * a.f);
    a.bu = g.array<float>(8, napi_float32_array, nUsers);
    a.bi = g.array<float>(9, napi_float32_array, nItems);
    a.mu = g.num(12);
    a.lr = g.num(13);
    a.reg = g.num(14);
    a.rng = g.rngState(15);
    K.svdppEpoch(a);
    return undefinedValue(env);
  });
}

napi_value KnnRows(napi_env env, napi_callback_info info) {
  return guarded(env, [&]() {
    Args g(env, info);
    // (mPtr, mIdx, mVal, tPtr, tIdx, tVal, nRows, nCols, norms, k, shrink, outIdx, outSim, outLen, threads)
    const int n = g.int32(6), nCols = g.int32(7), k = g.int32(9);
    if (n < 0 || nCols < 0 || k <= 0) throw ArgError{"rows, columns must be >= 0 and k positive"};
    const CsrView m = g.csr(0, n, nCols, true);
    const CsrView mT = g.csr(3, nCols, n, true);
    const double* norms = g.array<double>(8, napi_float64_array, n);
    const double shrink = g.num(10);
    int32_t* outIdx = g.array<int32_t>(11, napi_int32_array, (size_t)n * k);
    float* outSim = g.array<float>(12, napi_float32_array, (size_t)n * k);
    int32_t* outLen = g.array<int32_t>(13, napi_int32_array, n);
    const int threads = std::max(1, g.int32(14));
    const int block = 64;
    const int tasks = (n + block - 1) / block;
    std::vector<std::vector<double>> acc(threads);
    parallelFor(tasks, threads, [&](int t, int w) {
      if (acc[w].empty()) acc[w].assign(n, 0.0);
      const int r0 = t * block;
      K.knnRows(m, mT, n, norms, k, shrink, r0, std::min(n, r0 + block), outIdx, outSim, outLen, acc[w].data());
    });
    return undefinedValue(env);
  });
}

napi_value SoftmaxXent(napi_env env, napi_callback_info info) {
  return guarded(env, [&]() {
    Args g(env, info);
    // (logits, n, c, targets, scale, threads) -> the sum of the rows' cross-entropies; logits become the gradient
    const int n = g.int32(1), c = g.int32(2);
    if (n < 0 || c <= 0) throw ArgError{"bad shape"};
    float* logits = g.array<float>(0, napi_float32_array, (size_t)n * c);
    const int32_t* targets = g.array<int32_t>(3, napi_int32_array, n);
    for (int r = 0; r < n; r++)
      if (targets[r] < 0 || targets[r] >= c) throw ArgError{"target out of range"};
    const float scale = (float)g.num(4);
    const int threads = std::max(1, g.int32(5));
    constexpr int rowsPerTask = 32;
    const int tasks = (n + rowsPerTask - 1) / rowsPerTask;
    std::vector<double> parts(tasks);
    parallelFor(tasks, threads, [&](int t, int) {
      parts[t] = K.softmaxXentRows(logits, c, targets, scale, t * rowsPerTask, std::min(n, (t + 1) * rowsPerTask));
    });
    double loss = 0;
    for (double v : parts) loss += v;  // in task order: the same bits for any thread count
    napi_value out;
    napi_create_double(env, loss, &out);
    return out;
  });
}

napi_value FmaPeak(napi_env env, napi_callback_info info) {
  return guarded(env, [&]() {
    Args g(env, info);
    // (reps, threads) -> [seconds, flops]: every thread runs `reps` passes at once
    const long reps = (long)g.num(0);
    const int threads = std::max(1, g.int32(1));
    std::vector<double> secs(threads), flops(threads);
    parallelFor(threads, threads, [&](int t, int) { secs[t] = K.fmaPeak(reps, &flops[t]); });
    double s = 0, fl = 0;
    for (int t = 0; t < threads; t++) {
      s = std::max(s, secs[t]);
      fl += flops[t];
    }
    napi_value arr, v;
    napi_create_array_with_length(env, 2, &arr);
    napi_create_double(env, s, &v);
    napi_set_element(env, arr, 0, v);
    napi_create_double(env, fl, &v);
    napi_set_element(env, arr, 1, v);
    return arr;
  });
}

}  // namespace

NAPI_MODULE_INIT() {
  struct Entry {
    const char* name;
    napi_callback cb;
  };
  const Entry entries[] = {{"dgemm", Dgemm},           {"sgemm", Sgemm},       {"spdInverse", SpdInverse},
                           {"gramSparse", GramSparse}, {"alsRows", AlsRows},   {"spmmRows", SpmmRows},
                           {"mfEpoch", MfEpoch},       {"hybridEpoch", HybridEpoch}, {"bprEpoch", BprEpoch},
                           {"svdppEpoch", SvdppEpoch}, {"knnRows", KnnRows},   {"fmaPeak", FmaPeak},
                           {"softmaxXent", SoftmaxXent}};
  for (const Entry& e : entries) {
    napi_value fn;
    napi_create_function(env, e.name, NAPI_AUTO_LENGTH, e.cb, nullptr, &fn);
    napi_set_named_property(env, exports, e.name, fn);
  }
  napi_value isa;
  napi_create_string_utf8(env, K.isa, NAPI_AUTO_LENGTH, &isa);
  napi_set_named_property(env, exports, "isa", isa);
  return exports;
}
