// HfTokenizer: loading tokenizer.json (+ tokenizer_config.json), and encode/decode through added tokens,
// normalizer, pre-tokenizer, BPE model, post-processor template and the ByteLevel decoder.
#include "r1/tokenizer/hf_tokenizer.h"

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <unordered_map>

#include "r1/tokenizer/added_tokens.h"
#include "r1/tokenizer/bpe_model.h"
#include "r1/tokenizer/hf_json.h"
#include "r1/tokenizer/hf_tokenizer_config.h"
#include "r1/tokenizer/normalizer.h"
#include "r1/tokenizer/post_processor.h"
#include "r1/tokenizer/pre_tokenizer.h"
#include "r1/util/utf8.h"
#include "r1/util/error.h"
#include "r1/util/fs.h"
#include "r1/util/strings.h"

namespace r1 {

using hf_json::Json;

struct HfTokenizer::Impl {
  std::string file;         // tokenizer.json, for messages
  std::string config_file;  // tokenizer_config.json, for messages
  BpeModel model;
  Normalizer normalizer;
  PreTokenizer pre_tokenizer;
  std::unordered_map<int, AddedToken> added;       // by id
  std::unordered_map<std::string, int> added_ids;  // by content
  AddedTokenMatcher raw_matcher;                   // tokens with normalized: false
  AddedTokenMatcher normalized_matcher;            // tokens with normalized: true (normalized patterns)
  SpecialsTemplate specials;
  std::string bos, eos, pad, chat_template;
  int bos_id = -1, eos_id = -1, pad_id = -1;
  int id_end = 0;

