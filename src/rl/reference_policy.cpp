// pi_ref: load, periodic reset to the policy, checkpoint tensors.
#include "r1/rl/reference_policy.h"

namespace r1::rl {

namespace {
constexpr const char* kMarker = "reference_weights_marker";
constexpr const char* kPrefix = "reference.";
}  // namespace

ReferencePolicy::ReferencePolicy(const std::string& path, const torch::Device& device, int update_every,
                                 const Tokenizer& policy_tok, const std::string& policy_path)
    : bundle_(train::load_model(path, device)), update_every_(update_every) {
  train::require_same_tokenizer(policy_tok, policy_path, bundle_.tokenizer, path);
  bundle_.model->eval();
  for (auto& p : bundle_.model->parameters()) p.set_requires_grad(false);
}

void ReferencePolicy::after_step(std::int64_t step, model::TransformerImpl& policy) {
  if (!enabled() || update_every_ <= 0 || (step + 1) % update_every_ != 0) return;
  torch::NoGradGuard no_grad;
  bundle_.model->load_weights(policy.named_weights(), "policy");
  reset_ = true;
}

std::map<std::string, torch::Tensor> ReferencePolicy::extra_tensors() const {
  std::map<std::string, torch::Tensor> extra;
  if (!reset_) return extra;
  extra[kMarker] = torch::ones({1});
  for (const auto& [k, v] : bundle_.model->named_weights()) extra[kPrefix + k] = v;
  return extra;
}

void ReferencePolicy::restore(const train::RestoredState& restored) {
  if (!enabled()) return;
  if (update_every_ > 0 && restored.step >= update_every_) reset_ = true;
  if (!restored.tensors.count(kMarker)) return;
  std::map<std::string, torch::Tensor> weights;
  for (const auto& [k, v] : restored.tensors)
    if (k.rfind(kPrefix, 0) == 0) weights[k.substr(std::string(kPrefix).size())] = v;
  bundle_.model->load_weights(weights, restored.path + " (reference weights)");
}

}  // namespace r1::rl
