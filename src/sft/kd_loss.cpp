// Distillation divergences.
#include "r1/sft/kd_loss.h"

#include "r1/util/error.h"

namespace r1::sft {

torch::Tensor kd_divergence(const torch::Tensor& student_logits, const torch::Tensor& teacher_logits,
                            const torch::Tensor& mask, double temperature, config::KdDivergence divergence) {
  using config::KdDivergence;
  auto ls = torch::log_softmax(student_logits.to(torch::kFloat32) / temperature, -1);  // [n, T, V]
  auto lt = torch::log_softmax(teacher_logits.to(torch::kFloat32) / temperature, -1);
  torch::Tensor per_pos;
  if (divergence == KdDivergence::kForwardKl) {
    per_pos = (lt.exp() * (lt - ls)).sum(-1);
  } else if (divergence == KdDivergence::kReverseKl) {
    per_pos = (ls.exp() * (ls - lt)).sum(-1);
  } else {  // jsd
    auto pt = lt.exp(), ps = ls.exp();
    auto lm = torch::log(0.5 * (pt + ps) + 1e-30);
    per_pos = 0.5 * ((pt * (lt - lm)).sum(-1) + (ps * (ls - lm)).sum(-1));
  }
  return per_pos * mask.to(per_pos.scalar_type()) * (temperature * temperature);
}

}  // namespace r1::sft
