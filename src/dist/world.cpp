// The process-wide data-parallel world: parsed from the torchrun environment, created once.
#include "r1/dist/world.h"

#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <memory>

#include "r1/dist/c10d_comm.h"
#include "r1/util/error.h"
#include "r1/util/logging.h"
#include "r1/util/strings.h"

namespace r1::dist {

namespace {

const char* kVars[] = {"RANK", "WORLD_SIZE", "LOCAL_RANK", "LOCAL_WORLD_SIZE", "MASTER_ADDR", "MASTER_PORT",
                       "TORCHELASTIC_USE_AGENT_STORE", "TORCHELASTIC_RESTART_COUNT", "R1_DIST_TIMEOUT_S",
                       "R1_DIST_CHECK_SYNC"};

long long parse_int(const std::map<std::string, std::string>& vars, const std::string& name, long long lo,
                    long long hi) {
  const std::string& text = vars.at(name);
  errno = 0;
  char* end = nullptr;
  long long v = std::strtoll(text.c_str(), &end, 10);
  if (text.empty() || *end != '\0' || errno != 0 || v < lo || v > hi)
    throw InputError("environment variable " + name + "=" + quote(text) + ": expected an integer in [" +
                     std::to_string(lo) + ", " + std::to_string(hi) + "]");
  return v;
}

bool truthy(const std::string& v) { return v == "1" || to_lower(v) == "true" || to_lower(v) == "yes"; }

std::unique_ptr<Comm>& world_ptr() {
  static std::unique_ptr<Comm> w;
  return w;
}

bool g_check_sync = false;
int g_local_world_size = 1;

}  // namespace

std::optional<DistEnv> parse_dist_env(const std::map<std::string, std::string>& vars) {
  auto has = [&](const char* k) { return vars.count(k) > 0; };
  if (!has("RANK") && !has("WORLD_SIZE")) return std::nullopt;
  std::vector<std::string> missing;
  for (const char* k : {"RANK", "WORLD_SIZE"})
    if (!has(k)) missing.push_back(k);
  if (!missing.empty())
    throw InputError("distributed run: " + join(missing, " and ") +
                     " not set (a launcher such as torchrun or scripts/launch-local.sh sets RANK, WORLD_SIZE, "
                     "LOCAL_RANK, MASTER_ADDR and MASTER_PORT for every process)");
  DistEnv env;
  env.world_size = static_cast<int>(parse_int(vars, "WORLD_SIZE", 1, 1 << 20));
  env.rank = static_cast<int>(parse_int(vars, "RANK", 0, env.world_size - 1));
  env.local_rank = has("LOCAL_RANK") ? static_cast<int>(parse_int(vars, "LOCAL_RANK", 0, env.world_size - 1))
                                     : env.rank;
  env.local_world_size = has("LOCAL_WORLD_SIZE")
                             ? static_cast<int>(parse_int(vars, "LOCAL_WORLD_SIZE", 1, env.world_size))
                             : env.world_size;
  if (env.world_size > 1) {
    for (const char* k : {"MASTER_ADDR", "MASTER_PORT"})
      if (!has(k)) missing.push_back(k);
    if (!missing.empty())
      throw InputError("distributed run (WORLD_SIZE=" + std::to_string(env.world_size) + "): " +
                       join(missing, " and ") + " not set; every rank needs the address and port of the rendezvous");
    env.master_addr = vars.at("MASTER_ADDR");
    if (env.master_addr.empty()) throw InputError("environment variable MASTER_ADDR is empty");
    env.master_port = static_cast<int>(parse_int(vars, "MASTER_PORT", 1, 65535));
  }
  if (has("TORCHELASTIC_USE_AGENT_STORE")) env.use_agent_store = vars.at("TORCHELASTIC_USE_AGENT_STORE") == "True";
  if (env.use_agent_store && has("TORCHELASTIC_RESTART_COUNT"))
    env.restart_count = static_cast<int>(parse_int(vars, "TORCHELASTIC_RESTART_COUNT", 0, 1 << 20));
  if (has("R1_DIST_TIMEOUT_S")) {
    const std::string& text = vars.at("R1_DIST_TIMEOUT_S");
    char* end = nullptr;
    double s = std::strtod(text.c_str(), &end);
    if (text.empty() || *end != '\0' || !std::isfinite(s) || s <= 0 || s > 7 * 24 * 3600.0)
      throw InputError("environment variable R1_DIST_TIMEOUT_S=" + quote(text) +
                       ": expected a number of seconds > 0 (default 300)");
    env.timeout = std::chrono::milliseconds(static_cast<long long>(s * 1000.0 + 0.5));
  }
  env.check_sync = has("R1_DIST_CHECK_SYNC") && truthy(vars.at("R1_DIST_CHECK_SYNC"));
  return env;
}

std::optional<DistEnv> dist_env_from_process() {
  std::map<std::string, std::string> vars;
  for (const char* k : kVars)
    if (const char* v = std::getenv(k)) vars[k] = v;
  return parse_dist_env(vars);
}

Comm& init_world() {
  auto& w = world_ptr();
  if (w) return *w;
  auto env = dist_env_from_process();
  g_check_sync = env && env->check_sync;
  if (!env || env->world_size == 1) {
    w = std::make_unique<LocalComm>();
    return *w;
  }
  set_log_rank(env->rank);
  w = std::make_unique<C10dComm>(*env);
  g_local_world_size = env->local_world_size;
  logger()->info("distributed: {} (rendezvous {}:{}{}), timeout {} s", w->describe(), env->master_addr,
                 env->master_port, env->use_agent_store ? " via the torchrun agent" : "",
                 format_number(env->timeout.count() / 1000.0));
  return *w;
}

Comm& world() {
  static LocalComm local;
  auto& w = world_ptr();
  return w ? *w : local;
}

bool check_sync_enabled() { return g_check_sync; }

int local_world_size() { return g_local_world_size; }

void shutdown_world() {
  auto& w = world_ptr();
  if (w && w->distributed()) w->barrier();
  w.reset();
}

}  // namespace r1::dist
