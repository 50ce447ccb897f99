// `r1 validate` on the GPU recipes for real Qwen2.5 models (recipes/qwen2.5-1.5b-gsm8k-zero.yaml and
// recipes/r1-distill-qwen2.5-0.5b.yaml) in a working directory laid out as their headers say: each model's published
// config.json and generation_config.json, the real Qwen2.5 tokenizer files (../shared/hf/qwen2.5) and GSM8K
// (../shared/data/gsm8k). No weights: validate checks that a weights file exists and never reads it.
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "../support/test_support.h"
#include "r1/util/strings.h"

namespace {

namespace fs = std::filesystem;
using Json = nlohmann::json;

void write_text(const fs::path& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary);
  REQUIRE(out.good());
  out << text;
  REQUIRE(out.good());
}

// Qwen/Qwen2.5-1.5B's config.json as released (the base model: eos <|endoftext|> 151643, 128K positions).
Json qwen25_1_5b_config() {
  return Json::parse(R"({
    "architectures": ["Qwen2ForCausalLM"], "attention_dropout": 0.0, "bos_token_id": 151643,
    "eos_token_id": 151643, "hidden_act": "silu", "hidden_size": 1536, "initializer_range": 0.02,
    "intermediate_size": 8960, "max_position_embeddings": 131072, "max_window_layers": 28, "model_type": "qwen2",
    "num_attention_heads": 12, "num_hidden_layers": 28, "num_key_value_heads": 2, "rms_norm_eps": 1e-06,
    "rope_theta": 1000000.0, "sliding_window": 131072, "tie_word_embeddings": true, "torch_dtype": "bfloat16",
    "transformers_version": "4.40.1", "use_cache": true, "use_mrope": false, "use_sliding_window": false,
    "vocab_size": 151936})");
}

// Qwen/Qwen2.5-0.5B-Instruct's config.json as released (eos <|im_end|> 151645, 32K positions).
Json qwen25_0_5b_instruct_config() {
  return Json::parse(R"({
    "architectures": ["Qwen2ForCausalLM"], "attention_dropout": 0.0, "bos_token_id": 151643,
    "eos_token_id": 151645, "hidden_act": "silu", "hidden_size": 896, "initializer_range": 0.02,
    "intermediate_size": 4864, "max_position_embeddings": 32768, "max_window_layers": 21, "model_type": "qwen2",
    "num_attention_heads": 14, "num_hidden_layers": 24, "num_key_value_heads": 2, "rms_norm_eps": 1e-06,
    "rope_theta": 1000000.0, "sliding_window": 32768, "tie_word_embeddings": true, "torch_dtype": "bfloat16",
    "transformers_version": "4.43.1", "use_cache": true, "use_sliding_window": false, "vocab_size": 151936})");
}

// The generation_config.json files as released.
Json qwen25_1_5b_generation_config() {
  return Json::parse(R"({"bos_token_id": 151643, "do_sample": false, "eos_token_id": 151643,
                         "max_new_tokens": 2048, "transformers_version": "4.37.0"})");
}
Json qwen25_0_5b_instruct_generation_config() {
  return Json::parse(R"({"bos_token_id": 151643, "pad_token_id": 151643, "do_sample": true,
                         "eos_token_id": [151645, 151643], "repetition_penalty": 1.1, "temperature": 0.7,
                         "top_p": 0.8, "top_k": 20, "transformers_version": "4.37.0"})");
}

