// Jinja's built-in filters, tests and global functions, and the str/dict methods templates call, with Python
// semantics. Only what is listed here exists; the parser rejects other filter and test names.
#pragma once
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "r1/tokenizer/jinja_value.h"

namespace r1::jinja {

bool has_filter(const std::string& name);
bool has_test(const std::string& name);
// Throws EvalError for bad arguments or types.
Value apply_filter(const std::string& name, const Value& subject, const CallArgs& args);
bool apply_test(const std::string& name, const Value& subject, const CallArgs& args);

// namespace(), range(), dict(): the globals every template sees.
std::vector<std::pair<std::string, Value>> builtin_globals();

// The method `name` of a str or dict bound to `self` ("abc".startswith, d.get), or nullopt.
std::optional<Value> bound_method(const Value& self, const std::string& name);

}  // namespace r1::jinja
