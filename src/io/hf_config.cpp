// Hugging Face config.json <-> ModelConfig for Llama, Qwen2 and Mistral, rejecting what the model cannot run.
#include "r1/io/hf_config.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <optional>
#include <set>
#include <vector>

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

// ---- RoPE scaling ------------------------------------------------------------------------------------
// config.json's "rope_scaling" (or transformers 5's "rope_parameters") -> config::RopeScaling, with the keys and
// values transformers 4.57's rope_config_validation requires; where it only warns (a factor below 1, beta_fast below
// beta_slow, high_freq_factor not above low_freq_factor), r1 refuses, since the result would not be a scaling.

using config::RopeType;

// Where the keys are read: the object, its name in messages ("rope_scaling"), the file.
struct RopeSource {
  const Json& object;
  std::string name;
  const std::string& source;
  std::string key(const std::string& k) const { return name + "." + k; }
  [[noreturn]] void fail(const std::string& k, const std::string& message) const {
    fail_key(source, key(k), message);
  }
};

// The parameters each rope_type requires and accepts, besides its type key (as transformers 4.57 lists them).
struct RopeKeys {
  std::vector<std::string> required, optional;
};

const RopeKeys& rope_keys(RopeType type) {
  static const RopeKeys none{{}, {}};
  static const RopeKeys linear{{"factor"}, {}};
  static const RopeKeys dynamic{{"factor"}, {"original_max_position_embeddings"}};
  static const RopeKeys llama3{{"factor", "original_max_position_embeddings", "low_freq_factor", "high_freq_factor"},
                               {}};
  static const RopeKeys yarn{{"factor"},
                             {"original_max_position_embeddings", "attention_factor", "beta_fast", "beta_slow",
                              "mscale", "mscale_all_dim", "truncate"}};
  switch (type) {
    case RopeType::kLinear: return linear;
    case RopeType::kDynamic: return dynamic;
    case RopeType::kLlama3: return llama3;
    case RopeType::kYarn: return yarn;
    case RopeType::kDefault: break;
  }
  return none;
}

std::string join_keys(const std::vector<std::string>& keys) {
  std::string out;
  for (const auto& k : keys) out += (out.empty() ? "" : ", ") + k;
  return out.empty() ? "none" : out;
}

// The type from "rope_type" or the legacy "type" (both: they must agree). Absent: an error, or default when
// `type_optional` (transformers 5's rope_parameters).
RopeType read_rope_type(const RopeSource& r, bool type_optional, config::RopeScaling& out) {
  const std::string choices = config::enum_choices<RopeType>();
  auto name_at = [&](const char* key) -> std::optional<std::string> {
    const Json* v = find_set(r.object, key);
    if (!v) return std::nullopt;
    if (!v->is_string()) r.fail(key, "expected a string (one of " + choices + "), got " + describe_json(*v));
    return v->get<std::string>();
  };
  std::optional<std::string> current = name_at("rope_type"), legacy = name_at("type");
  out.rope_type_key = current.has_value() || !legacy;
  out.legacy_type_key = legacy.has_value();
  if (current && legacy && *current != *legacy)
    r.fail("type", quote(*legacy) + " conflicts with " + r.key("rope_type") + " " + quote(*current));
  if (!current && !legacy) {
    if (type_optional) return RopeType::kDefault;
    r.fail("rope_type", "missing (expected one of " + choices + ")");
  }
  const std::string& name = current ? *current : *legacy;
  auto type = config::enum_from_name<RopeType>(name);
  if (!type)
    r.fail(current ? "rope_type" : "type",
           "RoPE scaling type " + quote(name) + " is not supported (expected one of " + choices + ")");
  return *type;
}

// Refuses parameters the type does not take (null values are ignored); `also` lists keys read elsewhere.
void refuse_unknown_rope_keys(const RopeSource& r, RopeType type, const std::vector<std::string>& also) {
  const RopeKeys& keys = rope_keys(type);
  for (const auto& [key, value] : r.object.items()) {
    auto listed = [&](const std::vector<std::string>& list) {
      return std::find(list.begin(), list.end(), key) != list.end();
    };
    if (key == "rope_type" || key == "type" || value.is_null() || listed(keys.required) || listed(keys.optional) ||
        listed(also))
      continue;
    std::vector<std::string> accepted = keys.required;
    accepted.insert(accepted.end(), keys.optional.begin(), keys.optional.end());
    r.fail(key, std::string("not a parameter of rope_type ") + quote(config::enum_name(type)) + " (it takes " +
                    join_keys(accepted) + ")");
  }
}

