// RoPE scaling: inverse frequencies and attention scaling of every supported rope_type against
// tests/data/rope_scaling.json (float64, written by tests/support/make_rope_fixture.py from the published formulas),
// read through config.json as r1 reads it; Rotary's cos/sin tables, dynamic scaling past max_position_embeddings,
// and the Transformer passing its config's scaling to its tables.
#include <catch2/catch.hpp>

#include <cmath>
#include <filesystem>
#include <fstream>

#include "../../support/test_support.h"
#include "r1/io/hf_config.h"
#include "r1/model/rope_scaling.h"
#include "r1/model/rotary.h"
#include "r1/model/transformer.h"

using r1::config::RopeScaling;
using r1::config::RopeType;

namespace {

r1::Json load_rope_fixture() {
  const auto path = std::filesystem::path(r1::test::source_dir()) / "tests" / "data" / "rope_scaling.json";
  INFO("fixture " << path.string());
  REQUIRE(std::filesystem::is_regular_file(path));
  std::ifstream in(path);
  return r1::Json::parse(in);
}

// The ModelConfig r1 reads from a config.json with the case's head size, theta, length and rope_scaling.
r1::config::ModelConfig config_of_case(const r1::Json& c) {
  const int head_dim = c["head_dim"].get<int>();
  r1::Json j = {{"architectures", r1::Json::array({"LlamaForCausalLM"})}, {"hidden_size", 2 * head_dim},
                {"intermediate_size", 16}, {"num_hidden_layers", 1}, {"num_attention_heads", 2},
                {"vocab_size", 10}, {"max_position_embeddings", c["max_position_embeddings"]},
                {"rope_theta", c["rope_theta"]}, {"rope_scaling", c["rope_scaling"]}};
  return r1::read_hf_config(j, "case/config.json").config;
}

void check_relative(double got, double want) {
  INFO("got " << got << ", want " << want);
  CHECK(std::abs(got - want) <= 1e-12 * std::abs(want));
}

// Expected cos (or sin) of position p and pair i: f(p * inv[i]) * scale.
double expected_table(bool cosine, int64_t p, double inv, double scale) {
  const double a = static_cast<double>(p) * inv;
  return (cosine ? std::cos(a) : std::sin(a)) * scale;
}

// Checks tables [B, 1, T, D/2] of `positions` [B, T] against cos/sin of outer(pos, inv) times scale.
void check_tables(const std::pair<torch::Tensor, torch::Tensor>& cs, const torch::Tensor& positions,
                  const std::vector<double>& inv, double scale) {
  const int64_t b = positions.size(0), t = positions.size(1), half = static_cast<int64_t>(inv.size());
  REQUIRE(cs.first.sizes() == torch::IntArrayRef({b, 1, t, half}));
  REQUIRE(cs.second.sizes() == torch::IntArrayRef({b, 1, t, half}));
  auto c = cs.first.to(torch::kFloat64), s = cs.second.to(torch::kFloat64);
  for (int64_t row = 0; row < b; ++row)
    for (int64_t k = 0; k < t; ++k)
      for (int64_t i = 0; i < half; ++i) {
        const int64_t p = positions[row][k].item<int64_t>();
        INFO("row " << row << " position " << p << " pair " << i);
        CHECK(c[row][0][k][i].item<double>() ==
              Approx(expected_table(true, p, inv[i], scale)).margin(1e-6));
        CHECK(s[row][0][k][i].item<double>() ==
              Approx(expected_table(false, p, inv[i], scale)).margin(1e-6));
      }
}

RopeScaling yarn_scaling() {
  RopeScaling s;
  s.type = RopeType::kYarn;
  s.factor = 4.0;
  s.original_max_position_embeddings = 16;
  s.beta_fast = 8.0;
  s.beta_slow = 1.0;
  return s;
}

}  // namespace

TEST_CASE("rope scaling frequencies and attention scaling match the float64 fixture", "[model]") {
  const r1::Json fixture = load_rope_fixture();
  REQUIRE(fixture["cases"].size() >= 10);
  for (const auto& c : fixture["cases"]) {
    INFO("case " << c["name"].get<std::string>());
    const r1::config::ModelConfig m = config_of_case(c);
    REQUIRE(m.rope_scaling.scaled());
    const auto inv = r1::model::rope_inverse_frequencies(m.head_size(), m.rope_theta, m.rope_scaling,
                                                         m.max_position_embeddings, c["seq_len"].get<int64_t>());
    const auto& want = c["inv_freq"];
    REQUIRE(inv.size() == want.size());
    for (size_t i = 0; i < inv.size(); ++i) {
      INFO("pair " << i);
      check_relative(inv[i], want[i].get<double>());
    }
    check_relative(r1::model::rope_attention_scaling(m.rope_scaling), c["attention_scaling"].get<double>());
  }
}

