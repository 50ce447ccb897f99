// The linear task: one linear equation in x with an integer solution ("3x + 7 = 22"), answer the integer x,
// solved in several steps (move the x terms, move the constants, divide).
// Levels: 1 = x + b = d, 2 = ax = d, 3 = ax + b = d, 4 = ax + b = cx + d, 5 = a(x + b) = d with negatives.
#pragma once
#include "r1/data/task.h"

namespace r1 {

// a*x + b = c*x + d, or (factored) a*(x + b) = d with c = 0.
struct LinearEquation {
  long long a = 1, b = 0, c = 0, d = 0;
  bool factored = false;

  // "3x + 7 = 22", "5x + 2 = 3x + 10", "4(x - 3) = 8".
  std::string render() const;
};

// Parses the rendered form; throws InputError naming the text otherwise.
LinearEquation parse_linear(const std::string& text);

class LinearTask : public Task {
 public:
  const std::string& name() const override;
  PromptExample make(Rng& rng, int level, const std::string& language) const override;
  // Throws InputError if the equation has no unique integer solution.
  WorkedSolution solve(const PromptExample& ex, Rng& rng, const SolutionOptions& opts) const override;
  std::string bare_line(const PromptExample& ex) const override;
};

}  // namespace r1
