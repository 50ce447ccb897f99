// Benchmark driver: one child process per case, peak RSS from wait4, figures into bench.json.
#include "r1/bench/bench_runner.h"

#include <fcntl.h>
#include <spawn.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>
#include <thread>

#include "r1/bench/bench_cases.h"
#include "r1/bench/bench_report.h"
#include "r1/bench/bench_world.h"
#include "r1/util/error.h"
#include "r1/util/fs.h"
#include "r1/util/timer.h"

extern char** environ;

namespace r1::bench {

namespace fs = std::filesystem;

Json case_options_json(const CaseOptions& o) {
  return Json{{"preset", o.preset},
              {"tokenizer_dir", o.tokenizer_dir},
              {"work_dir", o.work_dir},
              {"runs", o.runs},
              {"warmup", o.warmup},
              {"threads", o.threads},
              {"seed", o.seed},
              {"seq_len", o.seq_len},
              {"train_batch", o.train_batch},
              {"sft_examples", o.sft_examples},
              {"new_tokens", o.new_tokens},
              {"decode_batch", o.decode_batch},
              {"module_decode", o.module_decode},
              {"batch_no_cache", o.batch_no_cache},
              {"kv_cache_dtype", o.kv_cache_dtype},
              {"group_size", o.group_size},
              {"grpo_prompts", o.grpo_prompts},
              {"grpo_new_tokens", o.grpo_new_tokens},
              {"grpo_beta", o.grpo_beta},
              {"gemm_n", o.gemm_n}};
}

CaseOptions case_options_from_json(const Json& j) {
  CaseOptions o;
  o.preset = j.at("preset").get<std::string>();
  o.tokenizer_dir = j.at("tokenizer_dir").get<std::string>();
  o.work_dir = j.at("work_dir").get<std::string>();
  o.runs = j.at("runs").get<int>();
  o.warmup = j.at("warmup").get<int>();
  o.threads = j.at("threads").get<int>();
  o.seed = j.at("seed").get<std::uint64_t>();
  o.seq_len = j.at("seq_len").get<int>();
  o.train_batch = j.at("train_batch").get<int>();
  o.sft_examples = j.at("sft_examples").get<int>();
  o.new_tokens = j.at("new_tokens").get<int>();
  o.decode_batch = j.at("decode_batch").get<int>();
  o.module_decode = j.at("module_decode").get<bool>();
  o.batch_no_cache = j.at("batch_no_cache").get<bool>();
  o.kv_cache_dtype = j.at("kv_cache_dtype").get<std::string>();
  o.group_size = j.at("group_size").get<int>();
  o.grpo_prompts = j.at("grpo_prompts").get<int>();
  o.grpo_new_tokens = j.at("grpo_new_tokens").get<int>();
  o.grpo_beta = j.at("grpo_beta").get<double>();
  o.gemm_n = j.at("gemm_n").get<int>();
  return o;
}

void run_child_case(const std::string& case_name, const std::string& options_file, const std::string& result_file) {
  Json options = Json::parse(read_file(options_file));
  Json result = run_case(case_name, case_options_from_json(options));
  std::ofstream out(result_file);
  out << result.dump() << "\n";
  if (!out) throw RuntimeFailure("bench: cannot write " + result_file);
}

namespace {

std::string self_executable() {
  std::error_code ec;
  auto p = fs::read_symlink("/proc/self/exe", ec);
  if (ec) throw RuntimeFailure("bench: cannot find this executable (/proc/self/exe): " + ec.message());
  return p.string();
}

std::string tail_of(const std::string& path, size_t lines) {
  std::ifstream in(path);
  std::vector<std::string> all;
  for (std::string line; std::getline(in, line);) all.push_back(line);
  std::ostringstream out;
  for (size_t i = all.size() > lines ? all.size() - lines : 0; i < all.size(); ++i) out << "  " << all[i] << "\n";
  return out.str();
}

struct ChildResult {
  Json result;
  double peak_rss_mb = 0;
  double wall_s = 0;
};

// Runs `exe bench --child NAME --options F --result R` with stdout/stderr in `log`; waits with wait4.
ChildResult run_child(const std::string& exe, const std::string& name, const CaseOptions& o, const std::string& tag) {
  const std::string base = (fs::path(o.work_dir) / tag).string();
  const std::string options_file = base + ".options.json", result_file = base + ".result.json",
                    log_file = base + ".log";
  {
    std::ofstream out(options_file);
    out << case_options_json(o).dump(2) << "\n";
  }
  fs::remove(result_file);
  std::vector<std::string> args = {exe, "--log-level", "warn", "bench", "--child", name, "--options", options_file,
                                   "--result", result_file};
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, log_file.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  posix_spawn_file_actions_adddup2(&actions, STDOUT_FILENO, STDERR_FILENO);
  pid_t pid = 0;
  Stopwatch clock;
  int rc = posix_spawn(&pid, exe.c_str(), &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  if (rc != 0) throw RuntimeFailure("bench: cannot start " + exe + ": " + std::strerror(rc));
  int status = 0;
  struct rusage usage {};
  while (wait4(pid, &status, 0, &usage) < 0) {
    if (errno != EINTR) throw RuntimeFailure(std::string("bench: wait4 failed: ") + std::strerror(errno));
  }
  ChildResult out;
  out.wall_s = clock.seconds();
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0 || !fs::exists(result_file))
    throw RuntimeFailure("bench: case " + tag + " failed (" +
                         (WIFEXITED(status) ? "exit code " + std::to_string(WEXITSTATUS(status))
                                            : "killed by signal " + std::to_string(WTERMSIG(status))) +
                         "); the end of " + log_file + ":\n" + tail_of(log_file, 15));
  out.result = Json::parse(read_file(result_file));
  out.peak_rss_mb = static_cast<double>(usage.ru_maxrss) / 1024.0;  // Linux: kilobytes
  return out;
}

std::string cpu_model() {
  std::ifstream in("/proc/cpuinfo");
  for (std::string line; std::getline(in, line);)
    if (line.rfind("model name", 0) == 0) {
      auto colon = line.find(':');
      if (colon != std::string::npos) return line.substr(colon + 2);
    }
  return "unknown";
}

}  // namespace

Json run_benchmark(const BenchPlan& plan) {
  std::vector<std::string> cases = plan.cases.empty() ? case_names() : plan.cases;
  for (const auto& c : cases)
    if (std::find(case_names().begin(), case_names().end(), c) == case_names().end())
      throw InputError("bench: unknown case \"" + c + "\" (expected one of gemm, train, packing, decode1, "
                       "decode-batch, grpo)");
  // MFU needs the GEMM ceiling.
  if (std::find(cases.begin(), cases.end(), "train") != cases.end() &&
      std::find(cases.begin(), cases.end(), "gemm") == cases.end())
    cases.insert(cases.begin(), "gemm");
  for (const auto& p : plan.presets) bench_model_config(p, 0);  // fail early on a bad preset

  const std::string exe = plan.executable.empty() ? self_executable() : plan.executable;
  const bool temp_work = plan.work_dir.empty();
  std::string work = plan.work_dir;
  if (temp_work) {
    work = (fs::temp_directory_path() / ("r1-bench-" + std::to_string(::getpid()))).string();
    fs::remove_all(work);
  }
  fs::create_directories(work);
  work = fs::absolute(work).string();

  CaseOptions base = plan.base;
  base.work_dir = work;
  base.tokenizer_dir = (fs::path(work) / "tokenizer").string();
  make_bench_tokenizer(base.tokenizer_dir, base.seed);

  Json bench{{"schema", 1},
             {"machine", {{"cpu", cpu_model()}, {"cores", std::thread::hardware_concurrency()}}},
             {"settings", case_options_json(base)},
             {"presets_run", plan.presets},
             {"raw", Json::object()}};
  bench["settings"].erase("preset");
  bench["settings"].erase("work_dir");
  bench["settings"].erase("tokenizer_dir");
  auto record = [&](const std::string& name, CaseOptions o, const std::string& key) {
    std::string tag = key;
    std::replace(tag.begin(), tag.end(), '/', '-');
    o.work_dir = (fs::path(work) / tag).string();
    fs::create_directories(o.work_dir);
    if (plan.progress) std::cerr << "bench: " << key << " ..." << std::flush;
    auto r = run_child(exe, name, o, tag);
    if (plan.progress) std::cerr << " " << static_cast<int>(r.wall_s + 0.5) << " s\n";
    bench["raw"][key] = Json{{"result", r.result}, {"peak_rss_mb", r.peak_rss_mb}, {"wall_s", r.wall_s}};
  };
  if (std::find(cases.begin(), cases.end(), "gemm") != cases.end()) record("gemm", base, "gemm");
  for (const auto& preset : plan.presets) {
    for (const auto& name : cases) {
      if (name == "gemm") continue;
      CaseOptions o = base;
      o.preset = preset;
      record(name, o, name + "/" + fs::path(preset).stem().string());
    }
  }
  compute_figures(bench);
  if (temp_work) fs::remove_all(work);
  return bench;
}

}  // namespace r1::bench
