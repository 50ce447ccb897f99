// Jinja rendering: statements, expressions, scopes and the `loop` variable; evaluation errors become
// r1::InputError naming the template and line.
#include "jinja_render.h"

#include <unordered_map>

#include "jinja_builtins.h"
#include "jinja_lexer.h"
#include "jinja_operators.h"
#include "r1/util/error.h"

namespace r1::jinja {

namespace {

enum class Flow { Normal, Break, Continue };

class Renderer {
 public:
  Renderer(const std::string& source_name, const std::vector<std::pair<std::string, Value>>& globals,
           const Dict& variables)
      : name_(source_name) {
    scopes_.emplace_back();
    for (const auto& [k, v] : globals) scopes_.back()[k] = v;
    scopes_.emplace_back();
    for (const auto& [k, v] : variables.entries()) scopes_.back()[k] = v;
  }

  std::string run(const Body& body) {
    exec(body);
    return std::move(out_);
  }

 private:
  // ---- scopes ---------------------------------------------------------------------------------------------
  Value lookup(const std::string& name) const {
    for (auto it = scopes_.rbegin(); it != scopes_.rend(); ++it) {
      auto found = it->find(name);
      if (found != it->end()) return found->second;
    }
    return Value::undefined("'" + name + "' is undefined");
  }

  void assign(const std::string& name, Value v) { scopes_.back()[name] = std::move(v); }

  struct ScopeGuard {
    explicit ScopeGuard(Renderer& r) : r_(r) { r_.scopes_.emplace_back(); }
    ~ScopeGuard() { r_.scopes_.pop_back(); }
    Renderer& r_;
  };

  [[noreturn]] void fail(int line, const std::string& message) const {
    throw InputError(located(name_, line, message));
  }

  // ---- statements -----------------------------------------------------------------------------------------
  Flow exec(const Body& body) {
    for (const NodePtr& n : body) {
      Flow f = exec(*n);
      if (f != Flow::Normal) return f;
    }
    return Flow::Normal;
  }

  Flow exec(const Node& n) {
    switch (n.kind) {
      case NodeKind::Text:
        out_ += n.text;
        return Flow::Normal;
      case NodeKind::Print: {
        Value v = eval(*n.expr);
        out_ += to_text(v, n.line);
        return Flow::Normal;
      }
      case NodeKind::If:
        for (const auto& [cond, body] : n.branches)
          if (eval(*cond).truthy()) return exec(body);
        return exec(n.else_body);
      case NodeKind::For:
        return exec_for(n);
      case NodeKind::Set:
        exec_set(n, eval(*n.expr));
        return Flow::Normal;
      case NodeKind::SetBlock: {
        std::string saved = std::move(out_);
        out_.clear();
        {
          ScopeGuard scope(*this);
          exec(n.body);
        }
        Value v(std::move(out_));
        out_ = std::move(saved);
        for (const ExprPtr& f : n.filters) v = filter(*f, v);
        exec_set(n, v);
        return Flow::Normal;
      }
      case NodeKind::Break:
        return Flow::Break;
      case NodeKind::Continue:
        return Flow::Continue;
      case NodeKind::Generation: {
        ScopeGuard scope(*this);
        return exec(n.body);
      }
    }
    return Flow::Normal;
  }

  std::string to_text(const Value& v, int line) const {
    try {
      return v.str();
    } catch (const EvalError& e) {
      fail(line, e.what());
    }
  }

  void bind_targets(const Node& n, const Value& item) {
    if (!n.unpack) {
      assign(n.targets[0], item);
      return;
    }
    std::vector<Value> parts;
    try {
      parts = iterate(item);
    } catch (const EvalError& e) {
      fail(n.line, std::string("cannot unpack: ") + e.what());
    }
    if (parts.size() != n.targets.size())
      fail(n.line, std::string(parts.size() > n.targets.size() ? "too many" : "not enough") +
                       " values to unpack (expected " + std::to_string(n.targets.size()) + ", got " +
                       std::to_string(parts.size()) + ")");
    for (size_t i = 0; i < parts.size(); ++i) assign(n.targets[i], parts[i]);
  }

  Value loop_object(const std::vector<Value>& items, size_t i) {
    std::int64_t len = static_cast<std::int64_t>(items.size());
    std::int64_t idx = static_cast<std::int64_t>(i);
    Dict d;
    d.set("index", Value(idx + 1));
    d.set("index0", Value(idx));
    d.set("revindex", Value(len - idx));
    d.set("revindex0", Value(len - idx - 1));
    d.set("first", Value(i == 0));
    d.set("last", Value(idx == len - 1));
    d.set("length", Value(len));
    d.set("depth", Value(1));
    d.set("depth0", Value(0));
    d.set("previtem", i > 0 ? items[i - 1] : Value::undefined("there is no previous item"));
    d.set("nextitem", idx + 1 < len ? items[i + 1] : Value::undefined("there is no next item"));
    d.set("cycle", Value::function("loop.cycle", [idx](const CallArgs& a) {
            if (a.positional.empty()) throw EvalError("no items for cycling given");
            return a.positional[static_cast<size_t>(idx) % a.positional.size()];
          }));
    d.object_repr = "<LoopContext " + std::to_string(idx + 1) + "/" + std::to_string(len) + ">";
    return Value::dict(std::move(d));
  }

