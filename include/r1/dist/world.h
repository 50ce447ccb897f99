// The process's place in a data-parallel run: read from the torchrun environment (RANK, WORLD_SIZE, LOCAL_RANK,
// MASTER_ADDR, MASTER_PORT), turned into a c10d process group once at start, and reachable from anywhere as world().
// Without those variables (or with WORLD_SIZE=1) r1 is a single process and world() is a LocalComm.
#pragma once
#include <chrono>
#include <map>
#include <optional>
#include <string>

#include "r1/dist/comm.h"

namespace r1::dist {

struct DistEnv {
  int rank = 0;
  int world_size = 1;
  int local_rank = 0;
  int local_world_size = 1;                   // processes on this machine (LOCAL_WORLD_SIZE; default WORLD_SIZE)
  std::string master_addr = "127.0.0.1";
  int master_port = 29500;
  // torchrun's static rendezvous (TORCHELASTIC_USE_AGENT_STORE=True): the launcher hosts the TCPStore and every rank
  // connects to it as a client under the prefix /worker/attempt_<TORCHELASTIC_RESTART_COUNT>; otherwise rank 0 hosts it.
  bool use_agent_store = false;
  int restart_count = 0;
  std::chrono::milliseconds timeout{300000};  // R1_DIST_TIMEOUT_S (seconds, default 300): rendezvous and collectives
  bool check_sync = false;                    // R1_DIST_CHECK_SYNC=1: compare parameter hashes after every update
};

// The distributed settings in `vars` (an environment: name -> value), or nullopt when none of RANK / WORLD_SIZE is
// set. InputError naming the variable when one is missing or malformed (e.g. RANK >= WORLD_SIZE).
std::optional<DistEnv> parse_dist_env(const std::map<std::string, std::string>& vars);

// parse_dist_env of the process environment.
std::optional<DistEnv> dist_env_from_process();

// Creates the process group when the environment asks for one (idempotent; a no-op for single processes) and makes
// non-zero ranks log warnings only. Throws InputError for a bad environment or a build without c10d, RuntimeFailure
// when the ranks do not meet within the timeout.
Comm& init_world();

// The process group made by init_world(), or the single-process world when it was not called / not needed.
Comm& world();

// How many processes of this run share this machine (1 for a single process): they split its cores.
int local_world_size();

// Whether R1_DIST_CHECK_SYNC was set for this run.
bool check_sync_enabled();

// Waits for every rank and closes the process group (end of main; collectives after it fail).
void shutdown_world();

}  // namespace r1::dist
