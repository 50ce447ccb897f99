// Distillation divergences.
#include "r1/sft/kd_loss.h"

#include "r1/util/error.h"

namespace r1::sft {

torch::Tensor kd_divergence(const torch::Tensor& student_logits, const torch::Tensor& teacher_logits,
                            const torch::Tensor& mask, double temperature, const std::string& divergence) {
  auto ls = torch::log_softmax(student_logits.to(torch::kFloat32) / temperature, -1);  // [n, T, V]
  auto lt = torch::log_softmax(teacher_logits.to(torch::kFloat32) / temperature, -1);
  torch::Tensor per_pos;
  if (divergence == "forward_kl") {
    per_pos = (lt.exp() * (lt - ls)).sum(-1);
  } else if (divergence == "reverse_kl") {
    per_pos = (ls.exp() * (ls - lt)).sum(-1);
  } else if (divergence == "jsd") {
    auto pt = lt.exp(), ps = ls.exp();
    auto lm = torch::log(0.5 * (pt + ps) + 1e-30);
    per_pos = 0.5 * ((pt * (lt - lm)).sum(-1) + (ps * (ls - lm)).sum(-1));
  } else {
    throw InputError("kd.divergence: expected forward_kl | reverse_kl | jsd, got \"" + divergence + "\"");
  }
  return per_pos * mask.to(per_pos.scalar_type()) * (temperature * temperature);
}

}  // namespace r1::sft
