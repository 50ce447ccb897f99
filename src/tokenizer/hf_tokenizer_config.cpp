// Reading tokenizer_config.json: special token settings, bos/eos flags, added_tokens_decoder, chat template.
#include "r1/tokenizer/hf_tokenizer_config.h"

#include <algorithm>

#include "r1/tokenizer/hf_json.h"

namespace r1 {
namespace {

// A special token written as a string or as an AddedToken object {"content": ..., "lstrip": ..., ...}.
// Strings become special, non-normalized tokens, as transformers makes them.
AddedToken read_added_token(const nlohmann::json& v, const std::string& file, const std::string& path) {
  AddedToken t;
  t.special = true;
  t.normalized = false;
  if (v.is_string()) {
    t.content = v.get<std::string>();
  } else if (v.is_object()) {
    t.content = hf_json::get_string(v, "content", file, path);
    t.lstrip = hf_json::get_bool(v, "lstrip", false, file, path);
    t.rstrip = hf_json::get_bool(v, "rstrip", false, file, path);
    t.single_word = hf_json::get_bool(v, "single_word", false, file, path);
    t.normalized = hf_json::get_bool(v, "normalized", false, file, path);
    t.special = hf_json::get_bool(v, "special", true, file, path);
  } else {
    hf_json::fail(file, path, "expected a token string or an AddedToken object, got " + hf_json::describe(v));
  }
  return t;
}

void read_special(const nlohmann::json& root, ConfigSpecialToken& s, const std::string& file) {
  const auto* v = hf_json::find(root, s.key, file, "");
  if (!v) return;
  s.present = true;
  s.is_null = v->is_null();
  if (!s.is_null) s.token = read_added_token(*v, file, s.key);
}

std::string read_chat_template(const nlohmann::json& v, const std::string& file) {
  if (v.is_null()) return "";
  if (v.is_string()) return v.get<std::string>();
  if (!v.is_array())
    hf_json::fail(file, "chat_template",
                  "expected a string or a list of {name, template}, got " + hf_json::describe(v));
  std::vector<std::string> names;
  for (size_t i = 0; i < v.size(); ++i) {
    std::string path = hf_json::item_path("chat_template", i);
    std::string name = hf_json::get_string(v[i], "name", file, path);
    if (name == "default") return hf_json::get_string(v[i], "template", file, path);
    names.push_back(name);
  }
  hf_json::fail(file, "chat_template",
                "no template named \"default\" among the " + std::to_string(names.size()) + " named ones");
}

std::vector<AddedToken> read_added_tokens_decoder(const nlohmann::json& v, const std::string& file) {
  if (!v.is_object())
    hf_json::fail(file, "added_tokens_decoder", "expected an object {id: token}, got " + hf_json::describe(v));
  std::vector<AddedToken> out;
  for (auto it = v.begin(); it != v.end(); ++it) {
    std::string path = "added_tokens_decoder." + it.key();
    AddedToken t = read_added_token(it.value(), file, path);
    t.special = hf_json::get_bool(it.value(), "special", false, file, path);
    try {
      size_t used = 0;
      long long id = std::stoll(it.key(), &used);
      if (used != it.key().size() || id < 0 || id >= (1LL << 26)) throw std::invalid_argument("range");
      t.id = static_cast<int>(id);
    } catch (const std::exception&) {
      hf_json::fail(file, path, "the key must be a token id, got " + hf_json::describe(it.key()));
    }
    out.push_back(std::move(t));
  }
  std::sort(out.begin(), out.end(), [](const AddedToken& a, const AddedToken& b) { return a.id < b.id; });
  return out;
}

std::optional<bool> read_flag(const nlohmann::json& root, const std::string& key, const std::string& file) {
  const auto* v = hf_json::find(root, key, file, "");
  if (!v || v->is_null()) return std::nullopt;
  return hf_json::get_bool(root, key, false, file, "");
}

}  // namespace

std::vector<AddedToken> HfTokenizerConfig::named_special_tokens() const {
  std::vector<AddedToken> out;
  for (const ConfigSpecialToken* s : {&bos, &eos, &unk, &sep, &pad, &cls, &mask})
    if (s->present && !s->is_null) out.push_back(s->token);
  out.insert(out.end(), additional_special_tokens.begin(), additional_special_tokens.end());
  return out;
}

HfTokenizerConfig HfTokenizerConfig::parse(const std::string& text, const std::string& file) {
  HfTokenizerConfig c;
  if (text.empty()) return c;
  nlohmann::json root = hf_json::parse(text, file);
  if (!root.is_object()) hf_json::fail(file, "", "expected a JSON object, got " + hf_json::describe(root));
  for (ConfigSpecialToken* s : {&c.bos, &c.eos, &c.unk, &c.sep, &c.pad, &c.cls, &c.mask}) read_special(root, *s, file);
  if (const auto* extra = hf_json::find(root, "additional_special_tokens", file, ""); extra && !extra->is_null()) {
    if (!extra->is_array())
      hf_json::fail(file, "additional_special_tokens", "expected a list, got " + hf_json::describe(*extra));
    for (size_t i = 0; i < extra->size(); ++i)
      c.additional_special_tokens.push_back(
          read_added_token((*extra)[i], file, hf_json::item_path("additional_special_tokens", i)));
  }
  if (const auto* decoder = hf_json::find(root, "added_tokens_decoder", file, ""); decoder && !decoder->is_null())
    c.added_tokens_decoder = read_added_tokens_decoder(*decoder, file);
  c.add_bos_token = read_flag(root, "add_bos_token", file);
  c.add_eos_token = read_flag(root, "add_eos_token", file);
  if (const auto* tmpl = hf_json::find(root, "chat_template", file, ""))
    c.chat_template = read_chat_template(*tmpl, file);
  return c;
}

}  // namespace r1
