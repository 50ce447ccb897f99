// Python-subset arithmetic evaluator for TinyZero-compatible scoring.
#include "r1/rewards/python_arith.h"

#include <cmath>
#include <vector>

namespace r1 {

namespace {

struct PyError {};

struct Value {
  bool is_int = true;
  __int128 i = 0;
  double f = 0;
  double as_float() const { return is_int ? static_cast<double>(i) : f; }
};

constexpr __int128 kIntLimit = static_cast<__int128>(1) << 126;

Value make_int(__int128 v) {
  if (v > kIntLimit || v < -kIntLimit) throw PyError{};
  Value out;
  out.i = v;
  return out;
}
Value make_float(double f) {
  Value out;
  out.is_int = false;
  out.f = f;
  return out;
}

bool add_overflows(__int128 a, __int128 b) {
  return (b > 0 && a > kIntLimit - b) || (b < 0 && a < -kIntLimit - b);
}
__int128 checked_mul(__int128 a, __int128 b) {
  if (a == 0 || b == 0) return 0;
  __int128 aa = a < 0 ? -a : a, bb = b < 0 ? -b : b;
  if (aa > kIntLimit / bb) throw PyError{};
  return a * b;
}

double true_div(double a, double b) {
  if (b == 0.0) throw PyError{};  // ZeroDivisionError
  return a / b;
}

// Python's float floor division (float_floor_div): floor of the true quotient, computed through fmod.
double float_floordiv(double vx, double wx) {
  if (wx == 0.0) throw PyError{};
  double mod = std::fmod(vx, wx);
  double div = (vx - mod) / wx;
  if (mod != 0.0) {
    if ((wx < 0) != (mod < 0)) div -= 1.0;
  }
  double floordiv;
  if (div != 0.0) {
    floordiv = std::floor(div);
    if (div - floordiv > 0.5) floordiv += 1.0;
  } else {
    floordiv = std::copysign(0.0, vx / wx);
  }
  return floordiv;
}

double float_pow(double iv, double iw) {
  if (iw == 0.0) return 1.0;
  if (std::isnan(iv)) return iv;
  if (std::isnan(iw)) return iv == 1.0 ? 1.0 : iw;
  if (iv == 0.0) {
    if (iw < 0.0) throw PyError{};  // ZeroDivisionError
    return std::pow(iv, iw);
  }
  if (iv < 0.0 && iw != std::floor(iw)) throw PyError{};  // Python returns a complex number
  double r = std::pow(iv, iw);
  if (std::isinf(r) && std::isfinite(iv) && std::isfinite(iw)) throw PyError{};  // OverflowError
  return r;
}

Value binary(char op, const Value& a, const Value& b) {
  switch (op) {
    case '+':
    case '-': {
      if (a.is_int && b.is_int) {
        __int128 rb = op == '+' ? b.i : -b.i;
        if (add_overflows(a.i, rb)) throw PyError{};
        return make_int(a.i + rb);
      }
      return make_float(op == '+' ? a.as_float() + b.as_float() : a.as_float() - b.as_float());
    }
    case '*':
      if (a.is_int && b.is_int) return make_int(checked_mul(a.i, b.i));
      return make_float(a.as_float() * b.as_float());
    case '/':
      if (a.is_int && b.is_int) {
        if (b.i == 0) throw PyError{};
        __int128 exact = static_cast<__int128>(1) << 53;
        if (a.i < exact && a.i > -exact && b.i < exact && b.i > -exact)
          return make_float(static_cast<double>(a.i) / static_cast<double>(b.i));
        return make_float(static_cast<double>(static_cast<long double>(a.i) / static_cast<long double>(b.i)));
      }
      return make_float(true_div(a.as_float(), b.as_float()));
    case 'f':  // //
      if (a.is_int && b.is_int) {
        if (b.i == 0) throw PyError{};
        __int128 q = a.i / b.i;
        if ((a.i % b.i != 0) && ((a.i < 0) != (b.i < 0))) q -= 1;
        return make_int(q);
      }
      return make_float(float_floordiv(a.as_float(), b.as_float()));
    case 'p': {  // **
      if (a.is_int && b.is_int) {
        if (b.i < 0) {
          if (a.i == 0) throw PyError{};
          return make_float(float_pow(static_cast<double>(a.i), static_cast<double>(b.i)));
        }
        __int128 result = 1, base = a.i, e = b.i;
        if (base == 0 || base == 1) return make_int(e == 0 ? 1 : base);
        if (base == -1) return make_int((e % 2 == 0) ? 1 : -1);
        while (e > 0) {
          if (e & 1) result = checked_mul(result, base);
          e >>= 1;
          if (e > 0) base = checked_mul(base, base);
        }
        return make_int(result);
      }
      return make_float(float_pow(a.as_float(), b.as_float()));
    }
    default: throw PyError{};
  }
}

// Tokens: 'n' number, '+', '-', '*', '/', 'f' (//), 'p' (**), '(', ')'.
struct Token {
  char kind;
  Value value;
};

std::vector<Token> tokenize(const std::string& s) {
  std::vector<Token> out;
  size_t i = 0;
  while (i < s.size()) {
    char c = s[i];
    if (c == ' ' || c == '\t' || c == '\f') {
      ++i;
      continue;
    }
    bool digit = c >= '0' && c <= '9';
    bool point_number = c == '.' && i + 1 < s.size() && s[i + 1] >= '0' && s[i + 1] <= '9';
    if (digit || point_number) {
      size_t start = i;
      while (i < s.size() && s[i] >= '0' && s[i] <= '9') ++i;
      bool is_float = false;
      if (i < s.size() && s[i] == '.') {
        is_float = true;
        ++i;
        while (i < s.size() && s[i] >= '0' && s[i] <= '9') ++i;
      }
      std::string lit = s.substr(start, i - start);
      if (is_float) {
        out.push_back({'n', make_float(std::strtod(lit.c_str(), nullptr))});
      } else {
        // Python forbids leading zeros in non-zero decimal integers ("03"); "0" and "00" are fine.
        if (lit.size() > 1 && lit[0] == '0' && lit.find_first_not_of('0') != std::string::npos) throw PyError{};
        size_t nz = lit.find_first_not_of('0');
        std::string digits = nz == std::string::npos ? "0" : lit.substr(nz);
        if (digits.size() > 37) throw PyError{};
        __int128 v = 0;
        for (char d : digits) v = v * 10 + (d - '0');
        out.push_back({'n', make_int(v)});
      }
      continue;
    }
    if (c == '*' || c == '/') {
      bool twice = i + 1 < s.size() && s[i + 1] == c;
      out.push_back({twice ? (c == '*' ? 'p' : 'f') : c, Value{}});
      i += twice ? 2 : 1;
      continue;
    }
    if (c == '+' || c == '-' || c == '(' || c == ')') {
      out.push_back({c, Value{}});
      ++i;
      continue;
    }
    throw PyError{};  // '.', other characters
  }
  return out;
}

class Evaluator {
 public:
  explicit Evaluator(std::vector<Token> tokens) : t_(std::move(tokens)) {}

