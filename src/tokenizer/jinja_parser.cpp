// Jinja parsing: recursive descent over the lexed segments, mirroring Jinja's grammar and precedence
// (condexpr < or < and < not < compare < + - < ~ < * / // % < ** < unary, then postfix, filters and tests).
#include "jinja_parser.h"

#include <algorithm>

#include "jinja_builtins.h"
#include "r1/util/error.h"

namespace r1::jinja {

namespace {

// Statements Jinja has that this interpreter refuses.
const char* const kUnsupportedStatements[] = {
    "macro", "endmacro", "call",  "endcall",  "filter",    "endfilter", "include",    "import",
    "from",  "extends",  "block", "endblock", "with",      "endwith",   "autoescape", "endautoescape",
    "raw",   "endraw",   "do",    "trans",    "pluralize", "endtrans"};

bool is_unsupported_statement(const std::string& name) {
  return std::find_if(std::begin(kUnsupportedStatements), std::end(kUnsupportedStatements),
                      [&](const char* s) { return name == s; }) != std::end(kUnsupportedStatements);
}

ExprPtr make_expr(ExprKind kind, int line) {
  auto e = std::make_unique<Expr>();
  e->kind = kind;
  e->line = line;
  return e;
}

ExprPtr make_binary(ExprKind kind, int line, ExprPtr a, ExprPtr b, std::string name = "") {
  auto e = make_expr(kind, line);
  e->name = std::move(name);
  e->args.push_back(std::move(a));
  e->args.push_back(std::move(b));
  return e;
}

class Parser {
 public:
  Parser(const std::vector<Segment>& segments, const std::string& name) : segs_(segments), name_(name) {}

  Body run() {
    Body body;
    parse_body(body, {}, "", 0);
    return body;
  }

 private:
  // ---- segments and the token cursor --------------------------------------------------------------------
  const std::vector<Token>& toks() const { return segs_[seg_].tokens; }
  bool at_end() const { return tok_ >= toks().size(); }
  const Token* peek(size_t k = 0) const { return tok_ + k < toks().size() ? &toks()[tok_ + k] : nullptr; }
  bool at_op(const char* op, size_t k = 0) const {
    const Token* t = peek(k);
    return t && t->kind == TokenKind::Operator && t->text == op;
  }
  bool at_name(const char* name, size_t k = 0) const {
    const Token* t = peek(k);
    return t && t->kind == TokenKind::Name && t->text == name;
  }
  int line() const {
    if (!at_end()) return toks()[tok_].line;
    return toks().empty() ? segs_[seg_].line : toks().back().line;
  }
  std::string current_text() const {
    if (at_end())
      return segs_[seg_].kind == Segment::Kind::Print ? "the end of the print tag \"}}\"" : "the end of the tag \"%}\"";
    return describe(toks()[tok_]);
  }
  [[noreturn]] void fail(const std::string& message, int at_line = 0) const {
    throw InputError(located(name_, at_line ? at_line : line(), message));
  }
  const Token& next() {
    if (at_end()) fail("unexpected " + current_text());
    return toks()[tok_++];
  }
  void expect_op(const char* op) {
    if (!at_op(op)) fail(std::string("expected \"") + op + "\", got " + current_text());
    ++tok_;
  }
  std::string expect_name(const char* what) {
    const Token* t = peek();
    if (!t || t->kind != TokenKind::Name) fail(std::string("expected ") + what + ", got " + current_text());
    ++tok_;
    return t->text;
  }
  void expect_end() {
    if (!at_end()) fail("unexpected " + current_text());
  }

  // ---- statements ---------------------------------------------------------------------------------------
  // Appends nodes to `out` until a statement named in `stops`; returns its name (the cursor then sits after the
  // name, in that statement's tokens). At the end of the template: "" when `stops` is empty, else an error.
  std::string parse_body(Body& out, const std::vector<std::string>& stops, const std::string& block, int open_line) {
    for (; index_ < segs_.size(); ++index_) {
      const Segment& s = segs_[index_];
      seg_ = index_;
      tok_ = 0;
      if (s.kind == Segment::Kind::Text) {
        auto n = std::make_unique<Node>();
        n->kind = NodeKind::Text;
        n->line = s.line;
        n->text = s.text;
        out.push_back(std::move(n));
        continue;
      }
      if (s.kind == Segment::Kind::Print) {
        auto n = std::make_unique<Node>();
        n->kind = NodeKind::Print;
        n->line = s.line;
        n->expr = parse_tuple(true, {}, false);
        expect_end();
        out.push_back(std::move(n));
        continue;
      }
      std::string word = expect_name("a statement name");
      if (std::find(stops.begin(), stops.end(), word) != stops.end()) {
        ++index_;
        return word;
      }
      out.push_back(parse_statement(word, s.line));
    }
    if (!stops.empty()) {
      std::string expected;
      for (const auto& s : stops) expected += (expected.empty() ? "\"" : " or \"") + s + "\"";
      fail("unclosed \"" + block + "\" block: the template ends before " + expected, open_line);
    }
    return "";
  }

