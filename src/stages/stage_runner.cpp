// Stage bookkeeping: directories, logs, DONE, evaluation.
#include "r1/stages/stage_runner.h"

#include <chrono>
#include <ctime>
#include <filesystem>

#include "r1/dist/world.h"
#include "r1/stages/eval_stage.h"
#include "r1/train/runtime.h"
#include "r1/util/error.h"
#include "r1/util/fs.h"
#include "r1/util/logging.h"
#include "r1/util/timer.h"

namespace r1::stages {

namespace fs = std::filesystem;

Json read_done(const std::string& stage_dir) {
  fs::path p = fs::path(stage_dir) / "DONE";
  std::error_code ec;
  if (!fs::exists(p, ec)) return nullptr;
  Json j = Json::parse(read_file(p), nullptr, false);
  return j.is_object() ? j : Json(nullptr);
}

bool wants_eval(const config::StageEntry& entry) {
  return std::visit(
      [](const auto& c) {
        using T = std::decay_t<decltype(c)>;
        if constexpr (std::is_same_v<T, config::PretrainConfig> || std::is_same_v<T, config::RlStageConfig> ||
                      std::is_same_v<T, config::SftStageConfig>)
          return c.eval;
        return false;
      },
      entry.config);
}

namespace {
std::string now_iso() {
  std::time_t t = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", std::gmtime(&t));
  return buf;
}
}  // namespace

StageStatus run_stage(const StageRun& r) {
  auto log = logger();
  const std::string& name = r.entry.name();
  Json done = read_done(r.stage_dir);
  if (!r.ignore_done && !done.is_null()) {
    if (done.value("config_hash", "") == r.hash) return StageStatus::kSkipped;
    return StageStatus::kStale;
  }
  dist::Comm& comm = dist::world();
  if (r.clear && r.rank == 0) {
    std::error_code ec;
    fs::remove_all(r.stage_dir, ec);
  } else if (r.rank == 0) {
    std::error_code ec;
    fs::remove(fs::path(r.stage_dir) / "DONE", ec);
  }
  comm.barrier();  // rank 0 has cleared the directory before any rank writes into it
  make_dirs(r.stage_dir);
  ScopedLogFile log_file(
      (fs::path(r.stage_dir) / (r.rank == 0 ? std::string("log.txt") : "log.rank" + std::to_string(r.rank) + ".txt"))
          .string());
  Stopwatch clock;
  StageContext ctx;
  ctx.stage_name = name;
  ctx.stage_kind = r.entry.kind();
  ctx.resolved_config = config::emit_yaml(config::write_custom(r.entry));
  ctx.run = r.run;
  ctx.stage_dir = r.stage_dir;
  ctx.resume = r.clear ? "none" : r.resume;
  ctx.device = train::resolve_device(r.run.device);
  ctx.config_hash = r.hash;
  ctx.refs = r.refs;
  ctx.rank = r.rank;
  ctx.world_size = r.world_size;
  if (r.rank == 0) write_file_atomic((fs::path(r.stage_dir) / "config.resolved.yaml").string(), ctx.resolved_config);
  log->info("[{}] {} stage -> {}", name, ctx.stage_kind, r.stage_dir);

  auto stage = make_stage(r.entry);
  stage->run(ctx);
  double train_s = clock.seconds();
  comm.barrier();  // rank 0 has written the stage's outputs (final checkpoint, data) before anyone reads them
  if (stage->produces_model() && wants_eval(r.entry))  // every rank samples its share; rank 0 writes eval.json
    evaluate_checkpoint((fs::path(r.stage_dir) / "final").string(), r.run.eval, r.run.seed, ctx.device, r.stage_dir);
  if (r.rank == 0) {
    Json d{{"config_hash", r.hash}, {"kind", ctx.stage_kind}, {"finished_at", now_iso()},
           {"wall_s", clock.seconds()}, {"train_s", train_s}};
    write_file_atomic((fs::path(r.stage_dir) / "DONE").string(), d.dump(2) + "\n");
  }
  comm.barrier();  // DONE is written before the next stage (or command) looks at it
  log->info("[{}] finished in {:.1f}s", name, clock.seconds());
  return StageStatus::kRan;
}

}  // namespace r1::stages
