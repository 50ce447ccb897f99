// Jinja operators and lookups with Python semantics (ints stay ints, / gives a float, floor division and modulo
// round toward minus infinity, str + int is an error, `in` on str is a substring test).
#include "jinja_operators.h"

#include <cmath>

#include "jinja_builtins.h"
#include "jinja_pystring.h"

namespace r1::jinja {

namespace {

[[noreturn]] void type_error(const std::string& op, const Value& a, const Value& b) {
  throw EvalError("unsupported operand type(s) for " + op + ": '" + a.type_name() + "' and '" + b.type_name() + "'");
}

[[noreturn]] void overflow() { throw EvalError("integer overflow (Python would switch to a big integer)"); }

std::int64_t add_int(std::int64_t a, std::int64_t b) {
  std::int64_t r;
  if (__builtin_add_overflow(a, b, &r)) overflow();
  return r;
}

std::int64_t sub_int(std::int64_t a, std::int64_t b) {
  std::int64_t r;
  if (__builtin_sub_overflow(a, b, &r)) overflow();
  return r;
}

std::int64_t mul_int(std::int64_t a, std::int64_t b) {
  std::int64_t r;
  if (__builtin_mul_overflow(a, b, &r)) overflow();
  return r;
}

// Python's float // and % (the pair CPython computes in float_divmod).
std::pair<double, double> float_divmod(double x, double y) {
  if (y == 0) throw EvalError("float division by zero");
  double mod = std::fmod(x, y);
  double div = (x - mod) / y;
  if (mod != 0) {
    if ((y < 0) != (mod < 0)) {
      mod += y;
      div -= 1.0;
    }
  } else {
    mod = std::copysign(0.0, y);
  }
  double floordiv;
  if (div != 0) {
    floordiv = std::floor(div);
    if (div - floordiv > 0.5) floordiv += 1.0;
  } else {
    floordiv = std::copysign(0.0, x / y);
  }
  return {floordiv, mod};
}

std::pair<std::int64_t, std::int64_t> int_divmod(std::int64_t x, std::int64_t y) {
  if (y == 0) throw EvalError("integer division or modulo by zero");
  if (x == INT64_MIN && y == -1) overflow();
  std::int64_t q = x / y, r = x % y;
  if (r != 0 && ((r < 0) != (y < 0))) {
    --q;
    r += y;
  }
  return {q, r};
}

Value repeat(const Value& seq, std::int64_t n) {
  if (seq.is_string()) {
    std::string out;
    for (std::int64_t i = 0; i < n; ++i) out += seq.as_string();
    return Value(std::move(out));
  }
  std::vector<Value> out;
  for (std::int64_t i = 0; i < n; ++i) out.insert(out.end(), seq.items().begin(), seq.items().end());
  return seq.is_tuple() ? Value::tuple(std::move(out)) : Value::list(std::move(out));
}

bool plain_sequence(const Value& v) {
  return v.is_list() && !v.is_generator() && v.list_data().repr_override.empty() && v.list_data().repr_wrapper.empty();
}

Value arithmetic(const std::string& op, const Value& a, const Value& b) {
  bool ints = a.is_integral() && b.is_integral();
  if (!(a.is_number() && b.is_number())) type_error(op, a, b);
  if (op == "-") {
    if (ints) return Value(sub_int(a.as_int(), b.as_int()));
    return Value(a.as_float() - b.as_float());
  }
  if (op == "*") {
    if (ints) return Value(mul_int(a.as_int(), b.as_int()));
    return Value(a.as_float() * b.as_float());
  }
  if (op == "/") {
    if (b.as_float() == 0) throw EvalError("division by zero");
    return Value(a.as_float() / b.as_float());
  }
  if (op == "//") {
    if (ints) return Value(int_divmod(a.as_int(), b.as_int()).first);
    return Value(float_divmod(a.as_float(), b.as_float()).first);
  }
  if (op == "%") {
    if (ints) return Value(int_divmod(a.as_int(), b.as_int()).second);
    return Value(float_divmod(a.as_float(), b.as_float()).second);
  }
  // "**"
  if (ints && b.as_int() >= 0) {
    std::int64_t result = 1, base = a.as_int();
    for (std::int64_t e = b.as_int(); e > 0;) {  // by squaring; a square that overflows would be used
      if (e & 1) result = mul_int(result, base);
      e >>= 1;
      if (e > 0) base = mul_int(base, base);
    }
    return Value(result);
  }
  if (a.as_float() == 0 && b.as_float() < 0) throw EvalError("0.0 cannot be raised to a negative power");
  double r = std::pow(a.as_float(), b.as_float());
  if (std::isnan(r) && !std::isnan(a.as_float()) && !std::isnan(b.as_float()))
    throw EvalError("a negative number raised to a fractional power (Python gives a complex number)");
  return Value(r);
}

bool comparable(const Value& a, const Value& b) {
  return (a.is_number() && b.is_number()) || (a.is_string() && b.is_string()) ||
         (plain_sequence(a) && plain_sequence(b) && a.is_tuple() == b.is_tuple());
}

// Python index semantics: negative counts from the end; nullopt when out of range.
std::optional<size_t> resolve_index(std::int64_t i, size_t size) {
  if (i < 0) i += static_cast<std::int64_t>(size);
  if (i < 0 || i >= static_cast<std::int64_t>(size)) return std::nullopt;
  return static_cast<size_t>(i);
}

std::string object_name(const Value& v) {
  if (v.is_dict()) return "dict object";
  if (v.is_list()) return v.type_name() + " object";
  if (v.is_string()) return "str object";
  return v.type_name() + " object";
}

// The attribute names Python's str, dict and list have that this interpreter does not provide as methods.
bool python_attribute(const Value& obj, const std::string& name) {
  static const char* const kStr[] = {
      "capitalize", "casefold",   "center",       "encode",       "expandtabs", "format",  "format_map",
      "index",      "isalnum",    "isalpha",      "isascii",      "isdecimal",  "isdigit", "isidentifier",
      "islower",    "isnumeric",  "isprintable",  "isspace",      "istitle",    "isupper", "ljust",
      "maketrans",  "partition",  "removeprefix", "removesuffix", "rfind",      "rindex",  "rjust",
      "rpartition", "splitlines", "swapcase",     "title",        "translate",  "zfill"};
  static const char* const kDict[] = {"clear", "copy", "fromkeys", "pop", "popitem", "setdefault", "update"};
  static const char* const kList[] = {"append", "clear", "copy",   "count",   "extend", "index",
                                      "insert", "pop",   "remove", "reverse", "sort"};
  auto in = [&](const auto& names) {
    for (const char* n : names)
      if (name == n) return true;
    return false;
  };
  if (obj.is_string()) return in(kStr);
  if (obj.is_dict()) return in(kDict);
  if (obj.is_list() && !obj.is_generator()) return in(kList);
  return false;
}

// A method of obj named `name`, an error for Python methods outside the subset, or nullopt.
std::optional<Value> method_of(const Value& obj, const std::string& name) {
  if (auto m = bound_method(obj, name)) return m;
  if (python_attribute(obj, name))
    throw EvalError("unsupported method " + obj.type_name() + "." + name + " (not in the supported Jinja subset)");
  return std::nullopt;
}

}  // namespace

[[noreturn]] void undefined_error(const Value& v) {
  throw EvalError(v.undefined_what().empty() ? std::string("an undefined value was used") : v.undefined_what());
}

Value binary_op(const std::string& op, const Value& a, const Value& b) {
  if (op == "~") return Value(a.str() + b.str());
  if (a.is_undefined()) undefined_error(a);
  if (b.is_undefined()) undefined_error(b);
  if (op == "+") {
    if (a.is_number() && b.is_number()) {
      if (a.is_integral() && b.is_integral()) return Value(add_int(a.as_int(), b.as_int()));
      return Value(a.as_float() + b.as_float());
    }
    if (a.is_string() && b.is_string()) return Value(a.as_string() + b.as_string());
    if (plain_sequence(a) && plain_sequence(b) && a.is_tuple() == b.is_tuple()) {
      std::vector<Value> out = a.items();
      out.insert(out.end(), b.items().begin(), b.items().end());
      return a.is_tuple() ? Value::tuple(std::move(out)) : Value::list(std::move(out));
    }
    type_error(op, a, b);
  }
  if (op == "*") {
    if ((a.is_string() || plain_sequence(a)) && b.is_integral()) return repeat(a, b.as_int());
    if (a.is_integral() && (b.is_string() || plain_sequence(b))) return repeat(b, a.as_int());
  }
  if (op == "%" && a.is_string())
    throw EvalError("string formatting with % is not supported (not in the Jinja subset)");
  return arithmetic(op, a, b);
}

Value unary_op(const Value& v, bool minus) {
  if (v.is_undefined()) undefined_error(v);
  if (!v.is_number())
    throw EvalError(std::string("bad operand type for unary ") + (minus ? "-" : "+") + ": '" + v.type_name() + "'");
  if (v.is_integral()) {
    if (!minus) return Value(v.as_int());
    if (v.as_int() == INT64_MIN) overflow();
    return Value(-v.as_int());
  }
  return Value(minus ? -v.as_float() : v.as_float());
}

bool compare(const std::string& op, const Value& a, const Value& b) {
  if (op == "==") return equals(a, b);
  if (op == "!=") return !equals(a, b);
  if (op == "in") return contains(b, a);
  if (op == "not in") return !contains(b, a);
  if (a.is_undefined()) undefined_error(a);
  if (b.is_undefined()) undefined_error(b);
  if (!comparable(a, b))
    throw EvalError("'" + op + "' not supported between instances of '" + a.type_name() + "' and '" + b.type_name() +
                    "'");
  if (op == "<") return less_than(a, b);
  if (op == ">") return less_than(b, a);
  if (op == "<=") return less_than(a, b) || equals(a, b);
  return less_than(b, a) || equals(a, b);  // ">="
}

bool contains(const Value& container, const Value& item) {
  switch (container.kind()) {
    case Value::Kind::Undefined:
      return false;
    case Value::Kind::String:
      if (!item.is_string()) throw EvalError("'in <string>' requires string as left operand, not " + item.type_name());
      return container.as_string().find(item.as_string()) != std::string::npos;
    case Value::Kind::List:
      for (const Value& v : container.is_generator() ? container.drain() : container.items())
        if (equals(v, item)) return true;
      return false;
    case Value::Kind::Dict:
      if (item.is_string()) return container.dict_data().find(item.as_string()) != nullptr;
      if (item.is_list() || item.is_dict() || item.is_namespace())
        throw EvalError("unhashable type: '" + item.type_name() + "'");
      return false;
    default:
      throw EvalError("argument of type '" + container.type_name() + "' is not iterable");
  }
}

Value get_attr(const Value& obj, const std::string& name) {
  if (obj.is_undefined()) undefined_error(obj);
  if (auto m = method_of(obj, name)) return *m;
  if (obj.is_dict()) {
    if (const Value* v = obj.dict_data().find(name)) return *v;
  } else if (obj.is_namespace()) {
    if (const Value* v = obj.namespace_data().find(name)) return *v;
  }
  return Value::undefined("'" + object_name(obj) + "' has no attribute '" + name + "'");
}

Value get_item(const Value& obj, const Value& key) {
  if (obj.is_undefined()) undefined_error(obj);
  if (obj.is_dict() && key.is_string()) {
    if (const Value* v = obj.dict_data().find(key.as_string())) return *v;
  } else if (obj.is_list() && !obj.is_generator() && key.is_integral()) {
    if (auto i = resolve_index(key.as_int(), obj.items().size())) return obj.items()[*i];
  } else if (obj.is_string() && key.is_integral()) {
    std::vector<size_t> offs = py::code_point_offsets(obj.as_string());
    if (auto i = resolve_index(key.as_int(), offs.size() - 1))
      return Value(obj.as_string().substr(offs[*i], offs[*i + 1] - offs[*i]));
  }
  if (key.is_string()) {
    // Jinja falls back to the attribute of that name.
    if (auto m = method_of(obj, key.as_string())) return *m;
    if (obj.is_namespace())
      if (const Value* v = obj.namespace_data().find(key.as_string())) return *v;
  }
  return Value::undefined("'" + object_name(obj) + "' has no element " + key.repr());
}

Value get_slice(const Value& obj, const std::optional<Value>& start, const std::optional<Value>& stop,
                const std::optional<Value>& step) {
  // Jinja slices with Python's obj[a:b:c] directly (no undefined fallback as for obj[key]).
  if (obj.is_undefined()) undefined_error(obj);
  if (obj.is_list() && !obj.list_data().repr_override.empty()) throw EvalError("slicing a range() is not supported");
  if (obj.is_dict()) throw EvalError("unhashable type: 'slice'");
  if (!(obj.is_string() || plain_sequence(obj)))
    throw EvalError("'" + obj.type_name() + "' object is not subscriptable");
  auto part = [](const std::optional<Value>& v) -> std::optional<std::int64_t> {
    if (!v || v->is_none()) return std::nullopt;
    if (!v->is_integral()) throw EvalError("slice indices must be integers or None");
    return v->as_int();
  };
  auto b = part(start), e = part(stop), s = part(step);
  std::int64_t st = s.value_or(1);
  if (st == 0) throw EvalError("slice step cannot be zero");
  std::vector<size_t> offs;
  std::int64_t n;
  if (obj.is_string()) {
    offs = py::code_point_offsets(obj.as_string());
    n = static_cast<std::int64_t>(offs.size()) - 1;
  } else {
    n = static_cast<std::int64_t>(obj.items().size());
  }
  auto adjust = [&](std::optional<std::int64_t> v, bool is_start) {
    if (!v) return is_start ? (st < 0 ? n - 1 : 0) : (st < 0 ? -1 : n);
    std::int64_t x = *v;
    if (x < 0) {
      x += n;
      if (x < 0) x = st < 0 ? -1 : 0;
    } else if (x >= n) {
      x = st < 0 ? n - 1 : n;
    }
    return x;
  };
  std::int64_t from = adjust(b, true), to = adjust(e, false);
  std::vector<std::int64_t> picked;
  for (std::int64_t i = from; st > 0 ? i < to : i > to; i += st) picked.push_back(i);
  if (obj.is_string()) {
    std::string out;
    for (std::int64_t i : picked) out += obj.as_string().substr(offs[i], offs[i + 1] - offs[i]);
    return Value(std::move(out));
  }
  std::vector<Value> out;
  for (std::int64_t i : picked) out.push_back(obj.items()[static_cast<size_t>(i)]);
  return obj.is_tuple() ? Value::tuple(std::move(out)) : Value::list(std::move(out));
}

std::vector<Value> iterate(const Value& v) {
  switch (v.kind()) {
    case Value::Kind::Undefined:
      return {};
    case Value::Kind::List:
      return v.is_generator() ? v.drain() : v.items();
    case Value::Kind::Dict: {
      std::vector<Value> keys;
      for (const auto& e : v.dict_data().entries()) keys.emplace_back(e.first);
      return keys;
    }
    case Value::Kind::String: {
      std::vector<Value> chars;
      std::vector<size_t> offs = py::code_point_offsets(v.as_string());
      for (size_t i = 0; i + 1 < offs.size(); ++i)
        chars.emplace_back(v.as_string().substr(offs[i], offs[i + 1] - offs[i]));
      return chars;
    }
    default:
      throw EvalError("'" + v.type_name() + "' object is not iterable");
  }
}

std::int64_t length(const Value& v) {
  switch (v.kind()) {
    case Value::Kind::Undefined:
      return 0;
    case Value::Kind::String:
      return static_cast<std::int64_t>(py::code_point_count(v.as_string()));
    case Value::Kind::List:
      if (v.is_generator()) throw EvalError("object of type 'generator' has no len()");
      return static_cast<std::int64_t>(v.items().size());
    case Value::Kind::Dict:
      return static_cast<std::int64_t>(v.dict_data().size());
    default:
      throw EvalError("object of type '" + v.type_name() + "' has no len()");
  }
}

}  // namespace r1::jinja
