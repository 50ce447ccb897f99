// HF config.json: ModelConfig round trips, real-world Llama / Qwen2 / Mistral configs, and every rejection.
#include <catch2/catch.hpp>

#include "r1/io/hf_config.h"
#include "r1/util/error.h"

namespace {

void require_same(const r1::config::ModelConfig& a, const r1::config::ModelConfig& b) {
  CHECK(a.vocab_size == b.vocab_size);
  CHECK(a.hidden_size == b.hidden_size);
  CHECK(a.intermediate_size == b.intermediate_size);
  CHECK(a.num_hidden_layers == b.num_hidden_layers);
  CHECK(a.num_attention_heads == b.num_attention_heads);
  CHECK(a.num_key_value_heads == b.num_key_value_heads);
  CHECK(a.head_dim == b.head_dim);
  CHECK(a.rope_theta == b.rope_theta);
  CHECK(a.rms_norm_eps == b.rms_norm_eps);
  CHECK(a.max_position_embeddings == b.max_position_embeddings);
  CHECK(a.tie_word_embeddings == b.tie_word_embeddings);
  CHECK(a.qkv_bias == b.qkv_bias);
  CHECK(a.initializer_range == b.initializer_range);
  CHECK(a.rope_scaling.same_as(b.rope_scaling));
}

r1::Json llama_base() {
  return r1::Json::parse(R"({
    "architectures": ["LlamaForCausalLM"], "model_type": "llama", "hidden_size": 64, "intermediate_size": 176,
    "num_hidden_layers": 2, "num_attention_heads": 4, "vocab_size": 300, "max_position_embeddings": 256})");
}

// Expects InputError naming the source, the key, and `text`.
void expect_rejected(const r1::Json& j, const std::string& key, const std::string& text) {
  INFO("key " << key << ", text " << text);
  bool threw = false;
  try {
    r1::read_hf_config(j, "cfg/config.json");
  } catch (const r1::InputError& e) {
    threw = true;
    std::string msg = e.what();
    INFO("message: " << msg);
    CHECK(msg.find("cfg/config.json") != std::string::npos);
    CHECK(msg.find(key) != std::string::npos);
    CHECK(msg.find(text) != std::string::npos);
  }
  CHECK(threw);
}

}  // namespace

TEST_CASE("hf config round trips Llama, GQA, explicit head_dim and Qwen2 models", "[io]") {
  r1::config::ModelConfig tied;  // the defaults: tied, no GQA
  r1::config::ModelConfig gqa;
  gqa.hidden_size = 96;
  gqa.intermediate_size = 256;
  gqa.num_attention_heads = 6;
  gqa.num_key_value_heads = 2;
  gqa.tie_word_embeddings = false;
  gqa.rope_theta = 500000.0;
  gqa.rms_norm_eps = 1e-6;
  gqa.max_position_embeddings = 1024;
  gqa.initializer_range = 0.01;
  r1::config::ModelConfig head;
  head.head_dim = 16;  // != 128 / 4
  r1::config::ModelConfig qwen = gqa;
  qwen.qkv_bias = true;
  for (auto m : {tied, gqa, head, qwen}) {
    m.vocab_size = 321;
    r1::Json j = r1::hf_config_from_model(m, 321, 1, 2, -1, "bfloat16");
    CHECK(j["architectures"][0] == (m.qkv_bias ? "Qwen2ForCausalLM" : "LlamaForCausalLM"));
    CHECK(j["model_type"] == (m.qkv_bias ? "qwen2" : "llama"));
    CHECK(j["num_key_value_heads"] == m.kv_heads());
    CHECK(j["head_dim"] == m.head_size());
    CHECK(j["hidden_act"] == "silu");
    CHECK(j["attention_bias"] == false);
    CHECK(j["pad_token_id"].is_null());
    CHECK(j["torch_dtype"] == "bfloat16");
    // Through text, as on disk.
    r1::HfModelInfo info = r1::read_hf_config(r1::Json::parse(j.dump(2)), "config.json");
    require_same(info.config, m);
    CHECK(info.bos == 1);
    CHECK(info.eos == 2);
    CHECK(info.pad == -1);
    CHECK(info.torch_dtype == "bfloat16");
    require_same(r1::model_from_hf_config(j, "config.json"), m);
  }
}

