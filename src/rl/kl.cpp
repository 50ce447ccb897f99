// Per-token KL estimators k1 / abs / k2 / k3 / k3-clamped (verl low_var_kl) from policy and reference log-probs.
#include "r1/rl/kl.h"

#include <algorithm>
#include <sstream>

#include "r1/util/error.h"
#include "r1/util/strings.h"

namespace r1::rl {

namespace {

std::string describe(const torch::Tensor& t) {
  std::ostringstream os;
  os << t.sizes() << " " << t.scalar_type() << " on " << t.device();
  return os.str();
}

}  // namespace

torch::Tensor kl_estimate(const torch::Tensor& logp, const torch::Tensor& ref_logp, config::KlEstimator estimator) {
  using config::KlEstimator;
  if (!logp.defined() || !ref_logp.defined())
    throw InputError("kl_estimate: logp and ref_logp must both be defined tensors");
  if (!logp.is_floating_point() || logp.sizes() != ref_logp.sizes() || logp.scalar_type() != ref_logp.scalar_type() ||
      logp.device() != ref_logp.device())
    throw InputError("kl_estimate: logp and ref_logp must be floating tensors of the same shape, dtype and device (got " +
                     describe(logp) + " and " + describe(ref_logp) + ")");

  if (estimator == KlEstimator::kK1) return logp - ref_logp;
  if (estimator == KlEstimator::kAbs) return (logp - ref_logp).abs();
  if (estimator == KlEstimator::kK2) return 0.5 * (logp - ref_logp).square();
  if (estimator == KlEstimator::kK3) {
    const torch::Tensor d = ref_logp - logp;
    return torch::expm1(d) - d;  // = exp(d) - d - 1 without the cancellation near d = 0
  }
  // k3-clamped (verl kl_penalty_forward "low_var_kl"): clamp d, then clamp the estimate.
  const torch::Tensor d = torch::clamp(ref_logp - logp, -20.0, 20.0);
  return torch::clamp(torch::expm1(d) - d, -10.0, 10.0);
}

}  // namespace r1::rl
