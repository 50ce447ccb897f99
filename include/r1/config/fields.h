// The config field framework. A config struct lists its fields once:
//
//   struct OptimConfig {
//     double lr = 3e-4;  // peak learning rate
//     template <class V> void visit(V& v) { v("lr", lr, Above{0}); }
//     void check(Problems& p, const std::string& path) const;   // optional cross-field checks
//   };
//
// and gets, from that list: YAML -> struct with type checks and every problem collected (read_struct),
// unknown-key errors with "did you mean" (FieldReader), struct -> YAML for resolved configs and hashes
// (to_yaml), and the key list (field_names).
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <type_traits>
#include <vector>

#include <yaml-cpp/yaml.h>

#include "r1/config/enum_table.h"
#include "r1/config/problems.h"

namespace r1::config {

// ---- constraints ----------------------------------------------------------------------------------
struct Min { double value; };        // >= value
struct Above { double value; };      // >  value
struct Max { double value; };        // <= value
struct Between { double lo, hi; };   // in [lo, hi]
struct OneOf { std::vector<std::string> values; };
struct Required {};                  // the key must be present
struct NonEmpty {};                  // strings/lists must not be empty

// ---- value parsing --------------------------------------------------------------------------------
// Each parse_value returns false (and leaves `out` unchanged) when the node has the wrong type;
// `expected` then names what was wanted. Structs with visit() are handled by FieldReader.
bool parse_value(const YAML::Node& node, bool& out);
bool parse_value(const YAML::Node& node, int& out);
bool parse_value(const YAML::Node& node, std::int64_t& out);
bool parse_value(const YAML::Node& node, std::uint64_t& out);
bool parse_value(const YAML::Node& node, double& out);
bool parse_value(const YAML::Node& node, std::string& out);

inline const char* type_name(bool*) { return "true or false"; }
inline const char* type_name(int*) { return "an integer"; }
inline const char* type_name(std::int64_t*) { return "an integer"; }
inline const char* type_name(std::uint64_t*) { return "a non-negative integer"; }
inline const char* type_name(double*) { return "a number"; }
inline const char* type_name(std::string*) { return "a string"; }

// Named enums (enum_table.h) read and write as their names.
template <class E, std::enable_if_t<is_named_enum<E>::value, int> = 0>
bool parse_value(const YAML::Node& node, E& out) {
  if (!node.IsScalar()) return false;
  auto value = enum_from_name<E>(node.Scalar());
  if (!value) return false;
  out = *value;
  return true;
}
template <class E, std::enable_if_t<is_named_enum<E>::value, int> = 0>
const char* type_name(E*) {
  static const std::string text = "one of " + enum_choices<E>();
  return text.c_str();
}

// Text of a node for messages: scalars quoted, maps/lists summarised.
std::string describe_node(const YAML::Node& node);

template <class T, class = void>
struct has_visit : std::false_type {};
template <class T>
struct has_visit<T, std::void_t<decltype(std::declval<T&>().visit(std::declval<int&>()))>> : std::true_type {};

template <class T, class = void>
struct has_check : std::false_type {};
template <class T>
struct has_check<T, std::void_t<decltype(std::declval<const T&>().check(std::declval<Problems&>(),
                                                                         std::declval<const std::string&>()))>>
    : std::true_type {};

template <class T>
struct is_vector : std::false_type {};
template <class T>
struct is_vector<std::vector<T>> : std::true_type {};
template <class T>
struct is_optional : std::false_type {};
template <class T>
struct is_optional<std::optional<T>> : std::true_type {};

// Custom value types (e.g. a field that takes a path or an inline mapping) provide
//   bool read_custom(const YAML::Node&, T&, Problems&, const std::string& path);  YAML::Node write_custom(const T&);
template <class T, class = void>
struct has_custom : std::false_type {};
template <class T>
struct has_custom<T, std::void_t<decltype(read_custom(std::declval<const YAML::Node&>(), std::declval<T&>(),
                                                      std::declval<Problems&>(), std::declval<const std::string&>()))>>
    : std::true_type {};

// ---- reader ---------------------------------------------------------------------------------------
class FieldReader {
 public:
  FieldReader(const YAML::Node& node, std::string path, Problems& problems)
      : node_(node), path_(std::move(path)), problems_(problems) {}

