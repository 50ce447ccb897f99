// Jinja built-ins with Python semantics: the filters and tests real chat templates use, namespace()/range()/dict(),
// and str/dict methods (startswith, split, strip, get, items, ...).
#include "jinja_builtins.h"

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <functional>
#include <map>

#include "jinja_operators.h"
#include "jinja_pystring.h"
#include "r1/util/utf8.h"

namespace r1::jinja {

namespace {

using Params = std::vector<std::optional<Value>>;

// Binds call arguments to parameter names the way Python does: positional ones in order, then keywords by name.
Params bind(const std::string& fn, const CallArgs& a, const std::vector<std::string>& names, size_t required = 0) {
  if (a.positional.size() > names.size())
    throw EvalError(fn + "() takes at most " + std::to_string(names.size()) + " argument(s) (" +
                    std::to_string(a.positional.size()) + " given)");
  Params out(names.size());
  for (size_t i = 0; i < a.positional.size(); ++i) out[i] = a.positional[i];
  for (const auto& [key, value] : a.keyword) {
    auto it = std::find(names.begin(), names.end(), key);
    if (it == names.end()) throw EvalError(fn + "() got an unexpected keyword argument '" + key + "'");
    size_t i = static_cast<size_t>(it - names.begin());
    if (out[i]) throw EvalError(fn + "() got multiple values for argument '" + key + "'");
    out[i] = value;
  }
  for (size_t i = 0; i < required; ++i)
    if (!out[i]) throw EvalError(fn + "() missing required argument '" + names[i] + "'");
  return out;
}

bool given(const std::optional<Value>& v) { return v && !v->is_none(); }

const std::string& need_string(const std::string& fn, const Value& v) {
  if (!v.is_string()) throw EvalError(fn + "() argument must be str, not " + v.type_name());
  return v.as_string();
}

std::int64_t need_int(const std::string& fn, const Value& v) {
  if (!v.is_integral()) throw EvalError(fn + "() argument must be an integer, not " + v.type_name());
  return v.as_int();
}

std::optional<std::string> optional_string(const std::string& fn, const std::optional<Value>& v) {
  if (!given(v)) return std::nullopt;
  return need_string(fn, *v);
}

std::string ascii_case(const std::string& fn, const std::string& s, bool upper) {
  if (!utf8::is_ascii(s)) throw EvalError(fn + " of non-ASCII text is not supported (Unicode case mapping)");
  std::string out = s;
  for (char& c : out)
    c = static_cast<char>(upper ? std::toupper(static_cast<unsigned char>(c))
                                : std::tolower(static_cast<unsigned char>(c)));
  return out;
}

Value string_list(const std::vector<std::string>& parts) {
  std::vector<Value> out;
  out.reserve(parts.size());
  for (const auto& p : parts) out.emplace_back(p);
  return Value::list(std::move(out));
}

// Jinja's attribute getter for map/selectattr/join: "a.b.0" looks up each dotted part as an item.
Value attribute_of(const Value& item, const std::string& attribute) {
  Value v = item;
  size_t start = 0;
  while (true) {
    size_t dot = attribute.find('.', start);
    std::string part = attribute.substr(start, dot == std::string::npos ? std::string::npos : dot - start);
    bool digits = !part.empty() && std::all_of(part.begin(), part.end(), [](char c) { return c >= '0' && c <= '9'; });
    v = digits ? get_item(v, Value(static_cast<std::int64_t>(std::stoll(part)))) : get_item(v, Value(part));
    if (dot == std::string::npos) return v;
    start = dot + 1;
  }
}

// str.replace(old, new, count) on code points (an empty `old` inserts between code points, as Python does).
std::string replace_text(const std::string& s, const std::string& from, const std::string& to, std::int64_t count) {
  std::string out;
  if (from.empty()) {
    std::vector<size_t> offs = py::code_point_offsets(s);
    std::int64_t done = 0;
    for (size_t i = 0; i + 1 < offs.size(); ++i) {
      if (count < 0 || done < count) {
        out += to;
        ++done;
      }
      out += s.substr(offs[i], offs[i + 1] - offs[i]);
    }
    if (count < 0 || done < count) out += to;
    return out;
  }
  size_t pos = 0;
  std::int64_t done = 0;
  while (count < 0 || done < count) {
    size_t at = s.find(from, pos);
    if (at == std::string::npos) break;
    out += s.substr(pos, at - pos) + to;
    pos = at + from.size();
    ++done;
  }
  return out + s.substr(pos);
}

Value int_of(const Value& v, const Value& fallback, std::int64_t base) {
  if (v.is_integral()) return Value(v.as_int());
  if (v.kind() == Value::Kind::Float) return Value(static_cast<std::int64_t>(v.as_float()));
  if (v.is_undefined()) undefined_error(v);
  if (v.is_string()) {
    std::string s = py::strip(v.as_string(), std::nullopt, true, true);
    std::string digits;
    for (char c : s)
      if (c != '_') digits += c;
    if (!digits.empty()) {
      errno = 0;
      char* end = nullptr;
      long long x = std::strtoll(digits.c_str(), &end, static_cast<int>(base));
      if (*end == '\0' && errno == 0) return Value(static_cast<std::int64_t>(x));
      double d = std::strtod(digits.c_str(), &end);
      if (*end == '\0' && std::isfinite(d)) return Value(static_cast<std::int64_t>(d));
    }
  }
  return fallback;
}

Value float_of(const Value& v, const Value& fallback) {
  if (v.is_number()) return Value(v.as_float());
  if (v.is_undefined()) undefined_error(v);
  if (v.is_string()) {
    std::string s = py::strip(v.as_string(), std::nullopt, true, true);
    char* end = nullptr;
    double d = std::strtod(s.c_str(), &end);
    if (!s.empty() && *end == '\0') return Value(d);
  }
  return fallback;
}

Value tojson_filter(const Value& v, const CallArgs& a) {
  Params p = bind("tojson", a, {"ensure_ascii", "indent", "separators", "sort_keys"});
  JsonFormat f;
  f.ensure_ascii = p[0] && p[0]->truthy();
  if (given(p[1])) {
    if (p[1]->is_integral())
      f.indent = std::string(static_cast<size_t>(std::max<std::int64_t>(0, p[1]->as_int())), ' ');
    else if (p[1]->is_string())
      f.indent = p[1]->as_string();
    else
      throw EvalError("tojson(): indent must be an int or a str, not " + p[1]->type_name());
  }
  f.item_separator = f.indent ? "," : ", ";
  if (given(p[2])) {
    if (!p[2]->is_list() || p[2]->is_generator() || p[2]->items().size() != 2 || !p[2]->items()[0].is_string() ||
        !p[2]->items()[1].is_string())
      throw EvalError("tojson(): separators must be a pair of strings");
    f.item_separator = p[2]->items()[0].as_string();
    f.key_separator = p[2]->items()[1].as_string();
  }
  f.sort_keys = p[3] && p[3]->truthy();
  return Value(to_json_text(v, f));
}

// select/reject(test, args...): the items passing (or failing) the test; without a test, their truthiness.
Value select_filter(const Value& v, const CallArgs& a, bool keep, bool by_attribute) {
  CallArgs test_args;
  std::string attribute, test;
  size_t next = 0;
  if (by_attribute) {
    if (a.positional.empty()) throw EvalError("selectattr/rejectattr need an attribute name");
    attribute = need_string("selectattr", a.positional[next++]);
  }
  if (next < a.positional.size()) test = need_string("select", a.positional[next++]);
  if (!test.empty() && !has_test(test)) throw EvalError("unknown test \"" + test + "\"");
  test_args.positional.assign(a.positional.begin() + static_cast<std::ptrdiff_t>(next), a.positional.end());
  test_args.keyword = a.keyword;
  std::vector<Value> out;
  if (!v.truthy()) return Value::generator({});  // Jinja yields nothing for a false value (0, none, "")
  for (const Value& item : iterate(v)) {
    Value subject = by_attribute ? attribute_of(item, attribute) : item;
    bool pass = test.empty() ? subject.truthy() : apply_test(test, subject, test_args);
    if (pass == keep) out.push_back(item);
  }
  return Value::generator(std::move(out));
}

// map(filter, args...) or map(attribute="x", default=d).
Value map_filter(const Value& v, const CallArgs& a) {
  std::vector<Value> out;
  if (!v.truthy()) return Value::generator({});  // Jinja yields nothing for a false value (0, none, "")
  if (a.positional.empty()) {
    Params p = bind("map", a, {"attribute", "default"});
    if (!p[0] || !p[0]->is_string()) throw EvalError("map() needs a filter name or attribute=\"name\"");
    for (const Value& item : iterate(v)) {
      Value x = attribute_of(item, p[0]->as_string());
      out.push_back(x.is_undefined() && p[1] ? *p[1] : x);
    }
    return Value::generator(std::move(out));
  }
  std::string filter = need_string("map", a.positional[0]);
  if (!has_filter(filter)) throw EvalError("unknown filter \"" + filter + "\"");
  CallArgs rest{std::vector<Value>(a.positional.begin() + 1, a.positional.end()), a.keyword};
  for (const Value& item : iterate(v)) out.push_back(apply_filter(filter, item, rest));
  return Value::generator(std::move(out));
}

Value items_filter(const Value& v, const CallArgs& a) {
  bind("items", a, {});
  if (v.is_undefined()) return Value::generator({});
  if (!v.is_dict()) throw EvalError("Can only get item pairs from a mapping.");
  std::vector<Value> out;
  for (const auto& [k, x] : v.dict_data().entries()) out.push_back(Value::tuple({Value(k), x}));
  return Value::generator(std::move(out));
}

Value first_filter(const Value& v) {
  if (v.is_generator()) {
    const ListData& d = v.list_data();
    if (d.consumed < d.items.size()) return d.items[d.consumed++];
    return Value::undefined("No first item, sequence was empty.");
  }
  std::vector<Value> all = iterate(v);
  if (all.empty()) return Value::undefined("No first item, sequence was empty.");
  return all.front();
}

Value last_filter(const Value& v) {
  if (v.is_generator()) throw EvalError("'generator' object is not reversible");
  std::vector<Value> all = iterate(v);
  if (all.empty()) return Value::undefined("No last item, sequence was empty.");
  return all.back();
}

Value join_filter(const Value& v, const CallArgs& a) {
  Params p = bind("join", a, {"d", "attribute"});
  std::string sep = p[0] ? p[0]->str() : "";
  std::string out;
  bool first = true;
  for (const Value& item : iterate(v)) {
    if (!first) out += sep;
    first = false;
    out += given(p[1]) ? attribute_of(item, p[1]->str()).str() : item.str();
  }
  return Value(std::move(out));
}

using FilterFn = std::function<Value(const Value&, const CallArgs&)>;

const std::map<std::string, FilterFn>& filter_table() {
  static const std::map<std::string, FilterFn> table = [] {
    std::map<std::string, FilterFn> t;
    t["trim"] = [](const Value& v, const CallArgs& a) {
      Params p = bind("trim", a, {"chars"});
      return Value(py::strip(v.str(), optional_string("trim", p[0]), true, true));
    };
    t["length"] = [](const Value& v, const CallArgs& a) {
      bind("length", a, {});
      return Value(length(v));
    };
    t["count"] = t["length"];
    t["tojson"] = tojson_filter;
    t["default"] = [](const Value& v, const CallArgs& a) {
      Params p = bind("default", a, {"default_value", "boolean"});
      bool use_default = v.is_undefined() || (p[1] && p[1]->truthy() && !v.truthy());
      return use_default ? (p[0] ? *p[0] : Value("")) : v;
    };
    t["d"] = t["default"];
    t["join"] = join_filter;
    t["items"] = items_filter;
    t["list"] = [](const Value& v, const CallArgs& a) {
      bind("list", a, {});
      return Value::list(iterate(v));
    };
    t["first"] = [](const Value& v, const CallArgs& a) {
      bind("first", a, {});
      return first_filter(v);
    };
    t["last"] = [](const Value& v, const CallArgs& a) {
      bind("last", a, {});
      return last_filter(v);
    };
    t["lower"] = [](const Value& v, const CallArgs& a) {
      bind("lower", a, {});
      return Value(ascii_case("lower", v.str(), false));
    };
    t["upper"] = [](const Value& v, const CallArgs& a) {
      bind("upper", a, {});
      return Value(ascii_case("upper", v.str(), true));
    };
    t["string"] = [](const Value& v, const CallArgs& a) {
      bind("string", a, {});
      return Value(v.str());
    };
    t["safe"] = t["string"];
    t["int"] = [](const Value& v, const CallArgs& a) {
      Params p = bind("int", a, {"default", "base"});
      return int_of(v, p[0] ? *p[0] : Value(0), p[1] ? need_int("int", *p[1]) : 10);
    };
    t["float"] = [](const Value& v, const CallArgs& a) {
      Params p = bind("float", a, {"default"});
      return float_of(v, p[0] ? *p[0] : Value(0.0));
    };
    t["abs"] = [](const Value& v, const CallArgs& a) {
      bind("abs", a, {});
      if (v.is_undefined()) undefined_error(v);
      if (!v.is_number()) throw EvalError("bad operand type for abs(): '" + v.type_name() + "'");
      return v.is_integral() ? Value(v.as_int() < 0 ? -v.as_int() : v.as_int()) : Value(std::fabs(v.as_float()));
    };
    t["replace"] = [](const Value& v, const CallArgs& a) {
      Params p = bind("replace", a, {"old", "new", "count"}, 2);
      std::int64_t count = given(p[2]) ? need_int("replace", *p[2]) : -1;
      return Value(replace_text(v.str(), p[0]->str(), p[1]->str(), count));
    };
    t["select"] = [](const Value& v, const CallArgs& a) { return select_filter(v, a, true, false); };
    t["reject"] = [](const Value& v, const CallArgs& a) { return select_filter(v, a, false, false); };
    t["selectattr"] = [](const Value& v, const CallArgs& a) { return select_filter(v, a, true, true); };
    t["rejectattr"] = [](const Value& v, const CallArgs& a) { return select_filter(v, a, false, true); };
    t["map"] = map_filter;
    return t;
  }();
  return table;
}

bool ascii_cased(const std::string& s, bool upper) {
  if (!utf8::is_ascii(s))
    throw EvalError(std::string(upper ? "upper" : "lower") + " test on non-ASCII text is not supported");
  bool any = false;
  for (char c : s) {
    if (std::isalpha(static_cast<unsigned char>(c))) {
      any = true;
      if ((std::isupper(static_cast<unsigned char>(c)) != 0) != upper) return false;
    }
  }
  return any;
}

using TestFn = std::function<bool(const Value&, const CallArgs&)>;

TestFn no_arg_test(const std::string& name, bool (*fn)(const Value&)) {
  return [name, fn](const Value& v, const CallArgs& a) {
    bind(name, a, {});
    return fn(v);
  };
}

TestFn comparison_test(const std::string& name, const std::string& op) {
  return [name, op](const Value& v, const CallArgs& a) {
    Params p = bind(name, a, {"other"}, 1);
    return compare(op, v, *p[0]);
  };
}

const std::map<std::string, TestFn>& test_table() {
  static const std::map<std::string, TestFn> table = [] {
    std::map<std::string, TestFn> t;
    t["defined"] = no_arg_test("defined", [](const Value& v) { return !v.is_undefined(); });
    t["undefined"] = no_arg_test("undefined", [](const Value& v) { return v.is_undefined(); });
    t["none"] = no_arg_test("none", [](const Value& v) { return v.is_none(); });
    t["boolean"] = no_arg_test("boolean", [](const Value& v) { return v.is_bool(); });
    t["true"] = no_arg_test("true", [](const Value& v) { return v.is_bool() && v.as_bool(); });
    t["false"] = no_arg_test("false", [](const Value& v) { return v.is_bool() && !v.as_bool(); });
    t["integer"] = no_arg_test("integer", [](const Value& v) { return v.kind() == Value::Kind::Int; });
    t["float"] = no_arg_test("float", [](const Value& v) { return v.kind() == Value::Kind::Float; });
    t["number"] = no_arg_test("number", [](const Value& v) { return v.is_number(); });
    t["string"] = no_arg_test("string", [](const Value& v) { return v.is_string(); });
    t["mapping"] = no_arg_test("mapping", [](const Value& v) { return v.is_dict(); });
    t["iterable"] = no_arg_test(
        "iterable", [](const Value& v) { return v.is_undefined() || v.is_string() || v.is_list() || v.is_dict(); });
    t["sequence"] = no_arg_test("sequence", [](const Value& v) {
      return v.is_undefined() || v.is_string() || v.is_dict() ||
             (v.is_list() && !v.is_generator() && v.list_data().repr_wrapper.empty());
    });
    t["callable"] = no_arg_test("callable", [](const Value& v) { return v.is_function(); });
    t["odd"] = no_arg_test("odd", [](const Value& v) { return equals(binary_op("%", v, Value(2)), Value(1)); });
    t["even"] = no_arg_test("even", [](const Value& v) { return equals(binary_op("%", v, Value(2)), Value(0)); });
    t["divisibleby"] = [](const Value& v, const CallArgs& a) {
      Params p = bind("divisibleby", a, {"num"}, 1);
      return equals(binary_op("%", v, *p[0]), Value(0));
    };
    for (const char* n : {"eq", "equalto", "=="}) t[n] = comparison_test(n, "==");
    for (const char* n : {"ne", "!="}) t[n] = comparison_test(n, "!=");
    for (const char* n : {"lt", "lessthan", "<"}) t[n] = comparison_test(n, "<");
    for (const char* n : {"le", "<="}) t[n] = comparison_test(n, "<=");
    for (const char* n : {"gt", "greaterthan", ">"}) t[n] = comparison_test(n, ">");
    for (const char* n : {"ge", ">="}) t[n] = comparison_test(n, ">=");
    t["in"] = [](const Value& v, const CallArgs& a) {
      Params p = bind("in", a, {"seq"}, 1);
      return contains(*p[0], v);
    };
    t["lower"] = no_arg_test("lower", [](const Value& v) { return ascii_cased(v.str(), false); });
    t["upper"] = no_arg_test("upper", [](const Value& v) { return ascii_cased(v.str(), true); });
    return t;
  }();
  return table;
}

// ---- globals -------------------------------------------------------------------------------------------------

Dict kwargs_dict(const std::string& fn, const CallArgs& a) {
  Dict d;
  if (a.positional.size() > 1) throw EvalError(fn + "() takes at most 1 positional argument");
  if (a.positional.size() == 1) {
    const Value& src = a.positional[0];
    if (src.is_dict()) {
      for (const auto& [k, v] : src.dict_data().entries()) d.set(k, v);
    } else {
      for (const Value& pair : iterate(src)) {
        std::vector<Value> kv = iterate(pair);
        if (kv.size() != 2 || !kv[0].is_string()) throw EvalError(fn + "(): expected (str key, value) pairs");
        d.set(kv[0].as_string(), kv[1]);
      }
    }
  }
  for (const auto& [k, v] : a.keyword) d.set(k, v);
  return d;
}

Value range_global(const CallArgs& a) {
  if (!a.keyword.empty()) throw EvalError("range() takes no keyword arguments");
  if (a.positional.empty() || a.positional.size() > 3) throw EvalError("range() takes 1 to 3 arguments");
  std::int64_t start = 0, stop, step = 1;
  if (a.positional.size() == 1) {
    stop = need_int("range", a.positional[0]);
  } else {
    start = need_int("range", a.positional[0]);
    stop = need_int("range", a.positional[1]);
    if (a.positional.size() == 3) step = need_int("range", a.positional[2]);
  }
  if (step == 0) throw EvalError("range() arg 3 must not be zero");
  std::vector<Value> items;
  for (std::int64_t i = start; step > 0 ? i < stop : i > stop; i += step) {
    if (items.size() >= 100000)
      throw EvalError("Range too big. The sandbox blocks ranges larger than MAX_RANGE (100000).");
    items.emplace_back(i);
  }
  std::string repr = "range(" + std::to_string(start) + ", " + std::to_string(stop) +
                     (step != 1 ? ", " + std::to_string(step) : "") + ")";
  return Value::range(std::move(items), repr);
}

// ---- methods -------------------------------------------------------------------------------------------------

// The part of s that str methods with (start, end) arguments look at.
std::string method_window(const std::string& fn, const std::string& s, const Params& p, size_t first) {
  if (!given(p[first]) && !given(p[first + 1])) return s;
  Value window = get_slice(Value(s), p[first], p[first + 1], std::nullopt);
  if (!window.is_string()) throw EvalError(fn + "(): slice indices must be integers or None");
  return window.as_string();
}

bool affix_test(const std::string& fn, const std::string& s, const Value& affix, bool prefix) {
  auto one = [&](const std::string& a) {
    return prefix ? s.compare(0, a.size(), a) == 0 && s.size() >= a.size()
                  : s.size() >= a.size() && s.compare(s.size() - a.size(), a.size(), a) == 0;
  };
  if (affix.is_string()) return one(affix.as_string());
  if (affix.is_tuple()) {
    for (const Value& a : affix.items())
      if (one(need_string(fn, a))) return true;
    return false;
  }
  throw EvalError(fn + " first arg must be str or a tuple of str, not " + affix.type_name());
}

Value string_method(const std::string& self, const std::string& name, const CallArgs& a) {
  if (name == "startswith" || name == "endswith") {
    Params p = bind(name, a, {"prefix", "start", "end"}, 1);
    return Value(affix_test(name, method_window(name, self, p, 1), *p[0], name == "startswith"));
  }
  if (name == "split" || name == "rsplit") {
    Params p = bind(name, a, {"sep", "maxsplit"});
    long maxsplit = given(p[1]) ? static_cast<long>(need_int(name, *p[1])) : -1;
    auto sep = optional_string(name, p[0]);
    return string_list(name == "split" ? py::split(self, sep, maxsplit) : py::rsplit(self, sep, maxsplit));
  }
  if (name == "strip" || name == "lstrip" || name == "rstrip") {
    Params p = bind(name, a, {"chars"});
    return Value(py::strip(self, optional_string(name, p[0]), name != "rstrip", name != "lstrip"));
  }
  if (name == "lower" || name == "upper") {
    bind(name, a, {});
    return Value(ascii_case(name, self, name == "upper"));
  }
  if (name == "replace") {
    Params p = bind(name, a, {"old", "new", "count"}, 2);
    std::int64_t count = given(p[2]) ? need_int(name, *p[2]) : -1;
    return Value(replace_text(self, need_string(name, *p[0]), need_string(name, *p[1]), count));
  }
  if (name == "find") {
    Params p = bind(name, a, {"sub"}, 1);
    size_t at = self.find(need_string(name, *p[0]));
    if (at == std::string::npos) return Value(-1);
    return Value(static_cast<std::int64_t>(py::code_point_count(self.substr(0, at))));
  }
  if (name == "count") {
    Params p = bind(name, a, {"sub"}, 1);
    const std::string& sub = need_string(name, *p[0]);
    if (sub.empty()) return Value(static_cast<std::int64_t>(py::code_point_count(self) + 1));
    std::int64_t n = 0;
    for (size_t at = self.find(sub); at != std::string::npos; at = self.find(sub, at + sub.size())) ++n;
    return Value(n);
  }
  // "join"
  Params p = bind(name, a, {"iterable"}, 1);
  std::string out;
  bool first = true;
  for (const Value& item : iterate(*p[0])) {
    if (!first) out += self;
    first = false;
    out += need_string("join", item);
  }
  return Value(std::move(out));
}

Value dict_method(const Value& self, const std::string& name, const CallArgs& a) {
  if (name == "get") {
    Params p = bind(name, a, {"key", "default"}, 1);
    if (p[0]->is_string())
      if (const Value* v = self.dict_data().find(p[0]->as_string())) return *v;
    return p[1] ? *p[1] : Value::none();
  }
  bind(name, a, {});
  std::vector<Value> out;
  for (const auto& [k, v] : self.dict_data().entries()) {
    if (name == "items") out.push_back(Value::tuple({Value(k), v}));
    if (name == "keys") out.emplace_back(k);
    if (name == "values") out.push_back(v);
  }
  return Value::view(std::move(out), "dict_" + name);
}

}  // namespace

bool has_filter(const std::string& name) { return filter_table().count(name) != 0; }
bool has_test(const std::string& name) { return test_table().count(name) != 0; }

Value apply_filter(const std::string& name, const Value& subject, const CallArgs& args) {
  auto it = filter_table().find(name);
  if (it == filter_table().end()) throw EvalError("unknown filter \"" + name + "\"");
  return it->second(subject, args);
}

bool apply_test(const std::string& name, const Value& subject, const CallArgs& args) {
  auto it = test_table().find(name);
  if (it == test_table().end()) throw EvalError("unknown test \"" + name + "\"");
  return it->second(subject, args);
}

std::vector<std::pair<std::string, Value>> builtin_globals() {
  return {
      {"namespace",
       Value::function("namespace",
                       [](const CallArgs& a) { return Value::namespace_object(kwargs_dict("namespace", a)); })},
      {"dict", Value::function("dict", [](const CallArgs& a) { return Value::dict(kwargs_dict("dict", a)); })},
      {"range", Value::function("range", range_global)},
  };
}

std::optional<Value> bound_method(const Value& self, const std::string& name) {
  static const char* const kStringMethods[] = {"startswith", "endswith", "split", "rsplit", "strip",
                                               "lstrip",     "rstrip",   "lower", "upper",  "replace",
                                               "find",       "count",    "join"};
  static const char* const kDictMethods[] = {"get", "items", "keys", "values"};
  if (self.is_string()) {
    for (const char* m : kStringMethods)
      if (name == m) {
        std::string s = self.as_string();
        return Value::function("str." + name, [s, name](const CallArgs& a) { return string_method(s, name, a); });
      }
  } else if (self.is_dict()) {
    for (const char* m : kDictMethods)
      if (name == m)
        return Value::function("dict." + name, [self, name](const CallArgs& a) { return dict_method(self, name, a); });
  }
  return std::nullopt;
}

}  // namespace r1::jinja
