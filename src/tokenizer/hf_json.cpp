// Parsing and typed, well-reported field access for Hugging Face tokenizer JSON files.
#include "r1/tokenizer/hf_json.h"

#include <vector>

#include "r1/util/error.h"
#include "r1/util/strings.h"

namespace r1::hf_json {

Json parse(const std::string& text, const std::string& file) {
  try {
    return Json::parse(text);
  } catch (const Json::parse_error& e) {
    throw InputError(file + ": malformed JSON at byte " + std::to_string(e.byte) + ": " + e.what());
  }
}

std::string describe(const Json& value) {
  switch (value.type()) {
    case Json::value_t::null:
      return "null";
    case Json::value_t::string:
      return quote(value.get_ref<const std::string&>());
    case Json::value_t::array:
      return "a list of " + std::to_string(value.size()) + " items";
    case Json::value_t::object: {
      std::vector<std::string> keys;
      for (auto it = value.begin(); it != value.end() && keys.size() < 6; ++it) keys.push_back(it.key());
      if (value.size() > keys.size()) keys.push_back("...");
      return "an object {" + join(keys, ", ") + "}";
    }
    default:
      return value.dump();
  }
}

void fail(const std::string& file, const std::string& path, const std::string& message) {
  throw InputError(file + ": " + (path.empty() ? "" : path + ": ") + message);
}

std::string child_path(const std::string& path, const std::string& key) {
  return path.empty() ? key : path + "." + key;
}

std::string item_path(const std::string& path, size_t index) { return path + "[" + std::to_string(index) + "]"; }

const Json* find(const Json& obj, const std::string& key, const std::string& file, const std::string& path) {
  if (!obj.is_object()) fail(file, path, "expected an object, got " + describe(obj));
  auto it = obj.find(key);
  return it == obj.end() ? nullptr : &*it;
}

const Json& require(const Json& obj, const std::string& key, const std::string& file, const std::string& path) {
  const Json* v = find(obj, key, file, path);
  if (!v)
    fail(file, child_path(path, key),
         "missing key (" + (path.empty() ? std::string("the file") : path) + " is " + describe(obj) + ")");
  return *v;
}

std::string get_string(const Json& obj, const std::string& key, const std::string& file, const std::string& path) {
  const Json& v = require(obj, key, file, path);
  if (!v.is_string()) fail(file, child_path(path, key), "expected a string, got " + describe(v));
  return v.get<std::string>();
}

long long get_int(const Json& obj, const std::string& key, const std::string& file, const std::string& path) {
  const Json& v = require(obj, key, file, path);
  if (!v.is_number_integer()) fail(file, child_path(path, key), "expected an integer, got " + describe(v));
  return v.get<long long>();
}

bool get_bool(const Json& obj, const std::string& key, bool fallback, const std::string& file,
              const std::string& path) {
  const Json* v = find(obj, key, file, path);
  if (!v || v->is_null()) return fallback;
  if (!v->is_boolean()) fail(file, child_path(path, key), "expected true or false, got " + describe(*v));
  return v->get<bool>();
}

std::string type_of(const Json& obj, const std::string& file, const std::string& path) {
  return get_string(obj, "type", file, path);
}

}  // namespace r1::hf_json
