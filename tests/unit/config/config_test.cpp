// Config layer: every kind of error with its exact message shape, --set overrides, kinds' defaults.
#include <catch2/catch.hpp>

#include "../../support/recipe_problems.h"

#include "r1/config/recipe.h"
#include "r1/util/error.h"

using namespace r1::config;

namespace {
using r1::test::has;
using r1::test::recipe_problems;

const char* kStages = R"(
stages:
  - {name: base, kind: pretrain, model: {hidden_size: 64, num_attention_heads: 4}}
  - {name: zero, kind: train-zero, init: base}
)";
}  // namespace

TEST_CASE("a valid recipe parses with kind defaults", "[config]") {
  Recipe r = parse_recipe(load_yaml_string(std::string("seed: 7\n") + kStages, "x.yaml"), "x.yaml");
  REQUIRE(r.run.seed == 7);
  REQUIRE(r.stages.size() == 2);
  REQUIRE(r.stages[1].kind() == StageKind::kTrainZero);
  REQUIRE(std::string(r.stages[1].kind_name()) == "train-zero");
  const auto& zero = std::get<RlStageConfig>(r.stages[1].config);
  REQUIRE(zero.rewards.size() == 2);
  REQUIRE(zero.sampling.temperature == 1.0);
  auto grpo = std::get<RlStageConfig>(default_stage_config(StageKind::kGrpo));
  REQUIRE(grpo.sampling.temperature == 0.7);
  REQUIRE(grpo.rewards.size() == 3);
}

TEST_CASE("wrong type names file, path, expectation and value", "[config]") {
  auto p = recipe_problems(R"(
stages:
  - {name: base, kind: pretrain}
  - {name: zero, kind: train-zero, init: base}
  - {name: r1, kind: grpo, init: zero, grpo: {group_size: eight}}
)");
  REQUIRE(has(p, "x.yaml: stages[2].grpo.group_size: expected an integer >= 2, got \"eight\""));
}

TEST_CASE("out of range, bad enum with hint, unknown key with hint", "[config]") {
  auto p = recipe_problems(R"(
stages:
  - {name: base, kind: pretrain, optim: {schedule: cosin, lr: -1}}
  - {name: zero, kind: train-zero, init: base, grpo: {betta: 0.1, group_size: 1}}
)");
  REQUIRE(has(p, "x.yaml: stages[0].optim.schedule: expected one of cosine|linear|constant, got \"cosin\" "
                 "(did you mean \"cosine\"?)"));
  REQUIRE(has(p, "x.yaml: stages[0].optim.lr: expected a number > 0, got \"-1\""));
  REQUIRE(has(p, "x.yaml: stages[1].grpo.betta: unknown key (did you mean \"beta\"?)"));
  REQUIRE(has(p, "x.yaml: stages[1].grpo.group_size: expected an integer >= 2, got \"1\""));
  REQUIRE(p.size() == 4);
}

TEST_CASE("sampling.kv_cache_dtype takes auto, float32 or bfloat16", "[config]") {
  auto p = recipe_problems(R"(
stages:
  - {name: base, kind: pretrain}
  - {name: zero, kind: train-zero, init: base, sampling: {kv_cache_dtype: bfloat16}}
  - {name: r1, kind: grpo, init: zero, sampling: {kv_cache_dtype: bf16}}
)");
  REQUIRE(has(p, "x.yaml: stages[2].sampling.kv_cache_dtype: expected one of auto|float32|bfloat16, got \"bf16\""));
  REQUIRE(p.size() == 1);
  REQUIRE(SamplingConfig{}.kv_cache_dtype == KvCacheDtype::kAuto);
}

TEST_CASE("missing required keys and unknown kinds", "[config]") {
  auto p = recipe_problems(R"(
stages:
  - {kind: pretrain}
  - {name: x, kind: sfft}
  - {name: y}
)");
  REQUIRE(has(p, "x.yaml: stages[0]: missing required key \"name\""));
  REQUIRE(has(p, "x.yaml: stages[1].kind: expected one of pretrain|train-zero|cold-start|sft|grpo|"
                 "rejection-sample|distill|eval, got \"sfft\" (did you mean \"sft\"?)"));
  REQUIRE(has(p, "x.yaml: stages[2]: missing required key \"kind\" (one of pretrain|train-zero|cold-start|sft|"
                 "grpo|rejection-sample|distill|eval)"));
  auto q = recipe_problems("seed: 1\n");
  REQUIRE(has(q, "x.yaml: missing required key \"stages\""));
}