TEST_CASE("default rope scaling gives theta to the power minus 2i over d", "[model]") {
  RopeScaling none;
  const auto inv = r1::model::rope_inverse_frequencies(8, 10000.0, none, 16, 1000);
  REQUIRE(inv.size() == 4);
  for (size_t i = 0; i < inv.size(); ++i) check_relative(inv[i], std::pow(10000.0, -2.0 * i / 8.0));
  CHECK(r1::model::rope_attention_scaling(none) == 1.0);
  CHECK_FALSE(r1::model::rope_depends_on_length(none, 16, 1000));
}

TEST_CASE("rotary tables equal cos and sin of position times frequency times the attention scaling", "[model]") {
  RopeScaling llama3;
  llama3.type = RopeType::kLlama3;
  llama3.factor = 8.0;
  llama3.low_freq_factor = 1.0;
  llama3.high_freq_factor = 4.0;
  llama3.original_max_position_embeddings = 64;  // wavelengths 6.3 (kept), 30 (blended), 140 and 660 (/ 8)
  RopeScaling linear;
  linear.type = RopeType::kLinear;
  linear.factor = 2.0;
  auto positions = torch::tensor({0, 5, 31, 7, 1, 2}, torch::kInt64).view({2, 3});  // [B, T]
  auto like = torch::zeros({1}, torch::kFloat32);
  for (const RopeScaling& s : {yarn_scaling(), llama3, linear, RopeScaling{}}) {
    INFO("rope_type " << r1::config::enum_name(s.type));
    r1::model::Rotary rot(8, 32, 500.0, s);
    const auto inv = r1::model::rope_inverse_frequencies(8, 500.0, s, 32);
    const double scale = r1::model::rope_attention_scaling(s);
    CHECK(rot.attention_scaling() == scale);
    check_tables(rot.tables(positions, like), positions, inv, scale);
  }
  CHECK(r1::model::rope_attention_scaling(yarn_scaling()) == Approx(0.1 * std::log(4.0) + 1.0));
}

TEST_CASE("dynamic rotary tables use the frequencies of the longest position past max_position_embeddings",
          "[model]") {
  RopeScaling dynamic;
  dynamic.type = RopeType::kDynamic;
  dynamic.factor = 2.0;
  r1::model::Rotary rot(8, 16, 10000.0, dynamic);
  auto like = torch::zeros({1}, torch::kFloat32);
  // Up to max_position_embeddings: the default frequencies.
  auto short_pos = torch::tensor({0, 3, 15}, torch::kInt64).view({1, 3});
  check_tables(rot.tables(short_pos, like), short_pos, r1::model::rope_default_frequencies(8, 10000.0), 1.0);
  // Past it (max position 39, so 40 tokens): theta raised for that length, positions beyond the table included.
  auto long_pos = torch::tensor({0, 5, 20, 39, 38, 2}, torch::kInt64).view({2, 3});
  const auto inv = r1::model::rope_inverse_frequencies(8, 10000.0, dynamic, 16, 40);
  const double scaled_theta = 10000.0 * std::pow(2.0 * 40 / 16 - 1.0, 8.0 / 6.0);
  check_relative(inv[1], std::pow(scaled_theta, -2.0 / 8.0));
  CHECK(r1::model::rope_depends_on_length(dynamic, 16, 40));
  CHECK_FALSE(r1::model::rope_depends_on_length(dynamic, 16, 16));
  check_tables(rot.tables(long_pos, like), long_pos, inv, 1.0);
  // The same position gets other angles once the sequence is longer.
  auto at5 = torch::tensor({5}, torch::kInt64).view({1, 1});
  CHECK_FALSE(torch::allclose(rot.tables(at5, like).first.reshape({-1}), rot.tables(long_pos, like).first[0][0][1]));
}

TEST_CASE("the transformer builds its rotary tables with the config's rope scaling", "[model]") {
  r1::config::ModelConfig cfg = r1::test::micro_model_config();
  cfg.rope_scaling = yarn_scaling();
  r1::model::Transformer model(cfg, 50);
  CHECK(model->rotary().attention_scaling() == Approx(0.1 * std::log(4.0) + 1.0));
  auto positions = torch::arange(4, torch::kInt64).view({1, 4});
  const auto inv = r1::model::rope_inverse_frequencies(cfg.head_size(), cfg.rope_theta, cfg.rope_scaling,
                                                       cfg.max_position_embeddings);
  check_tables(model->rotary().tables(positions, torch::zeros({1})), positions, inv,
               r1::model::rope_attention_scaling(cfg.rope_scaling));
  auto logits = model->forward(torch::tensor({1, 2, 3, 4}, torch::kInt64).view({1, 4}));
  CHECK(logits.sizes() == torch::IntArrayRef({1, 4, 50}));
  CHECK(torch::isfinite(logits).all().item<bool>());
}
