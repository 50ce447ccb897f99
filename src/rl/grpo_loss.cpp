// The clipped GRPO surrogate (TRL _compute_loss semantics) with KL penalty, clip metrics and three aggregations.
#include "r1/rl/grpo_loss.h"

#include <algorithm>
#include <cmath>
#include <sstream>
#include <vector>

#include "r1/rl/kl.h"
#include "r1/util/error.h"
#include "r1/util/strings.h"

namespace r1::rl {

namespace {

using Agg = config::LossAgg;

std::string describe(const torch::Tensor& t) {
  if (!t.defined()) return "an undefined tensor";
  std::ostringstream os;
  os << t.sizes() << " " << t.scalar_type() << " on " << t.device();
  return os.str();
}

void require(bool ok, const std::string& what) {
  if (!ok) throw InputError("grpo_loss: " + what);
}

bool finite_at_least(double v, double lo) { return std::isfinite(v) && v >= lo; }

// Checks every config value; messages name the key, the rule and the value.
void check_config(const GrpoLossConfig& cfg) {
  require(finite_at_least(cfg.epsilon_low, 0) && cfg.epsilon_low <= 1,
          "epsilon_low must be in [0, 1] (got " + format_number(cfg.epsilon_low) + ")");
  require(finite_at_least(cfg.epsilon_high, 0), "epsilon_high must be >= 0 (got " + format_number(cfg.epsilon_high) + ")");
  require(finite_at_least(cfg.beta, 0), "beta must be >= 0 (got " + format_number(cfg.beta) + ")");
  require(finite_at_least(cfg.token_normalizer, 0),
          "token_normalizer must be >= 0, 0 = this micro-batch's active tokens (got " +
              format_number(cfg.token_normalizer) + ")");
  require(finite_at_least(cfg.sequence_normalizer, 0),
          "sequence_normalizer must be >= 0, 0 = this micro-batch's sequences (got " +
              format_number(cfg.sequence_normalizer) + ")");
  if (cfg.loss_agg == Agg::kSeqMeanTokenSumNorm)
    require(cfg.max_completion_length > 0, "loss_agg seq-mean-token-sum-norm needs max_completion_length > 0 (got " +
                                               std::to_string(cfg.max_completion_length) + ")");
}

// -min(ratio*A, clamp(ratio, 1-eps_low, 1+eps_high)*A) (* weight when given) (+ beta*kl when beta > 0).
torch::Tensor token_loss(const torch::Tensor& ratio, const torch::Tensor& adv, const torch::Tensor& kl,
                         const torch::Tensor& weight, const GrpoLossConfig& cfg) {
  const torch::Tensor clipped = torch::clamp(ratio, 1.0 - cfg.epsilon_low, 1.0 + cfg.epsilon_high);
  torch::Tensor loss = -torch::min(ratio * adv, clipped * adv);
  if (weight.defined()) loss = loss * weight;
  if (cfg.beta > 0) loss = loss + cfg.beta * kl;
  return loss;
}

// The importance ratio at every position, [B, T]: per token, or (sequence level) exp of the mean log-ratio over the
// row's active tokens, broadcast. log_ratio holds 0 at inactive positions.
torch::Tensor importance_ratio(const torch::Tensor& log_ratio, const torch::Tensor& active_f,
                               config::ImportanceSampling level) {
  if (level == config::ImportanceSampling::kToken) return torch::exp(log_ratio);
  const torch::Tensor seq = log_ratio.sum(1, true) / active_f.sum(1, true).clamp_min(1.0);  // [B, 1]
  return torch::exp(seq).expand_as(log_ratio);
}

}  // namespace

GrpoLossOutput grpo_loss(const torch::Tensor& logp, const torch::Tensor& old_logp, const torch::Tensor& ref_logp,
                         const torch::Tensor& mask, const torch::Tensor& advantages, const GrpoLossConfig& cfg,
                         const torch::Tensor& token_weight) {
  check_config(cfg);
  const Agg agg = cfg.loss_agg;
  require(logp.defined() && logp.dim() == 2 && logp.is_floating_point(),
          "logp must be a floating [B, T] tensor (got " + describe(logp) + ")");
  auto same_as_logp = [&](const torch::Tensor& t, const char* name) {
    require(t.defined() && t.sizes() == logp.sizes() && t.scalar_type() == logp.scalar_type() &&
                t.device() == logp.device(),
            std::string(name) + " must match logp " + describe(logp) + " (got " + describe(t) + ")");
  };
  same_as_logp(old_logp, "old_logp");
  if (ref_logp.defined()) same_as_logp(ref_logp, "ref_logp");
  require(cfg.beta == 0 || ref_logp.defined(),
          "beta = " + format_number(cfg.beta) + " needs ref_logp (got an undefined tensor)");
  require(mask.defined() && mask.sizes() == logp.sizes() && mask.device() == logp.device() && !mask.is_complex(),
          "mask must be a bool or 0/1 tensor shaped and placed like logp " + describe(logp) + " (got " +
              describe(mask) + ")");
  require(!token_weight.defined() || (token_weight.sizes() == logp.sizes() && token_weight.is_floating_point() &&
                                      token_weight.device() == logp.device()),
          "token_weight must be a floating tensor shaped and placed like logp " + describe(logp) + " (got " +
              describe(token_weight) + ")");
  const int64_t B = logp.size(0);
  require(advantages.defined() && advantages.numel() == B && advantages.is_floating_point() &&
              advantages.device() == logp.device(),
          "advantages must be a floating tensor of B = " + std::to_string(B) + " values on " +
              c10::str(logp.device()) + " (got " + describe(advantages) + ")");

  const auto dtype = logp.scalar_type() == torch::kDouble ? torch::kDouble : torch::kFloat;
  const torch::Tensor lp = logp.to(dtype);
  const torch::Tensor old = old_logp.detach().to(dtype);
  const torch::Tensor ref = ref_logp.defined() ? ref_logp.detach().to(dtype) : torch::Tensor();
  const torch::Tensor adv = advantages.detach().reshape({B, 1}).to(dtype);  // [B, 1]
  const torch::Tensor active = mask.scalar_type() == torch::kBool ? mask : mask != 0;  // [B, T]
  const torch::Tensor active_f = active.to(dtype);
  const torch::Tensor zero = torch::zeros({}, lp.options().requires_grad(false));

  // The differentiable path sees zeros at masked positions (ratio 1, KL 0, A 0): whatever the raw inputs hold
  // there (inf, nan), no exp or product ever touches it, so neither the value nor the gradient can pick it up.
  const torch::Tensor lp_s = torch::where(active, lp, zero);
  const torch::Tensor old_s = torch::where(active, old, zero);
  const torch::Tensor adv_s = torch::where(active, adv, zero);  // [B, T]
  const torch::Tensor weight = token_weight.defined() ? token_weight.detach().to(dtype) : torch::Tensor();
  const torch::Tensor weight_s = weight.defined() ? torch::where(active, weight, zero) : torch::Tensor();
  const torch::Tensor ratio_s = importance_ratio(lp_s - old_s, active_f, cfg.importance_sampling);  // [B, T]
  torch::Tensor kl_s;
  if (ref.defined()) {
    const torch::Tensor ref_s = torch::where(active, ref, zero);
    if (cfg.beta > 0) {
      kl_s = kl_estimate(lp_s, ref_s, cfg.kl_estimator);
    } else {
      torch::NoGradGuard no_grad;
      kl_s = kl_estimate(lp_s.detach(), ref_s, cfg.kl_estimator);
    }
  }
  const torch::Tensor masked_loss =
      torch::where(active, token_loss(ratio_s, adv_s, kl_s, weight_s, cfg), zero);  // [B, T]

  const double seqs = cfg.sequence_normalizer > 0 ? cfg.sequence_normalizer : static_cast<double>(std::max<int64_t>(B, 1));
  GrpoLossOutput out;
  switch (agg) {
    case Agg::kSeqMeanTokenMean:
      out.loss = (masked_loss.sum(1) / active_f.sum(1).clamp_min(1.0)).sum() / seqs;
      break;
    case Agg::kTokenMean:
      out.loss = cfg.token_normalizer > 0 ? masked_loss.sum() / cfg.token_normalizer
                                          : masked_loss.sum() / active_f.sum().clamp_min(1.0);
      break;
    case Agg::kSeqMeanTokenSumNorm:
      out.loss = masked_loss.sum() / (seqs * static_cast<double>(cfg.max_completion_length));
      break;
  }

  torch::NoGradGuard no_grad;
  // Metrics, gathered in one transfer: active tokens, low / high / region clip counts, KL sum, bad mask values.
  // Clip counts are over active tokens, or (sequence level) over all B sequences, as TRL counts them.
  const bool per_sequence = cfg.importance_sampling == config::ImportanceSampling::kSequence;
  const torch::Tensor ratio_c = per_sequence ? ratio_s.narrow(1, 0, 1) : ratio_s;
  const torch::Tensor adv_c = per_sequence ? adv : adv_s;
  const torch::Tensor in_c = per_sequence ? torch::ones_like(adv, torch::kBool) : active;
  const torch::Tensor low = (ratio_c < 1.0 - cfg.epsilon_low) & (adv_c < 0) & in_c;
  const torch::Tensor high = (ratio_c > 1.0 + cfg.epsilon_high) & (adv_c > 0) & in_c;
  const torch::Tensor bad_mask =
      mask.scalar_type() == torch::kBool ? torch::zeros({}, lp.options()) : ((mask != 0) & (mask != 1)).sum().to(dtype);
  const torch::Tensor kl_sum = kl_s.defined() ? torch::where(active, kl_s, zero).sum() : torch::zeros({}, lp.options());
  const torch::Tensor stats = torch::stack({active_f.sum(), low.sum().to(dtype), high.sum().to(dtype),
                                            (low | high).sum().to(dtype), kl_sum.detach(), bad_mask})
                                  .to(torch::kCPU, torch::kDouble);
  const double* s = stats.data_ptr<double>();
  require(s[5] == 0, "mask must hold only 0 and 1 (got " + format_number(s[5]) + " other values in " +
                         describe(mask) + ")");
  out.active_tokens = static_cast<int64_t>(s[0]);
  const double denom = std::max(s[0], 1.0);
  out.clip_units = per_sequence ? static_cast<double>(B) : s[0];
  const double clip_denom = std::max(out.clip_units, 1.0);
  out.clip_low_frac = s[1] / clip_denom;
  out.clip_high_frac = s[2] / clip_denom;
  out.clip_frac = s[3] / clip_denom;
  out.kl_mean = s[4] / denom;

  // Unmasked diagnostics from the raw inputs (equal to the differentiable path at active positions).
  // Sequence level: the completion's ratio (it only exists over the active positions).
  const torch::Tensor lp_d = lp.detach();
  out.ratio = per_sequence ? ratio_s.detach().clone() : torch::exp(lp_d - old);
  if (ref.defined()) out.per_token_kl = kl_estimate(lp_d, ref, cfg.kl_estimator);
  out.per_token_loss = token_loss(out.ratio, adv, out.per_token_kl, weight, cfg);
  return out;
}

}  // namespace r1::rl
