// The arithmetic task: random expression trees per level, worked solutions step by step.
#include "r1/data/arithmetic_task.h"

#include <cstdlib>
#include <functional>

#include "r1/data/lexicon.h"
#include "r1/util/error.h"
#include "r1/util/strings.h"

namespace r1 {

namespace {

struct LevelSpec {
  int ops;                 // operators in the expression
  std::vector<char> op_set;
  long long max_number;    // leaves are drawn from 1..max_number
  long long max_factor;    // both operands of * are at most this
  long long max_value;     // |every intermediate value| <= this
  bool negatives;          // intermediate values may be negative
};

LevelSpec level_spec(int level) {
  switch (level) {
    case 1: return {1, {'+', '-'}, 20, 0, 100, false};
    case 2: return {2, {'+', '-'}, 50, 0, 1000, false};
    case 3: return {2, {'+', '-', '*'}, 20, 12, 1000, false};
    case 4: return {3, {'+', '-', '*'}, 50, 15, 10000, false};
    case 5: return {4, {'+', '-', '*', '/'}, 99, 20, 100000, true};
    default: throw InputError("arithmetic: level must be in 1..5, got " + std::to_string(level));
  }
}

bool allowed(const LevelSpec& spec, char op, long long a, long long b, long long v) {
  if (!spec.negatives && v < 0) return false;
  if (std::llabs(v) > spec.max_value) return false;
  if (op == '*' && (std::llabs(a) > spec.max_factor || std::llabs(b) > spec.max_factor)) return false;
  if (op == '/' && (b < 2 || b > 12)) return false;
  return true;
}

}  // namespace

const std::string& ArithmeticTask::name() const {
  static const std::string n = "arithmetic";
  return n;
}

Expression ArithmeticTask::random_expression(Rng& rng, int level) {
  const LevelSpec spec = level_spec(level);
  for (int attempt = 0; attempt < 10000; ++attempt) {
    Expression e;
    std::vector<int> items;
    for (int i = 0; i <= spec.ops; ++i) items.push_back(e.add_leaf(rng.uniform_int(1, spec.max_number)));
    bool ok = true;
    while (items.size() > 1 && ok) {
      ok = false;
      for (int tries = 0; tries < 30 && !ok; ++tries) {
        size_t i = rng.below(items.size() - 1);
        char op = rng.pick(spec.op_set);
        long long a = e.nodes[items[i]].value, b = e.nodes[items[i + 1]].value;
        auto v = apply_exact(op, a, b);
        if (!v || !allowed(spec, op, a, b, *v)) continue;
        int node = e.add_node(op, items[i], items[i + 1]);
        items[i] = node;
        items.erase(items.begin() + static_cast<long>(i) + 1);
        ok = true;
      }
    }
    if (!ok) continue;
    e.root = items[0];
    return e;
  }
  throw RuntimeFailure("arithmetic: could not draw an expression at level " + std::to_string(level));
}

PromptExample ArithmeticTask::make(Rng& rng, int level, const std::string& language) const {
  require_language(language, "arithmetic: language");
  Expression e = random_expression(rng, level);
  PromptExample ex;
  ex.task = name();
  ex.level = level;
  ex.language = language;
  ex.problem_key = e.render();
  bool ask = rng.bernoulli(0.5);
  if (language == "en") ex.question = ask ? "What is " + ex.problem_key + "?" : "Compute " + ex.problem_key + ".";
  else ex.question = ask ? "¿Cuánto es " + ex.problem_key + "?" : "Calcula " + ex.problem_key + ".";
  ex.answer = std::to_string(e.value());
  ex.id = example_id(name(), ex.question);
  return ex;
}

std::string write_step(long long a, char op, long long b, long long result, const std::string& language,
                       bool verbal) {
  if (!verbal) return std::to_string(a) + " " + op + " " + std::to_string(b) + " = " + std::to_string(result);
  return std::to_string(a) + " " + op_word(op, language) + " " + std::to_string(b) + " " + lexicon(language).is + " " +
         std::to_string(result);
}

WorkedSolution ArithmeticTask::solve(const PromptExample& ex, Rng& rng, const SolutionOptions& opts) const {
  Expression e = parse_expression(ex.problem_key);
  std::vector<ExprStep> steps = e.steps();
  bool correct = true;
  if (opts.mistake && !steps.empty()) {
    // One step's result is off by a small amount; later steps use the wrong value.
    static const std::vector<long long> kDeltas = {-10, -2, -1, 1, 2, 10};
    for (int attempt = 0; attempt < 20; ++attempt) {
      size_t bad = rng.below(steps.size());
      long long delta = rng.pick(kDeltas);
      std::vector<long long> values(e.nodes.size());
      std::vector<ExprStep> out;
      size_t visited = 0;
      bool ok = true;
      std::function<void(int)> rec = [&](int i) {
        const ExprNode& n = e.nodes[i];
        if (!ok) return;
        if (n.op == 0) {
          values[i] = n.value;
          return;
        }
        rec(n.left);
        rec(n.right);
        if (!ok) return;
        auto v = apply_exact(n.op, values[n.left], values[n.right]);
        if (!v) {
          ok = false;
          return;
        }
        long long r = *v + (visited++ == bad ? delta : 0);
        values[i] = r;
        out.push_back({values[n.left], n.op, values[n.right], r});
      };
      rec(e.root);
      if (!ok || values[e.root] == e.value()) continue;
      steps = out;
      correct = false;
      break;
    }
  }
  std::string answer = std::to_string(steps.empty() ? e.value() : steps.back().result);
  return assemble_solution(
      steps.size(),
      [&](size_t i, const std::string& lang) {
        const ExprStep& s = steps[i];
        return write_step(s.a, s.op, s.b, s.result, lang, opts.verbal);
      },
      ex.language, opts, answer, correct);
}

std::string ArithmeticTask::bare_line(const PromptExample& ex) const { return ex.problem_key + " = " + ex.answer; }

}  // namespace r1
