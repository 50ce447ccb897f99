// Checkpoint directories: save/load round trip, `latest`, pruning, leftovers of interrupted saves, resolution
// of stage dirs, sharded HF weights and their rejections.
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cstring>
#include <filesystem>

#include <torch/torch.h>

#include "r1/io/checkpoint.h"
#include "r1/io/safetensors.h"
#include "r1/util/error.h"
#include "r1/util/fs.h"

namespace fs = std::filesystem;

namespace {

struct TempDir {
  fs::path path;
  TempDir() {
    static int counter = 0;
    path = fs::temp_directory_path() /
           ("r1-checkpoint-test-" + std::to_string(::getpid()) + "-" + std::to_string(counter++));
    fs::remove_all(path);
    fs::create_directories(path);
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path, ec);
  }
};

bool same_bits(const at::Tensor& a, const at::Tensor& b) {
  if (a.scalar_type() != b.scalar_type() || a.sizes() != b.sizes()) return false;
  at::Tensor ca = a.contiguous(), cb = b.contiguous();
  size_t n = static_cast<size_t>(ca.numel()) * ca.element_size();
  return n == 0 || std::memcmp(ca.data_ptr(), cb.data_ptr(), n) == 0;
}

r1::CheckpointContent make_content(bool with_trainer_state = true) {
  torch::manual_seed(11);
  r1::CheckpointContent c;
  c.model.hidden_size = 16;
  c.model.intermediate_size = 32;
  c.model.num_hidden_layers = 1;
  c.model.num_attention_heads = 2;
  c.model.max_position_embeddings = 64;
  c.model.tie_word_embeddings = false;
  c.vocab_size = 10;
  c.bos_id = 1;
  c.eos_id = 2;
  c.pad_id = 0;
  c.torch_dtype = "bfloat16";
  c.bos_token = "<s>";
  c.eos_token = "</s>";
  c.pad_token = "<pad>";
  c.unk_token = "<unk>";
  c.weights["model.embed_tokens.weight"] = torch::randn({10, 16}).to(torch::kBFloat16);
  c.weights["model.layers.0.self_attn.q_proj.weight"] = torch::randn({16, 16}).to(torch::kBFloat16);
  c.weights["model.norm.weight"] = torch::ones({16}, torch::kBFloat16);
  c.weights["lm_head.weight"] = torch::randn({10, 16}).to(torch::kBFloat16);
  c.tokenizer_files["tokenizer.model"] = std::string("\x0a\x05<unk>\x00 spm bytes", 18);
  if (with_trainer_state) {
    c.trainer_state = {{"step", 5}, {"consumed_samples", 40}, {"stage", {{"lr", 1e-3}}}};
    c.trainer_tensors["optim.exp_avg.0"] = torch::randn({16, 16});
    c.trainer_tensors["rng.torch"] = torch::randint(0, 256, {32}, torch::kByte);
  }
  return c;
}

void touch(const fs::path& p, const std::string& content = "x") { r1::write_file_atomic(p, content); }