  NodePtr parse_statement(const std::string& word, int line) {
    if (word == "if") return parse_if(line);
    if (word == "for") return parse_for(line);
    if (word == "set") return parse_set(line);
    if (word == "break" || word == "continue") {
      if (loop_depth_ == 0) fail("\"" + word + "\" outside a for loop");
      expect_end();
      auto n = std::make_unique<Node>();
      n->kind = word == "break" ? NodeKind::Break : NodeKind::Continue;
      n->line = line;
      return n;
    }
    if (word == "generation") {
      expect_end();
      auto n = std::make_unique<Node>();
      n->kind = NodeKind::Generation;
      n->line = line;
      ++index_;
      parse_body(n->body, {"endgeneration"}, "generation", line);
      expect_end();
      --index_;
      return n;
    }
    if (word == "elif" || word == "else" || word.rfind("end", 0) == 0) {
      if (word == "endif" || word == "endfor" || word == "endset" || word == "endgeneration" || word == "elif" ||
          word == "else")
        fail("unexpected \"" + word + "\" (no open block it could close)");
    }
    if (is_unsupported_statement(word)) fail("unsupported statement \"" + word + "\"");
    fail("unknown statement \"" + word + "\"");
  }

  // After parse_body returns, the stop statement's remaining tokens are at the cursor (seg_ = index_ - 1);
  // the callers check them, then step index_ back so the caller's loop increment lands after the block.
  NodePtr parse_if(int line) {
    auto n = std::make_unique<Node>();
    n->kind = NodeKind::If;
    n->line = line;
    ExprPtr cond = parse_tuple(false, {}, false);
    expect_end();
    ++index_;
    while (true) {
      Body body;
      std::string stop = parse_body(body, {"elif", "else", "endif"}, "if", line);
      n->branches.emplace_back(std::move(cond), std::move(body));
      if (stop == "elif") {
        cond = parse_tuple(false, {}, false);
        expect_end();
        continue;
      }
      if (stop == "else") {
        expect_end();
        parse_body(n->else_body, {"endif"}, "if", line);
      }
      expect_end();
      break;
    }
    --index_;
    return n;
  }

  // Names of a for/set target: `x`, `a, b` or `(a, b)`.
  void parse_targets(Node& n) {
    bool paren = at_op("(");
    if (paren) ++tok_;
    n.targets.push_back(expect_name("a variable name"));
    while (at_op(",")) {
      ++tok_;
      n.unpack = true;
      if (paren && at_op(")")) break;
      n.targets.push_back(expect_name("a variable name"));
    }
    if (paren) {
      expect_op(")");
      n.unpack = true;
    }
  }

  NodePtr parse_for(int line) {
    auto n = std::make_unique<Node>();
    n->kind = NodeKind::For;
    n->line = line;
    parse_targets(*n);
    if (!at_name("in")) fail("expected \"in\" in the for statement, got " + current_text());
    ++tok_;
    n->expr = parse_tuple(false, {"recursive"}, false);
    if (at_name("recursive")) fail("unsupported statement \"for ... recursive\"");
    if (at_name("if")) {
      ++tok_;
      n->filter = parse_expression(true);
    }
    expect_end();
    ++index_;
    ++loop_depth_;
    std::string stop = parse_body(n->body, {"else", "endfor"}, "for", line);
    --loop_depth_;
    expect_end();
    if (stop == "else") {
      parse_body(n->else_body, {"endfor"}, "for", line);
      expect_end();
    }
    --index_;
    return n;
  }

