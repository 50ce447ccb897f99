// The countdown task: solvable number puzzles, their solutions by search, worked solutions.
#include "r1/data/countdown_task.h"

#include <functional>

#include "r1/data/arithmetic_task.h"
#include "r1/data/lexicon.h"
#include "r1/util/error.h"
#include "r1/util/strings.h"

namespace r1 {

namespace {

struct LevelSpec {
  int count;            // how many numbers
  long long max_number;  // numbers are drawn from 1..max_number
  std::vector<char> ops;
  long long max_target;
};

LevelSpec level_spec(int level) {
  switch (level) {
    case 1: return {2, 10, {'+', '-', '*'}, 100};
    case 2: return {3, 10, {'+', '-', '*'}, 100};
    case 3: return {3, 25, {'+', '-', '*', '/'}, 500};
    case 4: return {4, 25, {'+', '-', '*', '/'}, 999};
    case 5: return {5, 30, {'+', '-', '*', '/'}, 999};
    default: throw InputError("countdown: level must be in 1..5, got " + std::to_string(level));
  }
}

std::string list_numbers(const std::vector<long long>& numbers) {
  std::vector<std::string> parts;
  for (long long n : numbers) parts.push_back(std::to_string(n));
  return join(parts, ", ");
}

constexpr long long kSearchBudget = 2000000;

struct Search {
  Expression expr;
  long long target;
  bool need_all;
  Rng* rng;
  long long budget = kSearchBudget;
  int found = -1;

