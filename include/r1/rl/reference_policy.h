// pi_ref, the frozen model the KL term pulls the policy towards. It exists only when the KL term is on
// (grpo.beta > 0): that is the one place beta decides whether a reference model is loaded, scored, reset and
// saved. With ref_update_every = N it is reset to the policy's weights every N steps (the paper resets it
// periodically); from then on its weights differ from the checkpoint it came from and are saved with every
// checkpoint, so a resumed run continues with the same pi_ref.
#pragma once
#include <cstdint>
#include <map>
#include <string>

#include "r1/train/model_bundle.h"
#include "r1/train/train_checkpoint.h"

namespace r1::rl {

class ReferencePolicy {
 public:
  ReferencePolicy() = default;  // off: no KL term
  // Loads pi_ref from `path` (frozen, eval mode); its tokenizer must be the policy's.
  ReferencePolicy(const std::string& path, const torch::Device& device, int update_every, const Tokenizer& policy_tok,
                  const std::string& policy_path);

  bool enabled() const { return static_cast<bool>(bundle_.model); }
  model::TransformerImpl& model() { return *bundle_.model; }
  const model::TransformerImpl& model() const { return *bundle_.model; }

  // After step `step` (0-based): resets pi_ref to `policy` when the step count is a multiple of update_every.
  void after_step(std::int64_t step, model::TransformerImpl& policy);
  // The tensors a checkpoint must carry (pi_ref's weights once reset; nothing before).
  std::map<std::string, torch::Tensor> extra_tensors() const;
  // Restores pi_ref from a checkpoint's extra tensors (when it holds them).
  void restore(const train::RestoredState& restored);

 private:
  train::ModelBundle bundle_;
  int update_every_ = 0;
  bool reset_ = false;  // weights differ from the loaded checkpoint's
};

}  // namespace r1::rl
