// SIGINT/SIGTERM handling through an async-signal-safe flag.
#include "r1/util/signals.h"

#include <csignal>
#include <cstring>
#include <unistd.h>

namespace r1 {

namespace {
volatile std::sig_atomic_t g_stop = 0;

void on_signal(int sig) {
  if (g_stop && sig == SIGINT) {
    std::signal(SIGINT, SIG_DFL);
    std::raise(SIGINT);
    return;
  }
  g_stop = 1;
  const char msg[] = "\nr1: stop requested; finishing the current step and saving a checkpoint "
                     "(press Ctrl-C again to abort at once)\n";
  ssize_t ignored = ::write(STDERR_FILENO, msg, sizeof(msg) - 1);
  (void)ignored;
}
}  // namespace

void install_stop_handlers() {
  struct sigaction sa;
  std::memset(&sa, 0, sizeof sa);
  sa.sa_handler = on_signal;
  sigemptyset(&sa.sa_mask);
  sigaction(SIGINT, &sa, nullptr);
  sigaction(SIGTERM, &sa, nullptr);
}

bool stop_requested() { return g_stop != 0; }
void request_stop() { g_stop = 1; }
void clear_stop_request() { g_stop = 0; }

}  // namespace r1
