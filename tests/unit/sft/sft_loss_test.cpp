// SFT losses: completion-only masking on the stage's own token path, packed rows equal to one-example rows,
// and the distillation divergences against hand-computed values.
#include <catch2/catch.hpp>

#include <cmath>

#include "r1/data/packing.h"
#include "r1/sft/kd_loss.h"
#include "r1/sft/lm_trainer.h"
#include "r1/stages/sft_stage.h"
#include "r1/train/model_bundle.h"
#include "../../support/test_support.h"

namespace {

// kd_divergence with the divergence by its config name.
torch::Tensor kd_divergence(const torch::Tensor& s, const torch::Tensor& t, const torch::Tensor& mask, double temp,
                            const std::string& name) {
  return r1::sft::kd_divergence(s, t, mask, temp, r1::config::parse_enum<r1::config::KdDivergence>(name, "kd.divergence"));
}

using r1::SftExample;
using r1::TokenExample;
using r1::TokenRow;

SftExample sft(const std::string& prompt, const std::string& completion) {
  SftExample e;
  e.prompt = prompt;
  e.completion = completion;
  return e;
}

r1::train::ModelBundle micro_model(std::uint64_t seed) {
  return r1::train::fresh_model(r1::test::micro_model_config(), r1::test::tiny_tokenizer(), seed, torch::kCPU);
}

// Zeroes every attention output projection: each position then sees only its own token (no mixing across
// positions), so a completion token's loss depends on the token before it and nothing else.
void cut_attention(r1::model::TransformerImpl& model) {
  torch::NoGradGuard guard;
  int cut = 0;
  for (auto& item : model.named_parameters())
    if (item.key().find("o_proj") != std::string::npos) item.value().zero_(), ++cut;
  REQUIRE(cut == r1::test::micro_model_config().num_hidden_layers);
}

std::vector<TokenRow> unpacked(const std::vector<TokenExample>& ex, int pad) {
  return r1::make_token_rows(ex, 512, false, pad);
}

}  // namespace

TEST_CASE("SFT token examples carry loss on the completion and EOS only", "[stages]") {
  const auto& tok = r1::test::tiny_tokenizer();
  const std::string prompt = "User: What is 3 plus 4?\nAssistant:";
  const std::string completion = " <think> 3 plus 4 = 7 </think> <answer> 7 </answer>";
  auto examples = r1::stages::sft_token_examples({sft(prompt, completion)}, tok);
  REQUIRE(examples.size() == 1);
  const auto& ex = examples[0];
  auto p = tok.encode(prompt), c = tok.encode(completion);
  const size_t head = tok.bos_id() >= 0 ? 1 : 0;
  REQUIRE(ex.tokens.size() == head + p.size() + c.size() + 1);
  REQUIRE(ex.loss.size() == ex.tokens.size());
  if (head) CHECK(ex.tokens[0] == tok.bos_id());
  CHECK(ex.tokens.back() == tok.eos_id());
  for (size_t t = 0; t < head + p.size(); ++t) {
    INFO("prompt position " << t);
    CHECK(ex.loss[t] == 0);
  }
  for (size_t t = head + p.size(); t < ex.tokens.size(); ++t) {
    INFO("completion position " << t);
    CHECK(ex.loss[t] == 1);
  }

  // As a row: targets are the completion tokens and EOS, shifted by one; prompt positions have none.
  auto rows = unpacked(examples, tok.pad_id());
  REQUIRE(rows.size() == 1);
  const auto& row = rows[0];
  REQUIRE(row.targets.size() == ex.tokens.size());
  CHECK(row.loss_tokens() == static_cast<std::int64_t>(c.size() + 1));
  const size_t first = head + p.size() - 1;  // the last prompt token predicts the first completion token
  for (size_t t = 0; t < row.targets.size(); ++t) {
    INFO("row position " << t);
    if (t < first || t + 1 == row.targets.size()) CHECK(row.targets[t] == -1);
    else CHECK(row.targets[t] == ex.tokens[t + 1]);
  }
  CHECK(row.targets[first] == c.front());
  CHECK(row.targets[row.targets.size() - 2] == tok.eos_id());
}