TEST_CASE("hf config reads real-world Llama, Qwen2 and Mistral configs", "[io]") {
  // meta-llama/Llama-2-7b-hf (no head_dim, pad null, no num_key_value_heads in the oldest versions).
  auto llama2 = r1::Json::parse(R"({
    "architectures": ["LlamaForCausalLM"], "bos_token_id": 1, "eos_token_id": 2, "hidden_act": "silu",
    "hidden_size": 4096, "initializer_range": 0.02, "intermediate_size": 11008, "max_position_embeddings": 4096,
    "model_type": "llama", "num_attention_heads": 32, "num_hidden_layers": 32, "pad_token_id": null,
    "pretraining_tp": 1, "rms_norm_eps": 1e-05, "rope_scaling": null, "tie_word_embeddings": false,
    "torch_dtype": "float16", "transformers_version": "4.31.0.dev0", "use_cache": true, "vocab_size": 32000})");
  auto l = r1::read_hf_config(llama2, "llama2");
  CHECK(l.config.num_key_value_heads == 0);
  CHECK(l.config.kv_heads() == 32);
  CHECK(l.config.head_size() == 128);
  CHECK(l.config.rms_norm_eps == 1e-5);
  CHECK(l.config.rope_theta == 10000.0);
  CHECK_FALSE(l.config.qkv_bias);
  CHECK(l.bos == 1);
  CHECK(l.eos == 2);
  CHECK(l.pad == -1);
  CHECK(l.torch_dtype == "float16");

  // Qwen/Qwen2.5-0.5B: bias on q/k/v, tied, sliding window declared but off.
  auto qwen = r1::Json::parse(R"({
    "architectures": ["Qwen2ForCausalLM"], "attention_dropout": 0.0, "bos_token_id": 151643,
    "eos_token_id": 151643, "hidden_act": "silu", "hidden_size": 896, "initializer_range": 0.02,
    "intermediate_size": 4864, "max_position_embeddings": 32768, "max_window_layers": 24, "model_type": "qwen2",
    "num_attention_heads": 14, "num_hidden_layers": 24, "num_key_value_heads": 2, "rms_norm_eps": 1e-06,
    "rope_theta": 1000000.0, "sliding_window": 32768, "tie_word_embeddings": true, "torch_dtype": "bfloat16",
    "use_cache": true, "use_sliding_window": false, "vocab_size": 151936})");
  auto q = r1::read_hf_config(qwen, "qwen");
  CHECK(q.config.qkv_bias);
  CHECK(q.config.kv_heads() == 2);
  CHECK(q.config.head_size() == 64);
  CHECK(q.config.tie_word_embeddings);
  CHECK(q.config.rope_theta == 1e6);
  CHECK(q.bos == 151643);

  // Llama 3 style: several eos ids (the first is taken), rope_theta 500000, GQA, explicit head_dim.
  auto llama3 = llama_base();
  llama3["eos_token_id"] = {128001, 128008, 128009};
  llama3["num_key_value_heads"] = 2;
  llama3["head_dim"] = 16;
  CHECK(r1::read_hf_config(llama3, "l3").eos == 128001);
  CHECK(r1::read_hf_config(llama3, "l3").config.head_dim == 0);  // equals the default: normalised
  CHECK(r1::read_hf_config(llama3, "l3").config.num_key_value_heads == 2);

  // Mistral v0.2+: no sliding window -> accepted; architectures absent -> model_type decides.
  auto mistral = llama_base();
  mistral.erase("architectures");
  mistral["model_type"] = "mistral";
  mistral["sliding_window"] = nullptr;
  CHECK_FALSE(r1::read_hf_config(mistral, "m").config.qkv_bias);
  mistral["sliding_window"] = 256;  // == max_position_embeddings: never slides
  CHECK(r1::read_hf_config(mistral, "m").config.hidden_size == 64);

  // Newer transformers write "dtype"; absent dtype means float32.
  auto newer = llama_base();
  newer["dtype"] = "bfloat16";
  CHECK(r1::read_hf_config(newer, "n").torch_dtype == "bfloat16");
  CHECK(r1::read_hf_config(llama_base(), "n").torch_dtype == "float32");
  // Defaults as HF when absent.
  auto d = r1::read_hf_config(llama_base(), "d").config;
  CHECK(d.rms_norm_eps == 1e-6);
  CHECK(d.rope_theta == 10000.0);
  CHECK_FALSE(d.tie_word_embeddings);
  CHECK(d.kv_heads() == 4);
}

