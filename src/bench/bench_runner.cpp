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
#include "r1/util/strings.h"
#include "r1/util/timer.h"

extern char** environ;

namespace r1::bench {

namespace fs = std::filesystem;

namespace {
// Visitors that turn CaseOptions into JSON and back through its visit().
struct JsonFieldWriter {
  Json out = Json::object();
  template <class T>
  void operator()(const char* key, const T& value) {
    if constexpr (config::is_named_enum<T>::value) out[key] = config::enum_name(value);
    else out[key] = value;
  }
};
struct JsonFieldReader {
  const Json& in;
  template <class T>
  void operator()(const char* key, T& value) {
    if constexpr (config::is_named_enum<T>::value) value = config::parse_enum<T>(in.at(key).get<std::string>(), key);
    else value = in.at(key).get<T>();
  }
};
}  // namespace

Json case_options_json(const CaseOptions& o) {
  JsonFieldWriter w;
  const_cast<CaseOptions&>(o).visit(w);
  return w.out;
}

CaseOptions case_options_from_json(const Json& j) {
  CaseOptions o;
  JsonFieldReader r{j};
  o.visit(r);
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
      throw InputError("bench: unknown case \"" + c + "\" (expected one of " + join(case_names(), ", ") + ")");
  // The tokenize case reads a Hugging Face tokenizer.json (../shared/hf/qwen2 by default): asked for by name it
  // must be there; in the default set it is left out, with a note, when it is not.
  const bool have_hf = fs::exists(fs::path(plan.base.hf_tokenizer) / "tokenizer.json");
  if (plan.cases.empty() && !have_hf) {
    cases.erase(std::find(cases.begin(), cases.end(), "tokenize"));
    if (plan.progress) std::cerr << "bench: no tokenizer.json in " << plan.base.hf_tokenizer << ": tokenize left out\n";
  }
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
  base.hf_tokenizer = fs::absolute(base.hf_tokenizer).string();
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
  for (const auto& name : cases)
    if (preset_independent(name)) record(name, base, name);
  for (const auto& preset : plan.presets) {
    for (const auto& name : cases) {
      if (preset_independent(name)) continue;
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