TEST_CASE("SFT loss does not change when the prompt tokens change", "[stages]") {
  const auto& tok = r1::test::tiny_tokenizer();
  auto bundle = micro_model(11);
  cut_attention(*bundle.model);
  bundle.model->eval();
  const int pad = tok.pad_id();
  // Different prompts (content and length) that end in the same token: that token predicts the first
  // completion token, so it has to match; every other prompt token is free.
  const std::string p1 = "first add 12 and 7 then so the =", p2 = "luego suma 5 y 3 =";
  auto e1 = tok.encode(p1), e2 = tok.encode(p2);
  REQUIRE(e1.back() == e2.back());
  REQUIRE(e1 != e2);
  const std::string completion = " <think> 12 plus 7 </think> <answer> 19 </answer>";
  auto ex1 = r1::stages::sft_token_examples({sft(p1, completion)}, tok);
  auto ex2 = r1::stages::sft_token_examples({sft(p2, completion)}, tok);
  double l1 = r1::sft::mean_token_loss(*bundle.model, unpacked(ex1, pad), 4, 0, pad);
  double l2 = r1::sft::mean_token_loss(*bundle.model, unpacked(ex2, pad), 4, 0, pad);
  CHECK(l1 > 0.5);  // an untrained model: several nats per token
  CHECK(l1 == Approx(l2).epsilon(1e-6));

  // The check has teeth: with loss on every token the prompts enter the loss and it changes.
  for (auto* ex : {&ex1, &ex2})
    for (auto& e : *ex) std::fill(e.loss.begin(), e.loss.end(), 1);
  double a1 = r1::sft::mean_token_loss(*bundle.model, unpacked(ex1, pad), 4, 0, pad);
  double a2 = r1::sft::mean_token_loss(*bundle.model, unpacked(ex2, pad), 4, 0, pad);
  CHECK(std::abs(a1 - a2) > 1e-3);
}

TEST_CASE("Packed rows give the same mean token loss as one example per row", "[stages]") {
  const auto& tok = r1::test::tiny_tokenizer();
  auto bundle = micro_model(5);
  bundle.model->eval();
  const int pad = tok.pad_id();
  std::vector<SftExample> data;
  const char* qs[] = {"What is 3 plus 4?", "What is 12 minus 5?", "la respuesta es 7", "What is 6 times 2?",
                      "suma 1 y 2", "What is 40 plus 41 plus 42?"};
  const char* as[] = {"<think> 3 + 4 = 7 </think> <answer> 7 </answer>", "<answer> 7 </answer>",
                      "<think> luego 7 </think> <answer> 7 </answer>", "<think> 6 * 2 </think> <answer> 12 </answer>",
                      "<answer> 3 </answer>", "<think> 40 + 41 = 81, 81 + 42 = 123 </think> <answer> 123 </answer>"};
  for (int i = 0; i < 6; ++i) data.push_back(sft(std::string("User: ") + qs[i] + "\nAssistant:", as[i]));
  auto examples = r1::stages::sft_token_examples(data, tok);
  r1::PackStats stats;
  auto packed = r1::make_token_rows(examples, 96, true, pad, &stats);
  auto single = r1::make_token_rows(examples, 96, false, pad);
  REQUIRE(stats.truncated == 0);
  REQUIRE(packed.size() < single.size());  // several examples share a row
  REQUIRE(single.size() == examples.size());
  std::int64_t packed_tokens = 0, single_tokens = 0;
  for (const auto& r : packed) packed_tokens += r.loss_tokens();
  for (const auto& r : single) single_tokens += r.loss_tokens();
  REQUIRE(packed_tokens == single_tokens);

  double l_single = r1::sft::mean_token_loss(*bundle.model, single, 1, 0, pad);
  double l_single_batched = r1::sft::mean_token_loss(*bundle.model, single, 4, 0, pad);  // padded micro-batches
  double l_packed = r1::sft::mean_token_loss(*bundle.model, packed, 2, 0, pad);
  CHECK(l_single > 0.5);
  CHECK(l_packed == Approx(l_single).epsilon(1e-5));
  CHECK(l_single_batched == Approx(l_single).epsilon(1e-5));

  // Positions restart and attention stays inside each example: a row that simply concatenates the examples
  // (one segment) sees across them and gives a different loss.
  // (The first examples that fit the model's 128 positions.)
  TokenRow joined;
  std::vector<TokenRow> parts;
  for (const auto& r : single) {
    if (joined.tokens.size() + r.tokens.size() > 128) break;
    joined.tokens.insert(joined.tokens.end(), r.tokens.begin(), r.tokens.end());
    joined.targets.insert(joined.targets.end(), r.targets.begin(), r.targets.end());
    parts.push_back(r);
  }
  REQUIRE(parts.size() >= 2);
  joined.segments.assign(joined.tokens.size(), 0);
  double l_joined = r1::sft::mean_token_loss(*bundle.model, {joined}, 1, 0, pad);
  double l_parts = r1::sft::mean_token_loss(*bundle.model, parts, 1, 0, pad);
  CHECK(std::abs(l_joined - l_parts) > 1e-4);
}

