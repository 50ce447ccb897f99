// Model shape (a Llama-family decoder; Qwen2 when qkv_bias is on), as in HF LlamaConfig.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "r1/config/enum_table.h"
#include "r1/config/fields.h"

namespace r1::config {

// RoPE scaling as a Hugging Face config.json states it ("rope_scaling", or transformers 5's "rope_parameters"):
// which rule turns the default inverse frequencies into the scaled ones (r1/model/rope_scaling.h computes them as
// transformers 4.56-4.57's modeling_rope_utils.py does). Read from config.json and written back to it unchanged;
// not a YAML key, so a model defined in YAML has none and one loaded from a checkpoint keeps its own.
enum class RopeType {
  kDefault,  // "default": theta^(-2i/d), no scaling
  kLinear,   // "linear": position interpolation, every frequency / factor
  kDynamic,  // "dynamic": NTK-aware, theta raised once a sequence is longer than max_position_embeddings
  kLlama3,   // "llama3": Llama 3.1, low frequencies / factor, high ones kept, a smooth blend between
  kYarn,     // "yarn": YaRN ramp between interpolated and original frequencies, cos/sin scaled
};
template <>
struct EnumTable<RopeType> {
  static const std::vector<EnumEntry<RopeType>>& entries() {
    static const std::vector<EnumEntry<RopeType>> table = {{RopeType::kDefault, "default"},
                                                           {RopeType::kLinear, "linear"},
                                                           {RopeType::kDynamic, "dynamic"},
                                                           {RopeType::kLlama3, "llama3"},
                                                           {RopeType::kYarn, "yarn"}};
    return table;
  }
};

// The fields of HF's rope_scaling dict; only those of `type` are set (hf_config.cpp refuses the others).
struct RopeScaling {
  RopeType type = RopeType::kDefault;
  double factor = 1.0;                        // linear, dynamic, llama3, yarn: required, >= 1
  int original_max_position_embeddings = 0;   // pre-extension context: llama3 required; yarn, dynamic optional;
                                              // 0 = absent (yarn then uses max_position_embeddings; dynamic
                                              // always does, as transformers does)
  double low_freq_factor = 0.0;               // llama3: wavelengths above original / low are divided by factor
  double high_freq_factor = 0.0;              // llama3: wavelengths below original / high are kept (> low)
  std::optional<double> attention_factor;     // yarn: the cos/sin multiplier; absent = from factor (and mscale)
  std::optional<double> beta_fast;            // yarn: rotations bounding the extrapolated band; absent = 32
  std::optional<double> beta_slow;            // yarn: rotations bounding the interpolated band; absent = 1
  std::optional<double> mscale;               // yarn (DeepSeek-V3): with mscale_all_dim, the multiplier is
  std::optional<double> mscale_all_dim;       //   m(factor, mscale) / m(factor, mscale_all_dim) when both are non-zero
  std::optional<bool> truncate;               // yarn (gpt-oss): false = no floor/ceil of the ramp ends; absent = true
  bool rope_type_key = true;                  // config.json named the type with "rope_type",
  bool legacy_type_key = false;               //   with the legacy "type", or both (written back the same way)

  bool scaled() const { return type != RopeType::kDefault; }
  // Same scaling (the type keys, a matter of spelling, are ignored).
  bool same_as(const RopeScaling& o) const {
    return type == o.type && factor == o.factor &&
           original_max_position_embeddings == o.original_max_position_embeddings &&
           low_freq_factor == o.low_freq_factor && high_freq_factor == o.high_freq_factor &&
           attention_factor == o.attention_factor && beta_fast == o.beta_fast && beta_slow == o.beta_slow &&
           mscale == o.mscale && mscale_all_dim == o.mscale_all_dim && truncate == o.truncate;
  }
};

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
  RopeScaling rope_scaling;              // from config.json only (not a YAML key): default = none

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
