// A synthetic verifiable task: draws problems with a difficulty knob from an Rng and writes worked solutions
// for the base-model corpus (optionally with one wrong step, optionally switching language midway).
#pragma once
#include <functional>
#include <string>
#include <vector>

#include "r1/data/example.h"
#include "r1/util/rng.h"

namespace r1 {

// How a worked solution should be written.
struct SolutionOptions {
  bool mistake = false;    // make one wrong step, so the final answer is wrong (when the task allows it)
  std::string switch_to;   // "" = one language; else the steps after the middle are written in this language
  bool verbal = false;     // arithmetic steps in words ("17 plus 25 is 42") instead of symbols ("17 + 25 = 42")
};

// A worked solution: reasoning sentences and the final answer it reaches.
struct WorkedSolution {
  std::vector<std::string> steps;  // sentences in order, each ending with '.'; the last is the conclusion
  std::string answer;              // the answer the solution gives (wrong when a mistake was made)
  bool correct = true;             // whether `answer` is right
  std::string final_language;      // language of the conclusion (differs from the question's after a switch)

  // The steps joined with single spaces.
  std::string text() const;
};

class Task {
 public:
  virtual ~Task() = default;
  virtual const std::string& name() const = 0;
  // A fresh problem at `level` (1..5) with its question written in `language` (en | es); fills every field
  // of PromptExample (id, problem_key, answer, numbers/target for countdown). Throws InputError for a bad
  // level or language.
  virtual PromptExample make(Rng& rng, int level, const std::string& language) const = 0;
  // A worked solution of `ex` written in ex.language. Reads ex.problem_key (the task's canonical form, as
  // make() writes it); throws InputError if it is not one.
  virtual WorkedSolution solve(const PromptExample& ex, Rng& rng, const SolutionOptions& opts) const = 0;
  // A bare "problem = answer" line ("(17 + 25) * 3 - 8 = 118") for the corpus.
  virtual std::string bare_line(const PromptExample& ex) const = 0;
};

// The task named `name`; throws InputError listing the names for an unknown one. Provides every name in
// r1::config::kTaskNames.
const Task& task_by_name(const std::string& name);

// "<task>-<16 hex digits of the FNV-1a hash of the question>".
std::string example_id(const std::string& task, const std::string& question);

// Assembles a worked solution from `n_steps` step bodies: body(i, lang) writes step i (without its opener) in
// `lang`, which is the question's language, or opts.switch_to for the sentences in the second half; each step
// opens with "First," / "Then," and the conclusion "So the answer is A." follows. Used by the tasks.
WorkedSolution assemble_solution(size_t n_steps, const std::function<std::string(size_t, const std::string&)>& body,
                                 const std::string& language, const SolutionOptions& opts, const std::string& answer,
                                 bool correct);

}  // namespace r1
