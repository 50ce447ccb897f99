// The arithmetic task: multi-step integer expressions ("(17 + 25) * 3 - 8"), answer an integer.
// Levels: 1 = one + or -, 2 = two, 3 = two with *, 4 = three with *, 5 = four with * and exact /, negatives.
#pragma once
#include "r1/data/expression.h"
#include "r1/data/task.h"

namespace r1 {

class ArithmeticTask : public Task {
 public:
  const std::string& name() const override;
  PromptExample make(Rng& rng, int level, const std::string& language) const override;
  WorkedSolution solve(const PromptExample& ex, Rng& rng, const SolutionOptions& opts) const override;
  std::string bare_line(const PromptExample& ex) const override;

  // A random expression of the given level (exposed for tests).
  static Expression random_expression(Rng& rng, int level);
};

// One step written out: "17 + 25 = 42" or, verbally, "17 plus 25 is 42" / "17 más 25 es 42".
std::string write_step(long long a, char op, long long b, long long result, const std::string& language, bool verbal);

}  // namespace r1
