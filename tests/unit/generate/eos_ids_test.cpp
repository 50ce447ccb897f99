// Several eos ids (Qwen2.5-Instruct's generation_config.json "eos_token_id": [151645, 151643]): every eos id of
// generation_config.json and config.json stops generation, and a saved checkpoint keeps generation_config.json.
#include <catch2/catch.hpp>
#include <filesystem>

#include "sampling_fixtures.h"
#include "r1/io/checkpoint.h"
#include "r1/train/model_bundle.h"
#include "r1/util/fs.h"

using namespace r1;
namespace fs = std::filesystem;

namespace {

Json read_json(const fs::path& path) { return Json::parse(read_file(path)); }

void write_json(const fs::path& path, const Json& j) { write_file_atomic(path, j.dump(2) + "\n"); }

config::SamplingConfig sampling(double temperature, int max_new_tokens) {
  config::SamplingConfig cfg;
  cfg.temperature = temperature;
  cfg.max_new_tokens = max_new_tokens;
  cfg.stop = {};
  return cfg;
}

// The first token greedy decoding of `prompt` emits with the checkpoint as written.
int first_greedy_token(const std::string& dir, const std::vector<int>& prompt) {
  auto bundle = train::load_model(dir, torch::kCPU);
  REQUIRE(bundle.tokenizer.eos_ids() == std::vector<int>{bundle.tokenizer.eos_id()});
  generate::Sampler sampler(*bundle.model, bundle.tokenizer);
  return sampler.generate({prompt}, sampling(0.0, 4), {1})[0].tokens.at(0);
}

}  // namespace

TEST_CASE("every eos id of generation_config.json and config.json stops generation", "[generate]") {
  const auto& tok = test::tiny_tokenizer();
  const int eos = tok.eos_id();
  const fs::path dir = fs::path(test::temp_dir("eos-ids")) / "model";
  test::write_fresh_checkpoint(dir.string(), test::micro_model_config(), 41);
  const auto prompt = generate::encode_prompt(tok, "What is 12 + 7?");
  // The token greedy decoding emits first becomes generation_config.json's second eos id: the row must end there.
  const int first = first_greedy_token(dir.string(), prompt);
  REQUIRE(first != eos);
  const int other = first + 1 == eos ? first + 2 : first + 1;  // config.json's second eos id
  Json gen = read_json(dir / "generation_config.json");
  gen["eos_token_id"] = {eos, first};
  gen["temperature"] = 0.6;
  gen["top_p"] = 0.95;
  gen["do_sample"] = true;
  write_json(dir / "generation_config.json", gen);
  Json conf = read_json(dir / "config.json");
  conf["eos_token_id"] = {eos, other};
  write_json(dir / "config.json", conf);

  auto loaded = load_checkpoint(dir.string(), false);
  CHECK(loaded.eos_ids == std::vector<int>{eos, other, first});
  auto bundle = train::load_model(dir.string(), torch::kCPU);
  CHECK(bundle.tokenizer.eos_id() == eos);
  CHECK(bundle.tokenizer.eos_ids() == std::vector<int>{eos, other, first});

  generate::Sampler sampler(*bundle.model, bundle.tokenizer);
  auto greedy = sampler.generate({prompt}, sampling(0.0, 8), {1});
  CHECK(greedy[0].finish == generate::FinishReason::kEos);
  CHECK(greedy[0].tokens == std::vector<int>{first});
  CHECK(greedy[0].text.empty());  // the eos id that ended the row is left out of the text

  // Sampled rows end at the first eos id of the three they draw, wherever it comes.
  std::vector<std::vector<int>> rows(24, prompt);
  std::vector<std::uint64_t> seeds;
  for (size_t i = 0; i < rows.size(); ++i) seeds.push_back(500 + i);
  int ended_on_extra = 0;
  for (const auto& c : sampler.generate(rows, sampling(1.0, 24), seeds)) {
    for (size_t j = 0; j + 1 < c.tokens.size(); ++j) REQUIRE_FALSE(bundle.tokenizer.is_eos(c.tokens[j]));
    REQUIRE((c.finish == generate::FinishReason::kEos) == bundle.tokenizer.is_eos(c.tokens.back()));
    if (c.finish == generate::FinishReason::kEos && c.tokens.back() != eos) ++ended_on_extra;
  }
  CHECK(ended_on_extra > 0);
}

TEST_CASE("a saved checkpoint keeps the input generation_config.json and every eos id", "[generate]") {
  const auto& tok = test::tiny_tokenizer();
  const int eos = tok.eos_id();
  const fs::path root = test::temp_dir("eos-save");
  const fs::path dir = root / "model";
  test::write_fresh_checkpoint(dir.string(), test::micro_model_config(), 42);
  Json gen = read_json(dir / "generation_config.json");
  gen["eos_token_id"] = {eos, 7};
  gen["temperature"] = 0.7;
  gen["top_p"] = 0.8;
  gen["repetition_penalty"] = 1.05;
  write_json(dir / "generation_config.json", gen);

  auto bundle = train::load_model(dir.string(), torch::kCPU);
  REQUIRE(bundle.tokenizer.eos_ids() == std::vector<int>{eos, 7});
  const fs::path saved = save_checkpoint(root.string(), "saved", train::checkpoint_content(bundle), 0);
  CHECK(read_file(saved / "generation_config.json") == read_file(dir / "generation_config.json"));
  CHECK(read_json(saved / "generation_config.json") == gen);
  CHECK(read_json(saved / "config.json")["eos_token_id"] == Json({eos, 7}));
  auto again = train::load_model(saved.string(), torch::kCPU);
  CHECK(again.tokenizer.eos_ids() == std::vector<int>{eos, 7});

  // Without an input generation_config.json r1 writes its own, listing every eos id.
  fs::remove(saved / "generation_config.json");
  auto bare = train::load_model(saved.string(), torch::kCPU);
  CHECK(bare.generation_config.empty());
  CHECK(bare.tokenizer.eos_ids() == std::vector<int>{eos, 7});  // config.json still lists both
  const fs::path own = save_checkpoint(root.string(), "own", train::checkpoint_content(bare), 0);
  Json written = read_json(own / "generation_config.json");
  CHECK(written["eos_token_id"] == Json({eos, 7}));
  CHECK(written["pad_token_id"] == tok.pad_id());
  CHECK_FALSE(written.contains("temperature"));
}
