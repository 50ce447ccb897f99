// The countdown task (TinyZero): given numbers and a target, answer an equation that reaches the target
// using + - * / and each number at most once. Generated problems are solvable using every number exactly once
// with positive integer intermediate values (so TinyZero's stricter scoring accepts the reference solution).
// Levels: 1 = two numbers 1..10, 2 = three 1..10, 3 = three 1..25 with /, 4 = four 1..25, 5 = five 1..30.
#pragma once
#include <optional>

#include "r1/data/expression.h"
#include "r1/data/task.h"

namespace r1 {

class CountdownTask : public Task {
 public:
  const std::string& name() const override;
  PromptExample make(Rng& rng, int level, const std::string& language) const override;
  WorkedSolution solve(const PromptExample& ex, Rng& rng, const SolutionOptions& opts) const override;
  std::string bare_line(const PromptExample& ex) const override;
};

// "3,5,7->22" (numbers in question order).
std::string countdown_key(const std::vector<long long>& numbers, long long target);
// Parses a countdown key; throws InputError naming the text if malformed.
void parse_countdown_key(const std::string& key, std::vector<long long>& numbers, long long& target);

// An expression reaching `target` with positive integer intermediate values: first one that uses every
// number, else one that uses a subset; nullopt if none. With `rng` the search order is shuffled (different
// solutions per draw); without, it is deterministic.
std::optional<Expression> solve_countdown(const std::vector<long long>& numbers, long long target, Rng* rng);

}  // namespace r1
