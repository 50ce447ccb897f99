// A register-tiled float32 matrix product for the small, thin products inside the fused attention kernel
// (64 query rows x up to T keys x head_dim 32, and its transposes). At these sizes a BLAS call spends more
// time packing, dispatching and zeroing than multiplying, and calls from parallel tasks do not scale; this
// kernel reads its operands in place, in any row/column strides for A.
#pragma once
#include <cstdint>

namespace r1::model::cpu {

// C = A B, or C += A B when accumulate: A is m x kd with A(i, k) = a[i * a_row + k * a_col] (a transposed A is
// the same matrix with the strides swapped), B is kd x n row-major (row stride ldb), C is m x n row-major (row
// stride ldc).
void gemm_small(int64_t m, int64_t n, int64_t kd, const float* a, int64_t a_row, int64_t a_col, const float* b,
                int64_t ldb, float* c, int64_t ldc, bool accumulate);

}  // namespace r1::model::cpu