TEST_CASE("hf config rejections name the source and the key", "[io]") {
  CHECK_THROWS_AS(r1::read_hf_config(r1::Json::array(), "cfg/config.json"), r1::InputError);
  for (const char* key : {"hidden_size", "intermediate_size", "num_hidden_layers", "num_attention_heads",
                          "vocab_size", "max_position_embeddings"}) {
    auto j = llama_base();
    j.erase(key);
    expect_rejected(j, key, "missing");
    j[key] = "64";
    expect_rejected(j, key, "expected an integer, got \"64\"");
    j[key] = 64.5;
    expect_rejected(j, key, "expected an integer");
    j[key] = 0;
    expect_rejected(j, key, "expected an integer >= 1, got 0");
    j[key] = 1e12;
    expect_rejected(j, key, "expected an integer");
    j[key] = 99999999999LL;
    expect_rejected(j, key, "out of range");
  }
  auto j = llama_base();
  j["architectures"] = {"GPT2LMHeadModel"};
  expect_rejected(j, "architectures", "unsupported architecture \"GPT2LMHeadModel\"");
  j["architectures"] = "LlamaForCausalLM";
  expect_rejected(j, "architectures", "expected a list");
  j.erase("architectures");
  j.erase("model_type");
  expect_rejected(j, "architectures", "missing");
  j["model_type"] = "gpt_neox";
  expect_rejected(j, "model_type", "unsupported model type \"gpt_neox\"");

  j = llama_base();
  j["hidden_act"] = "gelu";
  expect_rejected(j, "hidden_act", "unsupported activation \"gelu\"");
  j = llama_base();
  j["rope_scaling"] = {{"rope_type", "longrope"}, {"factor", 8.0}};
  expect_rejected(j, "rope_scaling.rope_type", "RoPE scaling type \"longrope\" is not supported");
  j = llama_base();
  j["attention_bias"] = true;
  expect_rejected(j, "attention_bias", "not supported");
  j["attention_bias"] = "yes";
  expect_rejected(j, "attention_bias", "expected true or false");
  j = llama_base();
  j["mlp_bias"] = true;
  expect_rejected(j, "mlp_bias", "not supported");
  j = llama_base();
  j["tie_word_embeddings"] = 1;
  expect_rejected(j, "tie_word_embeddings", "expected true or false, got 1");
  j = llama_base();
  j["rope_theta"] = -1;
  expect_rejected(j, "rope_theta", "expected a positive number");
  j["rope_theta"] = "big";
  expect_rejected(j, "rope_theta", "expected a number");
  j = llama_base();
  j["rms_norm_eps"] = 0;
  expect_rejected(j, "rms_norm_eps", "positive");
  j = llama_base();
  j["eos_token_id"] = -5;
  expect_rejected(j, "eos_token_id", ">= 0");
  j["eos_token_id"] = "</s>";
  expect_rejected(j, "eos_token_id", "expected an integer");
  j = llama_base();
  j["torch_dtype"] = 16;
  expect_rejected(j, "torch_dtype", "expected a string");

  // Mistral v0.1: a 4096-token sliding window under a 32768 context.
  j = llama_base();
  j["architectures"] = {"MistralForCausalLM"};
  j["sliding_window"] = 128;
  expect_rejected(j, "sliding_window", "sliding-window attention is not supported");
  j = llama_base();
  j["architectures"] = {"Qwen2ForCausalLM"};
  j["use_sliding_window"] = true;
  j["sliding_window"] = 64;
  expect_rejected(j, "use_sliding_window", "not supported");

  // Shape inconsistencies found by ModelConfig::check.
  j = llama_base();
  j["num_key_value_heads"] = 3;
  expect_rejected(j, "num_key_value_heads", "must divide num_attention_heads");
  j = llama_base();
  j["hidden_size"] = 66;  // not divisible by 4 heads, no head_dim
  expect_rejected(j, "hidden_size", "not divisible");
  j["head_dim"] = 16;     // explicit head_dim makes it valid
  CHECK(r1::read_hf_config(j, "ok").config.head_size() == 16);
  j["head_dim"] = 15;
  expect_rejected(j, "head_dim", "even");
}

