// SIGINT/SIGTERM handling through async-signal-safe flags.
#include "r1/util/signals.h"

#include <unistd.h>

#include <atomic>
#include <csignal>
#include <cstring>
#include <vector>

#include "r1/util/error.h"
#include "r1/util/strings.h"

namespace r1 {

namespace {
volatile std::sig_atomic_t g_stop_signal = 0;
std::atomic<int> g_cooperative{0};
std::vector<std::string> g_argv;

void say(const char* msg) {
  ssize_t ignored = ::write(STDERR_FILENO, msg, std::strlen(msg));
  (void)ignored;
}

void on_signal(int sig) {
  if (g_stop_signal != 0 || g_cooperative.load() == 0) {
    say(g_stop_signal != 0 ? "\nr1: second signal: exiting now\n" : "\nr1: interrupted\n");
    ::_exit(128 + sig);
  }
  g_stop_signal = sig;
  say("\nr1: stop requested; finishing the current unit of work and saving what resumes it "
      "(a second Ctrl-C exits at once)\n");
}
}  // namespace

void install_stop_handlers() {
  struct sigaction sa;
  std::memset(&sa, 0, sizeof sa);
  sa.sa_handler = on_signal;
  sigemptyset(&sa.sa_mask);
  sa.sa_flags = SA_NODEFER;  // a second signal is delivered even while the first handler runs
  sigaction(SIGINT, &sa, nullptr);
  sigaction(SIGTERM, &sa, nullptr);
}

bool stop_requested() { return g_stop_signal != 0; }
int stop_signal() { return g_stop_signal; }
int stop_exit_code() { return 128 + (g_stop_signal != 0 ? g_stop_signal : SIGINT); }
void request_stop(int signal_number) { g_stop_signal = signal_number; }
void clear_stop_request() { g_stop_signal = 0; }

CooperativeStop::CooperativeStop() { g_cooperative.fetch_add(1); }
CooperativeStop::~CooperativeStop() { g_cooperative.fetch_sub(1); }

void throw_if_stop_requested(const std::string& what) {
  if (!stop_requested()) return;
  throw Interrupted(what + ". Resume with: " + resume_command());
}

void set_command_line(int argc, const char* const* argv) {
  g_argv.assign(argv, argv + argc);
}

std::string resume_command() {
  if (g_argv.empty()) return "the same command";
  std::vector<std::string> kept;
  for (size_t i = 0; i < g_argv.size(); ++i) {
    const std::string& a = g_argv[i];
    const bool has_next = i + 1 < g_argv.size();
    if (a == "--from" && has_next) { ++i; continue; }
    if (a.rfind("--from=", 0) == 0) continue;
    if (a == "--resume" && has_next && g_argv[i + 1] == "none") { ++i; continue; }
    if (a == "--resume=none") continue;
    kept.push_back(i == 0 ? std::string("r1") : shell_quote(a));
  }
  return join(kept, " ");
}

}  // namespace r1