  Value run() {
    Value v = sum(0);
    if (pos_ != t_.size()) throw PyError{};
    return v;
  }

 private:
  bool at(char k) const { return pos_ < t_.size() && t_[pos_].kind == k; }

  Value sum(int depth) {
    Value v = term(depth);
    while (at('+') || at('-')) {
      char op = t_[pos_++].kind;
      v = binary(op, v, term(depth));
    }
    return v;
  }
  Value term(int depth) {
    Value v = factor(depth);
    while (at('*') || at('/') || at('f')) {
      char op = t_[pos_++].kind;
      v = binary(op, v, factor(depth));
    }
    return v;
  }
  // factor := ('+'|'-') factor | power
  Value factor(int depth) {
    if (depth > 200) throw PyError{};
    if (at('+')) {
      ++pos_;
      return factor(depth + 1);
    }
    if (at('-')) {
      ++pos_;
      Value v = factor(depth + 1);
      if (v.is_int) return make_int(-v.i);
      return make_float(-v.f);
    }
    return power(depth);
  }
  // power := atom ['**' factor]
  Value power(int depth) {
    Value base = atom(depth);
    if (at('(')) throw PyError{};  // a call such as "3(4)": TypeError at run time
    if (at('p')) {
      ++pos_;
      Value exponent = factor(depth + 1);
      return binary('p', base, exponent);
    }
    return base;
  }
  Value atom(int depth) {
    if (depth > 200) throw PyError{};
    if (at('n')) return t_[pos_++].value;
    if (at('(')) {
      ++pos_;
      if (at(')')) throw PyError{};  // () is an empty tuple: arithmetic on it raises TypeError
      Value v = sum(depth + 1);
      if (!at(')')) throw PyError{};
      ++pos_;
      return v;
    }
    throw PyError{};
  }

  std::vector<Token> t_;
  size_t pos_ = 0;
};

}  // namespace

std::optional<double> python_arith_eval(const std::string& text) {
  try {
    // eval() ignores leading spaces and tabs of its source.
    std::vector<Token> tokens = tokenize(text);
    if (tokens.empty()) return std::nullopt;
    Value v = Evaluator(std::move(tokens)).run();
    double out = v.as_float();
    return out;
  } catch (const PyError&) {
    return std::nullopt;
  }
}

}  // namespace r1