TEST_CASE("r1's own config.json is read strictly, imported configs refuse keys that change the model",
          "[io][reliability]") {
  r1::config::ModelConfig m;
  m.hidden_size = 64;
  m.num_attention_heads = 4;
  m.intermediate_size = 128;
  m.num_hidden_layers = 2;
  auto own = r1::hf_config_from_model(m, 300, 1, 2, -1, "float32");
  REQUIRE(own.contains("r1_version"));
  CHECK_NOTHROW(r1::read_hf_config(own, "ckpt/config.json"));
  own["hiden_size"] = 64;  // a typo in r1's own file is an error, with a hint
  expect_rejected(own, "hiden_size", "unknown key in an r1 checkpoint's config.json (did you mean \"hidden_size\"?)");

  auto hf = llama_base();
  hf["transformers_version"] = "4.44.0";  // harmless extras of imported configs are ignored
  hf["pretraining_tp"] = 1;
  CHECK_NOTHROW(r1::read_hf_config(hf, "hf/config.json"));
  hf["num_local_experts"] = 8;
  expect_rejected(hf, "num_local_experts", "mixture-of-experts layers are not supported");
  hf = llama_base();
  hf["partial_rotary_factor"] = 0.5;
  expect_rejected(hf, "partial_rotary_factor", "partial rotary embeddings are not supported");
  hf["partial_rotary_factor"] = 1.0;
  CHECK_NOTHROW(r1::read_hf_config(hf, "hf/config.json"));
}

