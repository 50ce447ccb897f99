// Rotary position embeddings (rotate-half layout), with HF RoPE scaling applied to the tables.
#include "r1/model/rotary.h"

#include "r1/model/rope_scaling.h"

namespace r1::model {

Rotary::Rotary(int64_t head_dim, int64_t max_positions, double theta, const config::RopeScaling& scaling)
    : max_positions_(max_positions),
      head_dim_(head_dim),
      theta_(theta),
      attention_scaling_(rope_attention_scaling(scaling)),
      scaling_(scaling) {
  auto inv_freq = rope_inverse_frequencies(head_dim, theta, scaling, max_positions);  // [D/2]
  std::tie(cos_, sin_) = angles_cos_sin(torch::arange(max_positions, torch::kInt64), inv_freq);  // [P, D/2]
}

std::pair<torch::Tensor, torch::Tensor> Rotary::angles_cos_sin(const torch::Tensor& positions,
                                                               const std::vector<double>& inv) const {
  auto f64 = torch::TensorOptions().dtype(torch::kFloat64);
  auto inv_freq = torch::tensor(inv, f64).to(positions.device());                   // [D/2]
  auto angles = torch::outer(positions.to(torch::kFloat64), inv_freq);               // [N, D/2]
  return {(angles.cos() * attention_scaling_).to(torch::kFloat32),
          (angles.sin() * attention_scaling_).to(torch::kFloat32)};
}

void Rotary::to(const torch::Device& device) {
  cos_ = cos_.to(device);
  sin_ = sin_.to(device);
}

std::pair<torch::Tensor, torch::Tensor> Rotary::tables(const torch::Tensor& positions,
                                                       const torch::Tensor& like) const {
  auto flat = positions.reshape({-1});
  torch::Tensor c, s;  // [B*T, D/2]
  const int64_t seq_len = scaling_.type == config::RopeType::kDynamic && flat.numel() > 0
                              ? flat.max().item<int64_t>() + 1  // one device sync, dynamic scaling only
                              : 0;
  if (rope_depends_on_length(scaling_, max_positions_, seq_len)) {
    std::tie(c, s) =
        angles_cos_sin(flat, rope_inverse_frequencies(head_dim_, theta_, scaling_, max_positions_, seq_len));
  } else {
    c = cos_.index_select(0, flat);
    s = sin_.index_select(0, flat);
  }
  c = c.view({positions.size(0), 1, positions.size(1), -1});  // [B, 1, T, D/2]
  s = s.view({positions.size(0), 1, positions.size(1), -1});
  return {c.to(like.scalar_type()), s.to(like.scalar_type())};
}

torch::Tensor Rotary::apply(const torch::Tensor& x, const torch::Tensor& cos, const torch::Tensor& sin) {
  auto halves = x.chunk(2, -1);  // x1, x2: [B, H, T, D/2]
  const auto& x1 = halves[0];
  const auto& x2 = halves[1];
  return torch::cat({x1 * cos - x2 * sin, x2 * cos + x1 * sin}, -1);
}

}  // namespace r1::model