  NodePtr parse_set(int line) {
    auto n = std::make_unique<Node>();
    n->kind = NodeKind::Set;
    n->line = line;
    if (peek(1) && at_op(".", 1)) {
      n->targets.push_back(expect_name("a variable name"));
      ++tok_;
      n->attribute = expect_name("an attribute name");
    } else {
      parse_targets(*n);
    }
    if (at_op("=")) {
      ++tok_;
      n->expr = parse_tuple(true, {}, false);
      expect_end();
      return n;
    }
    if (n->unpack) fail("expected \"=\" after a tuple target in the set statement, got " + current_text());
    n->kind = NodeKind::SetBlock;
    while (at_op("|")) n->filters.push_back(parse_filter(nullptr));
    expect_end();
    ++index_;
    parse_body(n->body, {"endset"}, "set", line);
    expect_end();
    --index_;
    return n;
  }

  // ---- expressions --------------------------------------------------------------------------------------
  bool at_tuple_end(const std::vector<std::string>& extra_end) const {
    if (at_end() || at_op(")")) return true;
    for (const auto& w : extra_end)
      if (at_name(w.c_str())) return true;
    return false;
  }

  ExprPtr parse_tuple(bool with_condexpr, const std::vector<std::string>& extra_end, bool explicit_parens) {
    int start_line = line();
    std::vector<ExprPtr> items;
    bool is_tuple = false;
    while (true) {
      if (!items.empty()) expect_op(",");
      if (at_tuple_end(extra_end)) break;
      items.push_back(parse_expression(with_condexpr));
      if (at_op(","))
        is_tuple = true;
      else
        break;
    }
    if (!is_tuple) {
      if (!items.empty()) return std::move(items[0]);
      if (!explicit_parens) fail("expected an expression, got " + current_text());
    }
    auto e = make_expr(ExprKind::Tuple, start_line);
    e->args = std::move(items);
    return e;
  }

  ExprPtr parse_expression(bool with_condexpr) { return with_condexpr ? parse_condexpr() : parse_or(); }

  ExprPtr parse_condexpr() {
    ExprPtr e = parse_or();
    while (at_name("if")) {
      int l = line();
      ++tok_;
      ExprPtr cond = parse_or();
      ExprPtr other;
      if (at_name("else")) {
        ++tok_;
        other = parse_condexpr();
      }
      auto c = make_expr(ExprKind::Cond, l);
      c->args.push_back(std::move(e));
      c->args.push_back(std::move(cond));
      c->args.push_back(std::move(other));
      e = std::move(c);
    }
    return e;
  }

  ExprPtr parse_or() {
    ExprPtr e = parse_and();
    while (at_name("or")) {
      int l = line();
      ++tok_;
      e = make_binary(ExprKind::Or, l, std::move(e), parse_and());
    }
    return e;
  }

  ExprPtr parse_and() {
    ExprPtr e = parse_not();
    while (at_name("and")) {
      int l = line();
      ++tok_;
      e = make_binary(ExprKind::And, l, std::move(e), parse_not());
    }
    return e;
  }

  ExprPtr parse_not() {
    if (at_name("not")) {
      auto e = make_expr(ExprKind::Not, line());
      ++tok_;
      e->args.push_back(parse_not());
      return e;
    }
    return parse_compare();
  }

  ExprPtr parse_compare() {
    int l = line();
    ExprPtr first = parse_math1();
    auto e = make_expr(ExprKind::Compare, l);
    e->args.push_back(std::move(first));
    while (true) {
      static const char* const kOps[] = {"==", "!=", "<", ">", "<=", ">="};
      std::string op;
      for (const char* o : kOps)
        if (at_op(o)) op = o;
      if (!op.empty()) {
        ++tok_;
      } else if (at_name("in")) {
        ++tok_;
        op = "in";
      } else if (at_name("not") && at_name("in", 1)) {
        tok_ += 2;
        op = "not in";
      } else {
        break;
      }
      e->ops.push_back(op);
      e->args.push_back(parse_math1());
    }
    if (e->ops.empty()) return std::move(e->args[0]);
    return e;
  }

  ExprPtr parse_math1() {
    ExprPtr e = parse_concat();
    while (at_op("+") || at_op("-")) {
      int l = line();
      std::string op = next().text;
      e = make_binary(ExprKind::Binary, l, std::move(e), parse_concat(), op);
    }
    return e;
  }

  ExprPtr parse_concat() {
    ExprPtr e = parse_math2();
    while (at_op("~")) {
      int l = line();
      ++tok_;
      e = make_binary(ExprKind::Binary, l, std::move(e), parse_math2(), "~");
    }
    return e;
  }

