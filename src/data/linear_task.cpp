// The linear task: equation drawing per level, rendering/parsing, step-by-step solutions.
#include "r1/data/linear_task.h"

#include <cctype>
#include <cstdlib>

#include "r1/data/lexicon.h"
#include "r1/util/error.h"
#include "r1/util/strings.h"

namespace r1 {

namespace {

std::string x_term(long long a) {
  if (a == 1) return "x";
  if (a == -1) return "-x";
  return std::to_string(a) + "x";
}

// "3x + 7", "x - 2", "5", "-x".
std::string side(long long a, long long b) {
  if (a == 0) return std::to_string(b);
  std::string s = x_term(a);
  if (b > 0) s += " + " + std::to_string(b);
  if (b < 0) s += " - " + std::to_string(-b);
  return s;
}

class LinearParser {
 public:
  explicit LinearParser(const std::string& text) : text_(text) {}

  LinearEquation parse() {
    LinearEquation eq;
    long long la = 0, lb = 0, ra = 0, rb = 0;
    bool factored = false;
    parse_side(la, lb, &factored, &eq);
    expect('=');
    parse_side(ra, rb, nullptr, nullptr);
    skip();
    if (pos_ != text_.size()) fail("unexpected text");
    if (factored) {
      if (ra != 0) fail("a factored equation needs a number on the right");
      eq.factored = true;
      eq.c = 0;
      eq.d = rb;
      return eq;
    }
    eq.a = la;
    eq.b = lb;
    eq.c = ra;
    eq.d = rb;
    return eq;
  }

 private:
  [[noreturn]] void fail(const std::string& what) const {
    throw InputError("linear: cannot read the equation " + quote(text_) + ": " + what + " at character " +
                     std::to_string(pos_ + 1));
  }
  void skip() {
    while (pos_ < text_.size() && text_[pos_] == ' ') ++pos_;
  }
  bool peek(char c) {
    skip();
    return pos_ < text_.size() && text_[pos_] == c;
  }
  void expect(char c) {
    if (!peek(c)) fail(std::string("expected '") + c + "'");
    ++pos_;
  }
  bool number(long long& out) {
    skip();
    size_t start = pos_;
    while (pos_ < text_.size() && std::isdigit(static_cast<unsigned char>(text_[pos_]))) ++pos_;
    if (start == pos_) return false;
    if (pos_ - start > 12) fail("number too long");
    out = std::stoll(text_.substr(start, pos_ - start));
    return true;
  }
  // side := ['-'] term (('+'|'-') term)*; term := N | [N]x | N(x (+|-) N)
  void parse_side(long long& a, long long& b, bool* factored, LinearEquation* eq) {
    long long sign = 1;
    if (peek('-')) {
      ++pos_;
      sign = -1;
    }
    for (int terms = 0;; ++terms) {
      if (terms > 8) fail("too many terms");
      long long n = 1;
      bool has_n = number(n);
      if (peek('x')) {
        ++pos_;
        a += sign * n;
      } else if (has_n && factored && peek('(') && terms == 0) {
        ++pos_;
        if (!peek('x')) fail("expected 'x'");
        ++pos_;
        long long inner_sign = peek('+') ? 1 : peek('-') ? -1 : 0;
        if (inner_sign == 0) fail("expected '+' or '-'");
        ++pos_;
        long long m = 0;
        if (!number(m)) fail("expected a number");
        expect(')');
        *factored = true;
        eq->a = sign * n;
        eq->b = inner_sign * m;
        skip();
        return;
      } else if (has_n) {
        b += sign * n;
      } else {
        fail("expected a term");
      }
      if (peek('+')) sign = 1;
      else if (peek('-')) sign = -1;
      else return;
      ++pos_;
    }
  }

