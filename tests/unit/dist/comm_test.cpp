// dist/: the torchrun environment, shards, and the c10d Comm with two ranks as two threads of this process.
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <future>
#include <mutex>
#include <thread>

#include "r1/dist/c10d_comm.h"
#include "r1/dist/collectives.h"
#include "r1/dist/shard.h"
#include "r1/dist/world.h"
#include "r1/util/error.h"

using namespace r1;
using namespace r1::dist;

namespace {

// Catch2 v2 assertions are not thread-safe: the two-rank bodies take this lock around each one.
std::mutex g_catch_mutex;
#define TS_CHECK(...)                                   \
  do {                                                  \
    std::lock_guard<std::mutex> lock_(g_catch_mutex);   \
    CHECK(__VA_ARGS__);                                 \
  } while (0)
#define TS_CHECK_THAT(arg, matcher)                     \
  do {                                                  \
    std::lock_guard<std::mutex> lock_(g_catch_mutex);   \
    CHECK_THAT(arg, matcher);                           \
  } while (0)

int free_port() {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  REQUIRE(::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0);
  socklen_t len = sizeof addr;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  ::close(fd);
  return ntohs(addr.sin_port);
}

DistEnv env_for(int rank, int world, int port, double timeout_s) {
  DistEnv e;
  e.rank = rank;
  e.local_rank = rank;
  e.world_size = world;
  e.master_addr = "127.0.0.1";
  e.master_port = port;
  e.timeout = std::chrono::milliseconds(static_cast<long long>(timeout_s * 1000));
  return e;
}

// Runs body(comm) for ranks 0 and 1 on two threads; rethrows the first exception.
template <class F>
void two_ranks(F body, double timeout_s = 20) {
  int port = free_port();
  auto run = [&](int rank) {
    C10dComm comm(env_for(rank, 2, port, timeout_s));
    body(comm);
  };
  auto r1f = std::async(std::launch::async, run, 1);
  run(0);
  r1f.get();
}

}  // namespace

TEST_CASE("parse_dist_env reads the torchrun variables and rejects bad ones", "[dist]") {
  CHECK_FALSE(parse_dist_env({}).has_value());
  CHECK_FALSE(parse_dist_env({{"MASTER_ADDR", "x"}}).has_value());

  auto e = parse_dist_env({{"RANK", "1"}, {"WORLD_SIZE", "2"}, {"LOCAL_RANK", "1"}, {"MASTER_ADDR", "10.0.0.1"},
                           {"MASTER_PORT", "29555"}, {"R1_DIST_TIMEOUT_S", "2.5"}, {"R1_DIST_CHECK_SYNC", "1"}});
  REQUIRE(e.has_value());
  CHECK(e->rank == 1);
  CHECK(e->world_size == 2);
  CHECK(e->local_rank == 1);
  CHECK(e->local_world_size == 2);  // LOCAL_WORLD_SIZE unset: all ranks on this machine
  CHECK(e->master_addr == "10.0.0.1");
  CHECK(e->master_port == 29555);
  CHECK(e->timeout.count() == 2500);
  CHECK(e->check_sync);
  CHECK_FALSE(e->use_agent_store);

  auto agent = parse_dist_env({{"RANK", "0"}, {"WORLD_SIZE", "2"}, {"MASTER_ADDR", "h"}, {"MASTER_PORT", "1"},
                               {"TORCHELASTIC_USE_AGENT_STORE", "True"}, {"TORCHELASTIC_RESTART_COUNT", "3"},
                               {"LOCAL_WORLD_SIZE", "1"}});
  REQUIRE(agent.has_value());
  CHECK(agent->use_agent_store);
  CHECK(agent->restart_count == 3);
  CHECK(agent->local_world_size == 1);
  CHECK(agent->timeout.count() == 300000);

  auto single = parse_dist_env({{"RANK", "0"}, {"WORLD_SIZE", "1"}});
  REQUIRE(single.has_value());
  CHECK(single->world_size == 1);

  auto message = [](std::map<std::string, std::string> vars) {
    try {
      parse_dist_env(vars);
    } catch (const InputError& err) {
      return std::string(err.what());
    }
    return std::string("no error");
  };
  CHECK_THAT(message({{"RANK", "0"}}), Catch::Contains("WORLD_SIZE not set"));
  CHECK_THAT(message({{"RANK", "2"}, {"WORLD_SIZE", "2"}, {"MASTER_ADDR", "h"}, {"MASTER_PORT", "1"}}),
             Catch::Contains("RANK=\"2\": expected an integer in [0, 1]"));
  CHECK_THAT(message({{"RANK", "x"}, {"WORLD_SIZE", "2"}}), Catch::Contains("RANK=\"x\""));
  CHECK_THAT(message({{"RANK", "0"}, {"WORLD_SIZE", "2"}}), Catch::Contains("MASTER_ADDR and MASTER_PORT not set"));
  CHECK_THAT(message({{"RANK", "0"}, {"WORLD_SIZE", "2"}, {"MASTER_ADDR", "h"}, {"MASTER_PORT", "70000"}}),
             Catch::Contains("MASTER_PORT"));
  CHECK_THAT(message({{"RANK", "0"}, {"WORLD_SIZE", "1"}, {"R1_DIST_TIMEOUT_S", "-1"}}),
             Catch::Contains("R1_DIST_TIMEOUT_S=\"-1\""));
}

