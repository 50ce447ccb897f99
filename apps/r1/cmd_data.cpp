// `r1 data gen --task NAME --n N --seed S --out FILE [--levels 1,2] [--language en|es|mixed] [--split train|eval]`:
// writes a synthetic verifiable prompt set as JSONL, atomically. Rows: {id, task, level, language, question,
// answer, problem, numbers?, target?} (numbers/target for countdown; problem is the canonical problem text).
#include <iostream>

#include "commands.h"
#include "r1/config/fields.h"
#include "r1/data/prompt_source.h"
#include "r1/io/jsonl.h"
#include "r1/util/error.h"
#include "r1/util/fs.h"
#include "r1/util/strings.h"

namespace r1::cli {

namespace {
struct DataGenOptions {
  std::string task;
  int n = 0;
  std::uint64_t seed = 1234;
  std::string out;
  std::string levels = "1";
  std::string language = "en";
  std::string split = "train";
};

// The options as a prompt source, checked by the config layer (every problem at once).
config::PromptSourceConfig to_config(const DataGenOptions& o) {
  YAML::Node node(YAML::NodeType::Map);
  node["task"] = o.task;
  node["n"] = o.n;
  node["split"] = o.split;
  node["language"] = o.language;
  YAML::Node levels(YAML::NodeType::Sequence);
  for (const auto& part : split(o.levels, ',')) levels.push_back(trim(part));
  node["levels"] = levels;
  config::Problems problems("r1 data gen");
  config::PromptSourceConfig cfg;
  config::read_struct(node, cfg, "", problems);
  problems.throw_if_any();
  return cfg;
}

int run_gen(const DataGenOptions& o) {
  config::PromptSourceConfig cfg = to_config(o);
  std::vector<PromptExample> prompts = load_prompts(cfg, o.seed);
  std::string content;
  for (const auto& ex : prompts) {
    Json row = {{"id", ex.id},         {"task", ex.task},     {"level", ex.level},
                {"language", ex.language}, {"question", ex.question}, {"answer", ex.answer},
                {"problem", ex.problem_key}};
    if (ex.task == "countdown") {
      row["numbers"] = ex.numbers;
      row["target"] = ex.target;
    }
    content += row.dump(-1, ' ', false, Json::error_handler_t::replace) + "\n";
  }
  fs::path out(o.out);
  if (out.has_parent_path()) make_dirs(out.parent_path());
  write_file_atomic(out, content);
  std::cout << "wrote " << prompts.size() << " " << config::enum_name(cfg.split) << " prompts of " << cfg.task << " to " << o.out
            << "\n";
  return kExitOk;
}
}  // namespace

void register_data(CLI::App& app, Action& action) {
  auto opts = std::make_shared<DataGenOptions>();
  auto* data = app.add_subcommand("data", "Synthetic verifiable task data");
  data->require_subcommand(1);
  auto* gen = data->add_subcommand("gen", "Generate a JSONL prompt set of a synthetic task (deterministic per seed)");
  gen->add_option("--task", opts->task, "Task: arithmetic | countdown | linear")->required();
  gen->add_option("--n", opts->n, "Number of prompts")->required();
  gen->add_option("--seed", opts->seed, "Seed")->capture_default_str();
  gen->add_option("--out", opts->out, "Output JSONL file (written atomically)")->required();
  gen->add_option("--levels", opts->levels, "Difficulty levels 1..5, comma-separated (drawn uniformly)")
      ->capture_default_str();
  gen->add_option("--language", opts->language, "Question language: en | es | mixed")->capture_default_str();
  gen->add_option("--split", opts->split, "train | eval (disjoint sets of problems)")->capture_default_str();
  gen->callback([opts, &action] { action = [opts] { return run_gen(*opts); }; });
}

}  // namespace r1::cli