TEST_CASE("cross-field checks quote the values", "[config]") {
  auto p = recipe_problems(R"(
stages:
  - {name: base, kind: pretrain}
  - {name: zero, kind: train-zero, init: base, grpo: {prompts_per_step: 4, group_size: 6, minibatch_size: 5}}
  - {name: cold, kind: cold-start, policy: zero, samples_per_prompt: 2, max_per_prompt: 3}
)");
  REQUIRE(has(p, "x.yaml: stages[1].grpo.minibatch_size: must divide prompts_per_step * group_size (24 % 5 != 0)"));
  REQUIRE(has(p, "x.yaml: stages[2].max_per_prompt: cannot exceed samples_per_prompt (3 > 2)"));
}

TEST_CASE("stage references must name earlier stages or existing paths", "[config]") {
  auto p = recipe_problems(R"(
stages:
  - {name: base, kind: pretrain}
  - {name: zero, kind: train-zero, init: bse}
  - {name: sft, kind: sft, init: base, data: later}
  - {name: later, kind: cold-start, policy: zero}
  - {name: zero, kind: eval, model: base}
)");
  REQUIRE(has(p, "x.yaml: stages[1].init: \"bse\" is neither an earlier stage of this recipe (did you mean "
                 "\"base\"?) nor an existing path"));
  REQUIRE(has(p, "x.yaml: stages[2].data: stage \"later\" runs later (stages[3]); a stage can only use earlier "
                 "stages"));
  REQUIRE(has(p, "x.yaml: stages[4].name: duplicate stage name \"zero\""));
}

TEST_CASE("set overrides (--set) with the same checks", "[config]") {
  std::string text = std::string("seed: 1\n") + kStages;
  Recipe r = parse_recipe(load_yaml_string(text, "x.yaml"), "x.yaml",
                          {parse_override("seed=99"), parse_override("stages.zero.grpo.beta=0.05"),
                           parse_override("stages[1].sampling.stop=[\"</answer>\", \"\\n\\n\"]"),
                           parse_override("stages.zero.grpo.ref_update_every=10")});
  REQUIRE(r.run.seed == 99);
  const auto& zero = std::get<RlStageConfig>(r.stages[1].config);
  REQUIRE(zero.grpo.beta == 0.05);
  REQUIRE(zero.grpo.ref_update_every == 10);
  REQUIRE(zero.sampling.stop.size() == 2);

  auto p = recipe_problems(text, {parse_override("stages.zero.grpo.group_size=eight")});
  REQUIRE(has(p, "x.yaml (--set): stages[1].grpo.group_size: expected an integer >= 2, got \"eight\""));
  auto q = recipe_problems(text, {parse_override("stages.zero.grpo.bta=1")});
  REQUIRE(has(q, "x.yaml (--set): stages[1].grpo.bta: unknown key (did you mean \"beta\"?)"));
  REQUIRE_THROWS_WITH(recipe_problems(text, {parse_override("stages.zer.grpo.beta=1")}),
                      Catch::Contains("no stage named \"zer\" (did you mean \"zero\"?)"));
  REQUIRE_THROWS_AS(parse_override("novalue"), r1::InputError);
}

TEST_CASE("single-stage files take run keys and CLI inputs", "[config]") {
  auto root = load_yaml_string("seed: 5\nthreads: 1\ngrpo: {group_size: 4}\n", "z.yaml");
  StageFile f = parse_stage_file(root, "z.yaml", StageKind::kTrainZero, {parse_override("init=ckpt")});
  REQUIRE(f.run.seed == 5);
  REQUIRE(f.stage.kind() == StageKind::kTrainZero);
  REQUIRE(std::get<RlStageConfig>(f.stage.config).grpo.group_size == 4);
  try {
    parse_stage_file(root, "z.yaml", StageKind::kTrainZero);
    FAIL("expected a ConfigError");
  } catch (const r1::ConfigError& e) {
    REQUIRE(has(e.problems(), "z.yaml: init: a train-zero stage needs init: a model stage or checkpoint path"));
  }
}

TEST_CASE("config hash changes with the config and not with threads", "[config]") {
  std::string text = std::string("seed: 1\n") + kStages;
  Recipe a = parse_recipe(load_yaml_string(text, "x.yaml"), "x.yaml");
  Recipe b = parse_recipe(load_yaml_string(text, "x.yaml"), "x.yaml", {parse_override("threads=1")});
  Recipe c = parse_recipe(load_yaml_string(text, "x.yaml"), "x.yaml", {parse_override("stages.zero.steps=3")});
  REQUIRE(config_hash(a.stages[1], a.run) == config_hash(b.stages[1], b.run));
  REQUIRE(config_hash(a.stages[1], a.run) != config_hash(c.stages[1], c.run));
}

