// A Qwen2.5-layout checkpoint end to end through the CLI: random BF16 weights of a tiny shape (q/k/v biases, 2 kv
// heads, tied embeddings) split over two safetensors shards with an index, the real Qwen2.5 tokenizer files, a vocab
// padded beyond the tokenizer (151936 > 151665) and Qwen's generation_config.json (two eos ids). train-zero (r1-zero
// template) -> cold-start -> sft (hf template) -> eval on GSM8K prompts, each output read back by the next command;
// and the ways such a checkpoint can be wrong (unsupported RoPE scaling, sliding window, another architecture, a
// missing shard, a tensor of the wrong shape) refused with exit code 2 before anything is written.
#include <catch2/catch.hpp>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <functional>

#include <torch/torch.h>

#include "../support/test_support.h"
#include "r1/io/jsonl.h"
#include "r1/io/safetensors.h"

namespace {

namespace fs = std::filesystem;
using r1::Json;
using r1::test::file_bytes;
using r1::test::require_no_result;

// The tiny shape (a real Qwen2.5-0.5B has hidden 896, 24 layers, 14 heads, 2 kv heads, the same vocab).
constexpr int kHidden = 32, kIntermediate = 64, kLayers = 2, kHeads = 4, kKvHeads = 2;
constexpr int kHeadDim = kHidden / kHeads;
constexpr int kVocab = 151936;  // Qwen2.5's config.json vocab_size: the embedding is padded past the tokenizer
const char* const kShard1 = "model-00001-of-00002.safetensors";
const char* const kShard2 = "model-00002-of-00002.safetensors";

std::string qwen_tokenizer_dir() { return r1::test::shared_dir() + "/hf/qwen2.5"; }

std::string gsm8k(const std::string& split) {
  std::string path = r1::test::shared_dir() + "/data/gsm8k/" + split + ".jsonl";
  REQUIRE(fs::is_regular_file(path));  // ../shared must hold GSM8K: fail loudly, never skip
  return path;
}

void write(const std::string& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary);
  out << text;
  REQUIRE(out.good());
}

// config.json as Qwen2.5-0.5B-Instruct ships it, with the tiny shape.
Json qwen_config() {
  return Json{{"architectures", {"Qwen2ForCausalLM"}},
              {"attention_dropout", 0.0},
              {"bos_token_id", 151643},
              {"eos_token_id", 151645},
              {"hidden_act", "silu"},
              {"hidden_size", kHidden},
              {"initializer_range", 0.02},
              {"intermediate_size", kIntermediate},
              {"max_position_embeddings", 32768},
              {"max_window_layers", kLayers},
              {"model_type", "qwen2"},
              {"num_attention_heads", kHeads},
              {"num_hidden_layers", kLayers},
              {"num_key_value_heads", kKvHeads},
              {"rms_norm_eps", 1e-6},
              {"rope_scaling", nullptr},
              {"rope_theta", 1000000.0},
              {"sliding_window", 32768},
              {"tie_word_embeddings", true},
              {"torch_dtype", "bfloat16"},
              {"transformers_version", "4.43.1"},
              {"use_cache", true},
              {"use_sliding_window", false},
              {"vocab_size", kVocab}};
}

const char* const kGenerationConfig = R"({
  "bos_token_id": 151643,
  "pad_token_id": 151643,
  "do_sample": true,
  "eos_token_id": [
    151645,
    151643
  ],
  "repetition_penalty": 1.1,
  "temperature": 0.7,
  "top_p": 0.8,
  "top_k": 20,
  "transformers_version": "4.37.0"
}
)";

