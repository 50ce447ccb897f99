// The peak-memory model of a stage (see memory_estimate.h): a sum of float32 tensors' sizes.
#include "r1/stages/memory_estimate.h"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <variant>

#include "r1/model/logits_budget.h"

namespace r1::stages {

namespace {

constexpr std::int64_t kFloat = 4;
// Host bytes per prompt (question, answer, rendered text and token ids) and per generated corpus document.
constexpr std::int64_t kPromptHostBytes = 512;
constexpr std::int64_t kCorpusDocBytes = 1024;
// A JSONL dataset or text corpus in memory: its text, parsed rows and token ids.
constexpr std::int64_t kFileBytesFactor = 8;
// Beside the parts: allocator slack, thread pools, the tokenizer. Calibrated on the default recipe, where the distill
// stage measured 20 MiB above the sum of its parts (every other stage measured below it).
constexpr std::int64_t kWorkingAllowance = std::int64_t{64} << 20;
// Each part is computed in double and clamped here, so absurd settings (group_size: 1000000000) cannot overflow.
constexpr double kMaxBytes = 1e18;

std::int64_t clamp_bytes(double bytes) { return static_cast<std::int64_t>(std::min(std::max(bytes, 0.0), kMaxBytes)); }

std::int64_t capacity(const ModelShape& m, std::int64_t prompt_tokens, int max_new_tokens) {
  return std::min<std::int64_t>(m.config.max_position_embeddings, prompt_tokens + max_new_tokens);
}

std::int64_t file_bytes(const std::string& path) {
  std::error_code ec;
  const auto size = std::filesystem::file_size(path, ec);
  return ec ? 0 : static_cast<std::int64_t>(size) * kFileBytesFactor;
}

// Weights of a model the stage trains or samples from: float32 parameters, plus the sampler's packed copy of every
// product's weight (model/decode_model: the LM head, untied; the embedding rows are read from the model in place).
std::int64_t sampled_weights(const ModelShape& m) {
  const std::int64_t params = m.params() * kFloat, embedding = m.vocab * m.config.hidden_size * kFloat;
  const std::int64_t packed = params - embedding + (m.config.tie_word_embeddings ? embedding : 0);
  return params + packed;
}

// Floats of the logits one training micro-batch of `tokens` holds, as the code makes them (model/logits_budget.h).
// Log-probs: up to kWholeLogitsBudget the whole [tokens, V] logits, their log-softmax and gradient; past it one
// tile, the entropy's block of exponentials and a few floats per token (log-sum-exp, log-prob, entropy, gradient).
// Distillation: student and teacher logits, their log-softmaxes and the gradient, of the whole micro-batch up to
// kKdLogitsBudget, else of one chunk of tokens against the whole vocabulary.
double training_logit_floats(std::int64_t vocab, double tokens, bool kd) {
  const double whole = tokens * double(vocab);
  if (kd) return 5.0 * std::min(whole, double(std::max(vocab, model::kKdLogitsBudget)));
  if (whole <= double(model::kWholeLogitsBudget)) return 3.0 * whole;
  return double(model::kChunkedTileBudget + model::kEntropyBlock) + 4.0 * tokens;
}

// Evaluation: the model loaded again with its packed copy, one batch of batch_prompts x samples rows, and every
// prompt's rows and results on the host.
std::int64_t eval_bytes(const ModelShape& m, const config::EvalSettings& e, std::int64_t prompt_tokens,
                        int world_size) {
  const std::int64_t prompts = std::max(1, e.prompts.n);
  const std::int64_t share = (prompts + world_size - 1) / world_size;
  const std::int64_t rows = std::min<std::int64_t>(e.batch_prompts, share) * e.samples;  // < 2^31 x 2^31
  const double per_row_host = 64.0 + kFloat * prompt_tokens + 12.0 * e.sampling.max_new_tokens;
  const double generation =
      double(generation_bytes(m, rows, prompt_tokens, e.sampling.max_new_tokens, std::max(1, e.samples)));
  return clamp_bytes(double(sampled_weights(m)) + generation +
                     double(prompts) * e.samples * per_row_host);
}

std::int64_t optimizer_bytes(const ModelShape& m) { return 3 * m.params() * kFloat; }  // grad + 2 moments

struct Part {
  std::int64_t bytes;
  std::string knob;
};

MemoryEstimate estimate(const config::PretrainConfig& c, const StageModels& s, int, bool recompute) {
  MemoryEstimate e;
  e.weights = s.model.params() * kFloat;
  e.optimizer = optimizer_bytes(s.model);
  e.activations = training_activation_bytes(s.model, c.batch_size, c.seq_len, false, recompute);
  e.data = c.corpus.file.empty() ? std::int64_t{c.corpus.n_docs} * kCorpusDocBytes : file_bytes(c.corpus.file);
  return e;
}

MemoryEstimate estimate(const config::SftStageConfig& c, const StageModels& s, int, bool recompute) {
  MemoryEstimate e;
  const bool kd = c.kd.weight > 0 && s.teacher;
  e.weights = s.model.params() * kFloat + (kd ? s.teacher->params() * kFloat : 0);
  e.optimizer = optimizer_bytes(s.model);
  e.activations = training_activation_bytes(s.model, c.batch_size, c.seq_len, kd, recompute);
  e.data = file_bytes(c.data);
  return e;
}

MemoryEstimate estimate(const config::RlStageConfig& c, const StageModels& s, int world_size, bool recompute) {
  MemoryEstimate e;
  const auto& g = c.grpo;
  const std::int64_t rows = std::int64_t{std::max(1, g.prompts_per_step / world_size)} * g.group_size;
  const std::int64_t minibatch =
      g.minibatch_size > 0 ? g.minibatch_size : std::int64_t{g.prompts_per_step} * g.group_size;
  const std::int64_t micro = std::max<std::int64_t>(1, minibatch / (std::int64_t{c.optim.grad_accum} * world_size));
  e.weights = sampled_weights(s.model) + (s.reference ? s.reference->params() * kFloat : 0);
  e.optimizer = optimizer_bytes(s.model);
  e.activations =
      training_activation_bytes(s.model, micro, capacity(s.model, s.prompt_tokens, c.sampling.max_new_tokens), false,
                                recompute);
  e.generation = generation_bytes(s.model, rows, s.prompt_tokens, c.sampling.max_new_tokens, g.group_size);
  e.data = std::int64_t{std::max(1, c.prompts.n)} * kPromptHostBytes;
  return e;
}

MemoryEstimate estimate(const config::DataStageConfig& c, const StageModels& s, int, bool) {
  MemoryEstimate e;
  const std::int64_t rows = std::int64_t{c.batch_prompts} * c.samples_per_prompt;
  e.weights = sampled_weights(s.model);
  e.generation = generation_bytes(s.model, rows, s.prompt_tokens, c.sampling.max_new_tokens, c.samples_per_prompt);
  e.data = std::int64_t{std::max(1, c.prompts.n)} * kPromptHostBytes + file_bytes(c.mix_file);
  return e;
}

MemoryEstimate estimate(const config::EvalStageConfig&, const StageModels&, int, bool) { return {}; }

// The setting behind the largest part of the stage's own work.
std::string knob_of(const config::StageEntry& entry, const MemoryEstimate& e) {
  const std::int64_t parts[] = {e.weights + e.optimizer, e.activations, e.generation, e.data, e.eval};
  const int largest = static_cast<int>(std::max_element(std::begin(parts), std::end(parts)) - std::begin(parts));
  const auto kind = entry.kind();
  const bool rl = kind == config::StageKind::kTrainZero || kind == config::StageKind::kGrpo;
  const bool data = kind == config::StageKind::kColdStart || kind == config::StageKind::kRejectionSample;
  switch (largest) {
    case 0: return "";
    case 1:
      return rl ? "grpo.prompts_per_step, grpo.group_size or grpo.minibatch_size (rows per update)"
                : "batch_size or seq_len";
    case 2: return rl ? "grpo.prompts_per_step or grpo.group_size" : data ? "batch_prompts or samples_per_prompt" : "";
    case 3: return kind == config::StageKind::kPretrain ? "corpus.n_docs" : "prompts.n";
    default: return "eval.samples, eval.batch_prompts or eval.prompts.n";
  }
}

}  // namespace

std::int64_t MemoryEstimate::peak() const {
  const std::int64_t work = weights + optimizer + data + std::max(activations, generation);
  return runtime + std::max(work, eval);
}

std::int64_t generation_bytes(const ModelShape& m, std::int64_t rows, std::int64_t prompt_tokens, int max_new_tokens,
                              int rows_per_prompt) {
  const auto& c = m.config;
  const std::int64_t cap = capacity(m, prompt_tokens, max_new_tokens);
  const std::int64_t prompt = std::max<std::int64_t>(1, cap - max_new_tokens);
  const double kv = 2.0 * c.num_hidden_layers * c.kv_heads() * c.head_size() * cap * kFloat;
  // Prefill of one layer at a time: hidden states, q/k/v, the MLP's inner width and the attention scores.
  const double prefill =
      double(prompt) * (6.0 * c.hidden_size + 4.0 * c.intermediate_size + double(c.num_attention_heads) * prompt) *
      kFloat;
  // A decode step's logits, probabilities, sorted values and indices (top-p), for one group of rows at a time.
  const double group_logits = double(std::max(m.vocab, model::kSamplerLogitsBudget));
  const double decode_logits = std::min(double(rows) * m.vocab, group_logits);
  // Rows that share a prompt share its prefill (generate/sampler: the distinct prompts' cache rows are filled, then
  // copied to every row, both caches alive for the copy).
  const double shared_by = std::max(1, rows_per_prompt);
  const double prompts = std::ceil(double(rows) / shared_by);
  const double batch = shared_by > 1 ? double(rows) * kv + prompts * (kv + prefill) : double(rows) * (kv + prefill);
  return clamp_bytes(batch + 4.0 * decode_logits * kFloat);
}

std::int64_t training_activation_bytes(const ModelShape& m, std::int64_t rows, std::int64_t seq, bool kd,
                                       bool recompute) {
  const auto& c = m.config;
  const double q = double(c.num_attention_heads) * c.head_size();
  const double kv = double(c.kv_heads()) * c.head_size();
  // Per token and layer, saved for the backward pass: norms and residuals, q/k/v before and after rotary, the
  // attention output, the SwiGLU's gate, up, activation and product, and the attention probabilities.
  const double per_layer =
      6.0 * c.hidden_size + 3 * q + 3 * kv + 4.0 * c.intermediate_size + 2.0 * c.num_attention_heads * seq;
  // One more layer's worth: the backward pass's working set. Recomputing (activation checkpointing): each layer's
  // input instead, plus the one layer being recomputed and that working set.
  const double layers = recompute ? c.num_hidden_layers * double(c.hidden_size) + 2.0 * per_layer
                                  : (c.num_hidden_layers + 1.0) * per_layer;
  const double tokens = double(rows) * seq;
  return clamp_bytes((tokens * layers + training_logit_floats(m.vocab, tokens, kd)) * kFloat);
}

MemoryEstimate estimate_stage_memory(const config::StageEntry& entry, const config::RunSettings& run,
                                     const StageModels& models, int world_size, std::int64_t runtime_bytes) {
  world_size = std::max(1, world_size);
  const bool recompute = run.activation_checkpointing;
  MemoryEstimate e =
      std::visit([&](const auto& cfg) { return estimate(cfg, models, world_size, recompute); }, entry.config);
  e.runtime = runtime_bytes + kWorkingAllowance;
  if (entry.kind() == config::StageKind::kEval) {
    const auto& cfg = std::get<config::EvalStageConfig>(entry.config);
    e.eval = eval_bytes(models.model, cfg.settings ? *cfg.settings : run.eval, models.eval_prompt_tokens, world_size);
  } else if (entry.wants_eval()) {
    e.eval = eval_bytes(models.model, run.eval, models.eval_prompt_tokens, world_size);
  }
  e.knob = knob_of(entry, e);
  return e;
}

}  // namespace r1::stages
