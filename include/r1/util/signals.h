// Cooperative stop on SIGINT/SIGTERM: the first signal sets a flag that long loops poll (they finish the
// current step, save a checkpoint and throw Interrupted); a second SIGINT kills the process at once.
#pragma once

namespace r1 {

void install_stop_handlers();
bool stop_requested();
// Test hook / programmatic stop.
void request_stop();
void clear_stop_request();

}  // namespace r1