  ExprPtr parse_math2() {
    ExprPtr e = parse_pow();
    while (at_op("*") || at_op("/") || at_op("//") || at_op("%")) {
      int l = line();
      std::string op = next().text;
      e = make_binary(ExprKind::Binary, l, std::move(e), parse_pow(), op);
    }
    return e;
  }

  ExprPtr parse_pow() {
    ExprPtr e = parse_unary(true);
    while (at_op("**")) {
      int l = line();
      ++tok_;
      e = make_binary(ExprKind::Binary, l, std::move(e), parse_unary(true), "**");
    }
    return e;
  }

  ExprPtr parse_unary(bool with_filter) {
    ExprPtr e;
    if (at_op("-") || at_op("+")) {
      e = make_expr(at_op("-") ? ExprKind::Neg : ExprKind::Pos, line());
      ++tok_;
      e->args.push_back(parse_unary(false));
    } else {
      e = parse_primary();
    }
    e = parse_postfix(std::move(e));
    if (with_filter) e = parse_filter_expr(std::move(e));
    return e;
  }

  ExprPtr parse_primary() {
    if (at_end()) fail("expected an expression, got " + current_text());
    const Token& t = next();
    switch (t.kind) {
      case TokenKind::Name: {
        if (t.text == "true" || t.text == "True" || t.text == "false" || t.text == "False") {
          auto e = make_expr(ExprKind::Const, t.line);
          e->constant = Value(t.text == "true" || t.text == "True");
          return e;
        }
        if (t.text == "none" || t.text == "None") {
          auto e = make_expr(ExprKind::Const, t.line);
          e->constant = Value::none();
          return e;
        }
        auto e = make_expr(ExprKind::Name, t.line);
        e->name = t.text;
        return e;
      }
      case TokenKind::String: {
        std::string s = t.text;
        while (peek() && peek()->kind == TokenKind::String) s += next().text;  // adjacent literals join
        auto e = make_expr(ExprKind::Const, t.line);
        e->constant = Value(std::move(s));
        return e;
      }
      case TokenKind::Integer: {
        auto e = make_expr(ExprKind::Const, t.line);
        e->constant = Value(t.int_value);
        return e;
      }
      case TokenKind::Float: {
        auto e = make_expr(ExprKind::Const, t.line);
        e->constant = Value(t.float_value);
        return e;
      }
      case TokenKind::Operator:
        if (t.text == "(") {
          ExprPtr e = parse_tuple(true, {}, true);
          expect_op(")");
          return e;
        }
        if (t.text == "[") return parse_list(t.line);
        if (t.text == "{") return parse_dict(t.line);
        break;
    }
    --tok_;
    fail("expected an expression, got " + current_text());
  }

  ExprPtr parse_list(int l) {
    auto e = make_expr(ExprKind::List, l);
    while (!at_op("]")) {
      if (!e->args.empty()) expect_op(",");
      if (at_op("]")) break;
      e->args.push_back(parse_expression(true));
    }
    expect_op("]");
    return e;
  }

  ExprPtr parse_dict(int l) {
    auto e = make_expr(ExprKind::DictLit, l);
    while (!at_op("}")) {
      if (!e->args.empty()) expect_op(",");
      if (at_op("}")) break;
      e->args.push_back(parse_expression(true));
      expect_op(":");
      e->args.push_back(parse_expression(true));
    }
    expect_op("}");
    return e;
  }

  ExprPtr parse_postfix(ExprPtr e) {
    while (true) {
      if (at_op(".") || at_op("["))
        e = parse_subscript(std::move(e));
      else if (at_op("("))
        e = parse_call(std::move(e));
      else
        break;
    }
    return e;
  }