  template <class T, class... C>
  void operator()(const char* key, T& value, const C&... checks) {
    known_.emplace_back(key);
    YAML::Node child = node_[key];
    if (!child.IsDefined()) {
      if ((std::is_same_v<C, Required> || ...)) problems_.add(path_, std::string("missing required key \"") + key + "\"");
      return;
    }
    read_any(child, value, join_path(path_, key), checks...);
  }

  // Reports keys of the mapping that no field claimed (with a "did you mean" hint).
  void finish(const std::vector<std::string>& also_allowed = {});

  const std::string& path() const { return path_; }
  Problems& problems() { return problems_; }

  // Reads any supported value at `path` (used for list elements and by custom readers).
  template <class T, class... C>
  void read_any(const YAML::Node& node, T& value, const std::string& path, const C&... checks);

 private:
  const YAML::Node& node_;
  std::string path_;
  Problems& problems_;
  std::vector<std::string> known_;
};

// Reads the mapping `node` into `out` via out.visit(); reports unknown keys and runs out.check().
template <class T>
void read_struct(const YAML::Node& node, T& out, const std::string& path, Problems& problems) {
  if (!node.IsMap()) {
    if (!(node.IsNull() && path.empty()))
      problems.add(path, "expected a mapping, got " + describe_node(node));
    if (!node.IsNull()) return;
  }
  FieldReader reader(node, path, problems);
  out.visit(reader);
  reader.finish();
  if constexpr (has_check<T>::value) out.check(problems, path);
}

// Builds the "expected ..." text and checks constraints on a parsed value.
std::string describe_constraints(const char* type, const std::vector<std::string>& parts);
std::string constraint_text(const Min& c);
std::string constraint_text(const Above& c);
std::string constraint_text(const Max& c);
std::string constraint_text(const Between& c);
std::string constraint_text(const OneOf& c);
inline std::string constraint_text(const Required&) { return ""; }
inline std::string constraint_text(const NonEmpty&) { return "non-empty"; }

template <class T>
bool satisfies(const T& v, const Min& c) { if constexpr (std::is_arithmetic_v<T>) return v >= c.value; else return true; }
template <class T>
bool satisfies(const T& v, const Above& c) { if constexpr (std::is_arithmetic_v<T>) return v > c.value; else return true; }
template <class T>
bool satisfies(const T& v, const Max& c) { if constexpr (std::is_arithmetic_v<T>) return v <= c.value; else return true; }
template <class T>
bool satisfies(const T& v, const Between& c) {
  if constexpr (std::is_arithmetic_v<T>) return v >= c.lo && v <= c.hi; else return true;
}
template <class T>
bool satisfies(const T& v, const OneOf& c) {
  if constexpr (std::is_same_v<T, std::string>) {
    for (const auto& s : c.values) if (s == v) return true;
    return false;
  } else {
    return true;
  }
}
template <class T>
bool satisfies(const T&, const Required&) { return true; }
template <class T>
bool satisfies(const T& v, const NonEmpty&) {
  if constexpr (std::is_same_v<T, std::string> || is_vector<T>::value) return !v.empty(); else return true;
}

// "did you mean" hint for a bad enum value, "" if none.
std::string enum_hint(const std::string& got, const OneOf& c);
template <class C>
std::string enum_hint_any(const std::string&, const C&) { return ""; }
inline std::string enum_hint_any(const std::string& got, const OneOf& c) { return enum_hint(got, c); }

template <class T, class... C>
void FieldReader::read_any(const YAML::Node& node, T& value, const std::string& path, const C&... checks) {
  if constexpr (is_optional<T>::value) {
    if (node.IsNull()) {
      value.reset();
      return;
    }
    typename T::value_type inner = value ? *value : typename T::value_type{};
    size_t before = problems_.size();
    read_any(node, inner, path, checks...);
    if (problems_.size() == before) value = inner;
  } else if constexpr (has_custom<T>::value) {
    read_custom(node, value, problems_, path);
  } else if constexpr (has_visit<T>::value) {
    read_struct(node, value, path, problems_);
  } else if constexpr (is_vector<T>::value) {
    using E = typename T::value_type;
    if (!node.IsSequence()) {
      // A scalar is never promoted to a one-element list (`stop: true` must not become ["true"]).
      problems_.add(path, "expected a list (e.g. [a, b]), got " + describe_node(node));
      return;
    }
    T parsed;
    size_t before = problems_.size();
    for (size_t i = 0; i < node.size(); ++i) {
      E element{};
      if constexpr (std::is_arithmetic_v<E> || std::is_same_v<E, std::string>) {
        if (!parse_value(node[i], element)) {
          problems_.add(index_path(path, i), "expected " + std::string(type_name(static_cast<E*>(nullptr))) +
                                                  ", got " + describe_node(node[i]));
          continue;
        }
        bool ok = (satisfies(element, checks) && ...);
        if (!ok) {
          std::string hint;
          if constexpr (std::is_same_v<E, std::string>) ((hint += enum_hint_any(element, checks)), ...);
          problems_.add(index_path(path, i), "expected " + describe_constraints(type_name(static_cast<E*>(nullptr)),
                                                                                {constraint_text(checks)...}) +
                                                  ", got " + describe_node(node[i]) + hint);
          continue;
        }
      } else {
        read_any(node[i], element, index_path(path, i));
      }
      parsed.push_back(std::move(element));
    }
    if (problems_.size() == before) {
      if ((std::is_same_v<C, NonEmpty> || ...) && parsed.empty()) {
        problems_.add(path, "expected a non-empty list, got []");
        return;
      }
      value = std::move(parsed);
    }
  } else {
    T parsed{};
    if (!node.IsScalar() || !parse_value(node, parsed)) {
      std::string hint;
      if constexpr (is_named_enum<T>::value)
        if (node.IsScalar()) hint = enum_hint(node.Scalar(), OneOf{enum_names<T>()});
      problems_.add(path, "expected " + describe_constraints(type_name(static_cast<T*>(nullptr)),
                                                             {constraint_text(checks)...}) +
                              ", got " + describe_node(node) + hint);
      return;
    }
    bool ok = (satisfies(parsed, checks) && ...);
    if (!ok) {
      std::string hint;
      if constexpr (std::is_same_v<T, std::string>) ((hint += enum_hint_any(parsed, checks)), ...);
      problems_.add(path, "expected " + describe_constraints(type_name(static_cast<T*>(nullptr)),
                                                             {constraint_text(checks)...}) +
                              ", got " + describe_node(node) + hint);
      return;
    }
    value = parsed;
  }
}

// Scalar text of a node ("" for non-scalars).
std::string element_text(const YAML::Node& node);

// ---- writer ---------------------------------------------------------------------------------------
YAML::Node write_value(bool v);
YAML::Node write_value(int v);
YAML::Node write_value(std::int64_t v);
YAML::Node write_value(std::uint64_t v);
YAML::Node write_value(double v);
YAML::Node write_value(const std::string& v);
template <class E, std::enable_if_t<is_named_enum<E>::value, int> = 0>
YAML::Node write_value(E v) {
  return YAML::Node(std::string(enum_name(v)));
}

class FieldWriter {
 public:
  template <class T, class... C>
  void operator()(const char* key, const T& value, const C&...) {
    node_[key] = write_any(value);
  }
  template <class T>
  static YAML::Node write_any(const T& value) {
    if constexpr (is_optional<T>::value) {
      return value ? write_any(*value) : YAML::Node(YAML::NodeType::Null);
    } else if constexpr (has_custom<T>::value) {
      return write_custom(value);
    } else if constexpr (has_visit<T>::value) {
      FieldWriter w;
      const_cast<T&>(value).visit(w);
      return w.node_;
    } else if constexpr (is_vector<T>::value) {
      YAML::Node seq(YAML::NodeType::Sequence);
      for (const auto& e : value) seq.push_back(write_any(e));
      return seq;
    } else {
      return write_value(value);
    }
  }
  YAML::Node node() const { return node_; }

 private:
  YAML::Node node_{YAML::NodeType::Map};
};

template <class T>
YAML::Node to_yaml(const T& value) {
  return FieldWriter::write_any(value);
}

// Keys a struct accepts, in declaration order.
class FieldLister {
 public:
  template <class T, class... C>
  void operator()(const char* key, T&, const C&...) { names.emplace_back(key); }
  std::vector<std::string> names;
};
template <class T>
std::vector<std::string> field_names() {
  T tmp{};
  FieldLister lister;
  tmp.visit(lister);
  return lister.names;
}

// Emits a node as block YAML text (deterministic: used for hashes and resolved files).
std::string emit_yaml(const YAML::Node& node);

// Loads a YAML file; parse errors become InputError("file:line:col: message").
YAML::Node load_yaml_file(const std::string& path);
// Parses YAML text; `source` names it in errors.
YAML::Node load_yaml_string(const std::string& text, const std::string& source);

}  // namespace r1::config
