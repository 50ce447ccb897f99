// The single-stage subcommands (`r1 pretrain|train-zero|cold-start|sft|grpo|rejection-sample|distill`) and
// `r1 run RECIPE`: options parsing only; the work is in stages/.
#include <filesystem>
#include <iostream>
#include <variant>

#include "commands.h"
#include "r1/config/recipe.h"
#include "r1/dist/world.h"
#include "r1/stages/pipeline.h"
#include "r1/stages/preflight.h"
#include "r1/stages/seed_study.h"
#include "r1/stages/stage_runner.h"
#include "r1/train/runtime.h"
#include "r1/util/error.h"
#include "r1/util/logging.h"
#include "r1/util/signals.h"

namespace r1::cli {

namespace {

constexpr const char* kMemoryLimitHelp =
    "Refuse a stage whose estimated peak memory exceeds this size (8GiB, 512M) instead of the memory available "
    "(cgroup limit or MemAvailable); off = estimate only (see r1 validate)";

struct StageOptions {
  config::StageKind kind{};
  std::string recipe, stage, config_file;
  std::map<std::string, std::string> inputs;  // input key -> value of its --<key> flag (registry inputs)
  std::string out;
  std::string resume = "auto";
  std::string memory_limit;
  std::vector<std::string> sets;
};

int run_single_stage(const StageOptions& o) {
  std::vector<config::Override> overrides;
  for (const auto& s : o.sets) overrides.push_back(config::parse_override(s));
  // Input flags are overrides of the stage's own keys.
  for (const auto& [key, value] : o.inputs)
    if (!value.empty()) overrides.push_back({key, value});
  const std::string kind_name = config::enum_name(o.kind);

  stages::StageRun run;
  config::Recipe checked;  // what the preflight checks: the recipe (this stage's memory only) or the stage file
  stages::PreflightOptions pre = stages::preflight_options(o.memory_limit);
  pre.world_size = dist::world().world_size();
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
      throw InputError("--stage " + o.stage + " is a " + recipe.stages[idx].kind_name() + " stage, not " + kind_name +
                       " (use `r1 " + recipe.stages[idx].kind_name() + "`)");
    std::map<std::string, std::string> dirs;
    for (const auto& s : recipe.stages) dirs[s.name()] = (std::filesystem::path(recipe.run.run_dir) / s.name()).string();
    run = stages::make_stage_run(recipe.stages[idx], recipe.run, stages::StageRefs(dirs),
                                 o.out.empty() ? dirs[o.stage] : o.out, stages::stage_hashes(recipe)[idx]);
    pre.runs.assign(recipe.stages.size(), false);
    pre.runs[static_cast<size_t>(idx)] = true;
    checked = recipe;
  } else if (!o.config_file.empty()) {
    config::StageFile f = config::load_stage_file(o.config_file, o.kind, overrides);
    run = stages::make_stage_run(
        f.stage, f.run, stages::StageRefs(),
        o.out.empty() ? (std::filesystem::path(f.run.run_dir) / f.stage.name()).string() : o.out,
        config::config_hash(f.stage, f.run));
    checked.source = o.config_file;
    checked.run = f.run;
    checked.stages = {f.stage};
    pre.stage_file = true;
  } else {
    throw InputError("r1 " + kind_name + ": give --config STAGE.yaml, or --recipe RECIPE.yaml --stage NAME");
  }
  run.ctx.resume = o.resume;
  run.ctx.rank = dist::world().rank();
  run.ctx.world_size = dist::world().world_size();
  if (o.resume == "none") run.ignore_done = run.clear = true;
  else if (o.resume != "auto") run.ignore_done = true;
  stages::preflight_before_run(checked, pre);
  train::set_threads(run.run.threads);
  // One writer: the run directory when the stage lives in it, else the --out directory itself.
  RunDirLock lock = stages::lock_run_dir(o.out.empty() ? run.run.run_dir : o.out);
  CooperativeStop cooperative;
  auto status = stages::run_stage(run);
  dist::shutdown_world();
  if (status == stages::StageStatus::kSkipped)
    std::cout << run.entry.name() << ": already done in " << run.ctx.stage_dir
              << " (DONE matches this config); --resume none runs it again\n";
  if (status == stages::StageStatus::kStale) {
    std::cerr << run.entry.name() << ": " << run.ctx.stage_dir
              << " holds a finished run of a different config; --resume none replaces it\n";
    return kExitBadInput;
  }
  return kExitOk;
}

}  // namespace