// Random BF16 weights by HF name, in the shard each goes to (embedding + layer 0 | the other layers + final norm).
std::map<std::string, std::string> write_qwen_weights(const fs::path& dir, std::uint64_t seed) {
  torch::manual_seed(seed);
  auto randn = [](std::vector<int64_t> shape, double std) { return (torch::randn(shape) * std).to(torch::kBFloat16); };
  std::map<std::string, at::Tensor> shards[2];
  shards[0]["model.embed_tokens.weight"] = randn({kVocab, kHidden}, 0.02);
  for (int l = 0; l < kLayers; ++l) {
    auto& s = shards[l == 0 ? 0 : 1];
    const std::string p = "model.layers." + std::to_string(l) + ".";
    s[p + "input_layernorm.weight"] = torch::ones({kHidden}, torch::kBFloat16);
    s[p + "post_attention_layernorm.weight"] = torch::ones({kHidden}, torch::kBFloat16);
    s[p + "self_attn.q_proj.weight"] = randn({kHeads * kHeadDim, kHidden}, 0.02);
    s[p + "self_attn.q_proj.bias"] = randn({kHeads * kHeadDim}, 0.1);
    s[p + "self_attn.k_proj.weight"] = randn({kKvHeads * kHeadDim, kHidden}, 0.02);
    s[p + "self_attn.k_proj.bias"] = randn({kKvHeads * kHeadDim}, 0.1);
    s[p + "self_attn.v_proj.weight"] = randn({kKvHeads * kHeadDim, kHidden}, 0.02);
    s[p + "self_attn.v_proj.bias"] = randn({kKvHeads * kHeadDim}, 0.1);
    s[p + "self_attn.o_proj.weight"] = randn({kHidden, kHeads * kHeadDim}, 0.02);
    s[p + "mlp.gate_proj.weight"] = randn({kIntermediate, kHidden}, 0.02);
    s[p + "mlp.up_proj.weight"] = randn({kIntermediate, kHidden}, 0.02);
    s[p + "mlp.down_proj.weight"] = randn({kHidden, kIntermediate}, 0.02);
  }
  shards[1]["model.norm.weight"] = torch::ones({kHidden}, torch::kBFloat16);

  std::map<std::string, std::string> where;
  Json weight_map = Json::object();
  std::int64_t total = 0;
  for (int i = 0; i < 2; ++i) {
    const char* file = i == 0 ? kShard1 : kShard2;
    r1::save_safetensors((dir / file).string(), shards[i], {{"format", "pt"}});
    for (const auto& [name, t] : shards[i]) {
      weight_map[name] = file;
      where[name] = file;
      total += t.numel() * t.element_size();
    }
  }
  write((dir / "model.safetensors.index.json").string(),
        Json{{"metadata", {{"total_size", total}}}, {"weight_map", weight_map}}.dump(2) + "\n");
  return where;
}

// The tiny Qwen2.5-layout checkpoint, written into `dir`.
void write_qwen_checkpoint(const std::string& dir, std::uint64_t seed) {
  fs::create_directories(dir);
  write(dir + "/config.json", qwen_config().dump(2) + "\n");
  write(dir + "/generation_config.json", kGenerationConfig);
  for (const char* f : {"tokenizer.json", "tokenizer_config.json"})
    fs::copy_file(qwen_tokenizer_dir() + "/" + f, dir + "/" + f);
  write_qwen_weights(dir, seed);
}

// A stage's final/ is still the input's model family: the tokenizer and generation config as shipped, config.json
// Qwen2 with the padded vocab, BF16 weights (save_dtype auto keeps what was read), q/k/v biases, no lm_head.
void require_qwen_final(const std::string& final_dir, const std::string& input) {
  INFO(final_dir);
  REQUIRE(fs::is_directory(final_dir));
  for (const char* f : {"tokenizer.json", "tokenizer_config.json", "generation_config.json"}) {
    INFO(f);
    REQUIRE(fs::is_regular_file(final_dir + "/" + f));
    CHECK(file_bytes(final_dir + "/" + f) == file_bytes(input + "/" + f));
  }
  CHECK_FALSE(fs::exists(final_dir + "/tokenizer.model"));
  Json cfg = Json::parse(file_bytes(final_dir + "/config.json"));
  CHECK(cfg["model_type"] == "qwen2");
  CHECK(cfg["architectures"] == Json::array({"Qwen2ForCausalLM"}));
  CHECK(cfg["vocab_size"] == kVocab);
  CHECK(cfg["torch_dtype"] == "bfloat16");
  CHECK(cfg["tie_word_embeddings"] == true);
  CHECK(cfg["num_key_value_heads"] == kKvHeads);
  CHECK(cfg["use_sliding_window"] == false);
  auto weights = r1::load_safetensors(final_dir + "/model.safetensors");
  REQUIRE(weights.count("model.embed_tokens.weight") == 1);
  CHECK(weights.at("model.embed_tokens.weight").sizes() == at::IntArrayRef({kVocab, kHidden}));
  CHECK(weights.at("model.embed_tokens.weight").scalar_type() == torch::kBFloat16);
  CHECK(weights.count("model.layers.1.self_attn.v_proj.bias") == 1);
  CHECK(weights.count("lm_head.weight") == 0);
}

// Whether tensor `name` of a final/ checkpoint equals the input checkpoint's (in its first shard).
bool same_weights(const std::string& final_dir, const std::string& input, const std::string& name) {
  auto trained = r1::load_safetensors(final_dir + "/model.safetensors").at(name);
  auto original = r1::load_safetensors(input + "/" + kShard1).at(name);
  return trained.scalar_type() == original.scalar_type() && torch::equal(trained, original);
}

