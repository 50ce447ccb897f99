// Register-tiled small matrix product: tiles of up to 4 rows x 16 columns of C held in eight-float vectors.
#include "r1/model/cpu_small_gemm.h"

#include "r1/model/cpu_vector_math.h"

// cpu::Float8 values pass between inlined helpers only: GCC's AVX calling-convention note does not apply.
#pragma GCC diagnostic ignored "-Wpsabi"

namespace r1::model::cpu {

namespace {

// One tile: R rows x 8V columns of C, summed over k in order. always_inline: the helpers must be compiled into
// each R1_CPU_CLONES copy of gemm_small (an out-of-line copy would be built for the baseline CPU only).
template <int R, int V>
__attribute__((always_inline)) inline void tile(int64_t kd, const float* a, int64_t a_row, int64_t a_col,
                                                const float* b, int64_t ldb, float* c, int64_t ldc, bool accumulate) {
  Float8 acc[R][V];
  for (int r = 0; r < R; ++r)
    for (int v = 0; v < V; ++v) acc[r][v] = splat8(0.0f);
  for (int64_t k = 0; k < kd; ++k) {
    const float* bk = b + k * ldb;
    Float8 bv[V];
    for (int v = 0; v < V; ++v) bv[v] = load8(bk + 8 * v);
    for (int r = 0; r < R; ++r) {
      const Float8 av = splat8(a[r * a_row + k * a_col]);
      for (int v = 0; v < V; ++v) acc[r][v] += av * bv[v];
    }
  }
  for (int r = 0; r < R; ++r)
    for (int v = 0; v < V; ++v) {
      float* cp = c + r * ldc + 8 * v;
      store8(cp, accumulate ? load8(cp) + acc[r][v] : acc[r][v]);
    }
}

// R rows of C across all n columns: 16-column tiles, then 8, then single columns.
template <int R>
__attribute__((always_inline)) inline void row_strip(int64_t n, int64_t kd, const float* a, int64_t a_row,
                                                     int64_t a_col, const float* b, int64_t ldb, float* c, int64_t ldc,
                                                     bool accumulate) {
  int64_t j = 0;
  for (; j + 16 <= n; j += 16) tile<R, 2>(kd, a, a_row, a_col, b + j, ldb, c + j, ldc, accumulate);
  for (; j + 8 <= n; j += 8) tile<R, 1>(kd, a, a_row, a_col, b + j, ldb, c + j, ldc, accumulate);
  for (; j < n; ++j)
    for (int r = 0; r < R; ++r) {
      float sum = 0.0f;
      for (int64_t k = 0; k < kd; ++k) sum += a[r * a_row + k * a_col] * b[k * ldb + j];
      float* cp = c + r * ldc + j;
      *cp = accumulate ? *cp + sum : sum;
    }
}

}  // namespace

R1_CPU_CLONES void gemm_small(int64_t m, int64_t n, int64_t kd, const float* a, int64_t a_row, int64_t a_col,
                              const float* b, int64_t ldb, float* c, int64_t ldc, bool accumulate) {
  int64_t i = 0;
  for (; i + 4 <= m; i += 4) row_strip<4>(n, kd, a + i * a_row, a_row, a_col, b, ldb, c + i * ldc, ldc, accumulate);
  const float* a_tail = a + i * a_row;
  float* c_tail = c + i * ldc;
  switch (m - i) {
    case 3: row_strip<3>(n, kd, a_tail, a_row, a_col, b, ldb, c_tail, ldc, accumulate); break;
    case 2: row_strip<2>(n, kd, a_tail, a_row, a_col, b, ldb, c_tail, ldc, accumulate); break;
    case 1: row_strip<1>(n, kd, a_tail, a_row, a_col, b, ldb, c_tail, ldc, accumulate); break;
    default: break;
  }
}

}  // namespace r1::model::cpu