TEST_CASE("hf config reads rope_scaling of every supported type and writes it back unchanged", "[io]") {
  // meta-llama/Llama-3.1-8B's rope settings.
  auto llama31 = llama_base();
  llama31["rope_theta"] = 500000.0;
  llama31["max_position_embeddings"] = 131072;
  llama31["rope_scaling"] = r1::Json::parse(R"({"factor": 8.0, "low_freq_factor": 1.0, "high_freq_factor": 4.0,
      "original_max_position_embeddings": 8192, "rope_type": "llama3"})");
  // Qwen2.5's long-context setting (legacy "type" key), DeepSeek-V3 style and gpt-oss style YaRN.
  auto qwen = llama_base();
  qwen["architectures"] = {"Qwen2ForCausalLM"};
  qwen["rope_scaling"] = r1::Json::parse(R"({"type": "yarn", "factor": 4.0,
      "original_max_position_embeddings": 32768})");
  auto deepseek = llama_base();
  deepseek["rope_scaling"] = r1::Json::parse(R"({"beta_fast": 32, "beta_slow": 1, "factor": 40,
      "mscale": 1.0, "mscale_all_dim": 1.0, "original_max_position_embeddings": 4096, "type": "yarn"})");
  auto oss = llama_base();
  oss["rope_scaling"] = r1::Json::parse(R"({"beta_fast": 32.0, "beta_slow": 1.0, "factor": 32.0,
      "original_max_position_embeddings": 4096, "rope_type": "yarn", "truncate": false})");
  auto both_keys = llama_base();  // what transformers 4.x writes back for a legacy config
  both_keys["rope_scaling"] = {{"type", "linear"}, {"rope_type", "linear"}, {"factor", 2.0}};
  auto dynamic = llama_base();
  dynamic["rope_scaling"] = {{"rope_type", "dynamic"}, {"factor", 2.0}, {"original_max_position_embeddings", 256}};

  auto l = r1::read_hf_config(llama31, "l").config;
  CHECK(l.rope_scaling.type == r1::config::RopeType::kLlama3);
  CHECK(l.rope_scaling.factor == 8.0);
  CHECK(l.rope_scaling.low_freq_factor == 1.0);
  CHECK(l.rope_scaling.high_freq_factor == 4.0);
  CHECK(l.rope_scaling.original_max_position_embeddings == 8192);
  auto q = r1::read_hf_config(qwen, "q").config.rope_scaling;
  CHECK(q.type == r1::config::RopeType::kYarn);
  CHECK(q.legacy_type_key);
  CHECK_FALSE(q.rope_type_key);
  CHECK_FALSE(q.attention_factor.has_value());
  CHECK_FALSE(q.beta_fast.has_value());
  auto d = r1::read_hf_config(deepseek, "d").config.rope_scaling;
  CHECK(d.mscale == 1.0);
  CHECK(d.beta_fast == 32.0);
  CHECK(r1::read_hf_config(oss, "o").config.rope_scaling.truncate == false);

  for (const auto& j : {llama31, qwen, deepseek, oss, both_keys, dynamic}) {
    INFO(j["rope_scaling"].dump());
    r1::HfModelInfo first = r1::read_hf_config(j, "hf/config.json");
    r1::Json saved = r1::hf_config_from_model(first.config, first.config.vocab_size, 1, 2, -1, "float32");
    CHECK(saved["rope_scaling"] == j["rope_scaling"]);  // same keys and values (32 == 32.0)
    r1::HfModelInfo again = r1::read_hf_config(r1::Json::parse(saved.dump(2)), "ckpt/config.json");
    require_same(again.config, first.config);
    CHECK(again.config.rope_scaling.legacy_type_key == first.config.rope_scaling.legacy_type_key);
    CHECK(again.config.rope_scaling.rope_type_key == first.config.rope_scaling.rope_type_key);
  }

  // Default: as no scaling, written back as null.
  auto plain = llama_base();
  plain["rope_scaling"] = {{"rope_type", "default"}};
  auto p = r1::read_hf_config(plain, "p").config;
  CHECK_FALSE(p.rope_scaling.scaled());
  CHECK(r1::hf_config_from_model(p, 300, 1, 2, -1, "float32")["rope_scaling"].is_null());

  // transformers 5: rope_theta and the scaling in rope_parameters; saved in the 4.x layout.
  auto v5 = llama_base();
  v5["rope_parameters"] = r1::Json::parse(R"({"rope_theta": 500000.0, "rope_type": "llama3", "factor": 8.0,
      "low_freq_factor": 1.0, "high_freq_factor": 4.0, "original_max_position_embeddings": 8192})");
  auto m5 = r1::read_hf_config(v5, "v5").config;
  CHECK(m5.rope_theta == 500000.0);
  CHECK(m5.rope_scaling.same_as(l.rope_scaling));
  auto saved5 = r1::hf_config_from_model(m5, 300, 1, 2, -1, "float32");
  CHECK(saved5["rope_theta"] == 500000.0);
  CHECK(saved5["rope_scaling"]["rope_type"] == "llama3");
  auto v5_default = llama_base();
  v5_default["rope_parameters"] = {{"rope_theta", 1000000.0}, {"rope_type", "default"}};
  CHECK(r1::read_hf_config(v5_default, "v5").config.rope_theta == 1e6);
  v5_default["rope_scaling"] = nullptr;
  v5_default["rope_theta"] = 1000000.0;  // both layouts, agreeing
  CHECK_FALSE(r1::read_hf_config(v5_default, "v5").config.rope_scaling.scaled());
}

