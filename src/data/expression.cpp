// Integer expression trees: exact evaluation, minimal-parenthesis rendering, steps, parsing.
#include "r1/data/expression.h"

#include <cctype>
#include <functional>

#include "r1/util/error.h"
#include "r1/util/strings.h"

namespace r1 {

namespace {

constexpr long long kLimit = 1000000000000000LL;  // 1e15

int precedence(char op) { return (op == '+' || op == '-') ? 1 : (op == '*' || op == '/') ? 2 : 3; }

}  // namespace

std::optional<long long> apply_exact(char op, long long a, long long b) {
  __int128 r = 0;
  switch (op) {
    case '+': r = static_cast<__int128>(a) + b; break;
    case '-': r = static_cast<__int128>(a) - b; break;
    case '*': r = static_cast<__int128>(a) * b; break;
    case '/':
      if (b == 0 || a % b != 0) return std::nullopt;
      r = a / b;
      break;
    default: return std::nullopt;
  }
  if (r > kLimit || r < -kLimit) return std::nullopt;
  return static_cast<long long>(r);
}

int Expression::add_leaf(long long value) {
  ExprNode n;
  n.value = value;
  nodes.push_back(n);
  return static_cast<int>(nodes.size()) - 1;
}

int Expression::add_node(char op, int left, int right) {
  auto v = apply_exact(op, nodes.at(left).value, nodes.at(right).value);
  if (!v) return -1;
  ExprNode n;
  n.op = op;
  n.value = *v;
  n.left = left;
  n.right = right;
  nodes.push_back(n);
  return static_cast<int>(nodes.size()) - 1;
}

std::string Expression::render() const {
  std::function<std::string(int)> rec = [&](int i) -> std::string {
    const ExprNode& n = nodes.at(i);
    if (n.op == 0) return std::to_string(n.value);
    const ExprNode& l = nodes.at(n.left);
    const ExprNode& r = nodes.at(n.right);
    std::string ls = rec(n.left), rs = rec(n.right);
    if (precedence(l.op) < precedence(n.op)) ls = "(" + ls + ")";
    if (precedence(r.op) <= precedence(n.op)) rs = "(" + rs + ")";
    return ls + " " + n.op + " " + rs;
  };
  return rec(root);
}

std::vector<ExprStep> Expression::steps() const {
  std::vector<ExprStep> out;
  std::function<void(int)> rec = [&](int i) {
    const ExprNode& n = nodes.at(i);
    if (n.op == 0) return;
    rec(n.left);
    rec(n.right);
    out.push_back({nodes.at(n.left).value, n.op, nodes.at(n.right).value, n.value});
  };
  rec(root);
  return out;
}

std::vector<long long> Expression::leaves() const {
  std::vector<long long> out;
  std::function<void(int)> rec = [&](int i) {
    const ExprNode& n = nodes.at(i);
    if (n.op == 0) {
      out.push_back(n.value);
      return;
    }
    rec(n.left);
    rec(n.right);
  };
  rec(root);
  return out;
}

namespace {

class ExpressionParser {
 public:
  explicit ExpressionParser(const std::string& text) : text_(text) {}

  Expression parse() {
    int root = parse_sum(0);
    skip_spaces();
    if (pos_ != text_.size()) fail("unexpected " + quote(text_.substr(pos_, 1)));
    expr_.root = root;
    return std::move(expr_);
  }

 private:
  [[noreturn]] void fail(const std::string& what) const {
    throw InputError("expression " + quote(text_) + ": " + what + " at character " + std::to_string(pos_ + 1));
  }
  void skip_spaces() {
    while (pos_ < text_.size() && text_[pos_] == ' ') ++pos_;
  }
  int combine(char op, int l, int r) {
    int i = expr_.add_node(op, l, r);
    if (i < 0) fail(std::string("the operation '") + op + "' has no exact integer value");
    return i;
  }
  int parse_sum(int depth) {
    int left = parse_product(depth);
    for (;;) {
      skip_spaces();
      if (pos_ < text_.size() && (text_[pos_] == '+' || text_[pos_] == '-')) {
        char op = text_[pos_++];
        left = combine(op, left, parse_product(depth));
      } else {
        return left;
      }
    }
  }
  int parse_product(int depth) {
    int left = parse_atom(depth);
    for (;;) {
      skip_spaces();
      if (pos_ < text_.size() && (text_[pos_] == '*' || text_[pos_] == '/')) {
        char op = text_[pos_++];
        left = combine(op, left, parse_atom(depth));
      } else {
        return left;
      }
    }
  }
  int parse_atom(int depth) {
    if (depth > 64) fail("parentheses nested too deeply");
    skip_spaces();
    if (pos_ >= text_.size()) fail("expected a number or '('");
    if (text_[pos_] == '(') {
      ++pos_;
      int inner = parse_sum(depth + 1);
      skip_spaces();
      if (pos_ >= text_.size() || text_[pos_] != ')') fail("expected ')'");
      ++pos_;
      return inner;
    }
    size_t start = pos_;
    while (pos_ < text_.size() && std::isdigit(static_cast<unsigned char>(text_[pos_]))) ++pos_;
    if (start == pos_) fail("expected a number or '('");
    if (pos_ - start > 15) fail("number too long");
    return expr_.add_leaf(std::stoll(text_.substr(start, pos_ - start)));
  }

  const std::string& text_;
  size_t pos_ = 0;
  Expression expr_;
};

}  // namespace

Expression parse_expression(const std::string& text) { return ExpressionParser(text).parse(); }

}  // namespace r1
