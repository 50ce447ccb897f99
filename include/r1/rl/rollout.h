// Rollouts: G sampled completions per prompt (group-contiguous), scored by the reward set; and the tensors a
// policy update needs (prompt + completion rows, completion targets and masks).
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include <torch/torch.h>

#include "r1/config/sampling_config.h"
#include "r1/data/example.h"
#include "r1/generate/sampler.h"
#include "r1/model/transformer.h"
#include "r1/rewards/reward_set.h"
#include "r1/tokenizer/prompt_template.h"

namespace r1::rl {

struct RolloutSample {
  size_t prompt_index = 0;        // into Rollout::prompts
  generate::Completion completion;
  RewardOutcome outcome;
};

struct Rollout {
  int group_size = 1;
  std::vector<PromptExample> prompts;            // P
  std::vector<std::string> prompt_texts;         // rendered with the template
  std::vector<std::vector<int>> prompt_tokens;   // [BOS] + encoded prompt text
  std::vector<RolloutSample> samples;            // P * G; samples [k*G, (k+1)*G) answer prompt k
  double seconds = 0;                            // generation + scoring time
  std::int64_t generated_tokens = 0;

  std::vector<double> rewards() const;
  // Keeps only the listed groups (prompt indices), preserving order.
  void keep_groups(const std::vector<size_t>& groups);
  // Appends another rollout's groups.
  void append(Rollout&& other);
};

// Samples `group_size` completions for each prompt (not yet scored). Row i's seed is derived from `seed` and its
// index in the whole batch, first_row + i (a rank generating its shard passes where the shard starts, so it samples
// exactly what a single process would for those rows).
Rollout collect_rollout(generate::Sampler& sampler, const Tokenizer& tokenizer, std::vector<PromptExample> prompts,
                        const PromptRenderer& renderer, const config::SamplingConfig& sampling, int group_size,
                        std::uint64_t seed, std::size_t first_row = 0);

// Scores every sample with the reward set (RolloutSample::outcome); the time adds to rollout.seconds.
void score_rollout(Rollout& rollout, const RewardSet& rewards);

// The sequences (prompt + completion) of a policy update, laid out one per row (padded) or several per row
// (packed); the completion-side tensors are [n, C] per sequence either way.
struct PolicyBatch {
  torch::Tensor tokens;      // [R, L] int64: padded: R = n rows, sequence i in row i, right-padded;
                             //   packed: sequences packed whole into R <= n rows of L = the longest's length
  torch::Tensor segments;    // packed only: [R, L] int64, the sequence of each token (padding: a segment of its own)
  torch::Tensor gather_idx;  // [n, C] int64: the position whose hidden state predicts completion token j
                             //   (padded: a column of row i; packed: an index into the flattened [R * L] tokens)
  torch::Tensor targets;     // [n, C] int64: completion tokens (pad beyond each completion)
  torch::Tensor mask;        // [n, C] float32: 1 on completion tokens that carry loss
  torch::Tensor sampler_logp;  // [n, C] float32: the sampler's log-prob of each completion token (0 beyond it)
  std::int64_t active_tokens = 0;

  bool packed() const { return segments.defined(); }
};

// Rows of the rollout (sample indices) as tensors on `device`. mask_truncated: completions cut by the length
// limit carry no loss (DAPO overlong filtering). pack: several sequences per row (first fit, longest first, rows
// as long as the longest sequence), attended block-diagonally with positions restarting per sequence: the same
// log-probs as the padded layout without computing the padding.
PolicyBatch make_policy_batch(const Rollout& rollout, const std::vector<size_t>& rows, bool mask_truncated,
                              int pad_id, const torch::Device& device, bool pack = false);

// Per-token log-probs [n, C] of the batch's completion tokens under `model` at `temperature`
// (entropy [n, C] too when asked).
torch::Tensor completion_logprobs(model::TransformerImpl& model, const PolicyBatch& batch, double temperature,
                                  torch::Tensor* entropy = nullptr);

}  // namespace r1::rl
