// Integer expression trees for the arithmetic and countdown tasks: exact evaluation, rendering with the
// fewest parentheses that keep the tree's order, the evaluation steps in order, and a parser for the rendered
// form. Values are checked against overflow.
#pragma once
#include <optional>
#include <string>
#include <vector>

namespace r1 {

struct ExprNode {
  char op = 0;          // 0 = a number leaf; else + - * /
  long long value = 0;  // leaf: the number; inner node: its exact value
  int left = -1, right = -1;
};

// One evaluation step "a op b = result".
struct ExprStep {
  long long a = 0;
  char op = '+';
  long long b = 0;
  long long result = 0;
};

struct Expression {
  std::vector<ExprNode> nodes;
  int root = -1;

  long long value() const { return nodes.at(root).value; }
  // "(17 + 25) * 3 - 8": spaces around operators; a child is parenthesised when its operator binds less
  // tightly than its parent's, and a right child also when it binds equally (so reading left to right
  // follows the tree).
  std::string render() const;
  // Steps in evaluation order (post-order: left subtree, right subtree, node).
  std::vector<ExprStep> steps() const;
  // Leaf numbers, left to right.
  std::vector<long long> leaves() const;

  int add_leaf(long long value);
  // Adds op(left, right); returns -1 (and adds nothing) if the result is not an exact integer or overflows.
  int add_node(char op, int left, int right);
};

// a op b if exact and within +-1e15; nullopt for division by zero, an inexact quotient or overflow.
std::optional<long long> apply_exact(char op, long long a, long long b);

// Parses the rendered form (non-negative integer literals, + - * /, parentheses, spaces) back into a tree.
// Throws InputError naming the text for anything else or a non-exact value.
Expression parse_expression(const std::string& text);

}  // namespace r1
