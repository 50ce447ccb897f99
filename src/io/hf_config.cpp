// Hugging Face config.json <-> ModelConfig for Llama, Qwen2 and Mistral, rejecting what the model cannot run.
#include "r1/io/hf_config.h"

#include <limits>
#include <set>

#include "r1/config/problems.h"
#include "r1/util/error.h"
#include "r1/util/fs.h"
#include "r1/util/strings.h"

namespace r1 {

namespace {

enum class Arch { kLlama, kQwen2, kMistral };

[[noreturn]] void fail_key(const std::string& source, const std::string& key, const std::string& message) {
  throw InputError(source + ": key \"" + key + "\": " + message);
}

const Json* find_key(const Json& j, const std::string& key) {
  auto it = j.find(key);
  return it == j.end() ? nullptr : &*it;
}

// A present, non-null key.
const Json* find_set(const Json& j, const std::string& key) {
  const Json* v = find_key(j, key);
  return v && !v->is_null() ? v : nullptr;
}

int as_int(const Json& v, const std::string& key, const std::string& source, int min_value) {
  if (!v.is_number_integer()) fail_key(source, key, "expected an integer, got " + describe_json(v));
  bool fits = v.is_number_unsigned() ? v.get<uint64_t>() <= static_cast<uint64_t>(std::numeric_limits<int>::max())
                                     : v.get<int64_t>() <= std::numeric_limits<int>::max() &&
                                           v.get<int64_t>() >= std::numeric_limits<int>::min();
  if (!fits) fail_key(source, key, "integer " + v.dump() + " is out of range");
  int value = v.get<int>();
  if (value < min_value)
    fail_key(source, key, "expected an integer >= " + std::to_string(min_value) + ", got " + std::to_string(value));
  return value;
}

int required_int(const Json& j, const std::string& key, const std::string& source, int min_value) {
  const Json* v = find_key(j, key);
  if (!v) fail_key(source, key, "missing (expected an integer >= " + std::to_string(min_value) + ")");
  return as_int(*v, key, source, min_value);
}

int optional_int(const Json& j, const std::string& key, const std::string& source, int min_value, int fallback) {
  const Json* v = find_set(j, key);
  return v ? as_int(*v, key, source, min_value) : fallback;
}

double optional_positive(const Json& j, const std::string& key, const std::string& source, double fallback) {
  const Json* v = find_set(j, key);
  if (!v) return fallback;
  if (!v->is_number()) fail_key(source, key, "expected a number, got " + describe_json(*v));
  double value = v->get<double>();
  if (!(value > 0) || value == std::numeric_limits<double>::infinity())
    fail_key(source, key, "expected a positive number, got " + v->dump());
  return value;
}

bool optional_bool(const Json& j, const std::string& key, const std::string& source, bool fallback) {
  const Json* v = find_set(j, key);
  if (!v) return fallback;
  if (!v->is_boolean()) fail_key(source, key, "expected true or false, got " + describe_json(*v));
  return v->get<bool>();
}

// A token id: absent or null -> -1; a list (several eos ids) -> its first id.
int token_id(const Json& j, const std::string& key, const std::string& source) {
  const Json* v = find_set(j, key);
  if (!v) return -1;
  if (v->is_array()) {
    if (v->empty()) return -1;
    return as_int((*v)[0], key + "[0]", source, 0);
  }
  return as_int(*v, key, source, 0);
}

Arch read_arch(const Json& j, const std::string& source) {
  const std::string supported = "LlamaForCausalLM, Qwen2ForCausalLM or MistralForCausalLM";
  if (const Json* a = find_set(j, "architectures")) {
    if (!a->is_array() || a->empty() || !(*a)[0].is_string())
      fail_key(source, "architectures", "expected a list of architecture names, got " + describe_json(*a));
    std::string name = (*a)[0].get<std::string>();
    if (name == "LlamaForCausalLM") return Arch::kLlama;
    if (name == "Qwen2ForCausalLM") return Arch::kQwen2;
    if (name == "MistralForCausalLM") return Arch::kMistral;
    fail_key(source, "architectures", "unsupported architecture " + quote(name) + " (expected " + supported + ")");
  }
  const Json* t = find_set(j, "model_type");
  if (!t) fail_key(source, "architectures", "missing, and no \"model_type\" either (expected " + supported + ")");
  if (!t->is_string()) fail_key(source, "model_type", "expected a string, got " + describe_json(*t));
  std::string type = t->get<std::string>();
  if (type == "llama") return Arch::kLlama;
  if (type == "qwen2") return Arch::kQwen2;
  if (type == "mistral") return Arch::kMistral;
  fail_key(source, "model_type", "unsupported model type " + quote(type) + " (expected llama, qwen2 or mistral)");
}

// The keys r1 writes into its own config.json (hf_config_from_model); an r1 checkpoint with any other key is refused.
const std::set<std::string>& r1_config_keys() {
  static const std::set<std::string> keys = {
      "architectures", "model_type", "hidden_size", "intermediate_size", "num_hidden_layers",
      "num_attention_heads", "num_key_value_heads", "head_dim", "rms_norm_eps", "rope_theta", "rope_scaling",
      "vocab_size", "max_position_embeddings", "tie_word_embeddings", "bos_token_id", "eos_token_id",
      "pad_token_id", "torch_dtype", "hidden_act", "attention_bias", "attention_dropout", "initializer_range",
      "use_cache", "use_sliding_window", "max_window_layers", "mlp_bias", "r1_version"};
  return keys;
}

// Keys of other architectures' configs that change the computation when set: an imported config holding one with a
// value other than its neutral one is refused (other extra keys, e.g. transformers_version, are ignored).
void refuse_architecture_keys(const Json& j, const std::string& source) {
  struct Key {
    const char* name;
    const char* what;
    bool (*neutral)(const Json&);
  };
  static const Key keys[] = {
      {"num_experts", "mixture-of-experts layers", [](const Json& v) { return v.is_number() && v.get<double>() <= 1; }},
      {"num_local_experts", "mixture-of-experts layers", [](const Json& v) { return v.is_number() && v.get<double>() <= 1; }},
      {"partial_rotary_factor", "partial rotary embeddings", [](const Json& v) { return v.is_number() && v.get<double>() == 1.0; }},
      {"attn_logit_softcapping", "attention logit soft-capping", [](const Json& v) { return v.is_null(); }},
      {"final_logit_softcapping", "final logit soft-capping", [](const Json& v) { return v.is_null(); }},
      {"use_qk_norm", "query/key normalisation", [](const Json& v) { return v.is_boolean() && !v.get<bool>(); }},
      {"qk_layernorm", "query/key normalisation", [](const Json& v) { return v.is_boolean() && !v.get<bool>(); }},
      {"use_parallel_residual", "parallel residual blocks", [](const Json& v) { return v.is_boolean() && !v.get<bool>(); }},
      {"embedding_multiplier", "scaled embeddings", [](const Json& v) { return v.is_number() && v.get<double>() == 1.0; }},
      {"residual_multiplier", "scaled residuals", [](const Json& v) { return v.is_number() && v.get<double>() == 1.0; }},
      {"logits_scaling", "scaled logits", [](const Json& v) { return v.is_number() && v.get<double>() == 1.0; }},
      {"no_rope_layers", "layers without rotary embeddings", [](const Json& v) { return v.is_null(); }},
  };
  for (const auto& k : keys) {
    const Json* v = find_key(j, k.name);
    if (v && !k.neutral(*v))
      fail_key(source, k.name, std::string(k.what) + " are not supported by r1's Llama/Qwen2 model (got " +
                                   describe_json(*v) + ")");
  }
}

}  // namespace

Json hf_config_from_model(const config::ModelConfig& m, int vocab_size, int bos_id, int eos_id, int pad_id,
                          const std::string& torch_dtype) {
  auto id_or_null = [](int id) { return id >= 0 ? Json(id) : Json(nullptr); };
  Json j = Json::object();
  j["architectures"] = Json::array({m.qkv_bias ? "Qwen2ForCausalLM" : "LlamaForCausalLM"});
  j["model_type"] = m.qkv_bias ? "qwen2" : "llama";
  j["hidden_size"] = m.hidden_size;
  j["intermediate_size"] = m.intermediate_size;
  j["num_hidden_layers"] = m.num_hidden_layers;
  j["num_attention_heads"] = m.num_attention_heads;
  j["num_key_value_heads"] = m.kv_heads();
  j["head_dim"] = m.head_size();
  j["rms_norm_eps"] = m.rms_norm_eps;
  j["rope_theta"] = m.rope_theta;
  j["rope_scaling"] = nullptr;
  j["vocab_size"] = vocab_size;
  j["max_position_embeddings"] = m.max_position_embeddings;
  j["tie_word_embeddings"] = m.tie_word_embeddings;
  j["bos_token_id"] = id_or_null(bos_id);
  j["eos_token_id"] = id_or_null(eos_id);
  j["pad_token_id"] = id_or_null(pad_id);
  j["torch_dtype"] = torch_dtype;
  j["hidden_act"] = "silu";
  j["attention_bias"] = false;
  j["attention_dropout"] = 0.0;
  j["initializer_range"] = m.initializer_range;
  j["use_cache"] = true;
  j["r1_version"] = R1_VERSION;  // marks r1's own config: read back strictly (no unknown keys)
  if (m.qkv_bias) {
    j["use_sliding_window"] = false;
    j["max_window_layers"] = m.num_hidden_layers;
  } else {
    j["mlp_bias"] = false;
  }
  return j;
}

HfModelInfo read_hf_config(const Json& j, const std::string& source) {
  if (!j.is_object()) throw InputError(source + ": expected a JSON object, got " + describe_json(j));
  if (j.contains("r1_version")) {
    for (const auto& [key, value] : j.items())
      if (!r1_config_keys().count(key)) {
        std::vector<std::string> known(r1_config_keys().begin(), r1_config_keys().end());
        std::string hint = closest_match(key, known);
        fail_key(source, key, "unknown key in an r1 checkpoint's config.json" +
                                  (hint.empty() ? std::string() : " (did you mean \"" + hint + "\"?)"));
      }
  } else {
    refuse_architecture_keys(j, source);
  }
  Arch arch = read_arch(j, source);
  HfModelInfo info;
  config::ModelConfig& m = info.config;
  m.qkv_bias = arch == Arch::kQwen2;
  m.vocab_size = required_int(j, "vocab_size", source, 1);
  m.hidden_size = required_int(j, "hidden_size", source, 1);
  m.intermediate_size = required_int(j, "intermediate_size", source, 1);
  m.num_hidden_layers = required_int(j, "num_hidden_layers", source, 1);
  m.num_attention_heads = required_int(j, "num_attention_heads", source, 1);
  m.max_position_embeddings = required_int(j, "max_position_embeddings", source, 1);
  int kv = optional_int(j, "num_key_value_heads", source, 1, m.num_attention_heads);
  m.num_key_value_heads = kv == m.num_attention_heads ? 0 : kv;
  int default_head = m.hidden_size % m.num_attention_heads == 0 ? m.hidden_size / m.num_attention_heads : 0;
  int head = optional_int(j, "head_dim", source, 1, default_head);
  if (head == 0)
    fail_key(source, "hidden_size", std::to_string(m.hidden_size) + " is not divisible by num_attention_heads " +
                                        std::to_string(m.num_attention_heads) + " and no head_dim is given");
  m.head_dim = head == default_head ? 0 : head;
  m.rope_theta = optional_positive(j, "rope_theta", source, 10000.0);
  m.rms_norm_eps = optional_positive(j, "rms_norm_eps", source, 1e-6);
  m.initializer_range = optional_positive(j, "initializer_range", source, 0.02);
  m.tie_word_embeddings = optional_bool(j, "tie_word_embeddings", source, false);

  if (const Json* act = find_set(j, "hidden_act")) {
    if (!act->is_string()) fail_key(source, "hidden_act", "expected a string, got " + describe_json(*act));
    if (act->get<std::string>() != "silu")
      fail_key(source, "hidden_act", "unsupported activation " + quote(act->get<std::string>()) + " (only \"silu\")");
  }
  if (const Json* rs = find_set(j, "rope_scaling"))
    fail_key(source, "rope_scaling", "RoPE scaling is not supported (got " + describe_json(*rs) + "; expected null)");
  if (arch != Arch::kQwen2 && optional_bool(j, "attention_bias", source, false))
    fail_key(source, "attention_bias", "attention biases (including o_proj) are not supported for this architecture");
  if (optional_bool(j, "mlp_bias", source, false)) fail_key(source, "mlp_bias", "MLP biases are not supported");
  if (arch == Arch::kMistral) {
    int window = optional_int(j, "sliding_window", source, 1, 0);
    if (window > 0 && window < m.max_position_embeddings)
      fail_key(source, "sliding_window", "sliding-window attention is not supported (window " +
                                             std::to_string(window) + " < max_position_embeddings " +
                                             std::to_string(m.max_position_embeddings) + ")");
  }
  if (arch == Arch::kQwen2 && optional_bool(j, "use_sliding_window", source, false)) {
    int window = optional_int(j, "sliding_window", source, 1, 0);
    if (window > 0 && window < m.max_position_embeddings)
      fail_key(source, "use_sliding_window", "sliding-window attention is not supported (window " +
                                                 std::to_string(window) + " < max_position_embeddings " +
                                                 std::to_string(m.max_position_embeddings) + ")");
  }

  info.bos = token_id(j, "bos_token_id", source);
  info.eos = token_id(j, "eos_token_id", source);
  info.pad = token_id(j, "pad_token_id", source);
  const char* dtype_key = find_set(j, "torch_dtype") ? "torch_dtype" : "dtype";  // newer transformers: "dtype"
  if (const Json* dt = find_set(j, dtype_key)) {
    if (!dt->is_string()) fail_key(source, dtype_key, "expected a string, got " + describe_json(*dt));
    info.torch_dtype = dt->get<std::string>();
  }

  config::Problems problems(source);
  m.check(problems, "");
  problems.throw_if_any();
  return info;
}

config::ModelConfig model_from_hf_config(const Json& j, const std::string& source) {
  return read_hf_config(j, source).config;
}

HfModelInfo load_hf_config(const std::string& path) {
  std::string text = read_file(path);
  Json j;
  try {
    j = Json::parse(text);
  } catch (const Json::exception& e) {
    std::string msg = e.what();
    size_t pos = msg.find(' ');
    throw InputError(path + ": not valid JSON (" + (pos == std::string::npos ? msg : msg.substr(pos + 1)) + ")");
  }
  return read_hf_config(j, path);
}

}  // namespace r1
