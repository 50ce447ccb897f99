// SIGINT/SIGTERM handling. main() installs the handlers first thing, in "exit now" mode: a signal prints one line
// and exits 128+signal (130 for SIGINT, 143 for SIGTERM). A command that polls the stop flag between work units
// (a training step, a prompt batch) holds a CooperativeStop for that time: the first signal then only sets the flag,
// the loop finishes its unit, saves what makes the work resumable and throws Interrupted (exit 128+signal, with the
// command that resumes). A second signal always exits at once; atomic writes leave no corrupt file either way.
#pragma once
#include <string>

namespace r1 {

// Installs the handlers (idempotent). Called by main before anything else.
void install_stop_handlers();

// True once a signal (or request_stop) asked this process to stop.
bool stop_requested();
// The signal that asked (SIGINT, SIGTERM), or 0 when none did (request_stop in tests counts as SIGINT).
int stop_signal();
// 128 + stop_signal(): the exit code of a stopped command (130 when no signal arrived).
int stop_exit_code();

// Test hooks / programmatic stop.
void request_stop(int signal_number = 2);
void clear_stop_request();

// While one of these lives, the first signal sets the flag instead of exiting.
class CooperativeStop {
 public:
  CooperativeStop();
  ~CooperativeStop();
  CooperativeStop(const CooperativeStop&) = delete;
  CooperativeStop& operator=(const CooperativeStop&) = delete;
};

// Throws Interrupted("<what>; <resume hint>") when a stop was requested; a no-op otherwise. For loops whose partial
// work is discarded or journaled (data stages, eval, generate, bench).
void throw_if_stop_requested(const std::string& what);

// The command line that resumes the current command: argv as given, minus the options that would redo work
// (`--from X`, `--resume none`). Set once by main.
void set_command_line(int argc, const char* const* argv);
std::string resume_command();

}  // namespace r1
