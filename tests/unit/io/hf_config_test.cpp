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
  j["rope_scaling"] = {{"rope_type", "llama3"}, {"factor", 8.0}};
  expect_rejected(j, "rope_scaling", "not supported");
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
