// JSON reading for Hugging Face tokenizer files: parsing with the file and byte position in errors, and typed
// field access whose InputErrors name the file, the key path and what was found.
#pragma once
#include <string>

#include <nlohmann/json.hpp>

namespace r1::hf_json {

using Json = nlohmann::json;

// Parses `text`; InputError "<file>: malformed JSON at byte N: ..." when it is not JSON.
Json parse(const std::string& text, const std::string& file);

// A short description of a value for messages: null, true, 3, "abc", a list of 3 items, an object {a, b}.
std::string describe(const Json& value);

// "<file>: <path>: <message>" as an InputError (the path is left out when empty).
[[noreturn]] void fail(const std::string& file, const std::string& path, const std::string& message);

// "a.b" (or "b" at the top level) and "a[3]".
std::string child_path(const std::string& path, const std::string& key);
std::string item_path(const std::string& path, size_t index);

// The member `key` of `obj` or nullptr; InputError when `obj` is not an object.
const Json* find(const Json& obj, const std::string& key, const std::string& file, const std::string& path);
// The member `key` of `obj`; InputError when it is missing.
const Json& require(const Json& obj, const std::string& key, const std::string& file, const std::string& path);

// Required string / integer members.
std::string get_string(const Json& obj, const std::string& key, const std::string& file, const std::string& path);
long long get_int(const Json& obj, const std::string& key, const std::string& file, const std::string& path);
// An optional boolean member: `fallback` when absent or null.
bool get_bool(const Json& obj, const std::string& key, bool fallback, const std::string& file, const std::string& path);
// The "type" member of a component (normalizer, pre_tokenizer, ...).
std::string type_of(const Json& obj, const std::string& file, const std::string& path);

}  // namespace r1::hf_json
