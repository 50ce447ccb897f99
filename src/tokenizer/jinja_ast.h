// The parsed form of a Jinja template: expression and statement nodes, each with its source line.
#pragma once
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "r1/tokenizer/jinja_value.h"

namespace r1::jinja {

struct Expr;
using ExprPtr = std::unique_ptr<Expr>;

enum class ExprKind {
  Const,    // constant
  Name,     // name
  List,     // args: items
  Tuple,    // args: items
  DictLit,  // args: key, value, key, value, ...
  Attr,     // args[0].name (environment.getattr: attribute first, then item)
  Item,     // args[0][args[1]] (environment.getitem: item first, then attribute)
  Slice,    // args[0][args[1]:args[2]:args[3]] (missing parts are null)
  Call,     // args[0](args[1..], kwargs)
  Filter,   // args[0] | name(args[1..], kwargs); args[0] is null in {% set x | f %} blocks
  Test,     // args[0] is [not] name(args[1..], kwargs)
  Neg,      // -args[0]
  Pos,      // +args[0]
  Binary,   // args[0] name args[1]: + - * / // % ** ~
  Compare,  // args[0] ops[0] args[1] ops[1] args[2] ...: == != < > <= >= in notin
  And,
  Or,
  Not,
  Cond,  // args[0] if args[1] else args[2] (args[2] null when there is no else)
};

struct Expr {
  ExprKind kind = ExprKind::Const;
  int line = 0;
  Value constant;
  std::string name;
  std::vector<ExprPtr> args;
  std::vector<std::pair<std::string, ExprPtr>> kwargs;
  std::vector<std::string> ops;
  bool negated = false;
};

struct Node;
using NodePtr = std::unique_ptr<Node>;
using Body = std::vector<NodePtr>;

enum class NodeKind {
  Text,      // text
  Print,     // {{ expr }}
  If,        // branches (condition, body) for if/elif; else_body
  For,       // targets in expr [if filter]: body; else_body
  Set,       // targets = expr, or targets[0].attribute = expr (namespace)
  SetBlock,  // {% set targets[0] | filters %}body{% endset %}
  Break,
  Continue,
  Generation,  // transformers' {% generation %}body{% endgeneration %}: renders body
};

struct Node {
  NodeKind kind = NodeKind::Text;
  int line = 0;
  std::string text;
  ExprPtr expr;
  std::vector<std::pair<ExprPtr, Body>> branches;
  Body body;
  Body else_body;
  std::vector<std::string> targets;
  bool unpack = false;           // targets are a tuple (a, b)
  std::string attribute;         // Set on a namespace: targets[0].attribute
  ExprPtr filter;                // For: the `if` condition
  std::vector<ExprPtr> filters;  // SetBlock: Filter nodes with a null subject
};

}  // namespace r1::jinja
