// Logit distillation: a divergence between the teacher's and the student's next-token distributions at
// temperature tau, summed over the masked positions and scaled by tau^2 (Hinton et al.).
#pragma once
#include <string>

#include <torch/torch.h>

#include "r1/config/enums.h"

namespace r1::sft {

// student_logits, teacher_logits: [n, T, V]; mask: [n, T] float (1 = position carries loss).
// divergence: forward_kl = KL(teacher || student) | reverse_kl = KL(student || teacher) |
// jsd = (KL(teacher || m) + KL(student || m)) / 2 with m the average distribution.
// Returns the per-position divergence [n, T] (masked positions are 0) times tau^2.
torch::Tensor kd_divergence(const torch::Tensor& student_logits, const torch::Tensor& teacher_logits,
                            const torch::Tensor& mask, double temperature, config::KdDivergence divergence);

}  // namespace r1::sft
