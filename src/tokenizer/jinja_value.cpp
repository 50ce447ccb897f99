// Jinja values: construction, Python truthiness/str/repr, equality and ordering, JSON in and out.
#include "r1/tokenizer/jinja_value.h"

#include <algorithm>
#include <cmath>

#include "jinja_pystring.h"

namespace r1::jinja {

Value::Value(bool b) : kind_(Kind::Bool), b_(b) {}
Value::Value(int i) : kind_(Kind::Int), i_(i) {}
Value::Value(std::int64_t i) : kind_(Kind::Int), i_(i) {}
Value::Value(double f) : kind_(Kind::Float), f_(f) {}
Value::Value(std::string s) : kind_(Kind::String), s_(std::move(s)) {}
Value::Value(const char* s) : kind_(Kind::String), s_(s) {}

Value Value::undefined(std::string what) {
  Value v;
  v.s_ = std::move(what);
  return v;
}

Value Value::none() {
  Value v;
  v.kind_ = Kind::None;
  return v;
}

Value Value::list(std::vector<Value> items) {
  Value v;
  v.kind_ = Kind::List;
  auto data = std::make_shared<ListData>();
  data->items = std::move(items);
  v.list_ = std::move(data);
  return v;
}

Value Value::tuple(std::vector<Value> items) {
  Value v;
  v.kind_ = Kind::List;
  auto data = std::make_shared<ListData>();
  data->items = std::move(items);
  data->is_tuple = true;
  v.list_ = std::move(data);
  return v;
}

Value Value::generator(std::vector<Value> items) {
  Value v;
  v.kind_ = Kind::List;
  auto data = std::make_shared<ListData>();
  data->items = std::move(items);
  data->is_generator = true;
  v.list_ = std::move(data);
  return v;
}

Value Value::range(std::vector<Value> items, std::string repr) {
  Value v;
  v.kind_ = Kind::List;
  auto data = std::make_shared<ListData>();
  data->items = std::move(items);
  data->repr_override = std::move(repr);
  v.list_ = std::move(data);
  return v;
}

Value Value::view(std::vector<Value> items, std::string wrapper) {
  Value v;
  v.kind_ = Kind::List;
  auto data = std::make_shared<ListData>();
  data->items = std::move(items);
  data->repr_wrapper = std::move(wrapper);
  v.list_ = std::move(data);
  return v;
}

Value Value::dict(Dict d) {
  Value v;
  v.kind_ = Kind::Dict;
  v.dict_ = std::make_shared<const Dict>(std::move(d));
  return v;
}

Value Value::namespace_object(Dict d) {
  Value v;
  v.kind_ = Kind::Namespace;
  v.ns_ = std::make_shared<Dict>(std::move(d));
  return v;
}

Value Value::function(std::string name, NativeFunction fn) {
  Value v;
  v.kind_ = Kind::Function;
  v.fn_ = std::make_shared<const FunctionData>(FunctionData{std::move(name), std::move(fn)});
  return v;
}

std::int64_t Value::as_int() const { return kind_ == Kind::Bool ? (b_ ? 1 : 0) : i_; }

double Value::as_float() const { return kind_ == Kind::Float ? f_ : static_cast<double>(as_int()); }

std::vector<Value> Value::drain() const {
  const ListData& d = *list_;
  std::vector<Value> rest(d.items.begin() + static_cast<std::ptrdiff_t>(d.consumed), d.items.end());
  d.consumed = d.items.size();
  return rest;
}

bool Value::truthy() const {
  switch (kind_) {
    case Kind::Undefined:
    case Kind::None:
      return false;
    case Kind::Bool:
      return b_;
    case Kind::Int:
      return i_ != 0;
    case Kind::Float:
      return f_ != 0;
    case Kind::String:
      return !s_.empty();
    case Kind::List:
      return list_->is_generator || !list_->items.empty();  // a generator object is always true
    case Kind::Dict:
      return dict_->size() != 0;
    case Kind::Namespace:
    case Kind::Function:
      return true;
  }
  return false;
}

std::string Value::type_name() const {
  switch (kind_) {
    case Kind::Undefined:
      return "undefined";
    case Kind::None:
      return "NoneType";
    case Kind::Bool:
      return "bool";
    case Kind::Int:
      return "int";
    case Kind::Float:
      return "float";
    case Kind::String:
      return "str";
    case Kind::List:
      return list_->is_generator ? "generator" : list_->is_tuple ? "tuple" : "list";
    case Kind::Dict:
      return "dict";
    case Kind::Namespace:
      return "Namespace";
    case Kind::Function:
      return "function";
  }
  return "?";
}

std::string Value::str() const {
  switch (kind_) {
    case Kind::Undefined:
      return "";
    case Kind::String:
      return s_;
    case Kind::Function:
      throw EvalError("cannot print the function " + fn_->name + " (Python would print its address)");
    case Kind::List:
      if (list_->is_generator)
        throw EvalError("cannot print a generator (Python would print its address); apply |list");
      return repr();
    default:
      return repr();
  }
}

std::string Value::repr() const {
  switch (kind_) {
    case Kind::Undefined:
      return "Undefined";
    case Kind::None:
      return "None";
    case Kind::Bool:
      return b_ ? "True" : "False";
    case Kind::Int:
      return std::to_string(i_);
    case Kind::Float:
      return py::repr_float(f_);
    case Kind::String:
      return py::repr_string(s_);
    case Kind::List: {
      if (!list_->repr_override.empty()) return list_->repr_override;
      if (list_->is_generator)
        throw EvalError("cannot print a generator (Python would print its address); apply |list");
      std::string out = list_->is_tuple ? "(" : "[";
      for (size_t i = 0; i < list_->items.size(); ++i) {
        if (i) out += ", ";
        out += list_->items[i].repr();
      }
      if (list_->is_tuple && list_->items.size() == 1) out += ",";
      out += list_->is_tuple ? ")" : "]";
      return list_->repr_wrapper.empty() ? out : list_->repr_wrapper + "(" + out + ")";
    }
    case Kind::Dict:
    case Kind::Namespace: {
      const Dict& d = kind_ == Kind::Dict ? *dict_ : *ns_;
      if (!d.object_repr.empty()) return d.object_repr;
      std::string out = "{";
      for (size_t i = 0; i < d.entries().size(); ++i) {
        if (i) out += ", ";
        out += py::repr_string(d.entries()[i].first) + ": " + d.entries()[i].second.repr();
      }
      out += "}";
      return kind_ == Kind::Dict ? out : "<Namespace " + out + ">";
    }
    case Kind::Function:
      throw EvalError("cannot print the function " + fn_->name + " (Python would print its address)");
  }
  return "";
}

namespace {

template <class Json>
Value value_from_json(const Json& j) {
  switch (j.type()) {
    case nlohmann::json::value_t::null:
      return Value::none();
    case nlohmann::json::value_t::boolean:
      return Value(j.template get<bool>());
    case nlohmann::json::value_t::number_integer:
      return Value(j.template get<std::int64_t>());
    case nlohmann::json::value_t::number_unsigned: {
      auto u = j.template get<std::uint64_t>();
      if (u > static_cast<std::uint64_t>(INT64_MAX)) throw EvalError("integer " + std::to_string(u) + " is too large");
      return Value(static_cast<std::int64_t>(u));
    }
    case nlohmann::json::value_t::number_float:
      return Value(j.template get<double>());
    case nlohmann::json::value_t::string:
      return Value(j.template get<std::string>());
    case nlohmann::json::value_t::array: {
      std::vector<Value> items;
      items.reserve(j.size());
      for (const auto& e : j) items.push_back(value_from_json(e));
      return Value::list(std::move(items));
    }
    case nlohmann::json::value_t::object: {
      Dict d;
      for (auto it = j.begin(); it != j.end(); ++it) d.set(it.key(), value_from_json(it.value()));
      return Value::dict(std::move(d));
    }
    default:
      throw EvalError("unsupported JSON value (binary or discarded)");
  }
}

bool number_equal(const Value& a, const Value& b) {
  if (a.is_integral() && b.is_integral()) return a.as_int() == b.as_int();
  return a.as_float() == b.as_float();
}

}  // namespace

Value Value::from_json(const nlohmann::json& j) { return value_from_json(j); }
Value Value::from_json(const nlohmann::ordered_json& j) { return value_from_json(j); }

nlohmann::ordered_json Value::to_json() const {
  switch (kind_) {
    case Kind::None:
      return nullptr;
    case Kind::Bool:
      return b_;
    case Kind::Int:
      return i_;
    case Kind::Float:
      return f_;
    case Kind::String:
      return s_;
    case Kind::List: {
      nlohmann::ordered_json arr = nlohmann::ordered_json::array();
      for (const Value& v : list_->is_generator ? drain() : list_->items) arr.push_back(v.to_json());
      return arr;
    }
    case Kind::Dict: {
      if (!dict_->object_repr.empty()) throw EvalError(dict_->object_repr + " is not JSON serializable");
      nlohmann::ordered_json obj = nlohmann::ordered_json::object();
      for (const auto& [k, v] : dict_->entries()) obj[k] = v.to_json();
      return obj;
    }
    default:
      throw EvalError("Object of type " + type_name() + " is not JSON serializable");
  }
}

const Value* Dict::find(const std::string& key) const {
  for (const auto& e : entries_)
    if (e.first == key) return &e.second;
  return nullptr;
}

void Dict::set(const std::string& key, Value value) {
  for (auto& e : entries_)
    if (e.first == key) {
      e.second = std::move(value);
      return;
    }
  entries_.emplace_back(key, std::move(value));
}

bool equals(const Value& a, const Value& b) {
  using K = Value::Kind;
  if (a.is_number() && b.is_number()) return number_equal(a, b);
  if (a.kind() != b.kind()) return false;
  switch (a.kind()) {
    case K::Undefined:
    case K::None:
      return true;
    case K::String:
      return a.as_string() == b.as_string();
    case K::List: {
      if (a.is_generator() || b.is_generator()) return &a.list_data() == &b.list_data();
      if (a.is_tuple() != b.is_tuple() || a.items().size() != b.items().size()) return false;
      for (size_t i = 0; i < a.items().size(); ++i)
        if (!equals(a.items()[i], b.items()[i])) return false;
      return true;
    }
    case K::Dict: {
      if (a.dict_data().size() != b.dict_data().size()) return false;
      for (const auto& [k, v] : a.dict_data().entries()) {
        const Value* other = b.dict_data().find(k);
        if (!other || !equals(v, *other)) return false;
      }
      return true;
    }
    case K::Namespace:
      return &a.namespace_data() == &b.namespace_data();
    case K::Function:
      return &a.function_data() == &b.function_data();
    default:
      return false;
  }
}

bool less_than(const Value& a, const Value& b) {
  if (a.is_number() && b.is_number()) {
    if (a.is_integral() && b.is_integral()) return a.as_int() < b.as_int();
    return a.as_float() < b.as_float();
  }
  if (a.is_string() && b.is_string()) return a.as_string() < b.as_string();  // UTF-8 byte order = code point order
  if (a.is_list() && b.is_list() && !a.is_generator() && !b.is_generator() && a.is_tuple() == b.is_tuple()) {
    const auto& x = a.items();
    const auto& y = b.items();
    for (size_t i = 0; i < x.size() && i < y.size(); ++i) {
      if (!equals(x[i], y[i])) return less_than(x[i], y[i]);
    }
    return x.size() < y.size();
  }
  throw EvalError("'<' not supported between instances of '" + a.type_name() + "' and '" + b.type_name() + "'");
}

namespace {

void write_json(const Value& v, const JsonFormat& f, int depth, std::string& out) {
  auto newline = [&](int level) {
    if (!f.indent) return;
    out += '\n';
    for (int i = 0; i < level; ++i) out += *f.indent;
  };
  switch (v.kind()) {
    case Value::Kind::None:
      out += "null";
      return;
    case Value::Kind::Bool:
      out += v.as_bool() ? "true" : "false";
      return;
    case Value::Kind::Int:
      out += std::to_string(v.as_int());
      return;
    case Value::Kind::Float: {
      double x = v.as_float();
      out += std::isnan(x) ? "NaN" : std::isinf(x) ? (x > 0 ? "Infinity" : "-Infinity") : py::repr_float(x);
      return;
    }
    case Value::Kind::String:
      out += py::json_string(v.as_string(), f.ensure_ascii);
      return;
    case Value::Kind::List: {
      if (v.is_generator()) throw EvalError("Object of type generator is not JSON serializable");
      const auto& items = v.items();
      if (items.empty()) {
        out += "[]";
        return;
      }
      out += '[';
      for (size_t i = 0; i < items.size(); ++i) {
        if (i) out += f.item_separator;
        newline(depth + 1);
        write_json(items[i], f, depth + 1, out);
      }
      newline(depth);
      out += ']';
      return;
    }
    case Value::Kind::Dict: {
      if (!v.dict_data().object_repr.empty()) throw EvalError(v.dict_data().object_repr + " is not JSON serializable");
      std::vector<const std::pair<std::string, Value>*> entries;
      for (const auto& e : v.dict_data().entries()) entries.push_back(&e);
      if (f.sort_keys)
        std::stable_sort(entries.begin(), entries.end(), [](auto* a, auto* b) { return a->first < b->first; });
      if (entries.empty()) {
        out += "{}";
        return;
      }
      out += '{';
      for (size_t i = 0; i < entries.size(); ++i) {
        if (i) out += f.item_separator;
        newline(depth + 1);
        out += py::json_string(entries[i]->first, f.ensure_ascii);
        out += f.key_separator;
        write_json(entries[i]->second, f, depth + 1, out);
      }
      newline(depth);
      out += '}';
      return;
    }
    default:
      throw EvalError("Object of type " + v.type_name() + " is not JSON serializable");
  }
}

}  // namespace

std::string to_json_text(const Value& v, const JsonFormat& format) {
  std::string out;
  write_json(v, format, 0, out);
  return out;
}

}  // namespace r1::jinja