void register_stage_commands(CLI::App& app, Action& action) {
  for (const auto& info : config::stage_kinds()) {
    if (!info.help) continue;  // a recipe-only kind
    auto opts = std::make_shared<StageOptions>();
    opts->kind = info.kind;
    auto* cmd = app.add_subcommand(info.name, info.help);
    cmd->add_option("--config", opts->config_file, "Stage config YAML (its keys plus optional seed/device/threads)");
    cmd->add_option("--recipe", opts->recipe, "Recipe YAML holding the stage");
    cmd->add_option("--stage", opts->stage, "Stage name inside --recipe");
    for (const auto& in : info.inputs)
      if (in.flag_help) cmd->add_option(std::string("--") + in.key, opts->inputs[in.key], in.flag_help);
    cmd->add_option("--out", opts->out, "Stage output directory (default: run_dir/<stage name>)");
    cmd->add_option("--resume", opts->resume, "auto (latest checkpoint, skip if done) | none (fresh) | CKPT_DIR")
        ->capture_default_str();
    cmd->add_option("--set", opts->sets, "Override a config key: key.path=value (repeatable)");
    cmd->add_option("--memory-limit", opts->memory_limit, kMemoryLimitHelp);
    cmd->callback([opts, &action] {
      action = [opts] {
        dist::init_world();  // a process group when launched by torchrun / scripts/launch-local.sh
        return run_single_stage(*opts);
      };
    });
  }

  struct RunOptions {
    std::string recipe, from, only, seeds, memory_limit;
    std::vector<std::string> sets;
  };
  auto ro = std::make_shared<RunOptions>();
  auto* run = app.add_subcommand("run", "Run a recipe's stages in order (skips finished ones, resumes unfinished)");
  run->add_option("recipe", ro->recipe, "Recipe YAML")->required();
  run->add_option("--from", ro->from, "Re-run this stage and every later one from scratch");
  run->add_option("--only", ro->only, "Run only this stage");
  run->add_option("--set", ro->sets, "Override a recipe key: key.path=value, stages.NAME.key=value (repeatable)");
  run->add_option("--memory-limit", ro->memory_limit, kMemoryLimitHelp);
  auto* seeds_opt = run->add_option("--seeds", ro->seeds,
                                    "Run the chain once per seed (comma-separated) into run_dir/seed-N/ and write "
                                    "run_dir/report.md|json aggregating them");
  run->callback([ro, seeds_opt, &action] {
    action = [ro, seeds_opt] {
      const auto seeds = seeds_opt->count() > 0 ? stages::parse_seeds(ro->seeds) : std::vector<std::uint64_t>{};
      dist::Comm& comm = dist::init_world();
      std::vector<config::Override> overrides;
      for (const auto& s : ro->sets) overrides.push_back(config::parse_override(s));
      config::Recipe recipe = config::load_recipe(ro->recipe, overrides);
      train::set_threads(recipe.run.threads);
      CooperativeStop cooperative;
      stages::PipelineOptions po;
      po.from = ro->from;
      po.only = ro->only;
      po.rank = comm.rank();
      po.world_size = comm.world_size();
      po.memory_limit = ro->memory_limit;
      if (seeds.empty()) stages::run_pipeline(recipe, po);
      else stages::run_seed_study(recipe, seeds, po);
      dist::shutdown_world();
      return kExitOk;
    };
  });
}

}  // namespace r1::cli
