// Sampling across ranks: completions travel exactly, and two ranks (threads with a c10d Comm) return what one process
// samples, in row order.
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <future>

#include "../../support/test_support.h"
#include "r1/dist/c10d_comm.h"
#include "r1/generate/sharded_sampling.h"
#include "r1/util/error.h"

using namespace r1;

namespace {
model::Transformer make_model() {
  model::Transformer m(test::micro_model_config(), test::tiny_tokenizer().vocab_size());
  m->init_weights(5);
  torch::NoGradGuard ng;
  for (auto& p : m->parameters()) p.mul_(3.0);  // peaky enough for varied lengths
  return m;
}

int free_port() {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  REQUIRE(::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0);
  socklen_t len = sizeof addr;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  ::close(fd);
  return ntohs(addr.sin_port);
}
}  // namespace

TEST_CASE("a completion survives encoding exactly, whatever its bytes", "[dist]") {
  generate::Completion c;
  c.tokens = {5, 0, 399, 2};
  c.logprobs = {-0.25f, -1e-8f, -13.5f, 0.0f};
  c.text = std::string("caf\xc3\xa9 \xff\xfe", 8) + std::string(1, '\0') + "end";
  c.finish = generate::FinishReason::kStop;
  auto back = generate::decode_completion(generate::encode_completion(c));
  CHECK(back.tokens == c.tokens);
  CHECK(back.logprobs == c.logprobs);
  CHECK(back.text == c.text);
  CHECK(back.finish == c.finish);
  generate::Completion empty;
  auto e = generate::decode_completion(generate::encode_completion(empty));
  CHECK(e.tokens.empty());
  CHECK(e.text.empty());
  CHECK(e.finish == generate::FinishReason::kLength);
  std::string bytes = generate::encode_completion(c);
  CHECK_THROWS_AS(generate::decode_completion(bytes.substr(0, bytes.size() - 2)), RuntimeFailure);
  CHECK_THROWS_AS(generate::decode_completion(bytes + "x"), RuntimeFailure);
}

TEST_CASE("sampling across two ranks returns what one process samples, in order", "[dist]") {
  const auto& tok = test::tiny_tokenizer();
  std::vector<std::vector<int>> rows;
  std::vector<std::uint64_t> seeds;
  const char* texts[] = {"What is 12 + 7?", "primero", "the answer is", "A", "then so"};
  for (int p = 0; p < 5; ++p)
    for (int s = 0; s < 3; ++s) {  // 5 prompts (units) x 3 samples
      rows.push_back(generate::encode_prompt(tok, texts[p]));
      seeds.push_back(static_cast<std::uint64_t>(100 * p + s));
    }
  config::SamplingConfig cfg;
  cfg.temperature = 1.0;
  cfg.max_new_tokens = 10;

  auto single_model = make_model();
  generate::Sampler single(*single_model, tok);
  dist::LocalComm local;
  auto expected = generate::sample_across_ranks(single, rows, cfg, seeds, 3, 2, local);
  REQUIRE(expected.size() == rows.size());

  int port = free_port();
  auto run = [&](int rank) {
    dist::DistEnv env;
    env.rank = env.local_rank = rank;
    env.world_size = 2;
    env.master_port = port;
    env.timeout = std::chrono::milliseconds(20000);
    dist::C10dComm comm(env);
    auto m = make_model();
    generate::Sampler sampler(*m, tok);
    std::vector<size_t> progress;
    auto out = generate::sample_across_ranks(sampler, rows, cfg, seeds, 3, 2, comm,
                                             [&](size_t done, size_t total) { progress.push_back(done * 10 + total); });
    return std::make_pair(out, progress);
  };
  auto other = std::async(std::launch::async, run, 1);
  auto [mine, progress0] = run(0);
  auto [theirs, progress1] = other.get();
  // Rank 0 samples prompts 0-2 (batches of 2 prompts: 2, then 1), rank 1 prompts 3-4.
  CHECK(progress0 == std::vector<size_t>{23, 33});
  CHECK(progress1 == std::vector<size_t>{22});
  for (const auto* got : {&mine, &theirs}) {
    REQUIRE(got->size() == expected.size());
    for (size_t i = 0; i < expected.size(); ++i) {
      CHECK((*got)[i].tokens == expected[i].tokens);
      CHECK((*got)[i].text == expected[i].text);
    }
  }
}
