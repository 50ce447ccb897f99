// Comm over c10d: TCPStore rendezvous, Gloo (CPU, bytes) and NCCL (CUDA) process groups, heartbeats in the store to
// name the rank that stopped answering when a collective fails.
#include "r1/dist/c10d_comm.h"

#include <algorithm>
#include <atomic>
#include <cctype>
#include <condition_variable>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <mutex>
#include <thread>

#include "r1/util/error.h"
#include "r1/util/strings.h"

#ifdef USE_C10D_GLOO
#include <torch/csrc/distributed/c10d/PrefixStore.hpp>
#include <torch/csrc/distributed/c10d/ProcessGroupGloo.hpp>
#include <torch/csrc/distributed/c10d/TCPStore.hpp>
#endif
#ifdef USE_C10D_NCCL
#include <c10/cuda/CUDAFunctions.h>
#include <torch/csrc/distributed/c10d/ProcessGroupNCCL.hpp>
#endif

namespace r1::dist {

bool c10d_available() {
#ifdef USE_C10D_GLOO
  return true;
#else
  return false;
#endif
}

#ifdef USE_C10D_GLOO

namespace {
std::string seconds_text(std::chrono::milliseconds ms) {
  return format_number(static_cast<double>(ms.count()) / 1000.0) + " s";
}

// The first line of a c10d / gloo message (they append C++ stack traces).
std::string first_line(const std::string& what) {
  std::string s = what.substr(0, what.find('\n'));
  return s.size() > 300 ? s.substr(0, 300) + "..." : s;
}

constexpr std::chrono::milliseconds kBeatPeriod{1000};
constexpr std::chrono::milliseconds kSilenceWindow{3500};  // a live rank beats 3 times in this window

// Elements per flattened buffer of a collective over many tensors (bounds the extra memory).
constexpr std::int64_t kBucketElements = std::int64_t{1} << 25;

bool is_loopback(const std::string& host) {
  return host == "localhost" || host.rfind("127.", 0) == 0 || host == "::1";
}
}  // namespace

struct C10dComm::Impl {
  DistEnv env;
  c10::intrusive_ptr<c10d::Store> base_store;  // the TCPStore (or its attempt prefix under torchrun)
  c10::intrusive_ptr<c10d::Store> store;       // "r1/" inside it
  c10::intrusive_ptr<c10d::ProcessGroup> gloo;
  c10::intrusive_ptr<c10d::ProcessGroup> nccl;  // CUDA builds on GPUs only
  std::atomic<bool> broken{false};
  std::string broken_reason;

  // Heartbeats: every rank adds 1 to r1/beat/<rank> each kBeatPeriod from its own thread, so a rank that died,
  // hung or was stopped is the one whose counter stands still.
  std::thread beat_thread;
  std::mutex beat_mutex;
  std::condition_variable beat_cv;
  bool beat_stop = false;

  std::string beat_key(int r) const { return "beat/" + std::to_string(r); }

  void start_heartbeat() {
    store->add(beat_key(env.rank), 1);
    beat_thread = std::thread([this] {
      std::unique_lock<std::mutex> lock(beat_mutex);
      while (!beat_stop) {
        beat_cv.wait_for(lock, kBeatPeriod, [this] { return beat_stop; });
        if (beat_stop) break;
        try {
          store->add(beat_key(env.rank), 1);
        } catch (const std::exception&) {
          break;  // the store is gone (its host exited): nothing left to tell
        }
      }
    });
  }

  void stop_heartbeat() {
    {
      std::lock_guard<std::mutex> lock(beat_mutex);
      beat_stop = true;
    }
    beat_cv.notify_all();
    if (beat_thread.joinable()) beat_thread.join();
  }

  std::string where() const {
    return "rank " + std::to_string(env.rank) + " of " + std::to_string(env.world_size);
  }

