// Python semantics of Jinja's operators and lookups: arithmetic, comparisons, `in`, attribute and item access
// (Jinja's environment.getattr/getitem), slicing and iteration. Errors are EvalError.
#pragma once
#include <optional>
#include <string>
#include <vector>

#include "r1/tokenizer/jinja_value.h"

namespace r1::jinja {

// + - * / // % ** and ~ (string concatenation of str() of both sides).
Value binary_op(const std::string& op, const Value& a, const Value& b);
// -v (minus) or +v.
Value unary_op(const Value& v, bool minus);
// == != < > <= >= "in" "not in".
bool compare(const std::string& op, const Value& a, const Value& b);
// Python's `item in container`.
bool contains(const Value& container, const Value& item);

// obj.name: a str/dict method, else a dict key or namespace attribute, else undefined.
Value get_attr(const Value& obj, const std::string& name);
// obj[key]: a dict key, list/str index (negative from the end), else a method named key, else undefined.
Value get_item(const Value& obj, const Value& key);
// obj[start:stop:step] of a list, tuple or str (missing parts are nullopt or none); anything else is an error.
Value get_slice(const Value& obj, const std::optional<Value>& start, const std::optional<Value>& stop,
                const std::optional<Value>& step);
// The items a for loop visits: list items (a generator is drained), dict keys, str code points; undefined visits
// nothing.
std::vector<Value> iterate(const Value& v);
// Python's len().
std::int64_t length(const Value& v);

// The error for using an undefined value.
[[noreturn]] void undefined_error(const Value& v);

}  // namespace r1::jinja