// eval.json: the numbers of an evaluation on `n` prompts.
void require_eval_json(const std::string& path, int n) {
  INFO(path);
  REQUIRE(fs::is_regular_file(path));
  Json j = Json::parse(file_bytes(path));
  for (const char* key : {"pass@1", "maj@k", "pass@k", "format_rate", "language_consistency", "mean_length"}) {
    INFO(key);
    REQUIRE(j[key].is_number());
    CHECK(j[key].get<double>() >= 0.0);
  }
  CHECK(j["n_prompts"] == n);
  CHECK(j["per_prompt"].size() == static_cast<size_t>(n));
  CHECK(j["mean_length"].get<double>() > 0.0);
}

// The chain's recipe. train-zero adds the language-consistency reward to R1-Zero's accuracy + format: a random
// model earns neither of those, and a group whose rewards are all equal has no gradient, so without it the 2 steps
// would not change the weights that are then saved.
// A random model's samples never verify and almost never end at an eos id (2 of ~152k ids), so
// cold-start keeps unverified samples (require_correct/require_format off, no language or repetition filter) and
// stops each sample at any of a few very common strings: a sample that runs to max_new_tokens is always dropped
// ("truncated", not a filter setting). It keeps one sample per prompt, rewritten by rewrite_template: random text
// holds no <think>/<answer>, so each row is the template's skeleton ("<think>  The answer is . </think> <answer>
// </answer>") — what cold-start makes of this policy's samples under these filters, and what sft then trains on.
std::string chain_recipe(const std::string& run_dir, const std::string& init) {
  const std::string train = gsm8k("train"), test = gsm8k("test");
  return "run_dir: " + run_dir + "\n"
         "seed: 11\n"
         "threads: 0\n"
         "save_dtype: auto\n"
         "eval:\n"
         "  prompts: {file: " + test + ", answer_format: gsm8k, n: 2, template: r1-zero}\n"
         "  samples: 2\n"
         "  k: [1, 2]\n"
         "  batch_prompts: 4\n"
         "  sampling: {temperature: 1.0, max_new_tokens: 16, stop: [\"</answer>\"]}\n"
         "stages:\n"
         "  - name: zero\n"
         "    kind: train-zero\n"
         "    init: " + init + "\n"
         "    prompts: {file: " + train + ", answer_format: gsm8k, n: 8, template: r1-zero}\n"
         "    rewards: [{name: accuracy, weight: 1.0}, {name: format, weight: 0.5}, {name: language, weight: 0.2}]\n"
         "    sampling: {max_new_tokens: 16}\n"
         "    grpo: {group_size: 4, prompts_per_step: 2}\n"
         "    optim: {lr: 1.0e-3, warmup_steps: 0}\n"
         "    steps: 2\n"
         "    samples_every: 1\n"
         "  - name: cold\n"
         "    kind: cold-start\n"
         "    policy: zero\n"
         "    prompts: {file: " + train + ", answer_format: gsm8k, offset: 100, n: 4, template: hf}\n"
         "    sampling: {max_new_tokens: 16, stop: [\" \", \"e\", \"a\", \"i\", \"o\", \"n\", \"t\", \"s\"]}\n"
         "    samples_per_prompt: 2\n"
         "    max_per_prompt: 1\n"
         "    filters: {require_correct: false, require_format: false, min_language_consistency: 0.0,\n"
         "              min_tokens: 1, max_repeat_frac: 1.0, reject_code_blocks: false}\n"
         "  - name: sft\n"
         "    kind: sft\n"
         "    init: " + init + "\n"
         "    data: cold\n"
         "    template: hf\n"
         "    optim: {lr: 1.0e-3, warmup_steps: 0}\n"
         "    max_steps: 2\n"
         "    batch_size: 2\n"
         "    seq_len: 192\n"
         "    eval_frac: 0.0\n"
         "  - name: check\n"
         "    kind: eval\n"
         "    model: sft\n"
         "    eval:\n"
         "      prompts: {file: " + test + ", answer_format: gsm8k, offset: 10, n: 2, template: hf}\n"
         "      samples: 2\n"
         "      k: [1, 2]\n"
         "      greedy: false\n"
         "      sampling: {temperature: 1.0, max_new_tokens: 16, stop: [\"</answer>\"]}\n";
}

void require_ok(const r1::test::CommandResult& r, const std::string& what) {
  INFO(what << ":\n" << r.output);
  REQUIRE(r.exit_code == 0);
}

}  // namespace

