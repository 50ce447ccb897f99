// The single-stage subcommands (`r1 pretrain|train-zero|cold-start|sft|grpo|rejection-sample|distill`) and
// `r1 run RECIPE`: options parsing only; the work is in stages/.
#include <filesystem>
#include <iostream>
#include <variant>

#include "commands.h"
#include "r1/config/recipe.h"
#include "r1/dist/world.h"
#include "r1/stages/pipeline.h"
#include "r1/stages/stage_runner.h"
#include "r1/train/runtime.h"
#include "r1/util/error.h"
#include "r1/util/logging.h"
#include "r1/util/signals.h"

namespace r1::cli {

namespace {

struct StageOptions {
  std::string kind;
  std::string recipe, stage, config_file;
  std::string init, data, policy, teacher, out;
  std::string resume = "auto";
  std::vector<std::string> sets;
};

// The stage-input flag each kind takes (besides --set).
struct InputFlags {
  bool init, data, policy, teacher;
};
InputFlags flags_for(const std::string& kind) {
  if (kind == "pretrain") return {true, false, false, false};
  if (kind == "train-zero" || kind == "grpo") return {true, false, false, false};
  if (kind == "cold-start" || kind == "rejection-sample") return {false, false, true, false};
  if (kind == "sft") return {true, true, false, false};
  return {true, true, false, true};  // distill
}

int run_single_stage(const StageOptions& o) {
  std::vector<config::Override> overrides;
  for (const auto& s : o.sets) overrides.push_back(config::parse_override(s));
  // Input flags are overrides of the stage's own keys.
  auto input = [&](const char* key, const std::string& value) {
    if (!value.empty()) overrides.push_back({key, value});
  };
  input("init", o.init);
  input("data", o.data);
  input("policy", o.policy);
  input("teacher", o.teacher);

  stages::StageRun run;
  if (!o.config_file.empty() && !o.recipe.empty())
    throw InputError("give either --config FILE or --recipe FILE --stage NAME, not both");
  if (!o.recipe.empty()) {
    if (o.stage.empty()) throw InputError("--recipe needs --stage NAME");
    // Stage keys are relative to the stage; run-wide keys (seed, device, ...) stay at the top. A key both have
    // (`eval`: the stage's on/off switch, the run's eval settings) is the stage's when set whole (eval=false) and
    // the run's when a sub-key is set (eval.samples=2).
    const auto run_keys = config::field_names<config::RunSettings>();
    config::StageVariant stage_defaults = config::default_stage_config(o.kind);
    config::FieldLister stage_lister;
    std::visit([&](auto& c) { c.visit(stage_lister); }, stage_defaults);
    const auto& stage_keys = stage_lister.names;
    auto has = [](const std::vector<std::string>& keys, const std::string& k) {
      return std::find(keys.begin(), keys.end(), k) != keys.end();
    };
    for (auto& ov : overrides) {
      std::string head = ov.path.substr(0, ov.path.find_first_of(".["));
      bool run_key = has(run_keys, head) && !(ov.path == head && has(stage_keys, head));
      if (!run_key) ov.path = "stages." + o.stage + "." + ov.path;
    }
    config::Recipe recipe = config::load_recipe(o.recipe, overrides);
    int idx = recipe.find(o.stage);
    if (idx < 0) throw InputError("--stage: " + o.recipe + " has no stage named \"" + o.stage + "\"");
    if (recipe.stages[idx].kind() != o.kind)
      throw InputError("--stage " + o.stage + " is a " + recipe.stages[idx].kind() + " stage, not " + o.kind +
                       " (use `r1 " + recipe.stages[idx].kind() + "`)");
    std::map<std::string, std::string> dirs;
    for (const auto& s : recipe.stages) dirs[s.name()] = (std::filesystem::path(recipe.run.run_dir) / s.name()).string();
    run.entry = recipe.stages[idx];
    run.run = recipe.run;
    run.refs = stages::StageRefs(dirs);
    run.stage_dir = o.out.empty() ? dirs[o.stage] : o.out;
    run.hash = stages::stage_hashes(recipe)[idx];
  } else if (!o.config_file.empty()) {
    config::StageFile f = config::load_stage_file(o.config_file, o.kind, overrides);
    run.entry = f.stage;
    run.run = f.run;
    run.stage_dir = o.out.empty() ? (std::filesystem::path(f.run.run_dir) / f.stage.name()).string() : o.out;
    run.hash = config::config_hash(f.stage, f.run);
  } else {
    throw InputError("r1 " + o.kind + ": give --config STAGE.yaml, or --recipe RECIPE.yaml --stage NAME");
  }
  run.resume = o.resume;
  run.rank = dist::world().rank();
  run.world_size = dist::world().world_size();
  if (o.resume == "none") run.ignore_done = run.clear = true;
  else if (o.resume != "auto") run.ignore_done = true;
  train::set_threads(run.run.threads);
  install_stop_handlers();
  auto status = stages::run_stage(run);
  dist::shutdown_world();
  if (status == stages::StageStatus::kSkipped)
    std::cout << run.entry.name() << ": already done in " << run.stage_dir
              << " (DONE matches this config); --resume none runs it again\n";
  if (status == stages::StageStatus::kStale) {
    std::cerr << run.entry.name() << ": " << run.stage_dir
              << " holds a finished run of a different config; --resume none replaces it\n";
    return kExitBadInput;
  }
  return kExitOk;
}

}  // namespace

void register_stage_commands(CLI::App& app, Action& action) {
  const std::vector<std::pair<std::string, std::string>> kinds = {
      {"pretrain", "Pretrain a base model (and its tokenizer) on a corpus"},
      {"train-zero", "R1-Zero: GRPO from a base model with rule rewards"},
      {"cold-start", "Collect cold-start data from the R1-Zero model"},
      {"sft", "Supervised fine-tuning on a JSONL dataset"},
      {"grpo", "Second GRPO round (accuracy + format + language consistency)"},
      {"rejection-sample", "Sample, verify and filter reasoning data from a model"},
      {"distill", "Distill into a smaller student (SFT on teacher traces, optional logit KD)"}};
  for (const auto& [kind, help] : kinds) {
    auto opts = std::make_shared<StageOptions>();
    opts->kind = kind;
    auto* cmd = app.add_subcommand(kind, help);
    cmd->add_option("--config", opts->config_file, "Stage config YAML (its keys plus optional seed/device/threads)");
    cmd->add_option("--recipe", opts->recipe, "Recipe YAML holding the stage");
    cmd->add_option("--stage", opts->stage, "Stage name inside --recipe");
    InputFlags f = flags_for(kind);
    if (f.init) cmd->add_option("--init", opts->init, "Start from this checkpoint (dir, stage dir or HF dir)");
    if (f.data) cmd->add_option("--data", opts->data, "Dataset JSONL (or a data stage's dir)");
    if (f.policy) cmd->add_option("--policy", opts->policy, "Model to sample from");
    if (f.teacher) cmd->add_option("--teacher", opts->teacher, "Teacher checkpoint for logit distillation");
    cmd->add_option("--out", opts->out, "Stage output directory (default: run_dir/<stage name>)");
    cmd->add_option("--resume", opts->resume, "auto (latest checkpoint, skip if done) | none (fresh) | CKPT_DIR")
        ->capture_default_str();
    cmd->add_option("--set", opts->sets, "Override a config key: key.path=value (repeatable)");
    cmd->callback([opts, &action] {
      action = [opts] {
        dist::init_world();  // a process group when launched by torchrun / scripts/launch-local.sh
        return run_single_stage(*opts);
      };
    });
  }

  struct RunOptions {
    std::string recipe, from, only;
    std::vector<std::string> sets;
  };
  auto ro = std::make_shared<RunOptions>();
  auto* run = app.add_subcommand("run", "Run a recipe's stages in order (skips finished ones, resumes unfinished)");
  run->add_option("recipe", ro->recipe, "Recipe YAML")->required();
  run->add_option("--from", ro->from, "Re-run this stage and every later one from scratch");
  run->add_option("--only", ro->only, "Run only this stage");
  run->add_option("--set", ro->sets, "Override a recipe key: key.path=value, stages.NAME.key=value (repeatable)");
  run->callback([ro, &action] {
    action = [ro] {
      dist::Comm& comm = dist::init_world();
      std::vector<config::Override> overrides;
      for (const auto& s : ro->sets) overrides.push_back(config::parse_override(s));
      config::Recipe recipe = config::load_recipe(ro->recipe, overrides);
      train::set_threads(recipe.run.threads);
      install_stop_handlers();
      stages::PipelineOptions po;
      po.from = ro->from;
      po.only = ro->only;
      po.rank = comm.rank();
      po.world_size = comm.world_size();
      stages::run_pipeline(recipe, po);
      dist::shutdown_world();
      return kExitOk;
    };
  });
}

}  // namespace r1::cli
