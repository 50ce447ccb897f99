// The matrix products of the decode path (model::DecodeModel) on weights packed once, when the DecodeModel is
// built, instead of on every call. A weight [out, in] becomes column panels [P, in, 16] (panel p holds output
// columns 16p..16p+15, zero-padded at the end), so a product reads each panel as one contiguous stream and a
// register tile of up to 6 rows x 16 columns sums over `in` with nothing repacked. BLAS packs both operands again
// on every call, which at decode sizes (64 rows x 256) costs as much as the multiply; here the batch-64 products
// of the small preset run 1.3-1.6x faster (hot weights) and batch 1 reads each weight once per token as a
// matrix-vector product would.
//
// Every output element is one chain of fused multiply-adds over `in` in order, then the epilogue: the same
// arithmetic whatever the number of rows, the row's place in the batch or the thread count, so a row's result
// does not depend on its batch-mates. CPU float32 weights take the packed kernel; any other device or dtype keeps
// the weight as it is and multiplies with ATen (same results up to float rounding).
#pragma once
#include <optional>

#include <torch/torch.h>

namespace r1::model {

// y = x w^T (+ add).
class PackedLinear {
 public:
  PackedLinear() = default;
  explicit PackedLinear(const torch::Tensor& w);  // w [out, in]

  // x [N, in] contiguous -> [N, out] in x's dtype; add undefined, [out] (a bias) or [N, out] (a residual).
  torch::Tensor operator()(const torch::Tensor& x, const torch::Tensor& add = {}) const;
  // The same with x's rows RMS-normalized first (x / sqrt(mean(x^2) + eps), no weight: fold it into w). The
  // packed kernel multiplies each row's sums by its factor instead of writing the normalized rows.
  torch::Tensor normalized(const torch::Tensor& x, double eps, const torch::Tensor& add = {}) const;
  int64_t out_features() const { return out_; }

 private:
  torch::Tensor product(const torch::Tensor& x, const torch::Tensor& add, std::optional<double> norm_eps) const;
  torch::Tensor panels_;  // [P, in, 16] float32 when packed
  torch::Tensor weight_;  // [out, in] when not packed (other device or dtype)
  int64_t out_ = 0;
};

// SwiGLU's first half: y = silu(x gate^T) * (x up^T), both products and the gating in one pass (each panel
// holds 8 gate and the 8 matching up columns, so the tile's two halves meet in registers).
class PackedSwiGlu {
 public:
  PackedSwiGlu() = default;
  PackedSwiGlu(const torch::Tensor& gate, const torch::Tensor& up);  // each [inter, in]

  // x [N, in] contiguous -> [N, inter].
  torch::Tensor operator()(const torch::Tensor& x) const;
  // The same with x's rows RMS-normalized first, as PackedLinear::normalized.
  torch::Tensor normalized(const torch::Tensor& x, double eps) const;

 private:
  torch::Tensor product(const torch::Tensor& x, std::optional<double> norm_eps) const;
  torch::Tensor panels_;    // [P, in, 16] float32 when packed: 8 gate then 8 up columns
  torch::Tensor gate_up_;   // [2 * inter, in] when not packed
  int64_t inter_ = 0;
};

}  // namespace r1::model
