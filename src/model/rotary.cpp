// Rotary position embeddings (rotate-half layout).
#include "r1/model/rotary.h"

namespace r1::model {

Rotary::Rotary(int64_t head_dim, int64_t max_positions, double theta) : max_positions_(max_positions) {
  auto idx = torch::arange(0, head_dim, 2, torch::kFloat64);
  auto inv_freq = torch::pow(theta, -idx / static_cast<double>(head_dim));          // [D/2]
  auto pos = torch::arange(max_positions, torch::kFloat64);                         // [P]
  auto angles = torch::outer(pos, inv_freq);                                         // [P, D/2]
  cos_ = angles.cos().to(torch::kFloat32);
  sin_ = angles.sin().to(torch::kFloat32);
}

void Rotary::to(const torch::Device& device) {
  cos_ = cos_.to(device);
  sin_ = sin_.to(device);
}

std::pair<torch::Tensor, torch::Tensor> Rotary::tables(const torch::Tensor& positions, const torch::Tensor& like) const {
  auto flat = positions.reshape({-1});
  auto c = cos_.index_select(0, flat).view({positions.size(0), 1, positions.size(1), -1});  // [B, 1, T, D/2]
  auto s = sin_.index_select(0, flat).view({positions.size(0), 1, positions.size(1), -1});
  return {c.to(like.scalar_type()), s.to(like.scalar_type())};
}

torch::Tensor Rotary::apply(const torch::Tensor& x, const torch::Tensor& cos, const torch::Tensor& sin) {
  auto halves = x.chunk(2, -1);  // x1, x2: [B, H, T, D/2]
  const auto& x1 = halves[0];
  const auto& x2 = halves[1];
  return torch::cat({x1 * cos - x2 * sin, x2 * cos + x1 * sin}, -1);
}

}  // namespace r1::model
