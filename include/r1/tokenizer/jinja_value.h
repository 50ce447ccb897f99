// The value type of the Jinja subset interpreter: Python-like undefined/none/bool/int/float/string/list/dict/
// namespace/function with Python's truthiness, str()/repr() printing, equality, ordering and JSON conversion.
#pragma once
#include <cstdint>
#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

namespace r1::jinja {

// An error while evaluating a template (a type error, an undefined value used, a failed raise_exception).
// The renderer turns it into an r1::InputError naming the template and the line.
class EvalError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

class Value;
class Dict;

// Arguments of a call: positional ones, then keyword ones in the order written.
struct CallArgs {
  std::vector<Value> positional;
  std::vector<std::pair<std::string, Value>> keyword;
};
// A function callable from a template (a global such as strftime_now, or a bound method); throws EvalError.
using NativeFunction = std::function<Value(const CallArgs&)>;

// A list, tuple or generator (the one-pass result of select/reject/map/items).
struct ListData {
  std::vector<Value> items;
  bool is_tuple = false;
  bool is_generator = false;
  std::string repr_override;    // non-empty: what str() prints (range(0, 3))
  std::string repr_wrapper;     // non-empty: str() prints wrapper(list) (dict_items([('a', 1)]))
  mutable size_t consumed = 0;  // generators: items already taken
};

struct FunctionData {
  std::string name;
  NativeFunction fn;
};

class Value {
 public:
  enum class Kind { Undefined, None, Bool, Int, Float, String, List, Dict, Namespace, Function };

  Value() = default;  // undefined
  Value(bool b);
  Value(int i);
  Value(std::int64_t i);
  Value(double f);
  Value(std::string s);
  Value(const char* s);

  // `what` names the missing thing for messages ("'foo'", "'role' of a dict").
  static Value undefined(std::string what);
  static Value none();
  static Value list(std::vector<Value> items);
  static Value tuple(std::vector<Value> items);
  static Value generator(std::vector<Value> items);
  static Value range(std::vector<Value> items, std::string repr);
  // A list that prints as wrapper([...]): dict.items(), keys(), values() views.
  static Value view(std::vector<Value> items, std::string wrapper);
  static Value dict(Dict d);
  static Value namespace_object(Dict d);
  static Value function(std::string name, NativeFunction fn);

  Kind kind() const { return kind_; }
  bool is_undefined() const { return kind_ == Kind::Undefined; }
  bool is_none() const { return kind_ == Kind::None; }
  bool is_string() const { return kind_ == Kind::String; }
  bool is_list() const { return kind_ == Kind::List; }
  bool is_dict() const { return kind_ == Kind::Dict; }
  bool is_namespace() const { return kind_ == Kind::Namespace; }
  bool is_function() const { return kind_ == Kind::Function; }
  bool is_bool() const { return kind_ == Kind::Bool; }
  // int or bool (Python's bool is an int).
  bool is_integral() const { return kind_ == Kind::Int || kind_ == Kind::Bool; }
  // int, bool or float.
  bool is_number() const { return is_integral() || kind_ == Kind::Float; }
  bool is_generator() const { return kind_ == Kind::List && list_->is_generator; }
  bool is_tuple() const { return kind_ == Kind::List && list_->is_tuple; }

  bool as_bool() const { return b_; }
  std::int64_t as_int() const;  // int or bool
  double as_float() const;      // any number
  const std::string& as_string() const { return s_; }
  const ListData& list_data() const { return *list_; }
  const std::vector<Value>& items() const { return list_->items; }
  const Dict& dict_data() const { return *dict_; }
  Dict& namespace_data() const { return *ns_; }
  const FunctionData& function_data() const { return *fn_; }
  const std::string& undefined_what() const { return s_; }

  // Takes the generator's remaining items (it is then exhausted, as in Python).
  std::vector<Value> drain() const;
  // Python's bool(x).
  bool truthy() const;
  // Python's str(x) (undefined prints ""); throws EvalError for things whose text is an address (functions,
  // generators).
  std::string str() const;
  // Python's repr(x).
  std::string repr() const;
  // Python's type name, for messages ("str", "int", "list", "dict", "NoneType", "undefined").
  std::string type_name() const;

  static Value from_json(const nlohmann::json& j);
  static Value from_json(const nlohmann::ordered_json& j);
  // The JSON form (objects keep the dict's order); throws EvalError for undefined, namespaces, functions.
  nlohmann::ordered_json to_json() const;

 private:
  Kind kind_ = Kind::Undefined;
  bool b_ = false;
  std::int64_t i_ = 0;
  double f_ = 0;
  std::string s_;  // strings; for undefined, what is missing
  std::shared_ptr<const ListData> list_;
  std::shared_ptr<const Dict> dict_;
  std::shared_ptr<Dict> ns_;
  std::shared_ptr<const FunctionData> fn_;
};

// A dict with string keys that keeps insertion order (as Python dicts do).
class Dict {
 public:
  const Value* find(const std::string& key) const;
  // Replaces the value of an existing key, else appends.
  void set(const std::string& key, Value value);
  const std::vector<std::pair<std::string, Value>>& entries() const { return entries_; }
  size_t size() const { return entries_.size(); }

  // Non-empty for an object that only looks like a dict to templates (the `loop` variable): what str() prints;
  // tojson refuses it, as Python would.
  std::string object_repr;

 private:
  std::vector<std::pair<std::string, Value>> entries_;
};

// Python's a == b (1 == 1.0 == True; tuples never equal lists; undefined equals only undefined).
bool equals(const Value& a, const Value& b);
// Python's a < b for numbers, strings (code point order) and lists/tuples; throws EvalError otherwise.
bool less_than(const Value& a, const Value& b);

// json.dumps(x, ensure_ascii, indent, separators, sort_keys) as Python writes it.
struct JsonFormat {
  std::optional<std::string> indent;  // absent: one line; else the text repeated per level
  std::string item_separator = ", ";  // Python's default is "," when indent is given
  std::string key_separator = ": ";
  bool sort_keys = false;
  bool ensure_ascii = false;
};
std::string to_json_text(const Value& v, const JsonFormat& format);

}  // namespace r1::jinja
