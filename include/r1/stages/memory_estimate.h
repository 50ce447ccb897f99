// A stage's peak host memory, estimated from its config and its models' shapes before it starts: weights,
// optimizer state, one micro-batch's activations, the generation batch's KV cache and decode buffers, the data it
// holds, and the evaluation after it. An upper-bound model (float32 throughout, prompts taken as up to
// the longest of their prompts), meant to catch settings that cannot fit, not to predict the last megabyte.
#pragma once
#include <cstdint>
#include <optional>
#include <string>

#include "r1/config/recipe.h"

namespace r1::stages {

// Prompt length the estimate assumes when it cannot bound it from the prompts (capped by the model's
// max_position_embeddings).
constexpr std::int64_t kPromptTokensBound = 256;

// A model's shape: its config and vocabulary size.
struct ModelShape {
  config::ModelConfig config;
  std::int64_t vocab = 0;
  std::int64_t params() const { return config.parameter_count(static_cast<int>(vocab)); }
};

// The models a stage holds: its own (trained or sampled), and the teacher (distill with kd.weight > 0) and
// reference (GRPO with beta > 0) when it loads them.
struct StageModels {
  ModelShape model;
  std::optional<ModelShape> teacher, reference;
  // The longest prompt in tokens of the stage's prompts and of the eval set (stages/preflight: rendered bytes + 2,
  // an upper bound for byte-level and byte-fallback tokenizers).
  std::int64_t prompt_tokens = kPromptTokensBound;
  std::int64_t eval_prompt_tokens = kPromptTokensBound;
};

struct MemoryEstimate {
  std::int64_t runtime = 0;      // the process before the stage (LibTorch loaded): its resident size + 64 MiB of
                                 // working allowance (allocator slack, thread pools, tokenizer)
  std::int64_t weights = 0;      // every model held, plus the sampler's packed copy
  std::int64_t optimizer = 0;    // gradients + AdamW moments
  std::int64_t activations = 0;  // one training micro-batch: saved activations and logits
  std::int64_t generation = 0;   // one generation batch: KV cache, prefill and decode buffers
  std::int64_t data = 0;         // prompts, corpus or dataset held in memory
  std::int64_t eval = 0;         // the evaluation after the stage (its model, generation batch and results)
  std::string knob;              // the setting that drives the largest part ("" = the weights themselves)
  // runtime + the larger of the stage's own work (weights + optimizer + data + the larger of activations and
  // generation: they are not alive at once) and its evaluation.
  std::int64_t peak() const;
};

// The estimate for one stage (per process: `world_size` ranks share prompts and rollout rows).
MemoryEstimate estimate_stage_memory(const config::StageEntry& entry, const config::RunSettings& run,
                                     const StageModels& models, int world_size, std::int64_t runtime_bytes);

// The parts, for tests and the table: a generation batch of `rows` rows, `rows_per_prompt` of them for each prompt
// (GRPO's group, samples per prompt), prompts of up to `prompt_tokens` with up to `max_new_tokens` new tokens; and
// a training micro-batch of rows x seq tokens (kd: with a teacher's logits; recompute: with activation
// checkpointing).
std::int64_t generation_bytes(const ModelShape& m, std::int64_t rows, std::int64_t prompt_tokens, int max_new_tokens,
                              int rows_per_prompt = 1);
std::int64_t training_activation_bytes(const ModelShape& m, std::int64_t rows, std::int64_t seq, bool kd,
                                       bool recompute = false);

}  // namespace r1::stages