  bool run(std::vector<int> items) {
    if (--budget < 0) return false;
    for (int it : items) {
      if (expr.nodes[it].value == target && (!need_all || items.size() == 1)) {
        found = it;
        return true;
      }
    }
    if (items.size() < 2) return false;
    struct Move { size_t i, j; char op; };
    std::vector<Move> moves;
    for (size_t i = 0; i < items.size(); ++i)
      for (size_t j = 0; j < items.size(); ++j) {
        if (i == j) continue;
        long long a = expr.nodes[items[i]].value, b = expr.nodes[items[j]].value;
        if (i < j) {
          moves.push_back({i, j, '+'});
          moves.push_back({i, j, '*'});
        }
        if (a > b) moves.push_back({i, j, '-'});
        if (b >= 1 && a % b == 0 && (a != b || i < j)) moves.push_back({i, j, '/'});
      }
    if (rng) rng->shuffle(moves);
    for (const Move& m : moves) {
      int node = expr.add_node(m.op, items[m.i], items[m.j]);
      if (node < 0) continue;
      if (expr.nodes[node].value <= 0) {
        expr.nodes.pop_back();
        continue;
      }
      std::vector<int> next;
      for (size_t k = 0; k < items.size(); ++k)
        if (k != m.i && k != m.j) next.push_back(items[k]);
      next.push_back(node);
      if (run(next)) return true;
      expr.nodes.pop_back();
      if (budget < 0) return false;
    }
    return false;
  }
};

}  // namespace

std::string countdown_key(const std::vector<long long>& numbers, long long target) {
  std::vector<std::string> parts;
  for (long long n : numbers) parts.push_back(std::to_string(n));
  return join(parts, ",") + "->" + std::to_string(target);
}

void parse_countdown_key(const std::string& key, std::vector<long long>& numbers, long long& target) {
  auto bad = [&] { return InputError("countdown: expected a problem key like \"3,5,7->22\", got " + quote(key)); };
  size_t arrow = key.find("->");
  if (arrow == std::string::npos) throw bad();
  numbers.clear();
  try {
    for (const auto& part : split(key.substr(0, arrow), ',')) {
      size_t used = 0;
      numbers.push_back(std::stoll(trim(part), &used));
      if (used != trim(part).size()) throw bad();
    }
    std::string t = trim(key.substr(arrow + 2));
    size_t used = 0;
    target = std::stoll(t, &used);
    if (used != t.size()) throw bad();
  } catch (const std::logic_error&) {
    throw bad();
  }
  if (numbers.empty()) throw bad();
}

std::optional<Expression> solve_countdown(const std::vector<long long>& numbers, long long target, Rng* rng) {
  for (bool need_all : {true, false}) {
    Search s{Expression{}, target, need_all, rng};
    std::vector<int> items;
    for (long long n : numbers) items.push_back(s.expr.add_leaf(n));
    if (s.run(items)) {
      s.expr.root = s.found;
      return s.expr;
    }
  }
  return std::nullopt;
}

const std::string& CountdownTask::name() const {
  static const std::string n = "countdown";
  return n;
}

PromptExample CountdownTask::make(Rng& rng, int level, const std::string& language) const {
  require_language(language, "countdown: language");
  const LevelSpec spec = level_spec(level);
  for (int attempt = 0; attempt < 100000; ++attempt) {
    Expression e;
    std::vector<int> items;
    for (int i = 0; i < spec.count; ++i) items.push_back(e.add_leaf(rng.uniform_int(2, spec.max_number)));
    bool ok = true;
    while (items.size() > 1 && ok) {
      size_t i = rng.below(items.size() - 1);
      char op = rng.pick(spec.ops);
      long long a = e.nodes[items[i]].value, b = e.nodes[items[i + 1]].value;
      int node = -1;
      if (op == '-' && a <= b) std::swap(items[i], items[i + 1]);
      if (op == '/' && a % b != 0) std::swap(items[i], items[i + 1]);
      node = e.add_node(op, items[i], items[i + 1]);
      if (node < 0 || e.nodes[node].value <= 0 || (op == '/' && e.nodes[items[i + 1]].value < 2)) {
        ok = false;
        break;
      }
      items[i] = node;
      items.erase(items.begin() + static_cast<long>(i) + 1);
    }
    if (!ok) continue;
    e.root = items[0];
    long long target = e.value();
    if (target > spec.max_target) continue;
    std::vector<long long> numbers = e.leaves();
    bool trivial = false;
    for (long long n : numbers) trivial = trivial || n == target;
    if (trivial) continue;
    rng.shuffle(numbers);
    PromptExample ex;
    ex.task = name();
    ex.level = level;
    ex.language = language;
    ex.numbers = numbers;
    ex.target = target;
    ex.answer = std::to_string(target);
    ex.problem_key = countdown_key(numbers, target);
    if (language == "en")
      ex.question = "Use the numbers " + list_numbers(numbers) + " to make " + ex.answer +
                    ". You can use + - * / and each number at most once.";
    else
      ex.question = "Usa los números " + list_numbers(numbers) + " para hacer " + ex.answer +
                    ". Puedes usar + - * / y cada número una vez como máximo.";
    ex.id = example_id(name(), ex.question);
    return ex;
  }
  throw RuntimeFailure("countdown: could not draw a puzzle at level " + std::to_string(level));
}

WorkedSolution CountdownTask::solve(const PromptExample& ex, Rng& rng, const SolutionOptions& opts) const {
  std::vector<long long> numbers;
  long long target = 0;
  parse_countdown_key(ex.problem_key, numbers, target);
  auto found = solve_countdown(numbers, target, &rng);
  if (!found) throw InputError("countdown: no solution found for " + quote(ex.problem_key));
  Expression e = *found;
  bool correct = true;
  std::vector<size_t> inner;
  for (size_t i = 0; i < e.nodes.size(); ++i)
    if (e.nodes[i].op != 0) inner.push_back(i);
  if (opts.mistake && !inner.empty()) {
    // One operator is swapped for another; the steps stay honest, the final equation misses the target.
    static const std::vector<char> kOps = {'+', '-', '*'};
    for (int attempt = 0; attempt < 20 && correct; ++attempt) {
      Expression m = e;
      size_t node = inner[rng.below(inner.size())];
      char op = rng.pick(kOps);
      if (op == m.nodes[node].op) continue;
      m.nodes[node].op = op;
      bool ok = true;
      std::function<long long(int)> eval = [&](int i) -> long long {
        ExprNode& n = m.nodes[i];
        if (n.op == 0 || !ok) return n.value;
        long long a = eval(n.left), b = eval(n.right);
        auto v = apply_exact(n.op, a, b);
        if (!v) ok = false;
        else n.value = *v;
        return n.value;
      };
      eval(m.root);
      if (!ok || m.value() == target) continue;
      e = m;
      correct = false;
    }
  }
  std::vector<ExprStep> steps = e.steps();
  return assemble_solution(
      steps.size(),
      [&](size_t i, const std::string& lang) {
        const ExprStep& s = steps[i];
        return write_step(s.a, s.op, s.b, s.result, lang, opts.verbal);
      },
      ex.language, opts, e.render(), correct);
}

std::string CountdownTask::bare_line(const PromptExample& ex) const {
  std::vector<long long> numbers;
  long long target = 0;
  parse_countdown_key(ex.problem_key, numbers, target);
  auto found = solve_countdown(numbers, target, nullptr);
  if (!found) throw InputError("countdown: no solution found for " + quote(ex.problem_key));
  return list_numbers(numbers) + " -> " + std::to_string(target) + ": " + found->render() + " = " +
         std::to_string(target);
}

}  // namespace r1
