// Model shape (a Llama-family decoder; Qwen2 when qkv_bias is on), as in HF LlamaConfig.
#pragma once
#include <cstdint>
#include <string>

#include "r1/config/fields.h"

namespace r1::config {

struct ModelConfig {
  int vocab_size = 0;                    // 0 = take it from the tokenizer
  int hidden_size = 128;
  int intermediate_size = 352;           // SwiGLU inner width
  int num_hidden_layers = 4;
  int num_attention_heads = 4;
  int num_key_value_heads = 0;           // 0 = num_attention_heads (no GQA)
  int head_dim = 0;                      // 0 = hidden_size / num_attention_heads
  double rope_theta = 10000.0;
  double rms_norm_eps = 1e-5;
  int max_position_embeddings = 512;     // longest sequence (prompt + completion) in tokens
  bool tie_word_embeddings = true;
  bool qkv_bias = false;                 // true = Qwen2 layout (bias on q/k/v projections)
  double initializer_range = 0.02;       // std of the normal init of fresh weights

  int kv_heads() const { return num_key_value_heads > 0 ? num_key_value_heads : num_attention_heads; }
  int head_size() const { return head_dim > 0 ? head_dim : hidden_size / num_attention_heads; }
  // Parameter count for a given vocabulary size.
  std::int64_t parameter_count(int vocab) const;

  template <class V>
  void visit(V& v) {
    v("vocab_size", vocab_size, Min{0});
    v("hidden_size", hidden_size, Min{1});
    v("intermediate_size", intermediate_size, Min{1});
    v("num_hidden_layers", num_hidden_layers, Min{1});
    v("num_attention_heads", num_attention_heads, Min{1});
    v("num_key_value_heads", num_key_value_heads, Min{0});
    v("head_dim", head_dim, Min{0});
    v("rope_theta", rope_theta, Above{0});
    v("rms_norm_eps", rms_norm_eps, Above{0});
    v("max_position_embeddings", max_position_embeddings, Min{8});
    v("tie_word_embeddings", tie_word_embeddings);
    v("qkv_bias", qkv_bias);
    v("initializer_range", initializer_range, Above{0});
  }
  void check(Problems& p, const std::string& path) const;
};

// A model given as a path to a YAML file (e.g. configs/models/tiny.yaml) or inline as a mapping.
struct ModelSpec {
  std::string file;  // where it came from ("" = inline)
  ModelConfig config;
};
bool read_custom(const YAML::Node& node, ModelSpec& out, Problems& problems, const std::string& path);
YAML::Node write_custom(const ModelSpec& spec);

// Loads and validates a model config file (throws ConfigError).
ModelConfig load_model_config(const std::string& path);

}  // namespace r1::config