  ExprPtr parse_subscript(ExprPtr obj) {
    const Token& t = next();
    if (t.text == ".") {
      const Token* a = peek();
      if (a && a->kind == TokenKind::Name) {
        ++tok_;
        auto e = make_expr(ExprKind::Attr, t.line);
        e->name = a->text;
        e->args.push_back(std::move(obj));
        return e;
      }
      if (a && a->kind == TokenKind::Integer) {
        ++tok_;
        auto e = make_expr(ExprKind::Item, t.line);
        e->args.push_back(std::move(obj));
        auto k = make_expr(ExprKind::Const, t.line);
        k->constant = Value(a->int_value);
        e->args.push_back(std::move(k));
        return e;
      }
      fail("expected an attribute name after \".\", got " + current_text());
    }
    // "[" index "]" or "[" start ":" stop ":" step "]"
    ExprPtr parts[3];
    bool is_slice = false;
    if (!at_op(":")) parts[0] = parse_expression(true);
    if (at_op(":")) {
      is_slice = true;
      ++tok_;
      if (!at_op("]") && !at_op(":")) parts[1] = parse_expression(true);
      if (at_op(":")) {
        ++tok_;
        if (!at_op("]")) parts[2] = parse_expression(true);
      }
    }
    if (at_op(",")) fail("unsupported subscript: a tuple index");
    expect_op("]");
    auto e = make_expr(is_slice ? ExprKind::Slice : ExprKind::Item, t.line);
    e->args.push_back(std::move(obj));
    e->args.push_back(std::move(parts[0]));
    if (is_slice) {
      e->args.push_back(std::move(parts[1]));
      e->args.push_back(std::move(parts[2]));
    }
    return e;
  }

  ExprPtr parse_call(ExprPtr callee) {
    auto e = make_expr(ExprKind::Call, line());
    e->args.push_back(std::move(callee));
    parse_arguments(*e);
    return e;
  }

  // "(" args ")": positional ones appended to e.args (after its subject or callee), keyword ones to e.kwargs.
  void parse_arguments(Expr& e) {
    expect_op("(");
    bool first = true;
    while (!at_op(")")) {
      if (!first) {
        expect_op(",");
        if (at_op(")")) break;
      }
      first = false;
      if (at_op("*") || at_op("**")) fail("unsupported call syntax: *args / **kwargs");
      if (peek() && peek()->kind == TokenKind::Name && at_op("=", 1)) {
        std::string key = next().text;
        ++tok_;
        e.kwargs.emplace_back(key, parse_expression(true));
      } else {
        if (!e.kwargs.empty()) fail("a positional argument after keyword arguments");
        e.args.push_back(parse_expression(true));
      }
    }
    expect_op(")");
  }

  std::string dotted_name(const char* what) {
    std::string name = expect_name(what);
    while (at_op(".")) {
      ++tok_;
      name += "." + expect_name(what);
    }
    return name;
  }

  ExprPtr parse_filter(ExprPtr subject) {
    int l = line();
    expect_op("|");
    int name_line = line();
    std::string name = dotted_name("a filter name");
    if (!has_filter(name)) fail("unknown filter \"" + name + "\"", name_line);
    auto e = make_expr(ExprKind::Filter, l);
    e->name = name;
    e->args.push_back(std::move(subject));
    if (at_op("(")) parse_arguments(*e);
    return e;
  }

  ExprPtr parse_test(ExprPtr subject) {
    int l = line();
    ++tok_;  // "is"
    bool negated = false;
    if (at_name("not")) {
      ++tok_;
      negated = true;
    }
    std::string name = dotted_name("a test name");
    if (!has_test(name)) fail("unknown test \"" + name + "\"", l);
    auto e = make_expr(ExprKind::Test, l);
    e->name = name;
    e->negated = negated;
    e->args.push_back(std::move(subject));
    const Token* t = peek();
    if (at_op("(")) {
      parse_arguments(*e);
    } else if (t &&
               (t->kind == TokenKind::Name || t->kind == TokenKind::String || t->kind == TokenKind::Integer ||
                t->kind == TokenKind::Float || at_op("[") || at_op("{")) &&
               !at_name("else") && !at_name("or") && !at_name("and")) {
      if (at_name("is")) fail("tests cannot be chained with \"is\"");
      e->args.push_back(parse_postfix(parse_primary()));  // `x is divisibleby 3`
    }
    return e;
  }

  ExprPtr parse_filter_expr(ExprPtr e) {
    while (true) {
      if (at_op("|"))
        e = parse_filter(std::move(e));
      else if (at_name("is"))
        e = parse_test(std::move(e));
      else if (at_op("("))
        e = parse_call(std::move(e));
      else
        break;
    }
    return e;
  }

  const std::vector<Segment>& segs_;
  const std::string& name_;
  size_t index_ = 0;  // segment being parsed
  size_t seg_ = 0;    // segment whose tokens the cursor walks
  size_t tok_ = 0;
  int loop_depth_ = 0;
};

}  // namespace

Body parse_template(const std::vector<Segment>& segments, const std::string& source_name) {
  return Parser(segments, source_name).run();
}

}  // namespace r1::jinja
