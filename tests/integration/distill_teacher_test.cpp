// The distill stage's teacher: with the logit term off (kd.weight 0) it gives the fresh student its tokenizer and
// nothing else (its weights are not read, as the memory estimate assumes); with it on,
// the stage logs the teacher it distils from.
#include <catch2/catch.hpp>

#include <filesystem>

#include "r1/io/checkpoint.h"
#include "r1/train/model_bundle.h"
#include "../support/test_support.h"

TEST_CASE("a distill teacher at kd.weight 0 gives the fresh student its tokenizer only", "[cli][e2e]") {
  namespace fs = std::filesystem;
  const std::string root = r1::test::temp_dir("distill_teacher");
  auto teacher = r1::train::fresh_model(r1::test::micro_model_config(), r1::test::tiny_tokenizer(), 4, torch::kCPU);
  r1::save_checkpoint(root, "teacher", r1::train::checkpoint_content(teacher), 0);
  const std::string args = "distill --recipe tests/data/micro_recipe.yaml --stage student --teacher " + root +
                           "/teacher --data tests/data/sft_micro.jsonl --set eval=false --set max_steps=2";

  auto off = r1::test::run_r1_in_source(args + " --set kd.weight=0 --out " + root + "/off");
  INFO(off.output);
  REQUIRE(off.exit_code == 0);
  CHECK_THAT(off.output, Catch::Contains("kd.weight 0: teacher " + root + "/teacher gives its tokenizer only"));
  CHECK_THAT(off.output, !Catch::Contains("kd weight"));
  auto student = r1::train::load_model(root + "/off/final", torch::kCPU);
  CHECK(student.tokenizer.vocab_size() == teacher.tokenizer.vocab_size());
  CHECK(student.model->parameter_count() < teacher.model->parameter_count());  // the recipe's smaller shape

  auto on = r1::test::run_r1_in_source(args + " --out " + root + "/on");
  INFO(on.output);
  REQUIRE(on.exit_code == 0);
  CHECK_THAT(on.output, Catch::Contains("kd weight 0.5"));
  CHECK_THAT(on.output, !Catch::Contains("gives its tokenizer only"));
  CHECK(fs::exists(root + "/on/final/model.safetensors"));
}