TEST_CASE("shard_range splits contiguously, in order, sizes within one", "[dist]") {
  for (size_t n : {0u, 1u, 5u, 8u, 13u}) {
    for (int w : {1, 2, 3, 4}) {
      size_t next = 0;
      for (int r = 0; r < w; ++r) {
        auto s = shard_range(n, r, w);
        CHECK(s.begin == next);
        CHECK(s.size() >= n / w);
        CHECK(s.size() <= n / w + 1);
        next = s.end;
      }
      CHECK(next == n);
    }
  }
  CHECK(shard_range(5, 0, 2).size() == 3);
  CHECK(shard_range(5, 1, 2).begin == 3);
  CHECK_THROWS(shard_range(5, 2, 2));
}

TEST_CASE("the local world is a no-op", "[dist]") {
  LocalComm c;
  std::vector<torch::Tensor> t{torch::ones({3})};
  c.all_reduce_sum(t);
  CHECK(t[0].sum().item<float>() == 3.0f);
  std::vector<double> v{1.5, 2};
  all_reduce_sum(c, v);
  CHECK(v[0] == 1.5);
  CHECK(all_gather_strings(c, {"a", "b"}) == std::vector<std::string>{"a", "b"});
}

TEST_CASE("c10d comm: all-reduce, broadcast, all-gather across two ranks", "[dist]") {
  REQUIRE(c10d_available());
  two_ranks([](Comm& comm) {
    const int r = comm.rank();
    TS_CHECK(comm.world_size() == 2);
    TS_CHECK_THAT(comm.describe(), Catch::Contains("gloo, rank " + std::to_string(r) + " of 2"));
    // Several tensors of different dtypes and shapes in one call.
    std::vector<torch::Tensor> t{torch::full({2, 3}, r + 1.0), torch::full({4}, static_cast<int64_t>(10 * r + 1)),
                                 torch::full({1}, r + 0.25, torch::kFloat64)};
    comm.all_reduce_sum(t);
    TS_CHECK(torch::allclose(t[0], torch::full({2, 3}, 3.0)));
    TS_CHECK(t[1].equal(torch::full({4}, static_cast<int64_t>(12))));
    TS_CHECK(t[2].item<double>() == 1.5);

    std::vector<double> mx{static_cast<double>(r), -static_cast<double>(r)};
    all_reduce_max(comm, mx);
    TS_CHECK(mx == std::vector<double>{1.0, 0.0});

    std::vector<torch::Tensor> b{torch::full({5}, r == 1 ? 7.0 : -1.0)};
    comm.broadcast(b, 1);
    TS_CHECK(torch::allclose(b[0], torch::full({5}, 7.0)));

    // Different lengths per rank (including empty) come back whole and in rank order.
    auto bytes = comm.all_gather_bytes(r == 0 ? std::string("hello\0world", 11) : std::string());
    if (bytes.size() != 2) throw std::runtime_error("all_gather_bytes returned " + std::to_string(bytes.size()));
    TS_CHECK(bytes[0] == std::string("hello\0world", 11));
    TS_CHECK(bytes[1].empty());
    auto items = all_gather_strings(comm, r == 0 ? std::vector<std::string>{"a", "bb"} : std::vector<std::string>{"c"});
    TS_CHECK(items == std::vector<std::string>{"a", "bb", "c"});
    comm.barrier();
  });
}

