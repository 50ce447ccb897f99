// The decoder-only transformer.
#include "r1/model/transformer.h"

#include "r1/model/activation_checkpoint.h"
#include "r1/model/attention_mask.h"
#include "r1/model/autocast_scope.h"
#include "r1/util/error.h"
#include "r1/util/strings.h"

namespace r1::model {

DecoderLayerImpl::DecoderLayerImpl(const config::ModelConfig& cfg) {
  input_layernorm = register_module("input_layernorm", RMSNorm(cfg.hidden_size, cfg.rms_norm_eps));
  self_attn = register_module("self_attn", Attention(cfg));
  post_attention_layernorm = register_module("post_attention_layernorm", RMSNorm(cfg.hidden_size, cfg.rms_norm_eps));
  mlp = register_module("mlp", Mlp(cfg));
}

torch::Tensor DecoderLayerImpl::forward(const torch::Tensor& x, const torch::Tensor& cos, const torch::Tensor& sin,
                                        const torch::Tensor& mask, KvCache* cache, int64_t layer) {
  auto h = x + self_attn->forward(input_layernorm(x), cos, sin, mask, cache, layer);
  return h + mlp(post_attention_layernorm(h));
}

BackboneImpl::BackboneImpl(const config::ModelConfig& cfg, int64_t vocab_size) {
  embed_tokens = register_module("embed_tokens", torch::nn::Embedding(vocab_size, cfg.hidden_size));
  layers = register_module("layers", torch::nn::ModuleList());
  for (int i = 0; i < cfg.num_hidden_layers; ++i) layers->push_back(DecoderLayer(cfg));
  norm = register_module("norm", RMSNorm(cfg.hidden_size, cfg.rms_norm_eps));
}

TransformerImpl::TransformerImpl(const config::ModelConfig& cfg, int64_t vocab_size)
    : cfg_(cfg), vocab_size_(vocab_size),
      rotary_(cfg.head_size(), cfg.max_position_embeddings, cfg.rope_theta, cfg.rope_scaling) {
  model = register_module("model", Backbone(cfg, vocab_size));
  if (!cfg.tie_word_embeddings)
    lm_head = register_module("lm_head", torch::nn::Linear(torch::nn::LinearOptions(cfg.hidden_size, vocab_size).bias(false)));
  init_weights(0);
}

torch::Tensor TransformerImpl::hidden(const torch::Tensor& tokens, const torch::Tensor& positions,
                                      const torch::Tensor& mask, KvCache* cache) {
  AutocastScope autocast(compute_dtype_, tokens.device());
  auto x = model->embed_tokens(tokens);                 // [B, T, hidden]
  auto [cos, sin] = rotary_.tables(positions, x);       // [B, 1, T, D/2]
  const bool recompute = activation_checkpointing_ && !cache && torch::GradMode::is_enabled();
  const int64_t n_layers = static_cast<int64_t>(model->layers->size());
  for (int64_t layer = 0; layer < n_layers; ++layer) {
    auto* decoder_layer = model->layers[layer]->as<DecoderLayerImpl>();
    if (recompute) {  // no cache on this path: the layer index only addresses the cache
      auto block = [decoder_layer, cos, sin, mask](const torch::Tensor& in) {
        return decoder_layer->forward(in, cos, sin, mask, nullptr, 0);
      };
      x = checkpointed(block, x, decoder_layer->parameters(), compute_dtype_);
    } else {
      x = decoder_layer->forward(x, cos, sin, mask, cache, layer);
    }
  }
  if (cache) cache->advance(tokens.size(1));
  return model->norm(x);
}

torch::Tensor TransformerImpl::logits(const torch::Tensor& hidden) {
  AutocastScope autocast(compute_dtype_, hidden.device());
  if (lm_head) return lm_head(hidden);
  return torch::matmul(hidden, model->embed_tokens->weight.t());
}

torch::Tensor TransformerImpl::output_weight() const {
  return lm_head ? lm_head->weight : model->embed_tokens->weight;
}

void TransformerImpl::set_compute_dtype(torch::ScalarType dtype) {
  if (dtype != torch::kFloat32 && dtype != torch::kBFloat16)
    throw std::logic_error(std::string("set_compute_dtype: float32 or bfloat16, got ") + c10::toString(dtype));
  compute_dtype_ = dtype;
}

torch::Tensor TransformerImpl::forward(const torch::Tensor& tokens) {
  int64_t b = tokens.size(0), t = tokens.size(1);
  auto positions = torch::arange(t, tokens.options()).expand({b, t});
  return logits(hidden(tokens, positions, causal_mask(t, tokens.device())));
}

KvCache TransformerImpl::make_cache(int64_t batch, int64_t capacity, std::optional<torch::ScalarType> dtype) const {
  auto options = model->embed_tokens->weight.options().requires_grad(false);
  if (dtype) options = options.dtype(*dtype);
  return KvCache(cfg_.num_hidden_layers, batch, cfg_.kv_heads(), capacity, cfg_.head_size(), options);
}

void TransformerImpl::init_weights(std::uint64_t seed) {
  torch::NoGradGuard no_grad;
  auto gen = at::detail::createCPUGenerator(seed);
  for (auto& item : named_parameters()) {
    auto& p = item.value();
    const auto& name = item.key();
    torch::Tensor fresh;
    if (ends_with(name, "norm.weight")) fresh = torch::ones(p.sizes());
    else if (ends_with(name, ".bias")) fresh = torch::zeros(p.sizes());
    else fresh = at::normal(0.0, cfg_.initializer_range, p.sizes(), gen);
    p.copy_(fresh.to(p.device(), p.scalar_type()));
  }
}

std::map<std::string, torch::Tensor> TransformerImpl::named_weights() const {
  std::map<std::string, torch::Tensor> out;
  for (const auto& item : named_parameters()) out[item.key()] = item.value();
  return out;
}

void TransformerImpl::load_weights(const std::map<std::string, torch::Tensor>& weights, const std::string& source) {
  torch::NoGradGuard no_grad;
  std::vector<std::string> problems;
  auto params = named_parameters();
  for (auto& item : params) {
    auto it = weights.find(item.key());
    if (it == weights.end()) {
      problems.push_back("missing tensor " + item.key());
      continue;
    }
    if (it->second.sizes() != item.value().sizes()) {
      problems.push_back("tensor " + item.key() + " has shape " + c10::str(it->second.sizes()) + ", the model needs " +
                         c10::str(item.value().sizes()));
      continue;
    }
    item.value().copy_(it->second.to(item.value().device(), item.value().scalar_type()));
  }
  for (const auto& [name, tensor] : weights) {
    if (params.find(name)) continue;
    if (ends_with(name, "rotary_emb.inv_freq")) continue;
    if (name == "lm_head.weight" && cfg_.tie_word_embeddings) continue;
    problems.push_back("unexpected tensor " + name);
  }
  if (!problems.empty()) {
    if (problems.size() > 8) {
      size_t more = problems.size() - 8;
      problems.resize(8);
      problems.push_back("... and " + std::to_string(more) + " more");
    }
    throw InputError(source + ": weights do not fit the model config: " + join(problems, "; "));
  }
}

torch::Device TransformerImpl::device() const { return model->embed_tokens->weight.device(); }

void TransformerImpl::to_device(const torch::Device& device) {
  to(device);
  rotary_.to(device);
}

int64_t TransformerImpl::parameter_count() const {
  int64_t n = 0;
  for (const auto& p : parameters()) n += p.numel();
  return n;
}

}  // namespace r1::model
