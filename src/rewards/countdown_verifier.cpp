// Countdown equations: a safe parser with exact rational arithmetic (no eval).
#include "r1/rewards/countdown_verifier.h"

#include <numeric>

#include "r1/util/strings.h"

namespace r1 {

namespace {

struct Rational {
  __int128 num = 0;
  __int128 den = 1;
};

constexpr __int128 kMax = static_cast<__int128>(1) << 100;  // far beyond any honest countdown value

struct Failure {
  std::string what;
};

__int128 gcd128(__int128 a, __int128 b) {
  if (a < 0) a = -a;
  if (b < 0) b = -b;
  while (b != 0) {
    __int128 t = a % b;
    a = b;
    b = t;
  }
  return a;
}

Rational normalize(__int128 num, __int128 den) {
  if (den < 0) {
    num = -num;
    den = -den;
  }
  __int128 g = gcd128(num, den);
  if (g > 1) {
    num /= g;
    den /= g;
  }
  if (num > kMax || num < -kMax || den > kMax) throw Failure{"a value is too large"};
  return {num, den};
}

__int128 mul(__int128 a, __int128 b) {
  // Operands are below 2^100 in magnitude; guard the product against 2^126.
  __int128 limit = static_cast<__int128>(1) << 126;
  __int128 aa = a < 0 ? -a : a, bb = b < 0 ? -b : b;
  if (aa != 0 && bb > limit / aa) throw Failure{"a value is too large"};
  return a * b;
}

Rational apply(char op, const Rational& x, const Rational& y) {
  switch (op) {
    case '+': return normalize(mul(x.num, y.den) + mul(y.num, x.den), mul(x.den, y.den));
    case '-': return normalize(mul(x.num, y.den) - mul(y.num, x.den), mul(x.den, y.den));
    case '*': return normalize(mul(x.num, y.num), mul(x.den, y.den));
    default:
      if (y.num == 0) throw Failure{"division by zero"};
      return normalize(mul(x.num, y.den), mul(x.den, y.num));
  }
}

class Parser {
 public:
  Parser(const std::string& text, size_t end, std::vector<long long> available)
      : text_(text), end_(end), available_(std::move(available)) {}

  Rational parse() {
    Rational v = sum(0);
    skip();
    if (pos_ != end_) throw Failure{"unexpected " + quote(text_.substr(pos_, 1)) + " at character " +
                                    std::to_string(pos_ + 1)};
    return v;
  }

 private:
  void skip() {
    while (pos_ < end_ && (text_[pos_] == ' ' || text_[pos_] == '\t')) ++pos_;
  }
  Rational sum(int depth) {
    Rational v = product(depth);
    for (;;) {
      skip();
      if (pos_ < end_ && (text_[pos_] == '+' || text_[pos_] == '-')) {
        char op = text_[pos_++];
        v = apply(op, v, product(depth));
      } else {
        return v;
      }
    }
  }
  Rational product(int depth) {
    Rational v = atom(depth);
    for (;;) {
      skip();
      if (pos_ < end_ && (text_[pos_] == '*' || text_[pos_] == '/')) {
        char op = text_[pos_++];
        v = apply(op, v, atom(depth));
      } else {
        return v;
      }
    }
  }
  Rational atom(int depth) {
    if (depth > 64) throw Failure{"parentheses nested too deeply"};
    skip();
    if (pos_ >= end_) throw Failure{"expected a number or '(' at the end"};
    char c = text_[pos_];
    if (c == '(') {
      ++pos_;
      Rational v = sum(depth + 1);
      skip();
      if (pos_ >= end_ || text_[pos_] != ')') throw Failure{"unbalanced parentheses: expected ')'"};
      ++pos_;
      return v;
    }
    if (c < '0' || c > '9') {
      if (c == ')') throw Failure{"unbalanced parentheses: unexpected ')'"};
      throw Failure{"expected a number or '(' at character " + std::to_string(pos_ + 1) + ", got " +
                    quote(text_.substr(pos_, 1))};
    }
    size_t start = pos_;
    while (pos_ < end_ && text_[pos_] >= '0' && text_[pos_] <= '9') ++pos_;
    std::string digits = text_.substr(start, pos_ - start);
    size_t nz = digits.find_first_not_of('0');
    std::string canonical = nz == std::string::npos ? "0" : digits.substr(nz);
    if (canonical.size() > 18) throw Failure{"the number " + quote(digits, 24) + " is not one of the given numbers"};
    long long value = std::stoll(canonical);
    bool used = false;
    for (size_t i = 0; i < available_.size() && !used; ++i) {
      if (available_[i] == value) {
        available_.erase(available_.begin() + static_cast<long>(i));
        used = true;
      }
    }
    if (!used) throw Failure{"the number " + canonical + " is not one of the given numbers (or is used too often)"};
    return {value, 1};
  }

  const std::string& text_;
  size_t end_;
  std::vector<long long> available_;
  size_t pos_ = 0;
};

std::string rational_text(const Rational& r) {
  auto str = [](__int128 v) {
    bool neg = v < 0;
    if (neg) v = -v;
    std::string s;
    do {
      s.insert(s.begin(), static_cast<char>('0' + static_cast<int>(v % 10)));
      v /= 10;
    } while (v != 0);
    return neg ? "-" + s : s;
  };
  return r.den == 1 ? str(r.num) : str(r.num) + "/" + str(r.den);
}

}  // namespace

CountdownCheck check_countdown(const std::string& equation, const std::vector<long long>& numbers, long long target) {
  CountdownCheck out;
  std::string text = trim(equation);
  if (text.empty()) {
    out.error = "empty equation";
    return out;
  }
  if (text.size() > 1000) {
    out.error = "equation longer than 1000 characters";
    return out;
  }
  // An optional "= N" at the end states the result; it must be the target.
  size_t end = text.size();
  size_t eq = text.find('=');
  bool stated = false;
  long long stated_value = 0;
  if (eq != std::string::npos) {
    std::string rhs = trim(text.substr(eq + 1));
    bool digits = !rhs.empty() && rhs.size() <= 18 && rhs.find_first_not_of("0123456789") == std::string::npos &&
                  text.find('=', eq + 1) == std::string::npos;
    if (!digits) {
      out.error = "after '=' expected the resulting number, got " + quote(rhs);
      return out;
    }
    stated = true;
    stated_value = std::stoll(rhs);
    end = eq;
  }
  try {
    Rational v = Parser(text, end, numbers).parse();
    out.valid = true;
    out.num = static_cast<long long>(v.num);
    out.den = static_cast<long long>(v.den);
    if (v.num > static_cast<__int128>(1) << 62 || v.num < -(static_cast<__int128>(1) << 62) ||
        v.den > static_cast<__int128>(1) << 62) {
      out.valid = false;
      out.error = "a value is too large";
      return out;
    }
    bool hits = v.den == 1 && v.num == target;
    if (!hits) {
      out.error = "the equation gives " + rational_text(v) + ", not " + std::to_string(target);
    } else if (stated && stated_value != target) {
      out.error = "the stated result " + std::to_string(stated_value) + " is not the target " +
                  std::to_string(target);
    } else {
      out.correct = true;
    }
  } catch (const Failure& f) {
    out.error = f.what;
  }
  return out;
}

}  // namespace r1
