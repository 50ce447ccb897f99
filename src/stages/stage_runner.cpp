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

namespace {
std::string now_iso() {
  std::time_t t = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", std::gmtime(&t));
  return buf;
}
}  // namespace

StageStatus run_stage(const StageRun& request) {
  auto log = logger();
  const std::string& name = request.entry.name();
  const std::string& dir = request.ctx.stage_dir;
  Json done = read_done(dir);
  if (!request.ignore_done && !done.is_null()) {
    const bool same = done.value("config_hash", "") == request.ctx.config_hash &&
                      done.value("hash_scheme", 1) == config::kConfigHashScheme;
    return same ? StageStatus::kSkipped : StageStatus::kStale;
  }
  dist::Comm& comm = dist::world();
  if (request.ctx.rank == 0) {
    std::error_code ec;
    if (request.clear) fs::remove_all(dir, ec);
    else fs::remove(fs::path(dir) / "DONE", ec);
  }
  comm.barrier();  // rank 0 has cleared the directory before any rank writes into it
  make_dirs(dir);
  const int rank = request.ctx.rank;
  ScopedLogFile log_file(
      (fs::path(dir) / (rank == 0 ? std::string("log.txt") : "log.rank" + std::to_string(rank) + ".txt")).string());
  Stopwatch clock;
  StageRun r = request;
  if (r.clear) r.ctx.resume = "none";
  r.ctx.device = train::resolve_device(r.run.device);
  if (rank == 0) write_file_atomic((fs::path(dir) / "config.resolved.yaml").string(), r.ctx.resolved_config);
  log->info("[{}] {} stage -> {}", name, r.entry.kind_name(), dir);

  make_stage(r.entry)->run(r);
  double train_s = clock.seconds();
  comm.barrier();  // rank 0 has written the stage's outputs (final checkpoint, data) before anyone reads them
  if (r.entry.wants_eval())  // every rank samples its share; rank 0 writes eval.json
    evaluate_checkpoint((fs::path(dir) / "final").string(), r.run.eval, r.run.seed, r.ctx.device, dir);
  if (rank == 0) {
    Json d{{"config_hash", r.ctx.config_hash}, {"hash_scheme", config::kConfigHashScheme},
           {"kind", r.entry.kind_name()}, {"finished_at", now_iso()}, {"wall_s", clock.seconds()},
           {"train_s", train_s}};
    write_file_atomic((fs::path(dir) / "DONE").string(), d.dump(2) + "\n");
  }
  comm.barrier();  // DONE is written before the next stage (or command) looks at it
  log->info("[{}] finished in {:.1f}s", name, clock.seconds());
  return StageStatus::kRan;
}

}  // namespace r1::stages