  const std::string& text_;
  size_t pos_ = 0;
};

}  // namespace

std::string LinearEquation::render() const {
  if (factored) {
    std::string inner = b >= 0 ? "x + " + std::to_string(b) : "x - " + std::to_string(-b);
    return std::to_string(a) + "(" + inner + ") = " + std::to_string(d);
  }
  return side(a, b) + " = " + side(c, d);
}

LinearEquation parse_linear(const std::string& text) { return LinearParser(text).parse(); }

const std::string& LinearTask::name() const {
  static const std::string n = "linear";
  return n;
}

PromptExample LinearTask::make(Rng& rng, int level, const std::string& language) const {
  require_language(language, "linear: language");
  LinearEquation eq;
  long long x = 0;
  switch (level) {
    case 1: {
      x = rng.uniform_int(0, 20);
      long long b = rng.uniform_int(1, 20);
      if (x >= b && rng.bernoulli(0.5)) b = -b;
      eq.a = 1;
      eq.b = b;
      eq.d = x + b;
      break;
    }
    case 2:
      eq.a = rng.uniform_int(2, 9);
      x = rng.uniform_int(0, 12);
      eq.d = eq.a * x;
      break;
    case 3: {
      eq.a = rng.uniform_int(2, 9);
      x = rng.uniform_int(0, 15);
      long long b = rng.uniform_int(1, 20);
      if (eq.a * x >= b && rng.bernoulli(0.5)) b = -b;
      eq.b = b;
      eq.d = eq.a * x + b;
      break;
    }
    case 4:
      eq.a = rng.uniform_int(3, 9);
      eq.c = rng.uniform_int(1, eq.a - 1);
      x = rng.uniform_int(0, 12);
      eq.b = rng.uniform_int(0, 20);
      eq.d = (eq.a - eq.c) * x + eq.b;
      break;
    case 5:
      eq.factored = true;
      eq.a = rng.uniform_int(2, 9);
      x = rng.uniform_int(-10, 15);
      do eq.b = rng.uniform_int(-10, 10);
      while (eq.b == 0);
      eq.d = eq.a * (x + eq.b);
      break;
    default: throw InputError("linear: level must be in 1..5, got " + std::to_string(level));
  }
  PromptExample ex;
  ex.task = name();
  ex.level = level;
  ex.language = language;
  ex.problem_key = eq.render();
  bool solve_for = rng.bernoulli(0.5);
  if (language == "en")
    ex.question = solve_for ? "Solve for x: " + ex.problem_key + "." : "Find x if " + ex.problem_key + ".";
  else
    ex.question = solve_for ? "Resuelve para x: " + ex.problem_key + "." : "Halla x si " + ex.problem_key + ".";
  ex.answer = std::to_string(x);
  ex.id = example_id(name(), ex.question);
  return ex;
}

WorkedSolution LinearTask::solve(const PromptExample& ex, Rng& rng, const SolutionOptions& opts) const {
  LinearEquation eq = parse_linear(ex.problem_key);
  // Each step: a phrase ("subtract {v} from both sides") with its value, and the equation after it.
  struct Step {
    int kind;           // 0 subtract, 1 add, 2 divide
    std::string value;  // "7", "2x"
    long long a, b, d;  // state after the step: a*x + b = d (or the factored inner form x + b = d)
  };
  std::vector<Step> steps;
  long long a = eq.a, b = eq.b, d = eq.d;
  auto bad = [&](const std::string& why) {
    return InputError("linear: " + quote(ex.problem_key) + " has no unique integer solution (" + why + ")");
  };
  if (eq.factored) {
    if (a == 0 || d % a != 0) throw bad("cannot divide by " + std::to_string(a));
    d /= a;
    a = 1;
    steps.push_back({2, std::to_string(eq.a), a, b, d});
  } else if (eq.c != 0) {
    a -= eq.c;
    if (a == 0) throw bad("the x terms cancel");
    steps.push_back({eq.c > 0 ? 0 : 1, x_term(std::llabs(eq.c)), a, b, d});
  }
  if (b != 0) {
    long long moved = b;
    d -= b;
    b = 0;
    steps.push_back({moved > 0 ? 0 : 1, std::to_string(std::llabs(moved)), a, b, d});
  }
  if (a != 1) {
    if (a == 0 || d % a != 0) throw bad("cannot divide by " + std::to_string(a));
    long long div = a;
    d /= a;
    a = 1;
    steps.push_back({2, std::to_string(div), a, b, d});
  }
  long long x = d;
  bool correct = true;
  if (opts.mistake && !steps.empty()) {
    // One step's right-hand side is off by k times the x coefficient after it, so x ends off by k.
    static const std::vector<long long> kOffsets = {-2, -1, 1, 2};
    size_t bad_step = rng.below(steps.size());
    long long k = rng.pick(kOffsets);
    long long shift = 0;  // k in units of x
    for (size_t i = 0; i < steps.size(); ++i) {
      if (i == bad_step) shift = k;
      steps[i].d += shift * steps[i].a;
    }
    x += k;
    correct = false;
  }
  bool factored_inner = eq.factored;
  return assemble_solution(
      steps.size(),
      [&](size_t i, const std::string& lang) {
        const Lexicon& lex = lexicon(lang);
        const Step& s = steps[i];
        const std::string& phrase = s.kind == 0 ? lex.subtract_both : s.kind == 1 ? lex.add_both : lex.divide_both;
        std::string lhs = (factored_inner && i == 0) ? side(1, s.b) : side(s.a, s.b);
        return fill(phrase, s.value) + ": " + lhs + " = " + std::to_string(s.d);
      },
      ex.language, opts, std::to_string(x), correct);
}

std::string LinearTask::bare_line(const PromptExample& ex) const { return ex.problem_key + " -> x = " + ex.answer; }

}  // namespace r1