TEST_CASE("config hash covers only values that differ from the kind's defaults", "[config]") {
  std::string text = std::string("seed: 1\n") + kStages;
  Recipe a = parse_recipe(load_yaml_string(text, "x.yaml"), "x.yaml");
  Recipe b = parse_recipe(load_yaml_string(text, "x.yaml"), "x.yaml",
                          {parse_override("stages.zero.sampling.kv_cache_dtype=bfloat16")});
  // A key set to its default value hashes as if it were absent (so a key added to r1 later, at its default,
  // leaves the hashes of existing runs unchanged).
  Recipe same = parse_recipe(load_yaml_string(text, "x.yaml"), "x.yaml",
                             {parse_override("stages.zero.steps=200"), parse_override("stages.zero.grpo.beta=0")});
  const std::string plain = hashed_config_text(a.stages[1], a.run), bf16 = hashed_config_text(b.stages[1], b.run);
  REQUIRE(plain == "stage:\n  name: zero\n  kind: train-zero\n  init: base\nseed: 1\n");
  REQUIRE(bf16.find("sampling:\n    kv_cache_dtype: bfloat16") != std::string::npos);
  REQUIRE(bf16.find("temperature") == std::string::npos);  // the rest of sampling is at its defaults
  REQUIRE(config_hash(a.stages[1], a.run) != config_hash(b.stages[1], b.run));
  REQUIRE(config_hash(a.stages[1], a.run) == config_hash(same.stages[1], same.run));
  // The dtype enters only when it is not the default.
  Recipe bf = parse_recipe(load_yaml_string(text, "x.yaml"), "x.yaml", {parse_override("dtype=bfloat16")});
  REQUIRE(hashed_config_text(bf.stages[1], bf.run).find("dtype: bfloat16") != std::string::npos);
}

TEST_CASE("GRPO variants: advantage, importance_sampling, rollout_correction, tis_cap, prompts.filter", "[config]") {
  Recipe r = parse_recipe(load_yaml_string(R"(
stages:
  - {name: base, kind: pretrain}
  - {name: zero, kind: train-zero, init: base,
     prompts: {filter: {min_pass_rate: 0.1, max_pass_rate: 0.9, window: 2}},
     grpo: {advantage: rloo, importance_sampling: sequence, epsilon_low: 3.0e-4, epsilon_high: 4.0e-4,
            rollout_correction: tis, tis_cap: 3}}
)",
                                           "x.yaml"),
                          "x.yaml");
  const auto& zero = std::get<RlStageConfig>(r.stages[1].config);
  CHECK(zero.grpo.advantage == AdvantageEstimator::kRloo);
  CHECK(zero.grpo.importance_sampling == ImportanceSampling::kSequence);
  CHECK(zero.grpo.rollout_correction == RolloutCorrection::kTis);
  CHECK(zero.grpo.tis_cap == 3.0);
  CHECK(zero.prompts.filter.enabled());
  CHECK(zero.prompts.filter.window == 2);
  auto defaults = std::get<RlStageConfig>(default_stage_config(StageKind::kGrpo));
  CHECK(defaults.grpo.advantage == AdvantageEstimator::kGrpo);
  CHECK(defaults.grpo.importance_sampling == ImportanceSampling::kToken);
  CHECK(defaults.grpo.rollout_correction == RolloutCorrection::kNone);
  CHECK_FALSE(defaults.prompts.filter.enabled());

  auto p = recipe_problems(R"(
stages:
  - {name: base, kind: pretrain}
  - {name: zero, kind: train-zero, init: base, prompts: {filter: {min_pass_rate: 0.9, max_pass_rate: 0.2, window: 1}},
     grpo: {advantage: reinforce_pp, scale_rewards: batch, importance_sampling: tokens, tis_cap: 0.5}}
  - {name: cold, kind: cold-start, policy: zero, prompts: {filter: {window: 1}}}
  - {name: ev, kind: eval, model: zero, eval: {prompts: {filter: {window: 3}}}}
)");
  CHECK(has(p, "x.yaml: stages[1].prompts.filter.min_pass_rate: must not exceed max_pass_rate (0.9 > 0.2)"));
  CHECK(has(p, "x.yaml: stages[1].grpo.scale_rewards: applies to advantage: grpo only; advantage: reinforce_pp has "
               "its own scaling (remove scale_rewards or use advantage: grpo)"));
  CHECK(has(p, "x.yaml: stages[1].grpo.importance_sampling: expected one of token|sequence, got \"tokens\" (did you "
               "mean \"token\"?)"));
  CHECK(has(p, "x.yaml: stages[1].grpo.tis_cap: expected a number >= 1, got \"0.5\""));
  CHECK(has(p, "x.yaml: stages[3].eval.prompts.filter.window: prompt filtering applies to the training prompts of "
               "GRPO stages (train-zero, grpo), not to evaluation prompts (an eval set is never filtered); remove "
               "prompts.filter here"));
  CHECK(has(p, "x.yaml: stages[2].prompts.filter.window: prompt filtering applies to the training prompts of GRPO "
               "stages (train-zero, grpo), not to a data stage's prompts; remove prompts.filter here"));
}
