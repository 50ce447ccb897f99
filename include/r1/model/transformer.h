// The Llama-family decoder: embeddings -> N x (RMSNorm, GQA attention, RMSNorm, SwiGLU) -> RMSNorm -> lm_head.
// Parameter names equal Hugging Face's (model.layers.0.self_attn.q_proj.weight, ...), so HF checkpoints map 1:1.
#pragma once
#include <map>
#include <optional>
#include <torch/torch.h>

#include "r1/config/model_config.h"
#include "r1/model/attention.h"
#include "r1/model/kv_cache.h"
#include "r1/model/mlp.h"
#include "r1/model/rms_norm.h"
#include "r1/model/rotary.h"

namespace r1::model {

class DecoderLayerImpl : public torch::nn::Module {
 public:
  explicit DecoderLayerImpl(const config::ModelConfig& cfg);
  torch::Tensor forward(const torch::Tensor& x, const torch::Tensor& cos, const torch::Tensor& sin,
                        const torch::Tensor& mask, KvCache* cache, int64_t layer);
  RMSNorm input_layernorm{nullptr}, post_attention_layernorm{nullptr};
  Attention self_attn{nullptr};
  Mlp mlp{nullptr};
};
TORCH_MODULE(DecoderLayer);

// HF's LlamaModel: everything but the head (registered as "model").
class BackboneImpl : public torch::nn::Module {
 public:
  BackboneImpl(const config::ModelConfig& cfg, int64_t vocab_size);
  torch::nn::Embedding embed_tokens{nullptr};
  torch::nn::ModuleList layers{nullptr};
  RMSNorm norm{nullptr};
};
TORCH_MODULE(Backbone);

class TransformerImpl : public torch::nn::Module {
 public:
  TransformerImpl(const config::ModelConfig& cfg, int64_t vocab_size);

  // Final-norm hidden states. tokens, positions: [B, T] int64; mask: additive [B|1, 1, T, S] (see
  // attention_mask.h); cache: if given, keys/values are appended and attention spans the cache.
  torch::Tensor hidden(const torch::Tensor& tokens, const torch::Tensor& positions, const torch::Tensor& mask,
                       KvCache* cache = nullptr);
  // Logits over the vocabulary for hidden states [..., hidden] -> [..., V].
  torch::Tensor logits(const torch::Tensor& hidden);
  // The output matrix logits() multiplies by, [V, hidden]: lm_head's weight, or the embedding's when tied.
  torch::Tensor output_weight() const;
  // Convenience: logits of a plain causal forward over tokens [B, T] (positions 0..T-1).
  torch::Tensor forward(const torch::Tensor& tokens);

  // A cache sized for `batch` rows and `capacity` positions on the model's device/dtype.
  // dtype: the cache's element type (default: the weights' dtype; bfloat16 halves the cache's memory and the
  // bytes each decode step reads).
  KvCache make_cache(int64_t batch, int64_t capacity, std::optional<torch::ScalarType> dtype = std::nullopt) const;

  // Fresh weights: N(0, initializer_range) for linear/embedding weights (seeded), ones for norms, zero biases.
  void init_weights(std::uint64_t seed);
  // HF-named weights (lm_head.weight omitted when tied).
  std::map<std::string, torch::Tensor> named_weights() const;
  // Loads HF-named weights: every parameter must be present with its exact shape; unknown names are errors
  // (except HF's rotary_emb.inv_freq buffers and a redundant lm_head.weight when tied). `source` names the file.
  void load_weights(const std::map<std::string, torch::Tensor>& weights, const std::string& source);

  const config::ModelConfig& config() const { return cfg_; }
  int64_t vocab_size() const { return vocab_size_; }
  int64_t max_positions() const { return cfg_.max_position_embeddings; }
  const Rotary& rotary() const { return rotary_; }
  torch::Device device() const;
  // The dtype hidden() and logits() compute their matmuls in: float32 (default) or bfloat16 (autocast over
  // float32 parameters, see autocast_scope.h). Generation through DecodeModel is not affected.
  void set_compute_dtype(torch::ScalarType dtype);
  torch::ScalarType compute_dtype() const { return compute_dtype_; }
  // Activation checkpointing (see activation_checkpoint.h): while gradients are on and no KV cache is given,
  // hidden() keeps only each decoder layer's input and recomputes the layer in the backward. Same values and
  // gradients, less memory, one more forward per layer. Off by default.
  void set_activation_checkpointing(bool on) { activation_checkpointing_ = on; }
  bool activation_checkpointing() const { return activation_checkpointing_; }
  // Moves parameters and rotary tables.
  void to_device(const torch::Device& device);
  int64_t parameter_count() const;

  Backbone model{nullptr};
  torch::nn::Linear lm_head{nullptr};  // null when tie_word_embeddings

 private:
  config::ModelConfig cfg_;
  int64_t vocab_size_;
  Rotary rotary_;
  torch::ScalarType compute_dtype_ = torch::kFloat32;
  bool activation_checkpointing_ = false;
};
TORCH_MODULE(Transformer);

}  // namespace r1::model