  // Which peers stopped beating (watched for kSilenceWindow), as a sentence; "" when all still beat.
  std::string silent_peers(bool* store_lost) {
    *store_lost = false;
    std::vector<std::int64_t> before(env.world_size, 0), after(env.world_size, 0);
    try {
      for (int r = 0; r < env.world_size; ++r)
        if (r != env.rank) before[r] = store->add(beat_key(r), 0);
      std::this_thread::sleep_for(kSilenceWindow);
      for (int r = 0; r < env.world_size; ++r)
        if (r != env.rank) after[r] = store->add(beat_key(r), 0);
    } catch (const std::exception&) {
      *store_lost = true;
      return "";
    }
    std::vector<std::string> silent;
    for (int r = 0; r < env.world_size; ++r)
      if (r != env.rank && after[r] == before[r]) silent.push_back(std::to_string(r));
    if (silent.empty()) return "";
    return (silent.size() == 1 ? "rank " + silent[0] : "ranks " + join(silent, ", "));
  }

  [[noreturn]] void fail(const std::string& op, const std::exception& e) {
    std::string raw = first_line(e.what());
    std::string lower = raw;
    std::transform(lower.begin(), lower.end(), lower.begin(), [](unsigned char c) { return std::tolower(c); });
    const bool timed_out = lower.find("timed out") != std::string::npos || lower.find("timeout") != std::string::npos;
    bool store_lost = false;
    std::string who = silent_peers(&store_lost);
    std::string msg = where() + ": " + op + " failed: ";
    if (!who.empty()) {
      msg += timed_out ? who + " did not answer within " + seconds_text(env.timeout) + " and has stopped sending "
                                 "heartbeats (it died, hung or was stopped)"
                       : who + " is gone (the connection to it broke and it has stopped sending heartbeats: it "
                                 "died or exited; see its log)";
    } else if (store_lost) {
      msg += std::string(timed_out ? "no answer within " + seconds_text(env.timeout) : "a peer rank went away") +
             ", and the rendezvous store at " + env.master_addr + ":" + std::to_string(env.master_port) +
             " is unreachable (" + (env.use_agent_store ? "the launcher" : "rank 0") + " exited)";
    } else if (timed_out) {
      msg += "no answer within " + seconds_text(env.timeout) +
             " although every rank is alive (a slow step longer than R1_DIST_TIMEOUT_S, or ranks running different "
             "collectives)";
    } else {
      msg += "the transport failed while every rank is still alive";
    }
    msg += " [c10d: " + raw + "]";
    broken_reason = msg;
    broken = true;
    throw RuntimeFailure(msg);
  }

  void check_usable(const std::string& op) const {
    if (broken)
      throw RuntimeFailure(where() + ": " + op + " after an earlier collective failed (" + broken_reason + ")");
  }

  c10d::ProcessGroup& group_for(const torch::Tensor& t) {
    if (t.is_cuda() && nccl) return *nccl;
    return *gloo;
  }

  // Runs `launch_and_wait` (which starts a collective and waits for it); a c10d error becomes fail(op).
  void guarded(const std::string& op, const std::function<void()>& launch_and_wait) {
    check_usable(op);
    try {
      launch_and_wait();
    } catch (const RuntimeFailure&) {
      throw;
    } catch (const std::exception& e) {
      fail(op, e);
    }
  }

