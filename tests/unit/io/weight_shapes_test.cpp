// Weight names and shapes without tensor data: what a config needs equals what the model registers, and a
// checkpoint's headers (single file or shards) give what it holds.
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>

#include "../../support/test_support.h"
#include "r1/io/jsonl.h"
#include "r1/io/safetensors.h"
#include "r1/io/weight_shapes.h"
#include "r1/model/transformer.h"
#include "r1/util/error.h"

using namespace r1;
namespace fs = std::filesystem;

TEST_CASE("expected_weight_shapes names exactly the parameters the model registers, with their shapes", "[io]") {
  for (bool qkv_bias : {false, true}) {
    for (bool tied : {true, false}) {
      auto cfg = test::micro_model_config();
      cfg.qkv_bias = qkv_bias;
      cfg.tie_word_embeddings = tied;
      model::Transformer m(cfg, 301);
      WeightShapes registered;
      for (const auto& [name, w] : m->named_weights()) registered[name] = w.sizes().vec();
      INFO("qkv_bias " << qkv_bias << ", tied " << tied);
      REQUIRE(expected_weight_shapes(cfg, 301) == registered);
    }
  }
}

TEST_CASE("read_weight_shapes reads headers of one file or of an index's shards and names what disagrees", "[io]") {
  const std::string dir = test::temp_dir("weight_shapes");
  auto cfg = test::micro_model_config();
  model::Transformer m(cfg, 301);
  const auto weights = m->named_weights();
  save_safetensors(dir + "/model.safetensors", weights);
  std::map<std::string, std::string> files;
  const auto found = read_weight_shapes(dir, &files);
  const auto needed = expected_weight_shapes(cfg, 301);
  REQUIRE(found == needed);
  REQUIRE(weight_shape_mismatch(found, files, needed).empty());

  // Sharded: two shards and an index.
  const std::string sharded = test::temp_dir("weight_shapes_sharded");
  std::map<std::string, torch::Tensor> a, b;
  Json map = Json::object();
  bool first = true;
  for (const auto& [name, w] : weights) {
    (first ? a : b)[name] = w;
    map[name] = first ? "model-1.safetensors" : "model-2.safetensors";
    first = !first;
  }
  save_safetensors(sharded + "/model-1.safetensors", a);
  save_safetensors(sharded + "/model-2.safetensors", b);
  std::ofstream(sharded + "/model.safetensors.index.json") << Json{{"weight_map", map}}.dump();
  files.clear();
  REQUIRE(read_weight_shapes(sharded, &files) == needed);

  // A shape the config disagrees with: the file, the tensor and both shapes.
  auto other = cfg;
  other.intermediate_size = cfg.intermediate_size * 2;
  const auto message =
      weight_shape_mismatch(read_weight_shapes(sharded, &files), files, expected_weight_shapes(other, 301));
  CHECK_THAT(message, Catch::Contains("model-") && Catch::Contains("via model.safetensors.index.json") &&
                          Catch::Contains("mlp.") && Catch::Contains("the model needs"));
  // A missing shard.
  fs::remove(sharded + "/model-2.safetensors");
  CHECK_THROWS_WITH(read_weight_shapes(sharded), Catch::Contains("shard \"model-2.safetensors\"") &&
                                                     Catch::Contains("does not exist"));
  // A header that is not one.
  std::ofstream(dir + "/model.safetensors", std::ios::binary | std::ios::trunc) << "abc";
  CHECK_THROWS_AS(read_weight_shapes(dir), InputError);
}
