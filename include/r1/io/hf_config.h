// Hugging Face config.json for Llama-family models (Llama, Qwen2 = Llama with q/k/v bias, Mistral without
// sliding window): ModelConfig -> config.json and back, with every unsupported feature rejected by name.
// RoPE scaling: "rope_scaling" with rope_type (or the legacy "type") default, linear, dynamic, llama3 or yarn and
// the parameters transformers 4.57 takes for it, or transformers 5's "rope_parameters" (rope_theta inside).
#pragma once
#include <string>
#include <vector>

#include "r1/config/model_config.h"
#include "r1/io/jsonl.h"

namespace r1 {

// What config.json says beyond the shape: special token ids (-1 = absent or null) and the weight dtype.
struct HfModelInfo {
  config::ModelConfig config;  // vocab_size filled from the file; head_dim / num_key_value_heads are 0 when
                               // they equal their defaults (hidden_size / heads, num_attention_heads)
  int bos = -1, eos = -1, pad = -1;  // eos: the first id when config.json lists several
  std::vector<int> eos_ids;          // every id of eos_token_id (an int or a list), in order; [] when absent
  std::string torch_dtype = "float32";
};

// config.json for `m` ("LlamaForCausalLM", or "Qwen2ForCausalLM" when m.qkv_bias). Negative ids are written
// as null; rope_scaling as m.rope_scaling holds it (null when default), with the type key(s) it was read from.
Json hf_config_from_model(const config::ModelConfig& m, int vocab_size, int bos_id, int eos_id, int pad_id,
                          const std::string& torch_dtype);

// Reads config.json content; throws InputError "<source>: key \"k\": ..." on missing or mistyped keys and on
// features this model does not implement (other RoPE scaling types such as longrope, biases other than Qwen2's,
// sliding windows, non-silu). Keys inside rope_scaling are named "rope_scaling.factor" and so on.
HfModelInfo read_hf_config(const Json& j, const std::string& source);
config::ModelConfig model_from_hf_config(const Json& j, const std::string& source);

// A token-id key that may hold one id or a list of ids (eos_token_id of config.json and generation_config.json):
// every id in order, [] when absent or null. InputError "<source>: key \"eos_token_id[1]\": ..." otherwise.
std::vector<int> read_token_ids(const Json& j, const std::string& key, const std::string& source);

// Reads and parses a config.json file (InputError naming the path on bad JSON).
HfModelInfo load_hf_config(const std::string& path);

}  // namespace r1
