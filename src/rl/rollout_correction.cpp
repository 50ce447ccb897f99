// Sampler / trainer log-prob mismatch statistics and truncated importance-sampling weights.
#include "r1/rl/rollout_correction.h"

#include <algorithm>
#include <cmath>
#include <sstream>

#include "r1/rl/kl.h"
#include "r1/util/error.h"
#include "r1/util/strings.h"

namespace r1::rl {

namespace {

void check_inputs(const char* fn, const torch::Tensor& old_logp, const torch::Tensor& sampler_logp,
                  const torch::Tensor& mask, double cap) {
  if (!std::isfinite(cap) || cap < 1)
    throw InputError(std::string(fn) + ": the TIS cap must be a finite number >= 1 (got " + format_number(cap) + ")");
  auto same = [&](const torch::Tensor& t) {
    return t.defined() && t.dim() == 2 && t.sizes() == old_logp.sizes() && t.device() == old_logp.device();
  };
  if (!same(old_logp) || !same(sampler_logp) || !same(mask) || !old_logp.is_floating_point() ||
      !sampler_logp.is_floating_point()) {
    std::ostringstream os;
    os << fn << ": old_logp, sampler_logp and mask must be [B, T] tensors of one shape on one device (got "
       << (old_logp.defined() ? old_logp.sizes() : c10::IntArrayRef{}) << ", "
       << (sampler_logp.defined() ? sampler_logp.sizes() : c10::IntArrayRef{}) << ", "
       << (mask.defined() ? mask.sizes() : c10::IntArrayRef{}) << ")";
    throw InputError(os.str());
  }
}

}  // namespace

void MismatchSums::add(const MismatchSums& o) {
  tokens += o.tokens;
  abs_sum += o.abs_sum;
  abs_max = std::max(abs_max, o.abs_max);
  kl_sum += o.kl_sum;
  weight_sum += o.weight_sum;
  capped += o.capped;
}

MismatchSums rollout_mismatch(const torch::Tensor& old_logp, const torch::Tensor& sampler_logp,
                              const torch::Tensor& mask, double tis_cap) {
  check_inputs("rollout_mismatch", old_logp, sampler_logp, mask, tis_cap);
  if (old_logp.numel() == 0) return {};
  torch::NoGradGuard no_grad;
  const auto dtype = torch::kDouble;
  const torch::Tensor active = mask.scalar_type() == torch::kBool ? mask : mask != 0;
  const torch::Tensor zero = torch::zeros({}, old_logp.options().dtype(dtype));
  const torch::Tensor old = torch::where(active, old_logp.detach().to(dtype), zero);
  const torch::Tensor smp = torch::where(active, sampler_logp.detach().to(dtype), zero);
  const torch::Tensor diff = old - smp;                                    // log r, 0 at inactive positions
  const torch::Tensor kl = kl_estimate(smp, old, config::KlEstimator::kK3);  // r - 1 - log r
  const torch::Tensor r = torch::exp(diff);
  const torch::Tensor stats = torch::stack({active.sum().to(dtype), diff.abs().sum(), diff.abs().max(), kl.sum(),
                                            torch::where(active, r.clamp_max(tis_cap), zero).sum(),
                                            ((r > tis_cap) & active).sum().to(dtype)})
                                  .to(torch::kCPU);
  const double* s = stats.data_ptr<double>();
  MismatchSums out;
  out.tokens = s[0];
  out.abs_sum = s[1];
  out.abs_max = s[2];
  out.kl_sum = s[3];
  out.weight_sum = s[4];
  out.capped = s[5];
  return out;
}

torch::Tensor tis_weights(const torch::Tensor& old_logp, const torch::Tensor& sampler_logp, const torch::Tensor& mask,
                          double cap) {
  check_inputs("tis_weights", old_logp, sampler_logp, mask, cap);
  torch::NoGradGuard no_grad;
  const torch::Tensor active = mask.scalar_type() == torch::kBool ? mask : mask != 0;
  const torch::Tensor diff = old_logp.detach() - sampler_logp.detach().to(old_logp.scalar_type());
  const torch::Tensor zero = torch::zeros({}, old_logp.options());
  return torch::where(active, torch::exp(torch::where(active, diff, zero)).clamp_max(cap), zero);
}

}  // namespace r1::rl
