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
  REQUIRE(log.find("Resume with the same command plus --resume auto") != std::string::npos);
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

TEST_CASE("a non-finite loss stops the stage, or is skipped up to skip_nonfinite; no NaN checkpoint",
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
