// Task registry, example ids and the shared worked-solution assembly.
#include "r1/data/task.h"

#include <algorithm>
#include <cstdio>

#include "r1/config/prompt_source_config.h"
#include "r1/data/arithmetic_task.h"
#include "r1/data/countdown_task.h"
#include "r1/data/lexicon.h"
#include "r1/data/linear_task.h"
#include "r1/util/error.h"
#include "r1/util/strings.h"

namespace r1 {

std::string WorkedSolution::text() const { return join(steps, " "); }

const Task& task_by_name(const std::string& name) {
  static const ArithmeticTask arithmetic;
  static const CountdownTask countdown;
  static const LinearTask linear;
  if (name == arithmetic.name()) return arithmetic;
  if (name == countdown.name()) return countdown;
  if (name == linear.name()) return linear;
  std::string hint = closest_match(name, config::kTaskNames);
  throw InputError("task: expected one of " + join(config::kTaskNames, "|") + ", got " + quote(name) +
                   (hint.empty() ? "" : " (did you mean \"" + hint + "\"?)"));
}

std::string example_id(const std::string& task, const std::string& question) {
  char buf[24];
  std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(fnv1a64(question)));
  return task + "-" + buf;
}

WorkedSolution assemble_solution(size_t n_steps, const std::function<std::string(size_t, const std::string&)>& body,
                                 const std::string& language, const SolutionOptions& opts, const std::string& answer,
                                 bool correct) {
  require_language(language, "solution language");
  if (!opts.switch_to.empty()) require_language(opts.switch_to, "switch_to");
  size_t total = n_steps + 1;  // steps + conclusion
  size_t switch_at = opts.switch_to.empty() ? total : std::max<size_t>(1, total / 2);
  auto lang_of = [&](size_t i) { return i >= switch_at ? opts.switch_to : language; };
  WorkedSolution out;
  for (size_t i = 0; i < n_steps; ++i) {
    const std::string lang = lang_of(i);
    const Lexicon& lex = lexicon(lang);
    out.steps.push_back((i == 0 ? lex.first : lex.then) + " " + body(i, lang) + ".");
  }
  out.final_language = lang_of(n_steps);
  const Lexicon& lex = lexicon(out.final_language);
  out.steps.push_back(lex.so + " " + lex.answer_is + " " + answer + ".");
  out.answer = answer;
  out.correct = correct;
  return out;
}

}  // namespace r1