// A number of the object: nullopt when absent or null; `min` bounds it (inclusive or strictly above).
std::optional<double> rope_number(const RopeSource& r, const std::string& key, double min, bool inclusive) {
  const Json* v = find_set(r.object, key);
  if (!v) return std::nullopt;
  const std::string bound = (inclusive ? ">= " : "> ") + format_number(min);
  if (!v->is_number()) r.fail(key, "expected a number " + bound + ", got " + describe_json(*v));
  double value = v->get<double>();
  bool ok = std::isfinite(value) && (inclusive ? value >= min : value > min);
  if (!ok) r.fail(key, "expected a number " + bound + ", got " + v->dump());
  return value;
}

// A parameter the type requires (present and not null).
double required_rope_number(const RopeSource& r, RopeType type, const std::string& key, double min, bool inclusive) {
  if (auto v = rope_number(r, key, min, inclusive)) return *v;
  r.fail(key, std::string("missing (rope_type ") + quote(config::enum_name(type)) + " requires " +
                  join_keys(rope_keys(type).required) + ")");
}

// llama3's and yarn's parameters beyond factor and original_max_position_embeddings.
void read_llama3_keys(const RopeSource& r, config::RopeScaling& s) {
  s.low_freq_factor = required_rope_number(r, s.type, "low_freq_factor", 0.0, false);
  s.high_freq_factor = required_rope_number(r, s.type, "high_freq_factor", 0.0, false);
  if (!(s.high_freq_factor > s.low_freq_factor))
    r.fail("high_freq_factor", "must be greater than low_freq_factor (got " + Json(s.high_freq_factor).dump() +
                                   " and " + Json(s.low_freq_factor).dump() + ")");
}

void read_yarn_keys(const RopeSource& r, config::RopeScaling& s) {
  s.attention_factor = rope_number(r, "attention_factor", 0.0, false);
  s.beta_fast = rope_number(r, "beta_fast", 0.0, false);
  s.beta_slow = rope_number(r, "beta_slow", 0.0, false);
  s.mscale = rope_number(r, "mscale", 0.0, true);
  s.mscale_all_dim = rope_number(r, "mscale_all_dim", 0.0, true);
  if (s.beta_fast.value_or(32.0) < s.beta_slow.value_or(1.0))
    r.fail("beta_fast", "must be >= beta_slow (got " + Json(s.beta_fast.value_or(32.0)).dump() + " and " +
                            Json(s.beta_slow.value_or(1.0)).dump() + "; absent, they are 32 and 1)");
  if (const Json* t = find_set(r.object, "truncate")) {
    if (!t->is_boolean()) r.fail("truncate", "expected true or false, got " + describe_json(*t));
    s.truncate = t->get<bool>();
  }
}

config::RopeScaling read_rope_scaling(const RopeSource& r, bool type_optional, const std::vector<std::string>& also) {
  if (!r.object.is_object())
    fail_key(r.source, r.name, "expected an object or null, got " + describe_json(r.object));
  config::RopeScaling s;
  s.type = read_rope_type(r, type_optional, s);
  refuse_unknown_rope_keys(r, s.type, also);
  if (s.type == RopeType::kDefault) return s;
  s.factor = required_rope_number(r, s.type, "factor", 1.0, true);
  if (const Json* v = find_set(r.object, "original_max_position_embeddings"))
    s.original_max_position_embeddings = as_int(*v, r.key("original_max_position_embeddings"), r.source, 1);
  else if (s.type == RopeType::kLlama3)
    required_rope_number(r, s.type, "original_max_position_embeddings", 1.0, true);  // throws "missing"
  if (s.type == RopeType::kLlama3) read_llama3_keys(r, s);
  if (s.type == RopeType::kYarn) read_yarn_keys(r, s);
  return s;
}

