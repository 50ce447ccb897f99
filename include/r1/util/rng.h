// Seeded random streams: one recipe seed derives independent, reproducible streams by name
// ("data", "init", "sampling", ...). Rng is xoshiro256** with a portable, serializable state.
#pragma once
#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace r1 {

// 64-bit FNV-1a of the bytes of `text`.
std::uint64_t fnv1a64(std::string_view text);

// splitmix64 step: a good 64-bit mixer.
std::uint64_t mix64(std::uint64_t x);

// A seed for the stream `name` derived from `seed`; distinct names give independent streams.
std::uint64_t derive_seed(std::uint64_t seed, std::string_view name);

class Rng {
 public:
  explicit Rng(std::uint64_t seed = 0);

  std::uint64_t next_u64();
  // Uniform integer in [0, n) without modulo bias; n > 0.
  std::uint64_t below(std::uint64_t n);
  // Uniform integer in [lo, hi] (inclusive).
  std::int64_t uniform_int(std::int64_t lo, std::int64_t hi);
  // Uniform double in [0, 1).
  double uniform();
  bool bernoulli(double p) { return uniform() < p; }
  // Index drawn with probability proportional to weights[i] (weights >= 0, sum > 0).
  size_t weighted(const std::vector<double>& weights);

  template <class T>
  const T& pick(const std::vector<T>& items) { return items[below(items.size())]; }
  template <class T>
  void shuffle(std::vector<T>& items) {
    for (size_t i = items.size(); i > 1; --i) std::swap(items[i - 1], items[below(i)]);
  }

  // Portable text form of the state ("s0 s1 s2 s3" in hex) for checkpoints.
  std::string state() const;
  // Restores a state written by state(); throws InputError if malformed.
  void set_state(const std::string& text);

 private:
  std::array<std::uint64_t, 4> s_{};
};

}  // namespace r1