std::vector<std::string> children(const fs::path& dir) {
  std::vector<std::string> out;
  for (const auto& e : fs::directory_iterator(dir)) out.push_back(e.path().filename().string());
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace

TEST_CASE("checkpoint_name pads the step to six digits", "[io]") {
  CHECK(r1::checkpoint_name(200) == "checkpoint-000200");
  CHECK(r1::checkpoint_name(0) == "checkpoint-000000");
  CHECK(r1::checkpoint_name(1234567) == "checkpoint-1234567");
}

TEST_CASE("save_checkpoint writes an HF-readable dir that load_checkpoint reads back exactly", "[io]") {
  TempDir tmp;
  auto c = make_content();
  std::string stage = (tmp.path / "sft").string();
  std::string dir = r1::save_checkpoint(stage, r1::checkpoint_name(5), c, 0);
  CHECK(dir == (fs::path(stage) / "checkpoint-000005").string());
  for (const char* f : {"config.json", "model.safetensors", "tokenizer.model", "tokenizer_config.json",
                        "special_tokens_map.json", "generation_config.json", "trainer_state/state.json",
                        "trainer_state/tensors.safetensors"})
    CHECK(fs::is_regular_file(fs::path(dir) / f));
  CHECK(r1::read_file(fs::path(stage) / "latest") == "checkpoint-000005\n");
  CHECK(children(stage) == std::vector<std::string>{"checkpoint-000005", "latest"});

  auto config = r1::Json::parse(r1::read_file(fs::path(dir) / "config.json"));
  CHECK(config["architectures"][0] == "LlamaForCausalLM");
  CHECK(config["vocab_size"] == 10);
  CHECK(config["torch_dtype"] == "bfloat16");
  auto tok = r1::Json::parse(r1::read_file(fs::path(dir) / "tokenizer_config.json"));
  CHECK(tok["tokenizer_class"] == "LlamaTokenizer");
  CHECK(tok["bos_token"] == "<s>");
  CHECK(tok["eos_token"] == "</s>");
  CHECK(tok["pad_token"] == "<pad>");
  CHECK(tok["unk_token"] == "<unk>");
  CHECK(tok["model_max_length"] == 64);
  auto gen = r1::Json::parse(r1::read_file(fs::path(dir) / "generation_config.json"));
  CHECK(gen["bos_token_id"] == 1);
  CHECK(gen["eos_token_id"] == 2);
  std::map<std::string, std::string> meta;
  r1::load_safetensors((fs::path(dir) / "model.safetensors").string(), &meta);
  CHECK(meta.at("format") == "pt");

  auto loaded = r1::load_checkpoint(dir, true);
  CHECK(loaded.path == dir);
  CHECK(loaded.info.config.hidden_size == 16);
  CHECK(loaded.info.config.vocab_size == 10);
  CHECK_FALSE(loaded.info.config.tie_word_embeddings);
  CHECK(loaded.info.bos == 1);
  CHECK(loaded.info.eos == 2);
  CHECK(loaded.info.pad == 0);
  CHECK(loaded.info.torch_dtype == "bfloat16");
  CHECK(loaded.tokenizer_files == c.tokenizer_files);
  REQUIRE(loaded.weights.size() == c.weights.size());
  for (const auto& [name, t] : c.weights) CHECK(same_bits(loaded.weights.at(name), t));
  CHECK(loaded.trainer_state == c.trainer_state);
  REQUIRE(loaded.trainer_tensors.size() == 2);
  for (const auto& [name, t] : c.trainer_tensors) CHECK(same_bits(loaded.trainer_tensors.at(name), t));

  // Without trainer state requested, none is read.
  auto light = r1::load_checkpoint(dir, false);
  CHECK(light.trainer_state.is_null());
  CHECK(light.trainer_tensors.empty());
  // The stage dir resolves to its latest checkpoint.
  CHECK(r1::load_checkpoint(stage, false).path == dir);
}

TEST_CASE("exported checkpoints without trainer state have no trainer_state dir", "[io]") {
  TempDir tmp;
  auto c = make_content(false);
  std::string dir = r1::save_checkpoint(tmp.path.string(), "final", c, 3);
  CHECK_FALSE(fs::exists(fs::path(dir) / "trainer_state"));
  auto loaded = r1::load_checkpoint(dir, true);
  CHECK(loaded.trainer_state.is_null());
  CHECK(loaded.trainer_tensors.empty());
  // Saving "final" again replaces it.
  c.weights["model.norm.weight"] = torch::full({16}, 2.0, torch::kBFloat16);
  r1::save_checkpoint(tmp.path.string(), "final", c, 3);
  CHECK(r1::load_checkpoint(dir, false).weights.at("model.norm.weight").to(torch::kFloat).sum().item<float>() == 32.0f);
  CHECK(children(tmp.path) == std::vector<std::string>{"final", "latest"});
}

TEST_CASE("keep_last prunes old checkpoints, final and the new one are never pruned", "[io]") {
  TempDir tmp;
  auto c = make_content();
  std::string stage = tmp.path.string();
  for (long step : {10, 20, 30}) r1::save_checkpoint(stage, r1::checkpoint_name(step), c, 2);
  CHECK(children(stage) == std::vector<std::string>{"checkpoint-000020", "checkpoint-000030", "latest"});
  r1::save_checkpoint(stage, "final", c, 2);
  CHECK(children(stage) == std::vector<std::string>{"checkpoint-000020", "checkpoint-000030", "final", "latest"});
  CHECK(r1::read_file(fs::path(stage) / "latest") == "final\n");
  r1::save_checkpoint(stage, r1::checkpoint_name(40), c, 1);
  CHECK(children(stage) == std::vector<std::string>{"checkpoint-000040", "final", "latest"});
  // A resumed run saving an older step keeps it even though higher numbers exist.
  r1::save_checkpoint(stage, r1::checkpoint_name(35), c, 1);
  CHECK(children(stage) == std::vector<std::string>{"checkpoint-000035", "final", "latest"});
  CHECK(*r1::latest_checkpoint(stage) == (fs::path(stage) / "checkpoint-000035").string());
  // keep_last 0 keeps everything.
  for (long step : {50, 60, 70}) r1::save_checkpoint(stage, r1::checkpoint_name(step), c, 0);
  CHECK(children(stage).size() == 6);
}

TEST_CASE("latest_checkpoint ignores leftovers and incomplete dirs, save removes leftovers", "[io]") {
  TempDir tmp;
  fs::path stage = tmp.path / "stage";
  CHECK_FALSE(r1::latest_checkpoint(stage.string()).has_value());  // missing dir
  fs::create_directories(stage);
  CHECK_FALSE(r1::latest_checkpoint(stage.string()).has_value());  // empty dir

  auto c = make_content();
  std::string ck10 = r1::save_checkpoint(stage.string(), r1::checkpoint_name(10), c, 0);
  // A crash mid-save leaves a hidden temp dir holding a complete-looking checkpoint with a higher step.
  fs::path leftover = stage / ".tmp-checkpoint-000020-99999";
  fs::copy(ck10, leftover, fs::copy_options::recursive);
  fs::create_directories(stage / "checkpoint-000015.old.tmp.4242.1");
  CHECK(*r1::latest_checkpoint(stage.string()) == ck10);

  // A checkpoint dir missing model.safetensors is not "latest", even if `latest` names it.
  fs::path broken = stage / "checkpoint-000030";
  fs::create_directories(broken);
  touch(broken / "config.json", r1::read_file(fs::path(ck10) / "config.json"));
  touch(broken / "tokenizer.model");
  CHECK_FALSE(r1::is_complete_checkpoint(broken.string()));
  CHECK(r1::is_complete_checkpoint(ck10));
  touch(stage / "latest", "checkpoint-000030\n");
  CHECK(*r1::latest_checkpoint(stage.string()) == ck10);

  // `latest` missing, pointing outside, or garbage: fall back to the highest-numbered complete dir.
  std::string ck12 = r1::save_checkpoint(stage.string(), r1::checkpoint_name(12), c, 0);
  CHECK_FALSE(fs::exists(leftover));  // removed by the save
  CHECK_FALSE(fs::exists(stage / "checkpoint-000015.old.tmp.4242.1"));
  r1::save_checkpoint(stage.string(), r1::checkpoint_name(11), c, 0);
  CHECK(*r1::latest_checkpoint(stage.string()) == (stage / "checkpoint-000011").string());  // `latest` wins
  fs::remove(stage / "latest");
  CHECK(*r1::latest_checkpoint(stage.string()) == ck12);
  touch(stage / "latest", "../elsewhere\n");
  CHECK(*r1::latest_checkpoint(stage.string()) == ck12);
  touch(stage / "latest", "checkpoint-000099\n");
  CHECK(*r1::latest_checkpoint(stage.string()) == ck12);
  // A complete final beats numbered checkpoints when `latest` is unusable.
  r1::save_checkpoint(stage.string(), "final", c, 0);
  touch(stage / "latest", "");
  CHECK(*r1::latest_checkpoint(stage.string()) == (stage / "final").string());
}

TEST_CASE("resolve_checkpoint_dir accepts checkpoint, stage and HF dirs", "[io]") {
  TempDir tmp;
  auto c = make_content(false);
  fs::path stage = tmp.path / "run" / "base";
  std::string ck = r1::save_checkpoint(stage.string(), r1::checkpoint_name(3), c, 0);
  CHECK(r1::resolve_checkpoint_dir(ck) == ck);
  CHECK(r1::resolve_checkpoint_dir(stage.string()) == ck);
  std::string fin = r1::save_checkpoint(stage.string(), "final", c, 0);
  r1::save_checkpoint(stage.string(), r1::checkpoint_name(4), c, 0);  // latest now names checkpoint-4
  CHECK(r1::resolve_checkpoint_dir(stage.string()) == fin);           // final wins for a stage dir

  fs::path hf = tmp.path / "hf";
  fs::create_directories(hf);
  touch(hf / "config.json", "{}");
  CHECK(r1::resolve_checkpoint_dir(hf.string()) == hf.string());

  fs::path empty = tmp.path / "empty";
  fs::create_directories(empty);
  CHECK_THROWS_AS(r1::resolve_checkpoint_dir(empty.string()), r1::InputError);
  CHECK_THROWS_WITH(r1::resolve_checkpoint_dir(empty.string()),
                    Catch::Contains("no checkpoint found in " + empty.string()));
  CHECK_THROWS_WITH(r1::resolve_checkpoint_dir((tmp.path / "nope").string()), Catch::Contains("no such"));
  touch(tmp.path / "file.txt");
  CHECK_THROWS_WITH(r1::resolve_checkpoint_dir((tmp.path / "file.txt").string()), Catch::Contains("found a file"));
}

TEST_CASE("load_checkpoint errors name the file and the key", "[io]") {
  TempDir tmp;
  auto c = make_content();
  std::string dir = r1::save_checkpoint(tmp.path.string(), "final", c, 0);
  fs::path d(dir);

  fs::rename(d / "tokenizer.model", d / "tok.bak");
  CHECK_THROWS_WITH(r1::load_checkpoint(dir, false), Catch::Contains("no tokenizer (expected tokenizer.json or tokenizer.model)"));
  fs::rename(d / "tok.bak", d / "tokenizer.model");

  std::string config = r1::read_file(d / "config.json");
  touch(d / "config.json", "{\"hidden_size\": ");
  CHECK_THROWS_WITH(r1::load_checkpoint(dir, false),
                    Catch::Contains((d / "config.json").string()) && Catch::Contains("not valid JSON"));
  auto j = r1::Json::parse(config);
  j["hidden_act"] = "relu";
  touch(d / "config.json", j.dump());
  CHECK_THROWS_WITH(r1::load_checkpoint(dir, false), Catch::Contains("config.json") && Catch::Contains("hidden_act"));
  touch(d / "config.json", config);

  touch(d / "trainer_state" / "state.json", "[1, 2");
  CHECK_THROWS_WITH(r1::load_checkpoint(dir, true), Catch::Contains("state.json"));
  CHECK_NOTHROW(r1::load_checkpoint(dir, false));
  fs::remove(d / "trainer_state" / "state.json");
  CHECK_THROWS_WITH(r1::load_checkpoint(dir, true), Catch::Contains("missing state.json"));
  fs::remove_all(d / "trainer_state");

  std::string weights = r1::read_file(d / "model.safetensors");
  touch(d / "model.safetensors", weights.substr(0, weights.size() / 2));
  CHECK_THROWS_WITH(r1::load_checkpoint(dir, false), Catch::Contains("model.safetensors") && Catch::Contains("tensor"));
  fs::remove(d / "model.safetensors");
  CHECK_THROWS_WITH(r1::load_checkpoint(dir, false), Catch::Contains("no model weights"));
}

TEST_CASE("eos_token_id lists of generation_config.json and config.json load and round-trip", "[io]") {
  TempDir tmp;
  auto c = make_content(false);
  c.eos_ids = {2, 5};
  std::string dir = r1::save_checkpoint(tmp.path.string(), "own", c, 0);
  fs::path d(dir);
  // r1's own files list both ids (eos_id first) and load back as they were written.
  CHECK(r1::Json::parse(r1::read_file(d / "generation_config.json"))["eos_token_id"] == r1::Json({2, 5}));
  CHECK(r1::Json::parse(r1::read_file(d / "config.json"))["eos_token_id"] == r1::Json({2, 5}));
  auto own = r1::load_checkpoint(dir, false);
  CHECK(own.info.eos == 2);
  CHECK(own.info.eos_ids == std::vector<int>{2, 5});
  CHECK(own.eos_ids == std::vector<int>{2, 5});

  // An input generation_config.json is carried as bytes and written back unchanged.
  const std::string gen = "{\n  \"eos_token_id\": [2, 7, 5],\n  \"temperature\": 0.7,\n  \"top_p\": 0.8\n}\n";
  touch(d / "generation_config.json", gen);
  auto loaded = r1::load_checkpoint(dir, false);
  CHECK(loaded.generation_config == gen);
  CHECK(loaded.eos_ids == std::vector<int>{2, 5, 7});  // config.json's ids, then generation_config.json's new one
  c.generation_config = loaded.generation_config;
  std::string again = r1::save_checkpoint(tmp.path.string(), "again", c, 0);
  CHECK(r1::read_file(fs::path(again) / "generation_config.json") == gen);

  // Absent or null: no eos id from that file.
  touch(d / "generation_config.json", "{\"eos_token_id\": null, \"bos_token_id\": 1}");
  CHECK(r1::load_checkpoint(dir, false).eos_ids == std::vector<int>{2, 5});
  fs::remove(d / "generation_config.json");
  auto bare = r1::load_checkpoint(dir, false);
  CHECK(bare.generation_config.empty());
  CHECK(bare.eos_ids == std::vector<int>{2, 5});
}

TEST_CASE("bad eos_token_id values are refused naming the file and the key", "[io]") {
  TempDir tmp;
  auto c = make_content(false);  // vocab_size 10
  std::string dir = r1::save_checkpoint(tmp.path.string(), "final", c, 0);
  fs::path d(dir);
  const fs::path gen_file = d / "generation_config.json";
  for (const char* bad : {"\"</s>\"", "2.5", "{\"id\": 2}", "true", "[2, \"</s>\"]", "[2, -1]", "[2, [3]]", "-4",
                          "10", "[2, 10]", "[2, 4294967296]"}) {
    INFO("eos_token_id " << bad);
    touch(gen_file, std::string("{\"bos_token_id\": 1, \"eos_token_id\": ") + bad + "}");
    CHECK_THROWS_AS(r1::load_checkpoint(dir, false), r1::InputError);
    CHECK_THROWS_WITH(r1::load_checkpoint(dir, false),
                      Catch::Contains(gen_file.string()) && Catch::Contains("\"eos_token_id"));
  }
  touch(gen_file, "{\"eos_token_id\": [2, 10]}");
  CHECK_THROWS_WITH(r1::load_checkpoint(dir, false), Catch::Contains("id 10 is outside the model's vocabulary"));
  touch(gen_file, "{\"eos_token_id\": [2, \"</s>\"]}");
  CHECK_THROWS_WITH(r1::load_checkpoint(dir, false), Catch::Contains("\"eos_token_id[1]\": expected an integer"));
  touch(gen_file, "{\"eos_token_id\": \"</s>\"}");
  CHECK_THROWS_WITH(r1::load_checkpoint(dir, false),
                    Catch::Contains("expected a token id or a list of token ids, got \"</s>\""));
  touch(gen_file, "[2]");
  CHECK_THROWS_WITH(r1::load_checkpoint(dir, false),
                    Catch::Contains(gen_file.string()) && Catch::Contains("expected a JSON object"));
  touch(gen_file, "{\"eos_token_id\": ");
  CHECK_THROWS_WITH(r1::load_checkpoint(dir, false),
                    Catch::Contains(gen_file.string()) && Catch::Contains("not valid JSON"));
  touch(gen_file, "");
  CHECK_THROWS_WITH(r1::load_checkpoint(dir, false), Catch::Contains(gen_file.string()));
  fs::remove(gen_file);

  // config.json's list is checked the same way.
  const fs::path config_file = d / "config.json";
  auto config = r1::Json::parse(r1::read_file(config_file));
  for (const r1::Json& bad : {r1::Json({2, "</s>"}), r1::Json({2, 10}), r1::Json({2, -3})}) {
    INFO("eos_token_id " << bad.dump());
    config["eos_token_id"] = bad;
    touch(config_file, config.dump());
    CHECK_THROWS_AS(r1::load_checkpoint(dir, false), r1::InputError);
    CHECK_THROWS_WITH(r1::load_checkpoint(dir, false),
                      Catch::Contains(config_file.string()) && Catch::Contains("\"eos_token_id"));
  }
}

TEST_CASE("save_checkpoint refuses when the disk cannot hold it", "[io]") {
  TempDir tmp;
  auto c = make_content(false);
  // 2^42 elements viewed through a 1-element storage: 16 TiB claimed, nothing allocated.
  c.weights["huge"] = torch::zeros({1}).expand({int64_t{1} << 42});
  CHECK_THROWS_AS(r1::save_checkpoint(tmp.path.string(), "final", c, 0), r1::RuntimeFailure);
  CHECK_THROWS_WITH(r1::save_checkpoint(tmp.path.string(), "final", c, 0), Catch::Contains("not enough disk space"));
  CHECK(children(tmp.path).empty());
  CHECK_THROWS_AS(r1::save_checkpoint(tmp.path.string(), "../escape", c, 0), r1::RuntimeFailure);
}

TEST_CASE("sharded HF checkpoints load, and inconsistent indexes are rejected", "[io]") {
  TempDir tmp;
  auto c = make_content(false);
  fs::path d = tmp.path / "hf";
  std::string single = r1::save_checkpoint(tmp.path.string(), "hf", c, 0);
  fs::remove(d / "model.safetensors");
  std::map<std::string, at::Tensor> shard1, shard2;
  r1::Json weight_map = r1::Json::object();
  int i = 0;
  for (const auto& [name, t] : c.weights) {
    bool first = i++ % 2 == 0;
    (first ? shard1 : shard2)[name] = t;
    weight_map[name] = first ? "model-00001-of-00002.safetensors" : "model-00002-of-00002.safetensors";
  }
  r1::save_safetensors((d / "model-00001-of-00002.safetensors").string(), shard1);
  r1::save_safetensors((d / "model-00002-of-00002.safetensors").string(), shard2);
  r1::Json index = {{"metadata", {{"total_size", 1234}}}, {"weight_map", weight_map}};
  touch(d / "model.safetensors.index.json", index.dump(2));
  CHECK(r1::is_complete_checkpoint(d.string()));

  auto loaded = r1::load_checkpoint(d.string(), false);
  REQUIRE(loaded.weights.size() == c.weights.size());
  for (const auto& [name, t] : c.weights) CHECK(same_bits(loaded.weights.at(name), t));

  auto expect_bad = [&](const r1::Json& idx, const std::string& text) {
    touch(d / "model.safetensors.index.json", idx.dump());
    INFO(text);
    CHECK_THROWS_AS(r1::load_checkpoint(d.string(), false), r1::InputError);
    CHECK_THROWS_WITH(r1::load_checkpoint(d.string(), false), Catch::Contains(text));
  };
  // A mapped tensor the shard does not hold.
  auto missing = index;
  missing["weight_map"]["model.layers.9.mlp.up_proj.weight"] = "model-00001-of-00002.safetensors";
  expect_bad(missing, "tensor is missing from shard");
  // A tensor listed under the other shard than the one holding it.
  auto swapped = index;
  swapped["weight_map"]["lm_head.weight"] =
      index["weight_map"]["lm_head.weight"] == "model-00001-of-00002.safetensors" ? "model-00002-of-00002.safetensors"
                                                                                  : "model-00001-of-00002.safetensors";
  expect_bad(swapped, "lm_head.weight");
  // A shard that does not exist, a path outside the dir, a bad weight_map.
  auto gone = index;
  gone["weight_map"]["lm_head.weight"] = "model-00003-of-00003.safetensors";
  expect_bad(gone, "does not exist");
  auto escape = index;
  escape["weight_map"]["lm_head.weight"] = "../other/model.safetensors";
  expect_bad(escape, "plain file name");
  expect_bad({{"weight_map", {1, 2}}}, "weight_map");
  expect_bad({{"metadata", {}}}, "\"weight_map\": missing");
  expect_bad({{"weight_map", {{"lm_head.weight", 3}}}}, "expected a file name");
  // The same tensor in two shards.
  auto dup = shard2;
  dup.insert(*shard1.begin());
  r1::save_safetensors((d / "model-00002-of-00002.safetensors").string(), dup);
  expect_bad(index, "also in shard");
  (void)single;
}