TEST_CASE("KD divergences match hand-computed values", "[stages]") {
  // Position 0: student p = (1/4, 3/4) (logits 0, ln 3), teacher q = (1/2, 1/2) (logits 0, 0).
  // Position 1: student = teacher. Position 2: masked out.
  auto make = [](double scale) {
    auto s = torch::tensor({0.0, std::log(3.0), 0.3, -1.2, 2.0, 0.0}, torch::kFloat64).reshape({1, 3, 2}) * scale;
    auto t = torch::tensor({0.0, 0.0, 0.3, -1.2, -5.0, 5.0}, torch::kFloat64).reshape({1, 3, 2}) * scale;
    return std::make_pair(s.to(torch::kFloat32), t.to(torch::kFloat32));
  };
  auto mask = torch::tensor({1.0f, 1.0f, 0.0f}).reshape({1, 3});
  const double fwd = 0.5 * std::log(0.5 / 0.25) + 0.5 * std::log(0.5 / 0.75);   // KL(q || p) = 0.5 ln(4/3)
  const double rev = 0.25 * std::log(0.25 / 0.5) + 0.75 * std::log(0.75 / 0.5);  // KL(p || q)
  const double m0 = 0.375, m1 = 0.625;                                          // m = (p + q) / 2
  const double jsd = 0.5 * (0.5 * std::log(0.5 / m0) + 0.5 * std::log(0.5 / m1)) +
                     0.5 * (0.25 * std::log(0.25 / m0) + 0.75 * std::log(0.75 / m1));
  CHECK(fwd == Approx(0.1438410362));
  CHECK(rev == Approx(0.1308120359));
  CHECK(jsd == Approx(0.0338220756));
  struct Case {
    const char* name;
    double expected;
  };
  for (const auto& c : {Case{"forward_kl", fwd}, Case{"reverse_kl", rev}, Case{"jsd", jsd}}) {
    INFO(c.name);
    auto [s, t] = make(1.0);
    auto d = kd_divergence(s, t, mask, 1.0, c.name);
    REQUIRE(d.sizes() == torch::IntArrayRef({1, 3}));
    CHECK(d[0][0].item<double>() == Approx(c.expected).epsilon(1e-5));
    CHECK(std::abs(d[0][1].item<double>()) < 1e-6);
    CHECK(d[0][2].item<double>() == 0.0);
    // At temperature 2 the logits are halved (the same distributions from doubled logits) and scaled by 4.
    auto [s2, t2] = make(2.0);
    auto d2 = kd_divergence(s2, t2, mask, 2.0, c.name);
    CHECK(d2[0][0].item<double>() == Approx(4.0 * c.expected).epsilon(1e-5));
    CHECK(std::abs(d2[0][1].item<double>()) < 1e-6);
  }
  CHECK(rev != Approx(fwd));  // the two directions differ here, so a swapped pair would fail

  // Student = teacher: zero for every divergence on random logits.
  auto gen = torch::make_generator<at::CPUGeneratorImpl>(3);
  auto logits = torch::randn({2, 5, 17}, gen);
  auto ones = torch::ones({2, 5});
  for (const char* name : {"forward_kl", "reverse_kl", "jsd"}) {
    INFO(name);
    auto d = kd_divergence(logits, logits.clone(), ones, 1.5, name);
    CHECK(d.abs().max().item<double>() < 1e-5);
  }
  // And positive when they differ.
  auto other = torch::randn({2, 5, 17}, gen);
  for (const char* name : {"forward_kl", "reverse_kl", "jsd"}) {
    INFO(name);
    CHECK(kd_divergence(logits, other, ones, 1.0, name).min().item<double>() > 0.0);
  }
  CHECK_THROWS_WITH(kd_divergence(logits, other, ones, 1.0, "kl"), Catch::Contains("expected one of forward_kl|reverse_kl|jsd"));
}