// The release's model.safetensors (3.1 GB and 0.99 GB) without its data: the header only, listing every BF16
// tensor a Qwen2 checkpoint with tied embeddings ships, with its shape. validate (like run's preflight) reads the
// header to check names and shapes against config.json, and never reads tensor data.
void write_header_only_weights(const fs::path& file, const Json& config) {
  const std::int64_t h = config["hidden_size"], ffn = config["intermediate_size"], vocab = config["vocab_size"];
  const std::int64_t heads = config["num_attention_heads"], kv_heads = config["num_key_value_heads"];
  const std::int64_t q = h, kv = h / heads * kv_heads;
  std::vector<std::pair<std::string, std::vector<std::int64_t>>> tensors = {{"model.embed_tokens.weight", {vocab, h}},
                                                                            {"model.norm.weight", {h}}};
  for (int i = 0; i < config["num_hidden_layers"].get<int>(); ++i) {
    const std::string p = "model.layers." + std::to_string(i) + ".";
    for (const auto& t : std::vector<std::pair<std::string, std::vector<std::int64_t>>>{
             {"input_layernorm.weight", {h}}, {"post_attention_layernorm.weight", {h}},
             {"self_attn.q_proj.weight", {q, h}}, {"self_attn.q_proj.bias", {q}},
             {"self_attn.k_proj.weight", {kv, h}}, {"self_attn.k_proj.bias", {kv}},
             {"self_attn.v_proj.weight", {kv, h}}, {"self_attn.v_proj.bias", {kv}},
             {"self_attn.o_proj.weight", {h, q}}, {"mlp.gate_proj.weight", {ffn, h}},
             {"mlp.up_proj.weight", {ffn, h}}, {"mlp.down_proj.weight", {h, ffn}}})
      tensors.push_back({p + t.first, t.second});
  }
  Json header = {{"__metadata__", {{"format", "pt"}}}};
  std::int64_t offset = 0;
  for (const auto& [name, shape] : tensors) {
    std::int64_t bytes = 2;
    for (auto d : shape) bytes *= d;
    header[name] = {{"dtype", "BF16"}, {"shape", shape}, {"data_offsets", {offset, offset + bytes}}};
    offset += bytes;
  }
  const std::string text = header.dump();
  std::string prefix(8, '\0');
  for (int i = 0; i < 8; ++i) prefix[i] = static_cast<char>((text.size() >> (8 * i)) & 0xff);
  write_text(file, prefix + text);
}

// A model directory as the release ships it, minus the weights. `eos_token` overrides tokenizer_config.json's:
// ../shared/hf/qwen2.5 holds the Instruct file (<|im_end|>); the base model's names <|endoftext|>.
void write_model_dir(const fs::path& dir, const Json& config, const Json& generation, const std::string& eos_token) {
  const fs::path tok = fs::path(r1::test::shared_dir()) / "hf" / "qwen2.5";
  REQUIRE(fs::is_regular_file(tok / "tokenizer.json"));
  REQUIRE(fs::is_regular_file(tok / "tokenizer_config.json"));
  fs::create_directories(dir);
  write_text(dir / "config.json", config.dump(2) + "\n");
  write_text(dir / "generation_config.json", generation.dump(2) + "\n");
  fs::copy_file(tok / "tokenizer.json", dir / "tokenizer.json");
  Json tok_config = Json::parse(r1::test::file_bytes((tok / "tokenizer_config.json").string()));
  REQUIRE(tok_config.value("eos_token", "") == "<|im_end|>");
  tok_config["eos_token"] = eos_token;
  write_text(dir / "tokenizer_config.json", tok_config.dump(2) + "\n");
  write_header_only_weights(dir / "model.safetensors", config);
}

// The working directory the recipes' headers describe: models/ and data/gsm8k/ under `root`.
void write_working_dir(const fs::path& root) {
  write_model_dir(root / "models" / "Qwen2.5-1.5B", qwen25_1_5b_config(), qwen25_1_5b_generation_config(),
                  "<|endoftext|>");
  write_model_dir(root / "models" / "Qwen2.5-0.5B-Instruct", qwen25_0_5b_instruct_config(),
                  qwen25_0_5b_instruct_generation_config(), "<|im_end|>");
  const fs::path gsm8k = fs::path(r1::test::shared_dir()) / "data" / "gsm8k";
  fs::create_directories(root / "data" / "gsm8k");
  for (const char* file : {"train.jsonl", "test.jsonl"}) {
    REQUIRE(fs::is_regular_file(gsm8k / file));
    fs::create_symlink(gsm8k / file, root / "data" / "gsm8k" / file);
  }
}

r1::test::CommandResult validate_in(const fs::path& dir, const std::string& args) {
  return r1::test::run_shell("cd '" + dir.string() + "' && '" + std::string(R1_BINARY) + "' validate " + args);
}

// One row of the preflight's memory table: stage name, kind and parameter count as printed.
struct StageRow {
  std::string name, kind, params;
};