TEST_CASE("a Qwen2.5-layout checkpoint runs train-zero then cold-start then sft then eval on GSM8K",
          "[e2e][cli][qwen]") {
  const std::string root = r1::test::temp_dir("qwen_e2e");
  const std::string init = root + "/qwen2.5-tiny";
  write_qwen_checkpoint(init, 5);
  REQUIRE_FALSE(fs::exists(init + "/model.safetensors"));  // sharded only
  const std::string run_dir = root + "/run";
  const std::string recipe = root + "/recipe.yaml";
  write(recipe, chain_recipe(run_dir, init));
  require_ok(r1::test::run_r1("validate " + recipe), "validate");

  // R1-Zero from the sharded BF16 checkpoint, prompted with the R1-Zero template.
  require_ok(r1::test::run_r1("train-zero --recipe " + recipe + " --stage zero"), "train-zero");
  require_qwen_final(run_dir + "/zero/final", init);
  require_eval_json(run_dir + "/zero/eval.json", 2);
  auto zero_metrics = r1::read_jsonl(run_dir + "/zero/metrics.jsonl");
  REQUIRE(zero_metrics.size() == 2);
  double zero_grad = 0;
  for (const auto& row : zero_metrics) {
    CHECK(std::isfinite(row["loss"].get<double>()));
    zero_grad += row["grad_norm"].get<double>();
  }
  CHECK(zero_grad > 0);
  CHECK_FALSE(same_weights(run_dir + "/zero/final", init, "model.layers.0.self_attn.q_proj.bias"));

  // Cold start samples the R1-Zero model (its final/ loads back) with Qwen's own chat template.
  require_ok(r1::test::run_r1("cold-start --recipe " + recipe + " --stage cold"), "cold-start");
  auto cold = r1::read_jsonl(run_dir + "/cold/data.jsonl");
  REQUIRE_FALSE(cold.empty());
  CHECK(cold.size() <= 4);  // max_per_prompt 1
  for (const auto& row : cold) {
    CHECK(row["source_checkpoint"].get<std::string>().find("zero") != std::string::npos);
    CHECK(row["completion"].get<std::string>().rfind("<think>", 0) == 0);  // the rewrite template
    CHECK(row["rewards"]["correct"] == false);
    CHECK(row["prompt"].get<std::string>().find("<|im_start|>") == std::string::npos);  // the raw question
  }

  // SFT of the input model on the cold-start data, rendered with the chat template.
  require_ok(r1::test::run_r1("sft --recipe " + recipe + " --stage sft"), "sft");
  require_qwen_final(run_dir + "/sft/final", init);
  CHECK_FALSE(same_weights(run_dir + "/sft/final", init, "model.embed_tokens.weight"));
  require_eval_json(run_dir + "/sft/eval.json", 2);
  auto sft_metrics = r1::read_jsonl(run_dir + "/sft/metrics.jsonl");
  REQUIRE_FALSE(sft_metrics.empty());
  CHECK(sft_metrics.back()["step"] == 2);
  for (const auto& row : sft_metrics)
    if (row.contains("loss")) CHECK(std::isfinite(row["loss"].get<double>()));

  // The recipe's eval stage (hf template) and `r1 eval` (R1-Zero template) read the SFT model back.
  require_ok(r1::test::run_r1("run " + recipe + " --only check"), "run --only check");
  require_eval_json(run_dir + "/check/eval.json", 2);
  const std::string eval_out = root + "/eval_r1zero.json";
  require_ok(r1::test::run_r1("eval --model " + run_dir + "/sft --data " + gsm8k("test") +
                              " --answer-format gsm8k --template r1-zero --n 2 --samples 2 --k 1,2"
                              " --max-new-tokens 16 --no-greedy --out " + eval_out),
             "eval");
  require_eval_json(eval_out, 2);

  // generate reads the final model: the prompt is Qwen's chat template, every sampled id a tokenizer id (the 271
  // padded embedding rows are never sampled).
  auto gen = r1::test::run_r1("generate --model " + run_dir + "/sft/final --template hf --prompt 'What is 3 + 4?'"
                              " --max-new-tokens 8 --json");
  require_ok(gen, "generate");
  Json g = Json::parse(gen.output.substr(gen.output.find('{')));
  REQUIRE(g["prompt_ids"].size() > 0);
  CHECK(g["prompt_ids"][0] == 151644);  // <|im_start|> (the system turn)
  REQUIRE(g["completion_ids"].size() > 0);
  for (const auto& id : g["completion_ids"]) CHECK(id.get<int>() < 151665);
}

