// Batched sampling over the preallocated KV cache: B prompts of different lengths at once (left-padded with
// a key mask and per-row positions), temperature / top-k / top-p / greedy, stop at any of the tokenizer's eos ids
// (Tokenizer::eos_ids) or stop strings, per-row finish. Only the tokenizer's ids are sampled: embedding rows a
// model's vocab_size pads beyond them are left out of the distribution. Each row draws from its own seeded
// stream, so a row's sample does not depend on its batch-mates.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include <torch/torch.h>

#include "r1/config/sampling_config.h"
#include "r1/model/logits_budget.h"
#include "r1/model/transformer.h"
#include "r1/tokenizer/tokenizer.h"

namespace r1::generate {

enum class FinishReason { kEos, kStop, kLength };
const char* finish_reason_name(FinishReason r);

struct Completion {
  std::vector<int> tokens;       // generated ids (EOS included when it ended the row)
  std::vector<float> logprobs;   // log pi(token) at the sampling temperature, before top-k/top-p filtering, over
                                 // the tokenizer's ids only (padded vocabulary rows excluded)
  std::string text;              // decoded text (EOS excluded; a stop string is kept)
  FinishReason finish = FinishReason::kLength;
  bool truncated() const { return finish == FinishReason::kLength; }
};

struct SamplerStats {
  int64_t prompt_tokens = 0;
  int64_t prefill_rows = 0;  // rows the prefill ran on (distinct prompts when they share it)
  int64_t generated_tokens = 0;
  int64_t decode_steps = 0;
  int64_t decode_rows = 0;  // rows fed through the model over all decode forwards (after the prefill)
  double seconds = 0;
};

// How generate() runs (not what it samples): the defaults are what every stage uses.
struct GenerateOptions {
  bool use_cache = true;    // false: recompute the whole sequence every step (benchmarks and tests only)
  bool stop_at_eos = true;  // any eos id ends a row; false: EOS is an ordinary token, every row runs to
                            // max_new_tokens (benchmarks)
  bool fused = true;        // false: the module forward instead of model::DecodeModel (tests, A/B benchmarks)
  bool drop_finished = true;  // finished rows leave the decode batch (KvCache::select_rows) once they are 1/4 of it
  // Rows with identical prompts (GRPO's G samples, eval's n samples) share one prefill: each distinct prompt is
  // prefilled once and its cache rows and last hidden state are copied to every row that asked for it. Rows keep
  // their own seeds, so the samples are the same as without sharing (cache path only).
  bool share_prefix = true;
  // Each step's next-token logits are made and sampled a group of rows at a time, at most this many logits per
  // group (4M = 16 MB of float32): the LM head runs on the group's hidden states only, so no [rows, V] logits of
  // the whole batch exist. The samples are the same at any budget (tests).
  int64_t logits_budget = model::kSamplerLogitsBudget;
};

class Sampler {
 public:
  Sampler(model::TransformerImpl& model, const Tokenizer& tokenizer);

  // prompts: token ids (BOS included by the caller); seeds: one per row.
  std::vector<Completion> generate(const std::vector<std::vector<int>>& prompts, const config::SamplingConfig& cfg,
                                   const std::vector<std::uint64_t>& seeds, const GenerateOptions& options);
  std::vector<Completion> generate(const std::vector<std::vector<int>>& prompts, const config::SamplingConfig& cfg,
                                   const std::vector<std::uint64_t>& seeds, bool use_cache = true) {
    GenerateOptions options;
    options.use_cache = use_cache;
    return generate(prompts, cfg, seeds, options);
  }
  const SamplerStats& last_stats() const { return stats_; }

 private:
  model::TransformerImpl& model_;
  const Tokenizer& tokenizer_;
  SamplerStats stats_;
};

// Picks the next token per row from logits [B, V] (float32): returns ids [B] (int64) and their log-probs [B]
// under softmax(logits / temperature). uniforms [B] in [0, 1) drive inverse-CDF sampling (ignored when greedy).
// Rows are independent: they are drawn in groups of at most `budget_elements` / V rows, so the working tensors
// (probabilities, the top-p sort and its int64 order, the CDF) stay near the budget (default 4M = 16 MB of
// float32) whatever the vocabulary; the draws are the same at any budget.
std::pair<torch::Tensor, torch::Tensor> sample_next(const torch::Tensor& logits, const config::SamplingConfig& cfg,
                                                    const torch::Tensor& uniforms,
                                                    int64_t budget_elements = int64_t{1} << 22);

// [BOS] + encode(text); no BOS added when an HF tokenizer's text already starts with it (a chat template wrote it).
std::vector<int> encode_prompt(const Tokenizer& tokenizer, const std::string& text);

}  // namespace r1::generate