// The table printed a row for every stage, with its kind and parameter count.
void check_table(const std::string& output, const std::vector<StageRow>& rows) {
  for (const auto& row : rows) {
    bool found = false;
    for (const auto& line : r1::split(output, '\n')) {
      std::istringstream in(line);
      std::string name, kind, params;
      in >> name >> kind >> params;
      if (name != row.name) continue;
      found = true;
      CHECK(kind == row.kind);
      CHECK(params == row.params);
    }
    INFO("stage " << row.name);
    CHECK(found);
  }
  CHECK_THAT(output, Catch::Contains("peak = the process"));
}

// Validates `recipe` (a path under recipes/) from `dir`. A CUDA build with a GPU passes it as is; elsewhere the only
// problem allowed is the missing CUDA device. A copy with `device: cpu` must then pass (memory not compared: these
// models do not fit this machine), which shows every other check — paths, shapes, keys, templates — passes.
void check_recipe(const fs::path& dir, const std::string& recipe, const std::vector<StageRow>& rows) {
  const fs::path source = fs::path(r1::test::source_dir()) / recipe;
  REQUIRE(fs::is_regular_file(source));
  auto r = validate_in(dir, "'" + source.string() + "'");
  INFO(r.output);
  check_table(r.output, rows);
  if (r.exit_code == 0) {
    CHECK_THAT(r.output, Catch::Contains("ok  " + source.string()));
  } else {
    CHECK(r.exit_code == 2);
    int problems = 0;
    for (const auto& line : r1::split(r.output, '\n'))
      if (line.rfind(source.string() + ":", 0) == 0) {
        ++problems;
        CHECK_THAT(line, Catch::Contains("device: \"cuda\" was asked for"));
      }
    CHECK(problems == 1);
  }

  std::string text = r1::test::file_bytes(source.string());
  const std::string cuda = "\ndevice: cuda\n";
  const size_t at = text.find(cuda);
  REQUIRE(at != std::string::npos);
  REQUIRE(text.find(cuda, at + 1) == std::string::npos);
  text.replace(at, cuda.size(), "\ndevice: cpu\n");
  const std::string copy = "cpu-" + source.filename().string();
  write_text(dir / copy, text);
  auto cpu = validate_in(dir, "--memory-limit off " + copy);
  INFO(cpu.output);
  CHECK(cpu.exit_code == 0);
  CHECK_THAT(cpu.output, Catch::Contains("ok  " + copy));
  check_table(cpu.output, rows);
}

}  // namespace

TEST_CASE("the Qwen2.5 GPU recipes validate against the released model files", "[cli][gpu-recipes]") {
  const fs::path dir = r1::test::temp_dir("gpu_recipes");
  write_working_dir(dir);

  SECTION("R1-Zero on GSM8K from Qwen2.5-1.5B") {
    check_recipe(dir, "recipes/qwen2.5-1.5b-gsm8k-zero.yaml",
                 {{"base", "eval", "1.54B"}, {"zero", "train-zero", "1.54B"}});
  }
  SECTION("the R1 chain from Qwen2.5-1.5B, distilled into Qwen2.5-0.5B-Instruct") {
    check_recipe(dir, "recipes/r1-distill-qwen2.5-0.5b.yaml",
                 {{"base", "eval", "1.54B"},
                  {"zero", "train-zero", "1.54B"},
                  {"cold", "cold-start", "1.54B"},
                  {"sft", "sft", "1.54B"},
                  {"r1", "grpo", "1.54B"},
                  {"reject", "rejection-sample", "1.54B"},
                  {"student", "distill", "494.03M"},
                  {"student-base", "eval", "494.03M"},
                  {"student-hf", "eval", "494.03M"}});
  }
  SECTION("without the models, validate names each missing model directory") {
    fs::remove_all(dir / "models" / "Qwen2.5-0.5B-Instruct");
    const fs::path source = fs::path(r1::test::source_dir()) / "recipes/r1-distill-qwen2.5-0.5b.yaml";
    auto r = validate_in(dir, "'" + source.string() + "'");
    INFO(r.output);
    CHECK(r.exit_code == 2);
    CHECK_THAT(r.output, Catch::Contains("\"models/Qwen2.5-0.5B-Instruct\" is neither an earlier stage of this "
                                         "recipe nor an existing path"));
  }
}