  Flow exec_for(const Node& n) {
    std::vector<Value> items;
    Value source = eval(*n.expr);
    try {
      items = iterate(source);
    } catch (const EvalError& e) {
      fail(n.expr->line, e.what());
    }
    if (n.filter) {
      std::vector<Value> kept;
      for (const Value& item : items) {
        ScopeGuard scope(*this);
        bind_targets(n, item);
        if (eval(*n.filter).truthy()) kept.push_back(item);
      }
      items = std::move(kept);
    }
    if (items.empty()) {
      ScopeGuard scope(*this);
      return exec(n.else_body);  // break/continue here belong to an enclosing loop
    }
    for (size_t i = 0; i < items.size(); ++i) {
      ScopeGuard scope(*this);
      bind_targets(n, items[i]);
      assign("loop", loop_object(items, i));
      if (exec(n.body) == Flow::Break) break;
    }
    return Flow::Normal;
  }

  void exec_set(const Node& n, const Value& v) {
    if (n.attribute.empty()) {
      bind_targets(n, v);
      return;
    }
    Value target = lookup(n.targets[0]);
    if (!target.is_namespace())
      fail(n.line, "cannot assign attribute on non-namespace object (\"" + n.targets[0] + "\" is " +
                       (target.is_undefined() ? std::string("undefined") : "of type " + target.type_name()) + ")");
    target.namespace_data().set(n.attribute, v);
  }

  // ---- expressions ----------------------------------------------------------------------------------------
  Value eval(const Expr& e) {
    try {
      return eval_unlocated(e);
    } catch (const EvalError& err) {
      fail(e.line, err.what());
    }
  }

  CallArgs call_args(const Expr& e, size_t first) {
    CallArgs a;
    for (size_t i = first; i < e.args.size(); ++i) a.positional.push_back(eval(*e.args[i]));
    for (const auto& [k, v] : e.kwargs) a.keyword.emplace_back(k, eval(*v));
    return a;
  }

  Value filter(const Expr& f, const Value& subject) {
    CallArgs a = call_args(f, 1);
    try {
      return apply_filter(f.name, subject, a);
    } catch (const EvalError& err) {
      fail(f.line, std::string("filter \"") + f.name + "\": " + err.what());
    }
  }

  Value eval_unlocated(const Expr& e) {
    switch (e.kind) {
      case ExprKind::Const:
        return e.constant;
      case ExprKind::Name:
        return lookup(e.name);
      case ExprKind::List:
      case ExprKind::Tuple: {
        std::vector<Value> items;
        for (const ExprPtr& x : e.args) items.push_back(eval(*x));
        return e.kind == ExprKind::List ? Value::list(std::move(items)) : Value::tuple(std::move(items));
      }
      case ExprKind::DictLit: {
        Dict d;
        for (size_t i = 0; i + 1 < e.args.size(); i += 2) {
          Value k = eval(*e.args[i]);
          if (!k.is_string()) throw EvalError("dict keys must be strings here (got " + k.type_name() + ")");
          d.set(k.as_string(), eval(*e.args[i + 1]));
        }
        return Value::dict(std::move(d));
      }
      case ExprKind::Attr:
        return get_attr(eval(*e.args[0]), e.name);
      case ExprKind::Item:
        return get_item(eval(*e.args[0]), eval(*e.args[1]));
      case ExprKind::Slice: {
        Value obj = eval(*e.args[0]);
        auto part = [&](size_t i) { return e.args[i] ? std::optional<Value>(eval(*e.args[i])) : std::nullopt; };
        return get_slice(obj, part(1), part(2), part(3));
      }
      case ExprKind::Call: {
        Value callee = eval(*e.args[0]);
        CallArgs a = call_args(e, 1);
        if (callee.is_undefined()) undefined_error(callee);
        if (!callee.is_function()) throw EvalError("'" + callee.type_name() + "' object is not callable");
        return callee.function_data().fn(a);
      }
      case ExprKind::Filter:
        return filter(e, eval(*e.args[0]));
      case ExprKind::Test: {
        Value subject = eval(*e.args[0]);
        bool r = apply_test(e.name, subject, call_args(e, 1));
        return Value(e.negated ? !r : r);
      }
      case ExprKind::Neg:
      case ExprKind::Pos:
        return unary_op(eval(*e.args[0]), e.kind == ExprKind::Neg);
      case ExprKind::Binary: {
        Value a = eval(*e.args[0]);
        Value b = eval(*e.args[1]);
        return binary_op(e.name, a, b);
      }
      case ExprKind::Compare: {
        Value left = eval(*e.args[0]);
        for (size_t i = 0; i < e.ops.size(); ++i) {
          Value right = eval(*e.args[i + 1]);
          if (!compare(e.ops[i], left, right)) return Value(false);
          left = std::move(right);
        }
        return Value(true);
      }
      case ExprKind::And: {
        Value a = eval(*e.args[0]);
        return a.truthy() ? eval(*e.args[1]) : a;
      }
      case ExprKind::Or: {
        Value a = eval(*e.args[0]);
        return a.truthy() ? a : eval(*e.args[1]);
      }
      case ExprKind::Not:
        return Value(!eval(*e.args[0]).truthy());
      case ExprKind::Cond:
        if (eval(*e.args[1]).truthy()) return eval(*e.args[0]);
        return e.args[2] ? eval(*e.args[2]) : Value::undefined("the conditional expression has no else branch");
    }
    return Value();
  }

  const std::string& name_;
  std::vector<std::unordered_map<std::string, Value>> scopes_;
  std::string out_;
};

}  // namespace

std::string render_body(const Body& body, const std::string& source_name,
                        const std::vector<std::pair<std::string, Value>>& globals, const Dict& variables) {
  return Renderer(source_name, globals, variables).run(body);
}

}  // namespace r1::jinja