// transformers 5 writes "rope_parameters": rope_theta and partial_rotary_factor beside the rope_scaling keys.
// Fills m.rope_theta and m.rope_scaling from it; a top-level rope_theta or a rope_scaling must agree with it.
void read_rope_parameters(const Json& rp, const Json& j, config::ModelConfig& m, const std::string& source) {
  RopeSource r{rp, "rope_parameters", source};
  if (!rp.is_object()) fail_key(source, r.name, "expected an object or null, got " + describe_json(rp));
  for (const auto& [key, value] : rp.items())
    if (value.is_object()) r.fail(key, "per-layer-type RoPE parameters are not supported");
  if (const Json* f = find_set(rp, "partial_rotary_factor"); f && !(f->is_number() && f->get<double>() == 1.0))
    r.fail("partial_rotary_factor", "partial rotary embeddings are not supported (got " + describe_json(*f) + ")");
  m.rope_scaling = read_rope_scaling(r, true, {"rope_theta", "partial_rotary_factor"});
  if (auto theta = rope_number(r, "rope_theta", 0.0, false)) {
    if (const Json* top = find_set(j, "rope_theta"); top && m.rope_theta != *theta)
      r.fail("rope_theta", Json(*theta).dump() + " conflicts with rope_theta " + top->dump());
    m.rope_theta = *theta;
  }
  if (const Json* rs = find_set(j, "rope_scaling")) {
    config::RopeScaling other = read_rope_scaling(RopeSource{*rs, "rope_scaling", source}, false, {});
    if (!other.same_as(m.rope_scaling))
      fail_key(source, "rope_scaling", "conflicts with rope_parameters (" + rs->dump() + " vs " + rp.dump() + ")");
  }
}

// Reads the RoPE scaling of config.json into m (after m.rope_theta and the shape).
void read_rope(const Json& j, config::ModelConfig& m, const std::string& source) {
  if (const Json* rp = find_set(j, "rope_parameters"))
    read_rope_parameters(*rp, j, m, source);
  else if (const Json* rs = find_set(j, "rope_scaling"))
    m.rope_scaling = read_rope_scaling(RopeSource{*rs, "rope_scaling", source}, false, {});
  if (m.rope_scaling.type == RopeType::kDynamic && m.head_size() <= 2)
    fail_key(source, "rope_scaling", "dynamic RoPE scaling needs a head size above 2, got " +
                                         std::to_string(m.head_size()));
}

// config::RopeScaling -> config.json's rope_scaling (null when default), with the keys it was read from.
Json rope_scaling_json(const config::RopeScaling& s) {
  if (!s.scaled()) return nullptr;
  Json r = Json::object();
  const char* name = config::enum_name(s.type);
  if (s.rope_type_key || !s.legacy_type_key) r["rope_type"] = name;
  if (s.legacy_type_key) r["type"] = name;
  r["factor"] = s.factor;
  if (s.original_max_position_embeddings > 0)
    r["original_max_position_embeddings"] = s.original_max_position_embeddings;
  if (s.type == RopeType::kLlama3) {
    r["low_freq_factor"] = s.low_freq_factor;
    r["high_freq_factor"] = s.high_freq_factor;
  }
  auto put = [&](const char* key, const std::optional<double>& v) {
    if (v) r[key] = *v;
  };
  put("attention_factor", s.attention_factor);
  put("beta_fast", s.beta_fast);
  put("beta_slow", s.beta_slow);
  put("mscale", s.mscale);
  put("mscale_all_dim", s.mscale_all_dim);
  if (s.truncate) r["truncate"] = *s.truncate;
  return r;
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
  j["rope_scaling"] = rope_scaling_json(m.rope_scaling);
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
  read_rope(j, m, source);
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
  info.eos_ids = read_token_ids(j, "eos_token_id", source);
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

std::vector<int> read_token_ids(const Json& j, const std::string& key, const std::string& source) {
  const Json* v = find_set(j, key);
  if (!v) return {};
  if (!v->is_array() && !v->is_number_integer())
    fail_key(source, key, "expected a token id or a list of token ids, got " + describe_json(*v));
  if (!v->is_array()) return {as_int(*v, key, source, 0)};
  std::vector<int> ids;
  for (size_t i = 0; i < v->size(); ++i) ids.push_back(as_int((*v)[i], key + "[" + std::to_string(i) + "]", source, 0));
  return ids;
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
