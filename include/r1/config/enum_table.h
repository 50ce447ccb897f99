// Named enums: an enum-like setting is a C++ enum with ONE table of {value, name}. The config field framework
// reads and writes such a field by name (errors list the names, with a "did you mean"), and the CLI builds its
// value lists from the same table, so the names of a setting are written down exactly once.
//
//   enum class LossAgg { kSeqMeanTokenMean, kTokenMean };
//   template <> struct EnumTable<LossAgg> { static const std::vector<EnumEntry<LossAgg>>& entries(); };
#pragma once
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

namespace r1::config {

template <class E>
struct EnumEntry {
  E value;
  const char* name;
};

// Specialised for each named enum (entries() lists every value once, in the order messages show them).
template <class E>
struct EnumTable;

template <class E, class = void>
struct is_named_enum : std::false_type {};
template <class E>
struct is_named_enum<E, std::void_t<decltype(EnumTable<E>::entries())>> : std::true_type {};

// The name of a value ("?" for a value outside the table, which only a cast could make).
template <class E>
const char* enum_name(E value) {
  for (const auto& e : EnumTable<E>::entries())
    if (e.value == value) return e.name;
  return "?";
}

// The value of a name, or nullopt.
template <class E>
std::optional<E> enum_from_name(std::string_view name) {
  for (const auto& e : EnumTable<E>::entries())
    if (name == e.name) return e.value;
  return std::nullopt;
}

// Every name, in table order.
template <class E>
std::vector<std::string> enum_names() {
  std::vector<std::string> out;
  for (const auto& e : EnumTable<E>::entries()) out.emplace_back(e.name);
  return out;
}

// "a|b|c": the names as config messages and CLI help show them.
std::string join_enum_names(const std::vector<std::string>& names);
template <class E>
std::string enum_choices() {
  return join_enum_names(enum_names<E>());
}

// Throws InputError "<what>: expected one of a|b|c, got "x" (did you mean "y"?)".
[[noreturn]] void throw_enum_error(const std::string& what, std::string_view got, const std::vector<std::string>& names);

// The value of `name` (for names from the command line or other non-YAML sources); throws as above.
template <class E>
E parse_enum(std::string_view name, const std::string& what) {
  if (auto v = enum_from_name<E>(name)) return *v;
  throw_enum_error(what, name, enum_names<E>());
}

}  // namespace r1::config
