// The recipe runner.
#include "r1/stages/pipeline.h"

#include <algorithm>
#include <cstdio>
#include <filesystem>

#include "r1/dist/world.h"
#include "r1/stages/preflight.h"
#include "r1/stages/report.h"
#include "r1/stages/stage_runner.h"
#include "r1/util/allocator.h"
#include "r1/util/error.h"
#include "r1/util/fs.h"
#include "r1/util/logging.h"
#include "r1/util/rng.h"
#include "r1/util/strings.h"
#include "r1/util/timer.h"

namespace r1::stages {

namespace fs = std::filesystem;

std::vector<std::string> stage_hashes(const config::Recipe& recipe) {
  std::vector<std::string> hashes;
  for (const auto& entry : recipe.stages) {
    std::string h = config::config_hash(entry, recipe.run);
    // Fold in the identities of the earlier stages this one reads (in recipe order).
    std::vector<std::string> inputs;
    for (const auto& in : entry.info().inputs) inputs.push_back(entry.input(in.key));
    for (size_t j = 0; j < hashes.size(); ++j)
      if (std::find(inputs.begin(), inputs.end(), recipe.stages[j].name()) != inputs.end()) h += ":" + hashes[j];
    char buf[20];
    std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(fnv1a64(h)));
    hashes.push_back(buf);
  }
  return hashes;
}

void run_pipeline(const config::Recipe& recipe, const PipelineOptions& opts) {
  auto log = logger();
  for (const auto* which : {&opts.from, &opts.only}) {
    if (!which->empty() && recipe.find(*which) < 0) {
      std::vector<std::string> names;
      for (const auto& s : recipe.stages) names.push_back(s.name());
      std::string hint = closest_match(*which, names);
      throw InputError(std::string(which == &opts.from ? "--from" : "--only") + ": no stage named " + quote(*which) +
                       (hint.empty() ? "" : " (did you mean \"" + hint + "\"?)") + "; stages: " + join(names, ", "));
    }
  }
  int from = opts.from.empty() ? -1 : recipe.find(opts.from);
  int only = opts.only.empty() ? -1 : recipe.find(opts.only);
  PreflightOptions pre = preflight_options(opts.memory_limit);
  pre.world_size = opts.world_size;
  if (only >= 0) {  // only that stage's memory matters now; every other check still covers the whole recipe
    pre.runs.assign(recipe.stages.size(), false);
    pre.runs[static_cast<size_t>(only)] = true;
  }
  preflight_before_run(recipe, pre);
  RunDirLock lock = lock_run_dir(recipe.run.run_dir);
  if (opts.rank == 0)
    write_file_atomic((fs::path(recipe.run.run_dir) / "recipe.resolved.yaml").string(),
                      config::emit_yaml(config::to_yaml(recipe)));
  std::map<std::string, std::string> dirs;
  for (const auto& s : recipe.stages) dirs[s.name()] = (fs::path(recipe.run.run_dir) / s.name()).string();
  StageRefs refs(dirs);
  auto hashes = stage_hashes(recipe);
  if (from >= 0 && opts.rank == 0) {
    // Everything from `from` on goes before anything runs: a later crash then resumes (no stale later stage is
    // skipped), and an unmarked directory is refused before any work is lost.
    for (size_t i = static_cast<size_t>(from); i < recipe.stages.size(); ++i)
      require_clearable(dirs[recipe.stages[i].name()], recipe.run.run_dir, "--from " + opts.from);
    for (size_t i = static_cast<size_t>(from); i < recipe.stages.size(); ++i)
      clear_stage_dir(dirs[recipe.stages[i].name()], recipe.run.run_dir, "--from " + opts.from);
  }
  dist::world().barrier();
  Stopwatch clock;
  std::vector<std::string> stale;
  const size_t n = recipe.stages.size();
  for (size_t i = 0; i < n; ++i) {
    const auto& entry = recipe.stages[i];
    if (only >= 0 && static_cast<int>(i) != only) continue;
    StageRun r = make_stage_run(entry, recipe.run, refs, dirs[entry.name()], hashes[i]);
    r.ignore_done = from >= 0 && static_cast<int>(i) >= from;  // cleared above
    if (only >= 0) {  // --only runs the stage: again from scratch if it was done, resumed if it was not
      r.ignore_done = true;
      r.clear = !read_done(r.ctx.stage_dir).is_null();
    }
    r.ctx.rank = opts.rank;
    r.ctx.world_size = opts.world_size;
    log->info("=== [{}/{}] {} ({}) ===", i + 1, n, entry.name(), entry.kind_name());
    StageStatus status = run_stage(r);
    release_free_memory();  // the next stage allocates other shapes: give the heap's free pages back
    if (status == StageStatus::kSkipped) {
      log->info("[{}] already done (DONE matches this config): skipped", entry.name());
    } else if (status == StageStatus::kStale) {
      stale.push_back(entry.name());
      log->warn("[{}] finished earlier with a different config or inputs; keeping its results. Re-run it and "
                "everything after with: r1 run {} --from {}",
                entry.name(), recipe.source, entry.name());
    }
  }
  if (opts.rank == 0) {
    std::string table = write_report(recipe.run.run_dir);
    std::printf("\n%s\n", table.c_str());
    std::fflush(stdout);
  }
  log->info("recipe finished in {:.1f}s (run dir {})", clock.seconds(), recipe.run.run_dir);
  if (!stale.empty())
    log->warn("stages with changed configs were not re-run: {} (use --from)", join(stale, ", "));
}

}  // namespace r1::stages
