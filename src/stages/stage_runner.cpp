// Stage bookkeeping: directories, logs, DONE, evaluation.
#include "r1/stages/stage_runner.h"

#include <chrono>
#include <ctime>
#include <filesystem>

#include "r1/dist/collectives.h"
#include "r1/dist/world.h"
#include "r1/stages/eval_stage.h"
#include "r1/train/runtime.h"
#include "r1/util/error.h"
#include "r1/util/fs.h"
#include "r1/util/logging.h"
#include "r1/util/memory.h"
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

bool same_dir(const fs::path& a, const fs::path& b) {
  std::error_code ec1, ec2;
  return fs::weakly_canonical(a, ec1) == fs::weakly_canonical(b, ec2);
}

// True when `dir` holds anything but the run-directory lock (a stage's --out dir is also its lock's home).
bool has_entries_besides_lock(const std::string& dir) {
  std::error_code ec;
  for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec))
    if (it->path().filename() != RunDirLock::kFileName) return true;
  return false;
}

// Creates the stage directory (rank 0) and marks it as r1's; refuses a non-empty directory r1 did not make.
void claim_stage_dir(const std::string& dir, const StageRun& r) {
  std::error_code ec;
  const bool existed = fs::exists(dir, ec);
  if (existed && !fs::is_directory(dir, ec))
    throw InputError(dir + ": the stage's output directory is a file; move it away or choose another run_dir/--out");
  if (existed && has_entries_besides_lock(dir) && !made_by_r1(dir))
    throw InputError(dir + ": exists and was not made by r1 (no " + std::string(kStageMarkFile) +
                     "); r1 will not write into it. Move it away or choose another run_dir/--out");
  make_dirs(dir);
  if (!fs::exists(fs::path(dir) / kStageMarkFile, ec))
    write_file_atomic(fs::path(dir) / kStageMarkFile,
                      Json{{"stage", r.entry.name()}, {"kind", r.entry.kind_name()}, {"r1_version", R1_VERSION},
                           {"created_at", now_iso()}}
                              .dump(2) +
                          "\n");
}
}  // namespace

bool made_by_r1(const std::string& dir) {
  std::error_code ec;
  return fs::exists(fs::path(dir) / kStageMarkFile, ec) || fs::exists(fs::path(dir) / "config.resolved.yaml", ec);
}

void require_clearable(const std::string& dir, const std::string& run_dir, const std::string& why) {
  std::error_code ec;
  if (!fs::exists(dir, ec)) return;
  if (!run_dir.empty() && same_dir(dir, run_dir))
    throw InputError(dir + ": is the run directory itself; r1 never removes it (" + why + ")");
  if (!made_by_r1(dir))
    throw InputError(dir + ": " + why + " would remove this directory, but r1 did not make it (no " +
                     std::string(kStageMarkFile) + "); nothing was removed. Move it away and run again.");
}

void clear_stage_dir(const std::string& dir, const std::string& run_dir, const std::string& why) {
  require_clearable(dir, run_dir, why);
  std::error_code ec;
  if (!fs::exists(dir, ec)) return;
  logger()->info("{}: removing {}", why, dir);
  // Entry by entry, keeping a lock file: when the stage dir is the locked --out dir, unlinking the held lock would
  // let a second writer lock a fresh file beside it.
  std::vector<fs::path> entries;
  for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec))
    if (it->path().filename() != RunDirLock::kFileName) entries.push_back(it->path());
  for (const auto& p : entries) {
    fs::remove_all(p, ec);
    if (ec) throw RuntimeFailure(p.string() + ": cannot remove (" + ec.message() + ")");
  }
  if (!fs::exists(fs::path(dir) / RunDirLock::kFileName, ec)) fs::remove(dir, ec);
}

RunDirLock lock_run_dir(const std::string& dir) {
  dist::Comm& comm = dist::world();
  RunDirLock lock;
  std::string error;
  if (comm.rank() == 0) {
    try {
      lock = RunDirLock::acquire(dir);
      size_t stale = remove_temp_files(dir);
      if (stale > 0) logger()->info("{}: removed {} temporary file(s) left by an interrupted run", dir, stale);
    } catch (const InputError& e) {
      error = e.what();
    }
  }
  if (comm.distributed()) error = dist::all_gather_strings(comm, {error}).front();
  if (!error.empty()) throw InputError(error);
  return lock;
}

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
    if (request.clear) clear_stage_dir(dir, request.run.run_dir, "re-running " + name + " from scratch");
    else fs::remove(fs::path(dir) / "DONE", ec);
    claim_stage_dir(dir, request);
  }
  comm.barrier();  // rank 0 has cleared the directory before any rank writes into it
  make_dirs(dir);
  const int rank = request.ctx.rank;
  ScopedLogFile log_file(
      (fs::path(dir) / (rank == 0 ? std::string("log.txt") : "log.rank" + std::to_string(rank) + ".txt")).string());
  Stopwatch clock;
  reset_peak_resident();  // the peak this stage reaches, not an earlier stage's
  StageRun r = request;
  if (r.clear) r.ctx.resume = "none";
  r.ctx.device = train::resolve_device(r.run.device);
  r.ctx.dtype = train::resolve_dtype(config::enum_name(r.run.dtype));
  r.ctx.save_dtype = config::enum_name(r.run.save_dtype);
  r.ctx.activation_checkpointing = r.run.activation_checkpointing;
  if (rank == 0) write_file_atomic((fs::path(dir) / "config.resolved.yaml").string(), r.ctx.resolved_config);
  log->info("[{}] {} stage -> {}", name, r.entry.kind_name(), dir);

  make_stage(r.entry)->run(r);
  double train_s = clock.seconds();
  comm.barrier();  // rank 0 has written the stage's outputs (final checkpoint, data) before anyone reads them
  if (r.entry.wants_eval())  // every rank samples its share; rank 0 writes eval.json
    evaluate_checkpoint((fs::path(dir) / "final").string(), r.run.eval, r.run.seed, r.ctx.device, dir);
  const std::int64_t peak = peak_resident_bytes();  // one /proc read for DONE and the log line
  if (rank == 0) {
    Json d{{"config_hash", r.ctx.config_hash}, {"hash_scheme", config::kConfigHashScheme},
           {"kind", r.entry.kind_name()}, {"finished_at", now_iso()}, {"wall_s", clock.seconds()},
           {"train_s", train_s}, {"peak_rss_bytes", peak}};
    write_file_atomic((fs::path(dir) / "DONE").string(), d.dump(2) + "\n");
  }
  comm.barrier();  // DONE is written before the next stage (or command) looks at it
  log->info("[{}] finished in {:.1f}s (peak resident memory {})", name, clock.seconds(),
            format_bytes_short(peak));
  return StageStatus::kRan;
}

}  // namespace r1::stages
