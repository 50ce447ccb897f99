// Reliability: `kill -9` at several points followed by `--resume auto` gives the same metrics and weights as a
// run never killed (train-zero and sft); SIGINT writes a checkpoint and says how to resume; a non-finite step
// stops the stage (or is skipped with skip_nonfinite); train_checkpoint_test checks no NaN checkpoint is written.
#include <catch2/catch.hpp>

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <thread>

#include "../support/test_support.h"
#include "r1/io/safetensors.h"

namespace fs = std::filesystem;
using namespace r1::test;

namespace {

// A micro base model (the micro recipe's pretrain stage), trained once per process.
const std::string& micro_base() {
  static const std::string dir = [] {
    std::string out = temp_dir("reliability_base");
    auto r = run_r1_in_source("pretrain --recipe tests/data/micro_recipe.yaml --stage base --out '" + out + "'");
    INFO(r.output);
    REQUIRE(r.exit_code == 0);
    return out + "/final";
  }();
  return dir;
}

// A running r1 process (started from the source checkout, output to a log file).
struct Child {
  pid_t pid = -1;
  std::string log;
};

Child start_r1(const std::string& args, const std::string& log) {
  Child c;
  c.log = log;
  std::string cmd = "cd '" + source_dir() + "' && exec '" + std::string(R1_BINARY) + "' " + args + " >'" + log +
                    "' 2>&1";
  c.pid = ::fork();
  REQUIRE(c.pid >= 0);
  if (c.pid == 0) {
    ::execl("/bin/sh", "sh", "-c", cmd.c_str(), static_cast<char*>(nullptr));
    ::_exit(127);
  }
  return c;
}

// Waits for the child; returns its exit code, or 128 + signal.
int wait_exit(const Child& c) {
  int status = 0;
  REQUIRE(::waitpid(c.pid, &status, 0) == c.pid);
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

// Polls until `path` exists or the child exits; returns whether it appeared while the child ran.
bool wait_for_path(const Child& c, const fs::path& path, double timeout_s = 60) {
  auto until = std::chrono::steady_clock::now() + std::chrono::duration<double>(timeout_s);
  while (std::chrono::steady_clock::now() < until) {
    if (fs::exists(path)) return true;
    int status = 0;
    if (::waitpid(c.pid, &status, WNOHANG) == c.pid) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return false;
}

// Waits until the file grows past the size it has when first seen (false if the child exits first).
bool wait_for_growth(const Child& c, const fs::path& path, double timeout_s = 120) {
  std::error_code ec;
  const auto first = fs::file_size(path, ec);
  auto until = std::chrono::steady_clock::now() + std::chrono::duration<double>(timeout_s);
  while (std::chrono::steady_clock::now() < until) {
    const auto now = fs::file_size(path, ec);
    if (!ec && now > first) return true;
    int status = 0;
    if (::waitpid(c.pid, &status, WNOHANG) == c.pid) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return false;
}

// The uninterrupted run, then a run killed with SIGKILL at several points and resumed each time; both must end
// with the same metrics rows and the same final weights.
void check_kill_and_resume(const std::string& stage_args, const std::string& tag) {
  const std::string a = temp_dir(tag + "_straight"), b = temp_dir(tag + "_killed");
  auto straight = run_r1_in_source(stage_args + " --out '" + a + "'");
  INFO(straight.output);
  REQUIRE(straight.exit_code == 0);

  // 1: killed right after its second checkpoint appears (somewhere inside step 3).
  Child first = start_r1(stage_args + " --out '" + b + "'", b + "/../" + tag + "_log1.txt");
  REQUIRE(wait_for_path(first, fs::path(b) / "checkpoint-000002"));
  ::kill(first.pid, SIGKILL);
  REQUIRE(wait_exit(first) == 128 + SIGKILL);
  REQUIRE_FALSE(fs::exists(fs::path(b) / "DONE"));

  // 2: resumed, killed again at once after the next checkpoint (or mid-write of it: 'latest' must still be good).
  Child second = start_r1(stage_args + " --out '" + b + "' --resume auto", b + "/../" + tag + "_log2.txt");
  REQUIRE(wait_for_path(second, fs::path(b) / "checkpoint-000004"));
  ::kill(second.pid, SIGKILL);
  wait_exit(second);

  // 3: resumed to the end.
  auto last = run_r1_in_source(stage_args + " --out '" + b + "' --resume auto");
  INFO(last.output);
  REQUIRE(last.exit_code == 0);
  REQUIRE(last.output.find("resumed from") != std::string::npos);

  auto rows_a = deterministic_rows(a + "/metrics.jsonl"), rows_b = deterministic_rows(b + "/metrics.jsonl");
  REQUIRE(rows_a.size() >= 6);
  REQUIRE(rows_b == rows_a);  // no row lost or duplicated, every number equal
  const std::string weights_a = file_bytes(a + "/final/model.safetensors");
  REQUIRE(!weights_a.empty());
  REQUIRE(file_bytes(b + "/final/model.safetensors") == weights_a);
}

std::string zero_args(int steps) {
  return "train-zero --recipe tests/data/micro_recipe.yaml --stage zero --init '" + micro_base() +
         "' --set steps=" + std::to_string(steps) + " --set checkpoint.every=1 --set samples_every=1";
}

std::string sft_args(const std::string& extra = "") {
  return "sft --recipe tests/data/micro_recipe.yaml --stage sft --init '" + micro_base() +
         "' --data tests/data/sft_micro.jsonl --set epochs=4 --set batch_size=2 --set checkpoint.every=1 " + extra;
}

}  // namespace

TEST_CASE("train-zero killed with SIGKILL at several points resumes to the same metrics and weights",
          "[reliability][e2e]") {
  check_kill_and_resume(zero_args(8), "zero");
}

TEST_CASE("sft killed with SIGKILL at several points resumes to the same metrics and weights", "[reliability][e2e]") {
  check_kill_and_resume(sft_args(), "sft");
}

TEST_CASE("SIGINT finishes the step, writes a checkpoint and says how to resume", "[reliability]") {
  const std::string out = temp_dir("sigint");
  Child c = start_r1(zero_args(400) + " --out '" + out + "'", out + "/../sigint_log.txt");
  REQUIRE(wait_for_path(c, fs::path(out) / "checkpoint-000001"));
  ::kill(c.pid, SIGINT);
  REQUIRE(wait_exit(c) == 130);
  std::string log = file_bytes(c.log);
  INFO(log);
  auto at = log.find("stopped after step ");
  REQUIRE(at != std::string::npos);
  REQUIRE(log.find("Resume with: r1 train-zero --recipe tests/data/micro_recipe.yaml") != std::string::npos);
  const int step = std::stoi(log.substr(at + 19));
  char name[32];
  std::snprintf(name, sizeof name, "checkpoint-%06d", step);
  REQUIRE(log.find(std::string(name) + " written") != std::string::npos);
  REQUIRE(fs::exists(fs::path(out) / name / "model.safetensors"));
  REQUIRE(fs::exists(fs::path(out) / name / "trainer_state"));
  REQUIRE(file_bytes(out + "/latest").find(name) != std::string::npos);
  REQUIRE_FALSE(fs::exists(fs::path(out) / "DONE"));
  REQUIRE_FALSE(fs::exists(fs::path(out) / "final"));
}

TEST_CASE("a non-finite loss stops the stage, or is skipped up to skip_nonfinite, no NaN checkpoint",
          "[reliability]") {
  const std::string out = temp_dir("nonfinite");
  auto r = run_r1_in_source(sft_args("--set optim.lr=1e30 --set optim.warmup_steps=0") + " --out '" + out + "'");
  INFO(r.output);
  REQUIRE(r.exit_code == 1);
  REQUIRE(r.output.find(": non-finite loss or gradient") != std::string::npos);
  REQUIRE(r.output.find("the last checkpoint is intact") != std::string::npos);
  REQUIRE_FALSE(fs::exists(fs::path(out) / "final"));
  REQUIRE_FALSE(fs::exists(fs::path(out) / "DONE"));

  const std::string skip = temp_dir("nonfinite_skip");
  auto s = run_r1_in_source(sft_args("--set optim.lr=1e30 --set optim.warmup_steps=0 --set optim.skip_nonfinite=2") +
                            " --out '" + skip + "'");
  INFO(s.output);
  REQUIRE(s.exit_code == 1);
  REQUIRE(s.output.find("skipped without an update (1 of skip_nonfinite 2)") != std::string::npos);
  REQUIRE(s.output.find("skipped without an update (2 of skip_nonfinite 2)") != std::string::npos);
  REQUIRE(s.output.find("2 bad steps were already skipped") != std::string::npos);
  REQUIRE_FALSE(fs::exists(fs::path(skip) / "final"));
}

// ---- issue 28: one writer, safe --from, signals everywhere, bad weights ----------------------------------------

namespace {
std::string micro_run(const std::string& run_dir) {
  return "run tests/data/micro_recipe.yaml --set run_dir='" + run_dir + "'";
}

// Waits until `path` holds text (the lock holder has written its line).
bool wait_for_text(const Child& c, const fs::path& path, double timeout_s = 60) {
  auto until = std::chrono::steady_clock::now() + std::chrono::duration<double>(timeout_s);
  while (std::chrono::steady_clock::now() < until) {
    if (!file_bytes(path.string()).empty()) return true;
    int status = 0;
    if (::waitpid(c.pid, &status, WNOHANG) == c.pid) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return false;
}
}  // namespace

TEST_CASE("a second writer of a run_dir exits 2 at once naming the holder and a killed holder leaves no stale lock",
          "[reliability]") {
  const std::string run_dir = temp_dir("lock") + "/run";
  // The first writer must still hold the lock when it is killed: the micro stage runs 30 steps in under two
  // seconds, about as long as the second writer takes to start and be refused, so it gets steps it cannot finish.
  Child first = start_r1(zero_args(1000000) + " --out '" + run_dir + "/zero'", run_dir + "_log.txt");
  REQUIRE(wait_for_text(first, fs::path(run_dir + "/zero") / ".r1.lock"));
  auto t0 = std::chrono::steady_clock::now();
  auto second = run_r1_in_source(zero_args(30) + " --out '" + run_dir + "/zero'");
  const double waited = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  INFO(second.output);
  CHECK(second.exit_code == 2);
  CHECK(second.output.find("is in use by another r1 process (pid " + std::to_string(first.pid)) != std::string::npos);
  CHECK(waited < 10);  // refused before loading anything heavy (the bound is loose for loaded machines)
  REQUIRE(::waitpid(first.pid, nullptr, WNOHANG) == 0);  // still running, still holding the lock
  ::kill(first.pid, SIGKILL);                               // the kernel drops the lock with its holder: no stale lock
  wait_exit(first);
  auto third = run_r1_in_source(zero_args(3) + " --out '" + run_dir + "/zero'");
  INFO(third.output);
  CHECK(third.exit_code == 0);
}

TEST_CASE("r1 run --from removes only directories r1 made, and refuses before touching anything", "[reliability][e2e]") {
  const std::string run_dir = temp_dir("from_safe") + "/run";
  auto first = run_r1_in_source(micro_run(run_dir) + " --only base");
  INFO(first.output);
  REQUIRE(first.exit_code == 0);
  REQUIRE(fs::exists(run_dir + "/base/.r1-stage.json"));
  // A user's own directory named like a later stage.
  fs::create_directories(run_dir + "/sft");
  std::ofstream(run_dir + "/sft/notes.txt") << "my notes";
  std::ofstream(run_dir + "/base/leftover.json.r1tmp.4242.0") << "{";  // a torn atomic write of a killed run
  auto from = run_r1_in_source(micro_run(run_dir) + " --from zero");
  INFO(from.output);
  CHECK(from.exit_code == 2);
  CHECK(from.output.find(run_dir + "/sft: --from zero would remove this directory, but r1 did not make it") !=
        std::string::npos);
  CHECK(file_bytes(run_dir + "/sft/notes.txt") == "my notes");
  CHECK(fs::exists(run_dir + "/base/DONE"));
  CHECK_FALSE(fs::exists(run_dir + "/base/leftover.json.r1tmp.4242.0"));  // swept under the lock
  CHECK(from.output.find("removed 1 temporary file") != std::string::npos);
  // Without --from, r1 will not write into it either.
  fs::remove_all(run_dir + "/sft");
  fs::create_directories(run_dir + "/zero");
  std::ofstream(run_dir + "/zero/notes.txt") << "mine";
  auto run = run_r1_in_source(micro_run(run_dir) + " --only zero");
  CHECK(run.exit_code == 2);
  CHECK(run.output.find("exists and was not made by r1") != std::string::npos);
  CHECK(file_bytes(run_dir + "/zero/notes.txt") == "mine");
}

TEST_CASE("SIGTERM stops a data stage between batches, the printed command resumes it to the same data",
          "[reliability][e2e]") {
  const std::string dir = temp_dir("cold_stop");
  const std::string args = "cold-start --recipe tests/data/micro_recipe.yaml --stage cold --policy '" + micro_base() +
                           "' --set prompts.n=4000 --set batch_prompts=2 --set samples_per_prompt=2";
  auto straight = run_r1_in_source(args + " --out '" + dir + "/a'");
  INFO(straight.output);
  REQUIRE(straight.exit_code == 0);
  REQUIRE_FALSE(fs::exists(dir + "/a/samples.rank0.journal"));  // the journal goes once data.jsonl is written

  Child c = start_r1(args + " --out '" + dir + "/b'", dir + "/b_log.txt");
  REQUIRE(wait_for_path(c, fs::path(dir) / "b" / "samples.rank0.journal"));
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  ::kill(c.pid, SIGTERM);
  const int code = wait_exit(c);
  std::string log = file_bytes(c.log);
  INFO(log);
  REQUIRE(code == 143);
  REQUIRE_FALSE(fs::exists(dir + "/b/DONE"));
  auto at = log.find("Resume with: ");
  REQUIRE(at != std::string::npos);
  std::string resume = log.substr(at + 13, log.find('\n', at) - at - 13);
  REQUIRE(resume.rfind("r1 cold-start ", 0) == 0);
  auto again = run_r1_in_source(resume.substr(3));
  INFO(again.output);
  REQUIRE(again.exit_code == 0);
  CHECK(again.output.find("resuming after") != std::string::npos);
  CHECK(file_bytes(dir + "/b/data.jsonl").size() > 0);
  // Same rows as the run never stopped (paths differ only in the stage dir, which the rows do not hold).
  CHECK(deterministic_rows(dir + "/b/data.jsonl") == deterministic_rows(dir + "/a/data.jsonl"));
}

namespace {
// Whether process `pid` has a handler installed for `sig` (the SigCgt mask of /proc/<pid>/status).
bool catches_signal(pid_t pid, int sig) {
  std::ifstream status("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(status, line))
    if (line.rfind("SigCgt:", 0) == 0) return (std::stoull(line.substr(7), nullptr, 16) >> (sig - 1)) & 1ULL;
  return false;
}
}  // namespace

TEST_CASE("r1 eval stops on SIGINT without writing a partial eval.json, a signal during start-up exits 143 with "
          "a message",
          "[reliability]") {
  const std::string dir = temp_dir("eval_stop");
  Child c = start_r1("eval --model '" + micro_base() + "' --task arithmetic --template chat --n 400 --samples 4 --out '" + dir + "/e'", dir + "/log.txt");
  std::this_thread::sleep_for(std::chrono::milliseconds(1500));
  ::kill(c.pid, SIGINT);
  CHECK(wait_exit(c) == 130);
  std::string log = file_bytes(c.log);
  INFO(log);
  CHECK((log.find("stopped after") != std::string::npos || log.find("interrupted") != std::string::npos));
  CHECK_FALSE(fs::exists(dir + "/e/eval.json"));

  Child early = start_r1("eval --model '" + micro_base() + "' --task arithmetic --template chat --n 400", dir + "/early.txt");
  // Once the shell has exec'd r1 (a signal to the shell itself would say nothing), during r1's start-up.
  for (int i = 0; i < 400; ++i) {
    std::error_code ec;
    auto exe = fs::read_symlink("/proc/" + std::to_string(early.pid) + "/exe", ec);
    if (!ec && exe.filename() == "r1") break;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  // As soon as r1 catches SIGTERM (its handlers are installed from .preinit_array, before the ~100 libraries'
  // constructors run): while LibTorch's constructors or r1's start-up still run. Waiting for the handler rather
  // than a fixed delay keeps the test meaningful when start-up is slow (a sanitizer build maps shadow memory first).
  for (int i = 0; i < 2000 && !catches_signal(early.pid, SIGTERM); ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  ::kill(early.pid, SIGTERM);
  CHECK(wait_exit(early) == 143);
  CHECK(file_bytes(early.log).find("r1: ") != std::string::npos);
}

TEST_CASE("a second signal exits at once, files stay whole and the run resumes", "[reliability]") {
  // Long batches (4,000 prompts, ~2 s here) so the first signal has to wait for the one in flight; the second
  // must not. The signals come once the first batch is journaled, i.e. while the second runs: the journal file
  // exists (header only) before the first batch starts, and a SIGTERM before that batch's stop check would
  // rightly stop the run at once (143), which is not what this test is about.
  const std::string dir = temp_dir("double_signal");
  const std::string args = "cold-start --recipe tests/data/micro_recipe.yaml --stage cold --policy '" + micro_base() +
                           "' --set prompts.n=8000 --set batch_prompts=4000 --out '" + dir + "/c'";
  Child c = start_r1(args, dir + "/log.txt");
  const fs::path journal = fs::path(dir) / "c" / "samples.rank0.journal";
  REQUIRE(wait_for_path(c, journal));
  REQUIRE(wait_for_growth(c, journal));
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  ::kill(c.pid, SIGTERM);
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  ::kill(c.pid, SIGINT);
  CHECK(wait_exit(c) == 130);
  CHECK(file_bytes(c.log).find("second signal: exiting now") != std::string::npos);
  auto resumed = run_r1_in_source(args);
  INFO(resumed.output);
  CHECK(resumed.exit_code == 0);  // the journal held whole batches only; the run finishes from it
  CHECK(fs::exists(dir + "/c/data.jsonl"));
}

TEST_CASE("a checkpoint with a NaN weight is refused, naming the tensor", "[reliability]") {
  const std::string dir = temp_dir("nan_weights");
  fs::copy(micro_base(), dir + "/ckpt", fs::copy_options::recursive);
  auto weights = r1::load_safetensors(dir + "/ckpt/model.safetensors");
  auto& t = weights.at("model.layers.0.mlp.up_proj.weight");
  t = t.clone();
  t.view(-1)[7] = std::numeric_limits<float>::quiet_NaN();
  r1::save_safetensors(dir + "/ckpt/model.safetensors", weights);
  auto r = run_r1_in_source("generate --model '" + dir + "/ckpt' --prompt 'What is 1 + 1?'");
  INFO(r.output);
  CHECK(r.exit_code == 2);
  CHECK(r.output.find("tensor \"model.layers.0.mlp.up_proj.weight\" holds 1 non-finite value (NaN or Inf)") !=
        std::string::npos);
}