  const AddedToken* added_token(int id) const {
    auto it = added.find(id);
    return it == added.end() ? nullptr : &it->second;
  }
  int token_to_id(const std::string& token) const {
    auto it = added_ids.find(token);
    return it != added_ids.end() ? it->second : model.token_to_id(token);
  }
  void add(const AddedToken& t) {
    added[t.id] = t;
    added_ids[t.content] = t.id;
    id_end = std::max(id_end, t.id + 1);
  }
  void encode_plain(std::string_view text, std::vector<int>& ids) const;
  void encode_words(std::string_view text, std::vector<int>& ids) const;
};

namespace {

// ---- reading tokenizer.json ------------------------------------------------------------------------------

std::vector<AddedToken> read_added_tokens(const Json& root, const std::string& file) {
  std::vector<AddedToken> out;
  const Json* list = hf_json::find(root, "added_tokens", file, "");
  if (!list || list->is_null()) return out;
  if (!list->is_array()) hf_json::fail(file, "added_tokens", "expected a list, got " + hf_json::describe(*list));
  for (size_t i = 0; i < list->size(); ++i) {
    std::string path = hf_json::item_path("added_tokens", i);
    const Json& item = (*list)[i];
    AddedToken t;
    long long id = hf_json::get_int(item, "id", file, path);
    if (id < 0 || id >= (1LL << 26))
      hf_json::fail(file, path + ".id", "expected an id in [0, 2^26), got " + std::to_string(id));
    t.id = static_cast<int>(id);
    t.content = hf_json::get_string(item, "content", file, path);
    t.special = hf_json::get_bool(item, "special", false, file, path);
    t.single_word = hf_json::get_bool(item, "single_word", false, file, path);
    t.lstrip = hf_json::get_bool(item, "lstrip", false, file, path);
    t.rstrip = hf_json::get_bool(item, "rstrip", false, file, path);
    t.normalized = hf_json::get_bool(item, "normalized", !t.special, file, path);
    for (const AddedToken& prev : out)
      if (prev.id == t.id && prev.content != t.content)
        hf_json::fail(file, path, "id " + std::to_string(t.id) + " is already " + quote(prev.content));
    out.push_back(std::move(t));
  }
  return out;
}

void check_decoder(const Json& root, const std::string& file) {
  const Json& decoder = hf_json::require(root, "decoder", file, "");
  if (decoder.is_null())
    hf_json::fail(file, "decoder", "null is not supported (byte-level BPE needs the ByteLevel decoder)");
  std::string type = hf_json::type_of(decoder, file, "decoder");
  if (type != "ByteLevel")
    hf_json::fail(file, "decoder.type", "unsupported decoder type \"" + type + "\" (supported: ByteLevel)");
}

void check_truncation(const Json& root, const std::string& file) {
  const Json* t = hf_json::find(root, "truncation", file, "");
  if (t && !t->is_null())
    hf_json::fail(file, "truncation",
                  "truncation is not supported (got " + hf_json::describe(*t) + "); set it to null");
}

// ---- tokenizer_config.json ---------------------------------------------------------------------------------

// Adds the config's added_tokens_decoder entries and named special tokens that tokenizer.json lacks, as
// transformers does when it loads a tokenizer: the former at their ids, the latter at the vocabulary's id
// when the token is a vocabulary string, else at the next free id.
void add_config_tokens(HfTokenizer::Impl& impl, const HfTokenizerConfig& config) {
  for (const AddedToken& t : config.added_tokens_decoder) {
    if (impl.added_ids.count(t.content)) continue;
    if (const AddedToken* other = impl.added_token(t.id))
      hf_json::fail(impl.config_file, "added_tokens_decoder." + std::to_string(t.id),
                    quote(t.content) + " has an id that " + impl.file + " gives to " + quote(other->content));
    impl.add(t);
  }
  for (AddedToken t : config.named_special_tokens()) {
    if (t.content.empty() || impl.added_ids.count(t.content)) continue;
    int vocab_id = impl.model.token_to_id(t.content);
    t.id = vocab_id >= 0 ? vocab_id : impl.id_end;
    impl.add(t);
  }
}

// The token of a config key, or the post-processor's fallback when the key is absent.
void resolve_special(const HfTokenizer::Impl& impl, const ConfigSpecialToken& s, const std::string& fallback,
                     std::string& token, int& id) {
  token = s.present ? (s.is_null ? "" : s.token.content) : fallback;
  id = token.empty() ? -1 : impl.token_to_id(token);
}

// add_bos_token / add_eos_token rebuild the template's ends as transformers' Llama tokenizers do: true puts
// the token there (once), false takes it away.
void apply_flag(const std::optional<bool>& flag, int id, const std::string& key, const std::string& token_key,
                bool front, std::vector<int>& ids, const std::string& config_file) {
  if (!flag) return;
  bool there = !ids.empty() && (front ? ids.front() : ids.back()) == id;
  if (*flag && !there) {
    if (id < 0) hf_json::fail(config_file, key, "is true but there is no " + token_key);
    ids.insert(front ? ids.begin() : ids.end(), id);
  } else if (!*flag && there) {
    ids.erase(front ? ids.begin() : ids.end() - 1);
  }
}

void build_matchers(HfTokenizer::Impl& impl) {
  std::vector<const AddedToken*> tokens;
  for (const auto& [id, t] : impl.added) tokens.push_back(&t);
  std::sort(tokens.begin(), tokens.end(), [](const AddedToken* a, const AddedToken* b) { return a->id < b->id; });
  for (const AddedToken* t : tokens) {
    if (t->normalized)
      impl.normalized_matcher.add(impl.normalizer.apply(t->content), *t);
    else
      impl.raw_matcher.add(t->content, *t);
  }
}

// The model, normalizer, pre-tokenizer, post-processor and added tokens of tokenizer.json.
void read_tokenizer_json(HfTokenizer::Impl& impl, const std::string& json_text) {
  const std::string& file = impl.file;
  Json root = hf_json::parse(json_text, file);
  if (!root.is_object()) hf_json::fail(file, "", "expected a JSON object, got " + hf_json::describe(root));
  impl.model = BpeModel::from_json(hf_json::require(root, "model", file, ""), file);
  impl.id_end = impl.model.id_end();
  const Json* normalizer = hf_json::find(root, "normalizer", file, "");
  impl.normalizer = Normalizer::from_json(normalizer ? *normalizer : Json(), file);
  const Json* pre = hf_json::find(root, "pre_tokenizer", file, "");
  impl.pre_tokenizer = PreTokenizer::from_json(pre ? *pre : Json(), file);
  if (!impl.pre_tokenizer.has_byte_level())
    hf_json::fail(file, "pre_tokenizer",
                  "has no ByteLevel step: only byte-level BPE tokenizers are supported (got " +
                      (pre ? hf_json::describe(*pre) : std::string("none")) + ")");
  const Json* post = hf_json::find(root, "post_processor", file, "");
  impl.specials = SpecialsTemplate::from_json(post ? *post : Json(), file);
  check_decoder(root, file);
  check_truncation(root, file);
  for (const AddedToken& t : read_added_tokens(root, file)) impl.add(t);
}

// Special tokens, add_bos_token/add_eos_token and the chat template of tokenizer_config.json.
void apply_config(HfTokenizer::Impl& impl, const HfTokenizerConfig& config, const std::string& template_fallback) {
  add_config_tokens(impl, config);
  resolve_special(impl, config.bos, impl.specials.first_prefix_token, impl.bos, impl.bos_id);
  resolve_special(impl, config.eos, impl.specials.last_suffix_token, impl.eos, impl.eos_id);
  resolve_special(impl, config.pad, "", impl.pad, impl.pad_id);
  apply_flag(config.add_bos_token, impl.bos_id, "add_bos_token", "bos_token", true, impl.specials.prefix,
             impl.config_file);
  apply_flag(config.add_eos_token, impl.eos_id, "add_eos_token", "eos_token", false, impl.specials.suffix,
             impl.config_file);
  impl.chat_template = config.chat_template.empty() ? template_fallback : config.chat_template;
}

std::shared_ptr<const HfTokenizer::Impl> build(const std::string& json_text, const std::string& file,
                                               const std::string& config_text, const std::string& config_file,
                                               const std::string& template_fallback) {
  auto impl = std::make_shared<HfTokenizer::Impl>();
  impl->file = file;
  impl->config_file = config_file;
  read_tokenizer_json(*impl, json_text);
  apply_config(*impl, HfTokenizerConfig::parse(config_text, config_file), template_fallback);
  build_matchers(*impl);
  return impl;
}

std::string describe_byte(unsigned char b) {
  char buf[8];
  std::snprintf(buf, sizeof buf, "0x%02X", b);
  return buf;
}

}  // namespace

// ---- loading ---------------------------------------------------------------------------------------------

HfTokenizer HfTokenizer::load(const std::string& path) {
  fs::path p(path);
  if (!fs::is_directory(p)) return HfTokenizer(build(read_file(p), path, "", "", ""));
  fs::path json = p / "tokenizer.json";
  if (!fs::exists(json)) throw InputError(path + ": no tokenizer.json in this directory");
  fs::path config = p / "tokenizer_config.json";
  fs::path jinja = p / "chat_template.jinja";
  std::string config_text = fs::exists(config) ? read_file(config) : "";
  std::string jinja_text = fs::exists(jinja) ? read_file(jinja) : "";
  return HfTokenizer(build(read_file(json), json.string(), config_text, config.string(), jinja_text));
}

HfTokenizer HfTokenizer::from_strings(const std::string& tokenizer_json, const std::string& tokenizer_config_json,
                                      const std::string& source, const std::string& chat_template_jinja) {
  bool is_file = ends_with(source, ".json");
  std::string file = is_file ? source : (fs::path(source) / "tokenizer.json").string();
  std::string config_file = (fs::path(file).parent_path() / "tokenizer_config.json").string();
  return HfTokenizer(build(tokenizer_json, file, tokenizer_config_json, config_file, chat_template_jinja));
}

// ---- encode ------------------------------------------------------------------------------------------------

void HfTokenizer::Impl::encode_words(std::string_view text, std::vector<int>& ids) const {
  thread_local PreTokens words;
  pre_tokenizer.split(text, words);
  for (std::string_view word : words.pieces) model.encode_word(word, ids);
}

void HfTokenizer::Impl::encode_plain(std::string_view text, std::vector<int>& ids) const {
  std::string normalized;
  std::string_view view = text;
  if (!normalizer.is_identity()) {
    normalized = normalizer.apply(text);
    view = normalized;
  }
  if (normalized_matcher.empty()) return encode_words(view, ids);
  std::vector<TextSpan> spans;
  normalized_matcher.split(view, spans);
  for (const TextSpan& s : spans) {
    if (s.token >= 0)
      ids.push_back(s.token);
    else
      encode_words(view.substr(s.begin, s.end - s.begin), ids);
  }
}

std::vector<int> HfTokenizer::encode(const std::string& text, bool add_special_tokens) const {
  const Impl& impl = *impl_;
  size_t bad = utf8::first_invalid(text);
  if (bad != utf8::kAllValid)
    throw InputError("encode: the text is not valid UTF-8: byte offset " + std::to_string(bad) + " (byte " +
                     describe_byte(static_cast<unsigned char>(text[bad])) + ") does not start a valid sequence");
  std::vector<int> ids;
  ids.reserve(text.size() / 3 + 8);
  if (add_special_tokens) ids = impl.specials.prefix;
  if (impl.raw_matcher.empty()) {
    impl.encode_plain(text, ids);
  } else {
    std::vector<TextSpan> spans;
    impl.raw_matcher.split(text, spans);
    std::string_view view(text);
    for (const TextSpan& s : spans) {
      if (s.token >= 0)
        ids.push_back(s.token);
      else
        impl.encode_plain(view.substr(s.begin, s.end - s.begin), ids);
    }
  }
  if (add_special_tokens) ids.insert(ids.end(), impl.specials.suffix.begin(), impl.specials.suffix.end());
  return ids;
}

// ---- decode and lookups ----------------------------------------------------------------------------------

std::string HfTokenizer::decode(const std::vector<int>& ids, bool skip_special_tokens) const {
  const Impl& impl = *impl_;
  std::string bytes;
  for (int id : ids) {
    if (const AddedToken* t = impl.added_token(id)) {
      if (!(skip_special_tokens && t->special)) bytes += t->content;
    } else {
      bytes += impl.model.token_bytes(id);
    }
  }
  return utf8::to_valid_lossy(bytes);
}

std::string HfTokenizer::token(int id) const {
  if (const AddedToken* t = impl_->added_token(id)) return t->content;
  return impl_->model.token(id);
}

std::string HfTokenizer::token_bytes(int id) const {
  if (const AddedToken* t = impl_->added_token(id)) return t->content;
  return impl_->model.token_bytes(id);
}

int HfTokenizer::token_to_id(const std::string& token) const { return impl_->token_to_id(token); }
int HfTokenizer::vocab_size() const { return impl_->id_end; }
bool HfTokenizer::is_special(int id) const {
  const AddedToken* t = impl_->added_token(id);
  return t && t->special;
}
int HfTokenizer::bos_id() const { return impl_->bos_id; }
int HfTokenizer::eos_id() const { return impl_->eos_id; }
int HfTokenizer::pad_id() const { return impl_->pad_id; }
const std::string& HfTokenizer::bos_token() const { return impl_->bos; }
const std::string& HfTokenizer::eos_token() const { return impl_->eos; }
const std::string& HfTokenizer::pad_token() const { return impl_->pad; }
const std::string& HfTokenizer::chat_template() const { return impl_->chat_template; }
const std::vector<int>& HfTokenizer::prefix_ids() const { return impl_->specials.prefix; }
const std::vector<int>& HfTokenizer::suffix_ids() const { return impl_->specials.suffix; }

}  // namespace r1