TEST_CASE("hf config rope_scaling rejections name the rope_scaling key", "[io]") {
  auto with = [](const char* rope_scaling) {
    auto j = llama_base();
    j["rope_scaling"] = r1::Json::parse(rope_scaling);
    return j;
  };
  expect_rejected(with(R"({"rope_type": "longrope", "short_factor": [1.0], "long_factor": [2.0]})"),
                  "rope_scaling.rope_type", "\"longrope\" is not supported (expected one of default|linear|dynamic");
  expect_rejected(with(R"({"type": "su", "factor": 2.0})"), "rope_scaling.type", "\"su\" is not supported");
  expect_rejected(with(R"({"rope_type": "mrope", "mrope_section": [16, 24, 24]})"), "rope_scaling.rope_type",
                  "not supported");
  expect_rejected(with(R"({"rope_type": "linear"})"), "rope_scaling.factor",
                  "missing (rope_type \"linear\" requires factor)");
  expect_rejected(with(R"({"rope_type": "yarn", "factor": null})"), "rope_scaling.factor", "missing");
  expect_rejected(with(R"({"rope_type": "linear", "factor": 0.5})"), "rope_scaling.factor",
                  "expected a number >= 1, got 0.5");
  expect_rejected(with(R"({"rope_type": "dynamic", "factor": "2"})"), "rope_scaling.factor",
                  "expected a number >= 1, got \"2\"");
  expect_rejected(with(R"({"rope_type": "llama3", "factor": 8.0, "high_freq_factor": 4.0,
                           "original_max_position_embeddings": 8192})"),
                  "rope_scaling.low_freq_factor", "missing (rope_type \"llama3\" requires factor, "
                                                  "original_max_position_embeddings, low_freq_factor");
  expect_rejected(with(R"({"rope_type": "llama3", "factor": 8.0, "low_freq_factor": 1.0, "high_freq_factor": 4.0})"),
                  "rope_scaling.original_max_position_embeddings", "missing");
  expect_rejected(with(R"({"rope_type": "llama3", "factor": 8.0, "low_freq_factor": 4.0, "high_freq_factor": 4.0,
                           "original_max_position_embeddings": 8192})"),
                  "rope_scaling.high_freq_factor", "must be greater than low_freq_factor (got 4.0 and 4.0)");
  expect_rejected(with(R"({"rope_type": "yarn", "factor": 4.0, "original_max_position_embeddings": 0})"),
                  "rope_scaling.original_max_position_embeddings", "expected an integer >= 1, got 0");
  expect_rejected(with(R"({"rope_type": "yarn", "factor": 4.0, "beta_fast": 1.0, "beta_slow": 2.0})"),
                  "rope_scaling.beta_fast", "must be >= beta_slow (got 1.0 and 2.0");
  expect_rejected(with(R"({"rope_type": "yarn", "factor": 4.0, "attention_factor": 0})"),
                  "rope_scaling.attention_factor", "expected a number > 0, got 0");
  expect_rejected(with(R"({"rope_type": "yarn", "factor": 4.0, "truncate": "no"})"), "rope_scaling.truncate",
                  "expected true or false");
  expect_rejected(with(R"({"rope_type": "linear", "factor": 2.0, "low_freq_factor": 1.0})"),
                  "rope_scaling.low_freq_factor", "not a parameter of rope_type \"linear\" (it takes factor)");
  expect_rejected(with(R"({"factor": 2.0})"), "rope_scaling.rope_type", "missing (expected one of");
  expect_rejected(with(R"({"rope_type": "linear", "type": "dynamic", "factor": 2.0})"), "rope_scaling.type",
                  "\"dynamic\" conflicts with rope_scaling.rope_type \"linear\"");
  expect_rejected(with(R"({"rope_type": 3})"), "rope_scaling.rope_type", "expected a string");
  expect_rejected(with(R"("yarn")"), "rope_scaling", "expected an object or null");

  // transformers 5's rope_parameters.
  auto j = llama_base();
  j["rope_parameters"] = r1::Json::parse(R"({"full_attention": {"rope_theta": 10000.0, "rope_type": "default"}})");
  expect_rejected(j, "rope_parameters.full_attention", "per-layer-type RoPE parameters are not supported");
  j["rope_parameters"] = {{"rope_theta", 10000.0}, {"rope_type", "default"}, {"partial_rotary_factor", 0.5}};
  expect_rejected(j, "rope_parameters.partial_rotary_factor", "partial rotary embeddings are not supported");
  j["rope_parameters"] = {{"rope_theta", 500000.0}, {"rope_type", "default"}};
  j["rope_theta"] = 10000.0;
  expect_rejected(j, "rope_parameters.rope_theta", "500000.0 conflicts with rope_theta 10000.0");
  j.erase("rope_theta");
  j["rope_scaling"] = {{"rope_type", "linear"}, {"factor", 2.0}};
  expect_rejected(j, "rope_scaling", "conflicts with rope_parameters");
  j = llama_base();
  j["rope_parameters"] = {{"rope_type", "yarn"}, {"factor", 0.5}};
  expect_rejected(j, "rope_parameters.factor", "expected a number >= 1, got 0.5");

  // r1's own config.json holds rope_scaling as any other key.
  r1::config::ModelConfig m;
  m.rope_scaling.type = r1::config::RopeType::kLinear;
  m.rope_scaling.factor = 2.0;
  auto own = r1::hf_config_from_model(m, 300, 1, 2, -1, "float32");
  CHECK(r1::read_hf_config(own, "ckpt/config.json").config.rope_scaling.same_as(m.rope_scaling));
  own["rope_scaling"]["factor"] = 0.25;
  expect_rejected(own, "rope_scaling.factor", "expected a number >= 1, got 0.25");
}