TEST_CASE("c10d comm: mean gradients, parameter broadcast and the sync check", "[dist]") {
  two_ranks([](Comm& comm) {
    const int r = comm.rank();
    auto w = torch::full({3}, 1.0 + r).set_requires_grad(true);
    auto unused = torch::zeros({2}).set_requires_grad(true);
    (w * (r + 1.0)).sum().backward();  // grad = r + 1 on each rank; `unused` gets none on either
    all_reduce_mean_grads(comm, {w, unused});
    TS_CHECK(torch::allclose(w.grad(), torch::full({3}, 1.5)));
    TS_CHECK(unused.grad().defined());
    TS_CHECK(unused.grad().abs().sum().item<float>() == 0.0f);

    NamedParams named{{"w", w}};
    // Different values: the check names the parameter and the rank.
    try {
      check_in_sync(comm, named, "after step 1");
      TS_CHECK(false);  // a mismatch was expected
    } catch (const RuntimeFailure& e) {
      TS_CHECK_THAT(e.what(), Catch::Contains("rank 1 disagree") && Catch::Contains("w") &&
                               Catch::Contains("after step 1"));
    }
    broadcast_parameters(comm, {w});
    TS_CHECK(torch::allclose(w.detach(), torch::full({3}, 1.0)));
    check_in_sync(comm, named, "after broadcast");
  });
}

TEST_CASE("c10d comm: a rank that goes away turns a collective into a clear error", "[dist]") {
  int port = free_port();
  std::promise<void> joined;
  auto gone = std::async(std::launch::async, [&] {
    C10dComm comm(env_for(1, 2, port, 10));
    joined.set_value();
  });  // rank 1 leaves without taking part: its connections close and its heartbeats stop
  C10dComm comm(env_for(0, 2, port, 10));
  joined.get_future().wait();
  gone.get();
  auto start = std::chrono::steady_clock::now();
  std::vector<torch::Tensor> t{torch::ones({4})};
  try {
    comm.all_reduce_sum(t);
    FAIL("expected the all-reduce to fail");
  } catch (const RuntimeFailure& e) {
    CHECK_THAT(e.what(), Catch::Contains("rank 0 of 2: all_reduce failed") && Catch::Contains("rank 1"));
  }
  CHECK(std::chrono::steady_clock::now() - start < std::chrono::seconds(9));
  // Later collectives fail at once, repeating the first failure.
  CHECK_THROWS_WITH(comm.barrier(), Catch::Contains("after an earlier collective failed"));
}

TEST_CASE("c10d comm: a rank that never arrives ends the rendezvous after the timeout", "[dist]") {
  auto start = std::chrono::steady_clock::now();
  try {
    C10dComm comm(env_for(0, 2, free_port(), 1.5));
    FAIL("expected the rendezvous to fail");
  } catch (const RuntimeFailure& e) {
    CHECK_THAT(e.what(), Catch::Contains("rank 0 of 2") && Catch::Contains("MASTER_ADDR, MASTER_PORT and WORLD_SIZE"));
  }
  CHECK(std::chrono::steady_clock::now() - start < std::chrono::seconds(10));
}