  // Runs `collective` on flat buffers: tensors grouped by dtype and device, concatenated into buckets of at most
  // kBucketElements, and the results copied back.
  void flat(const std::string& op, std::vector<torch::Tensor>& tensors,
            const std::function<void(c10d::ProcessGroup&, std::vector<at::Tensor>&)>& collective) {
    size_t i = 0;
    while (i < tensors.size()) {
      std::vector<size_t> members{i};
      std::int64_t elems = tensors[i].numel();
      size_t j = i + 1;
      for (; j < tensors.size(); ++j) {
        const auto& t = tensors[j];
        if (t.scalar_type() != tensors[i].scalar_type() || t.device() != tensors[i].device() ||
            elems + t.numel() > kBucketElements)
          break;
        members.push_back(j);
        elems += t.numel();
      }
      std::vector<torch::Tensor> parts;
      for (size_t m : members) parts.push_back(tensors[m].detach().reshape({-1}));
      std::vector<at::Tensor> buf{members.size() == 1 ? parts[0].contiguous().clone() : torch::cat(parts)};
      auto& pg = group_for(buf[0]);
      guarded(op, [&] { collective(pg, buf); });
      std::int64_t offset = 0;
      torch::NoGradGuard no_grad;
      for (size_t m : members) {
        auto& t = tensors[m];
        t.detach().copy_(buf[0].narrow(0, offset, t.numel()).view(t.sizes()));
        offset += t.numel();
      }
      i = j;
    }
  }
};

C10dComm::C10dComm(const DistEnv& env) : impl_(std::make_unique<Impl>()) {
  auto& d = *impl_;
  d.env = env;
  const std::string endpoint = env.master_addr + ":" + std::to_string(env.master_port);
  const std::string hint = "; start every rank with the same MASTER_ADDR, MASTER_PORT and WORLD_SIZE (R1_DIST_TIMEOUT_S "
                           "sets how long to wait, now " + seconds_text(env.timeout) + ")";
  try {
    c10d::TCPStoreOptions so;
    so.port = static_cast<std::uint16_t>(env.master_port);
    so.isServer = !env.use_agent_store && env.rank == 0;
    so.numWorkers = static_cast<std::size_t>(env.world_size);
    so.waitWorkers = true;
    so.timeout = env.timeout;
    so.multiTenant = so.isServer;
    d.base_store = c10::make_intrusive<c10d::TCPStore>(env.master_addr, so);
    if (env.use_agent_store)
      d.base_store = c10::make_intrusive<c10d::PrefixStore>("/worker/attempt_" + std::to_string(env.restart_count),
                                                            d.base_store);
  } catch (const std::exception& e) {
    throw RuntimeFailure(d.where() + ": could not meet the other ranks at the rendezvous store " + endpoint +
                         " within " + seconds_text(env.timeout) + " (" + first_line(e.what()) + ")" + hint);
  }
  d.store = c10::make_intrusive<c10d::PrefixStore>("r1", d.base_store);
  try {
    auto opts = c10d::ProcessGroupGloo::Options::create(env.timeout);
    if (const char* ifname = std::getenv("GLOO_SOCKET_IFNAME"); ifname && *ifname) {
      for (const auto& name : split(ifname, ','))
        if (!name.empty()) opts->devices.push_back(c10d::ProcessGroupGloo::createDeviceForInterface(name));
    } else if (is_loopback(env.master_addr)) {
      opts->devices.push_back(c10d::ProcessGroupGloo::createDeviceForHostname("127.0.0.1"));
    } else {
      opts->devices.push_back(c10d::ProcessGroupGloo::createDefaultDevice());
    }
    opts->threads = static_cast<int>(opts->devices.size()) * 2;
    d.gloo = c10::make_intrusive<c10d::ProcessGroupGloo>(c10::make_intrusive<c10d::PrefixStore>("gloo", d.store),
                                                         env.rank, env.world_size, opts);
#ifdef USE_C10D_NCCL
    if (torch::cuda::is_available()) {
      c10::cuda::set_device(
          static_cast<c10::DeviceIndex>(env.local_rank % static_cast<int>(torch::cuda::device_count())));
      // Blocking waits make a stuck NCCL collective throw after the timeout instead of hanging.
      ::setenv("NCCL_BLOCKING_WAIT", "1", 0);
      auto nopts = c10d::ProcessGroupNCCL::Options::create();
      nopts->timeout = env.timeout;
      d.nccl = c10::make_intrusive<c10d::ProcessGroupNCCL>(c10::make_intrusive<c10d::PrefixStore>("nccl", d.store),
                                                           env.rank, env.world_size, nopts);
    }
#endif
  } catch (const std::exception& e) {
    throw RuntimeFailure(d.where() + ": could not connect the process group through " + endpoint + " (" +
                         first_line(e.what()) + ")" + hint + "; on several machines set GLOO_SOCKET_IFNAME to the "
                         "network interface the ranks share");
  }
  d.start_heartbeat();
}

C10dComm::~C10dComm() {
  impl_->stop_heartbeat();
  impl_->nccl.reset();
  impl_->gloo.reset();
  impl_->store.reset();
  impl_->base_store.reset();
}

int C10dComm::rank() const { return impl_->env.rank; }
int C10dComm::world_size() const { return impl_->env.world_size; }
int C10dComm::local_rank() const { return impl_->env.local_rank; }

std::string C10dComm::describe() const {
  return std::string(impl_->nccl ? "nccl+gloo" : "gloo") + ", " + impl_->where();
}

void C10dComm::all_reduce_sum(std::vector<torch::Tensor>& tensors) {
  impl_->flat("all_reduce", tensors, [](c10d::ProcessGroup& pg, std::vector<at::Tensor>& buf) {
    c10d::AllreduceOptions o;
    o.reduceOp = c10d::ReduceOp::SUM;
    pg.allreduce(buf, o)->wait();
  });
}

void C10dComm::all_reduce_max(std::vector<torch::Tensor>& tensors) {
  impl_->flat("all_reduce(max)", tensors, [](c10d::ProcessGroup& pg, std::vector<at::Tensor>& buf) {
    c10d::AllreduceOptions o;
    o.reduceOp = c10d::ReduceOp::MAX;
    pg.allreduce(buf, o)->wait();
  });
}

void C10dComm::broadcast(std::vector<torch::Tensor>& tensors, int root) {
  impl_->flat("broadcast", tensors, [root](c10d::ProcessGroup& pg, std::vector<at::Tensor>& buf) {
    c10d::BroadcastOptions o;
    o.rootRank = root;
    pg.broadcast(buf, o)->wait();
  });
}

std::vector<std::string> C10dComm::all_gather_bytes(const std::string& mine) {
  auto& d = *impl_;
  const int w = d.env.world_size;
  auto gather = [&](const torch::Tensor& in) {
    std::vector<std::vector<at::Tensor>> out(1);
    for (int r = 0; r < w; ++r) out[0].push_back(torch::empty_like(in));
    std::vector<at::Tensor> inputs{in};
    d.guarded("all_gather", [&] { d.gloo->allgather(out, inputs)->wait(); });
    return out[0];
  };
  auto sizes = gather(torch::tensor({static_cast<std::int64_t>(mine.size())}, torch::kInt64));
  std::int64_t longest = 1;
  for (const auto& s : sizes) longest = std::max(longest, s.item<std::int64_t>());
  auto buf = torch::zeros({longest}, torch::kUInt8);
  std::memcpy(buf.data_ptr<std::uint8_t>(), mine.data(), mine.size());
  auto parts = gather(buf);
  std::vector<std::string> result;
  for (int r = 0; r < w; ++r)
    result.emplace_back(reinterpret_cast<const char*>(parts[r].data_ptr<std::uint8_t>()),
                        static_cast<size_t>(sizes[r].item<std::int64_t>()));
  return result;
}

void C10dComm::barrier() {
  auto& d = *impl_;
  d.guarded("barrier", [&] { d.gloo->barrier()->wait(); });
}

#else  // built without c10d

struct C10dComm::Impl {};

C10dComm::C10dComm(const DistEnv& env) {
  throw InputError("WORLD_SIZE=" + std::to_string(env.world_size) +
                   " asks for a distributed run, but this r1 was built without PyTorch's distributed engine (c10d): "
                   "install libgloo-dev and rebuild (cmake finds it and defines USE_C10D_GLOO USE_DISTRIBUTED), or run "
                   "without RANK/WORLD_SIZE for a single process");
}
C10dComm::~C10dComm() = default;
int C10dComm::rank() const { return 0; }
int C10dComm::world_size() const { return 1; }
int C10dComm::local_rank() const { return 0; }
std::string C10dComm::describe() const { return "no c10d"; }
void C10dComm::all_reduce_sum(std::vector<torch::Tensor>&) {}
void C10dComm::all_reduce_max(std::vector<torch::Tensor>&) {}
void C10dComm::broadcast(std::vector<torch::Tensor>&, int) {}
std::vector<std::string> C10dComm::all_gather_bytes(const std::string& mine) { return {mine}; }
void C10dComm::barrier() {}

#endif

}  // namespace r1::dist
