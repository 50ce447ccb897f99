// Bad inputs to the stage commands exit 2 with a message that names the problem, and leave no finished-looking
// output behind (no DONE, final/, checkpoints or data.jsonl): an empty dataset, an all-filtered data stage, a
// student/teacher tokenizer mismatch, a missing --init checkpoint, bad --set values, malformed recipes.
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>

#include "r1/io/checkpoint.h"
#include "r1/train/model_bundle.h"
#include "../support/test_support.h"

namespace {

namespace fs = std::filesystem;
const std::string kRecipe = "tests/data/micro_recipe.yaml";
using r1::test::require_no_result;

void write(const std::string& path, const std::string& text) { std::ofstream(path, std::ios::binary) << text; }

void require_bad_input(const r1::test::CommandResult& r, const std::vector<std::string>& says) {
  INFO(r.output);
  CHECK(r.exit_code == 2);
  for (const auto& s : says) CHECK_THAT(r.output, Catch::Contains(s));
}

}  // namespace

TEST_CASE("stage commands reject bad data and models with exit code 2", "[cli]") {
  const std::string root = r1::test::temp_dir("bad_inputs");
  const std::string init = root + "/init";
  r1::test::write_fresh_checkpoint(init, r1::test::micro_model_config(), 3);

  SECTION("an empty dataset") {
    write(root + "/empty.jsonl", "");
    const std::string out = root + "/sft_empty";
    auto r = r1::test::run_r1_in_source("sft --recipe " + kRecipe + " --stage sft --init " + init + " --data " + root +
                                        "/empty.jsonl --out " + out + " --set eval=false");
    require_bad_input(r, {"empty.jsonl", "empty"});
    require_no_result(out);
  }

  SECTION("a dataset that does not exist") {
    const std::string out = root + "/sft_missing";
    auto r = r1::test::run_r1_in_source("sft --recipe " + kRecipe + " --stage sft --init " + init + " --data " + root +
                                        "/nope.jsonl --out " + out + " --set eval=false");
    require_bad_input(r, {"nope.jsonl", "nor an existing path"});
    require_no_result(out);
  }

  SECTION("a data stage whose filters drop every sample") {
    const std::string out = root + "/cold";
    auto r = r1::test::run_r1_in_source("cold-start --recipe " + kRecipe + " --stage cold --policy " + init +
                                        " --out " + out +
                                        " --set filters.require_correct=true --set filters.require_format=true");
    require_bad_input(r, {"filtered out", "nothing written"});
    require_no_result(out);
  }

  SECTION("a student and teacher with different tokenizers") {
    // A second tokenizer, trained on other text.
    const std::string tok_dir = root + "/other_tok";
    fs::create_directories(tok_dir);
    {
      std::ofstream corpus(tok_dir + "/corpus.txt");
      for (int i = 0; i < 400; ++i)
        corpus << "zebra " << i << " quantum lattice " << (i * 7) % 13 << " <think> x </think> <answer> y </answer>\n";
    }
    r1::config::TokenizerConfig tc;
    tc.vocab_size = 400;
    auto other = r1::train_tokenizer(tok_dir + "/corpus.txt", tc, tok_dir);
    auto teacher = r1::train::fresh_model(r1::test::micro_model_config(), other, 4, torch::kCPU);
    r1::save_checkpoint(root, "teacher", r1::train::checkpoint_content(teacher), 0);
    const std::string out = root + "/student";
    auto r = r1::test::run_r1_in_source("distill --recipe " + kRecipe + " --stage student --init " + init +
                                        " --teacher " + root + "/teacher --data tests/data/sft_micro.jsonl --out " +
                                        out + " --set eval=false");
    require_bad_input(r, {"tokenizer mismatch", "teacher"});
    require_no_result(out);
  }

  SECTION("a missing checkpoint for --init") {
    const std::string out = root + "/zero";
    auto r = r1::test::run_r1_in_source("train-zero --recipe " + kRecipe + " --stage zero --init " + root +
                                        "/no_such_ckpt --out " + out + " --set eval=false");
    require_bad_input(r, {"no_such_ckpt", "nor an existing path"});
    require_no_result(out);
    // A directory that holds no checkpoint.
    fs::create_directories(root + "/empty_dir");
    r = r1::test::run_r1_in_source("sft --recipe " + kRecipe + " --stage sft --init " + root +
                                   "/empty_dir --data tests/data/sft_micro.jsonl --out " + out + " --set eval=false");
    require_bad_input(r, {"empty_dir", "no checkpoint found"});
    require_no_result(out);
  }
}

TEST_CASE("bad --set values and malformed recipes exit 2 before anything runs", "[cli]") {
  const std::string root = r1::test::temp_dir("bad_recipes");
  const std::string run_dir = root + "/run";
  const std::string run = "run " + kRecipe + " --set run_dir=" + run_dir;

  require_bad_input(r1::test::run_r1_in_source(run + " --set stages.base.steps=abc"), {"steps", "abc"});
  require_bad_input(r1::test::run_r1_in_source(run + " --set stages.base.steps=-3"), {"steps"});
  require_bad_input(r1::test::run_r1_in_source(run + " --set stages.base.stepz=3"), {"stepz", "steps"});
  require_bad_input(r1::test::run_r1_in_source(run + " --set stages.nosuch.steps=3"), {"nosuch"});
  require_bad_input(r1::test::run_r1_in_source(run + " --set seed"), {"--set", "key.path=value"});
  require_bad_input(r1::test::run_r1_in_source(run + " --set threads=many"), {"threads", "many"});
  require_bad_input(r1::test::run_r1_in_source(run + " --from nosuch"), {"--from", "nosuch"});
  require_bad_input(r1::test::run_r1_in_source("pretrain --recipe " + kRecipe + " --stage base --out " + run_dir +
                                               "/b --set optim.lr=fast"),
                    {"lr", "fast"});
  CHECK_FALSE(fs::exists(run_dir));

  // Malformed YAML: the error names the file.
  write(root + "/broken.yaml", "run_dir: x\nstages: [ {name: a, kind: pretrain\n");
  require_bad_input(r1::test::run_r1("run " + root + "/broken.yaml"), {"broken.yaml"});
  // Well-formed YAML that is not a valid recipe: every problem is listed.
  write(root + "/bad.yaml",
        "run_dir: " + run_dir + "\nseed: 1\nstages:\n"
        "  - {name: a, kind: pretrain, steps: 0}\n"
        "  - {name: b, kind: teleport}\n"
        "  - {name: a, kind: sft, init: a, data: x.jsonl}\n");
  auto r = r1::test::run_r1("run " + root + "/bad.yaml");
  require_bad_input(r, {"steps", "teleport"});
  // No stages at all.
  write(root + "/nostages.yaml", "run_dir: " + run_dir + "\nseed: 1\n");
  require_bad_input(r1::test::run_r1("run " + root + "/nostages.yaml"), {"stages"});
  // A missing recipe file.
  require_bad_input(r1::test::run_r1("run " + root + "/absent.yaml"), {"absent.yaml"});
  // validate reports the same problems with exit 2.
  require_bad_input(r1::test::run_r1("validate " + root + "/bad.yaml"), {"teleport"});
  CHECK_FALSE(fs::exists(run_dir));
}
