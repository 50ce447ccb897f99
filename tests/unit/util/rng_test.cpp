// Seeded streams: one seed and name give one stream, other names or seeds give other streams, and a saved
// state continues the same stream.
#include <catch2/catch.hpp>

#include <set>

#include "r1/util/error.h"
#include "r1/util/rng.h"

namespace {
std::vector<std::uint64_t> draw(std::uint64_t seed, int n) {
  r1::Rng rng(seed);
  std::vector<std::uint64_t> out;
  for (int i = 0; i < n; ++i) out.push_back(rng.next_u64());
  return out;
}
}  // namespace

TEST_CASE("derive_seed: same seed and name -> same stream, other names or seeds -> other streams", "[stages]") {
  CHECK(r1::derive_seed(1234, "sampling") == r1::derive_seed(1234, "sampling"));
  CHECK(draw(r1::derive_seed(1234, "sampling"), 64) == draw(r1::derive_seed(1234, "sampling"), 64));

  // Stage-style names, including near-identical ones, all differ, and so do their first draws.
  const std::vector<std::string> names = {"init/base", "init/base2", "init/bas", "rows/base", "rows/sft", "holdout",
                                          "tokenizer", "sft-split", "eval-prompts", "prompts/zero", "zero/step-0",
                                          "zero/step-1", "zero/step-10", ""};
  std::set<std::uint64_t> seeds, firsts;
  for (const auto& n : names) {
    seeds.insert(r1::derive_seed(1234, n));
    firsts.insert(draw(r1::derive_seed(1234, n), 1)[0]);
  }
  CHECK(seeds.size() == names.size());
  CHECK(firsts.size() == names.size());
  // The same name under another run seed is another stream.
  CHECK(r1::derive_seed(1234, "init/base") != r1::derive_seed(1235, "init/base"));
  CHECK(draw(r1::derive_seed(1234, "x"), 8) != draw(r1::derive_seed(1235, "x"), 8));
  // Streams of neighbouring seeds are not shifted copies of each other.
  auto a = draw(r1::derive_seed(7, "data"), 32), b = draw(r1::derive_seed(8, "data"), 32);
  std::set<std::uint64_t> sa(a.begin(), a.end());
  for (auto x : b) CHECK(sa.count(x) == 0);
}

TEST_CASE("Rng draws are reproducible and its state round-trips", "[stages]") {
  r1::Rng a(99), b(99);
  for (int i = 0; i < 10; ++i) REQUIRE(a.next_u64() == b.next_u64());
  std::vector<int> v1(20), v2(20);
  for (int i = 0; i < 20; ++i) v1[i] = v2[i] = i;
  a.shuffle(v1);
  b.shuffle(v2);
  CHECK(v1 == v2);
  CHECK(a.uniform_int(-5, 5) == b.uniform_int(-5, 5));

  std::string saved = a.state();
  std::vector<std::uint64_t> next;
  for (int i = 0; i < 5; ++i) next.push_back(a.next_u64());
  r1::Rng c(0);
  c.set_state(saved);
  for (int i = 0; i < 5; ++i) CHECK(c.next_u64() == next[i]);
  CHECK_THROWS_AS(c.set_state("not a state"), r1::InputError);

  // Bounded draws stay in range and cover it.
  r1::Rng r(3);
  std::set<std::uint64_t> seen;
  for (int i = 0; i < 200; ++i) {
    auto x = r.below(7);
    REQUIRE(x < 7);
    seen.insert(x);
    double u = r.uniform();
    REQUIRE(u >= 0.0);
    REQUIRE(u < 1.0);
  }
  CHECK(seen.size() == 7);
}
