// Logging set-up: console + optional files through one distributing sink.
#include "r1/util/logging.h"

#include <spdlog/sinks/basic_file_sink.h>
#include <spdlog/sinks/dist_sink.h>
#include <spdlog/sinks/stdout_color_sinks.h>

#include <mutex>

#include "r1/util/error.h"

namespace r1 {

namespace {
struct LogState {
  std::shared_ptr<spdlog::sinks::dist_sink_mt> dist = std::make_shared<spdlog::sinks::dist_sink_mt>();
  std::shared_ptr<spdlog::sinks::sink> console;
  std::shared_ptr<spdlog::logger> logger;
  spdlog::level::level_enum console_level = spdlog::level::info;
};

LogState& state() {
  static LogState s = [] {
    LogState st;
    st.console = std::make_shared<spdlog::sinks::stderr_color_sink_mt>();
    st.console->set_pattern("%^[%H:%M:%S %L]%$ %v");
    st.dist->add_sink(st.console);
    st.logger = std::make_shared<spdlog::logger>("r1", st.dist);
    st.logger->set_level(spdlog::level::trace);
    st.console->set_level(spdlog::level::info);
    st.logger->flush_on(spdlog::level::info);
    return st;
  }();
  return s;
}
}  // namespace

void init_logging(const std::string& level, const std::string& log_file) {
  auto& st = state();
  auto lvl = spdlog::level::from_str(level);
  if (lvl == spdlog::level::off && level != "off") {
    throw InputError("--log-level: expected one of trace|debug|info|warn|error|critical|off, got \"" + level + "\"");
  }
  st.console_level = lvl;
  st.console->set_level(lvl);
  if (!log_file.empty()) {
    auto file = std::make_shared<spdlog::sinks::basic_file_sink_mt>(log_file, false);
    file->set_pattern("[%Y-%m-%d %H:%M:%S.%e %L] %v");
    file->set_level(lvl);
    st.dist->add_sink(file);
  }
}

std::shared_ptr<spdlog::logger> logger() { return state().logger; }

void set_log_rank(int rank) {
  auto& st = state();
  if (rank != 0) st.console->set_level(std::max(st.console_level, spdlog::level::warn));
}

ScopedLogFile::ScopedLogFile(const std::string& path) {
  auto file = std::make_shared<spdlog::sinks::basic_file_sink_mt>(path, false);
  file->set_pattern("[%Y-%m-%d %H:%M:%S.%e %L] %v");
  file->set_level(spdlog::level::debug);
  sink_ = file;
  state().dist->add_sink(sink_);
}

ScopedLogFile::~ScopedLogFile() {
  sink_->flush();
  state().dist->remove_sink(sink_);
}

}  // namespace r1