TEST_CASE("bad Qwen2.5-layout checkpoints exit 2 naming the file and key and write nothing", "[cli][qwen]") {
  const std::string root = r1::test::temp_dir("qwen_bad");
  const std::string good = root + "/good";
  write_qwen_checkpoint(good, 6);
  // A small SFT dataset, so the runs fail on the checkpoint and nothing else.
  const std::string data = root + "/sft.jsonl";
  write(data, R"({"prompt": "What is 2 + 2?", "completion": "<think> 2 + 2 = 4 </think> <answer> 4 </answer>"})"
              "\n");
  const std::string recipe = root + "/recipe.yaml";
  write(recipe, "run_dir: " + root + "/run\nseed: 3\nthreads: 1\nstages:\n"
                "  - {name: sft, kind: sft, init: " + good + ", data: " + data +
                    ", template: hf, max_steps: 1, batch_size: 1, seq_len: 64, eval_frac: 0.0, eval: false}\n");
  int case_no = 0;
  // A copy of the good checkpoint changed by `edit`; `r1 sft` and `r1 eval` must refuse it with `says`.
  auto expect_refused = [&](const std::string& what, const std::function<void(const std::string&)>& edit,
                            const std::vector<std::string>& says) {
    INFO(what);
    const std::string bad = root + "/bad" + std::to_string(++case_no);
    fs::copy(good, bad);
    edit(bad);
    const std::string out = root + "/out" + std::to_string(case_no);
    auto sft = r1::test::run_r1("sft --recipe " + recipe + " --stage sft --init " + bad + " --out " + out);
    {
      INFO("r1 sft:\n" << sft.output);
      CHECK(sft.exit_code == 2);
      for (const auto& s : says) CHECK_THAT(sft.output, Catch::Contains(s));
    }
    require_no_result(out);
    CHECK_FALSE(fs::exists(out));  // refused by the preflight, before the stage directory is made
    const std::string eval_out = root + "/eval" + std::to_string(case_no) + ".json";
    auto eval = r1::test::run_r1("eval --model " + bad + " --data " + gsm8k("test") +
                                 " --answer-format gsm8k --n 1 --samples 1 --max-new-tokens 4 --out " + eval_out);
    {
      INFO("r1 eval:\n" << eval.output);
      CHECK(eval.exit_code == 2);
      for (const auto& s : says) CHECK_THAT(eval.output, Catch::Contains(s));
    }
    CHECK_FALSE(fs::exists(eval_out));
  };
  auto edit_config = [](const std::function<void(Json&)>& change) {
    return [change](const std::string& dir) {
      Json cfg = Json::parse(file_bytes(dir + "/config.json"));
      change(cfg);
      write(dir + "/config.json", cfg.dump(2));
    };
  };

  // The good checkpoint itself loads (the refusals below are the edits', not the fixture's).
  require_ok(r1::test::run_r1("eval --model " + good + " --data " + gsm8k("test") +
                              " --answer-format gsm8k --n 1 --samples 1 --max-new-tokens 4 --no-greedy"),
             "eval of the unedited checkpoint");

  expect_refused("rope_scaling of an unsupported type",
                 edit_config([](Json& c) {
                   c["rope_scaling"] = {{"rope_type", "longrope"}, {"factor", 4.0}, {"long_factor", {1.0}},
                                        {"short_factor", {1.0}}};
                 }),
                 {"config.json", "rope_scaling.rope_type", "\"longrope\" is not supported"});
  expect_refused("use_sliding_window true with a window shorter than the context",
                 edit_config([](Json& c) {
                   c["use_sliding_window"] = true;
                   c["sliding_window"] = 4096;
                 }),
                 {"config.json", "use_sliding_window", "sliding-window attention is not supported"});
  expect_refused("another architecture",
                 edit_config([](Json& c) {
                   c["architectures"] = {"GPT2LMHeadModel"};
                   c["model_type"] = "gpt2";
                 }),
                 {"config.json", "architectures", "unsupported architecture \"GPT2LMHeadModel\""});
  expect_refused("a shard named in the index but missing",
                 [](const std::string& dir) { fs::remove(fs::path(dir) / kShard2); },
                 {"model.safetensors.index.json", kShard2, "does not exist"});
  expect_refused("a tensor whose shape disagrees with config.json",
                 [](const std::string& dir) {
                   const std::string shard = dir + "/" + kShard1;
                   auto tensors = r1::load_safetensors(shard);
                   tensors["model.layers.0.self_attn.k_proj.weight"] =
                       torch::zeros({kHeads * kHeadDim, kHidden}, torch::kBFloat16);  // 4 kv heads, config says 2
                   r1::save_safetensors(shard, tensors, {{"format", "pt"}});
                 },
                 {"model.safetensors.index.json", "model.layers.0.self_attn.k_proj.weight", "has shape [32, 32]",
                  "the model needs [16, 32]"});
}
