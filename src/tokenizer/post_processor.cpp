// Reading a post_processor (TemplateProcessing, ByteLevel, Sequence) into the ids added around the text.
#include "r1/tokenizer/post_processor.h"

#include "r1/tokenizer/hf_json.h"

namespace r1 {
namespace {

constexpr const char* kSupported = "supported: TemplateProcessing, ByteLevel, a Sequence of those, or null";

struct Reader {
  const std::string& file;
  SpecialsTemplate& out;
  bool has_template = false;

  void read(const nlohmann::json& spec, const std::string& path) {
    if (spec.is_null()) return;
    std::string type = hf_json::type_of(spec, file, path);
    if (type == "ByteLevel") return;  // offsets only
    if (type == "Sequence") {
      const auto& list = hf_json::require(spec, "processors", file, path);
      std::string list_path = hf_json::child_path(path, "processors");
      if (!list.is_array()) hf_json::fail(file, list_path, "expected a list, got " + hf_json::describe(list));
      for (size_t i = 0; i < list.size(); ++i) read(list[i], hf_json::item_path(list_path, i));
    } else if (type == "TemplateProcessing") {
      if (has_template) hf_json::fail(file, path, "a second TemplateProcessing is not supported");
      has_template = true;
      read_template(spec, path);
    } else {
      hf_json::fail(file, hf_json::child_path(path, "type"),
                    "unsupported post-processor type \"" + type + "\" (" + kSupported + ")");
    }
  }

  // The ids and first token of the special token `name` from the template's "special_tokens".
  void special_ids(const nlohmann::json& spec, const std::string& name, const std::string& path, std::vector<int>& ids,
                   std::string& first_token) {
    std::string specials_path = hf_json::child_path(path, "special_tokens");
    const auto& specials = hf_json::require(spec, "special_tokens", file, path);
    const auto& entry = hf_json::require(specials, name, file, specials_path);
    std::string entry_path = hf_json::child_path(specials_path, name);
    const auto& list = hf_json::require(entry, "ids", file, entry_path);
    if (!list.is_array() || list.empty())
      hf_json::fail(file, entry_path + ".ids", "expected a non-empty list of ids, got " + hf_json::describe(list));
    for (const auto& id : list) {
      if (!id.is_number_integer() || id.get<long long>() < 0)
        hf_json::fail(file, entry_path + ".ids", "expected ids, got " + hf_json::describe(id));
      ids.push_back(id.get<int>());
    }
    const auto* tokens = hf_json::find(entry, "tokens", file, entry_path);
    first_token = tokens && tokens->is_array() && !tokens->empty() && (*tokens)[0].is_string()
                      ? (*tokens)[0].get<std::string>()
                      : name;
  }

  void read_template(const nlohmann::json& spec, const std::string& path) {
    std::string single_path = hf_json::child_path(path, "single");
    const auto& single = hf_json::require(spec, "single", file, path);
    if (!single.is_array())
      hf_json::fail(file, single_path,
                    "expected a list of {\"SpecialToken\"} / {\"Sequence\"} items, got " + hf_json::describe(single));
    bool seen_sequence = false;
    for (size_t i = 0; i < single.size(); ++i) {
      std::string item_path = hf_json::item_path(single_path, i);
      const auto& item = single[i];
      if (const auto* seq = hf_json::find(item, "Sequence", file, item_path)) {
        std::string seq_id = hf_json::get_string(*seq, "id", file, item_path + ".Sequence");
        if (seq_id != "A" || seen_sequence)
          hf_json::fail(file, item_path,
                        "the single-sequence template must hold $A once (got " + hf_json::describe(seq_id) + ")");
        seen_sequence = true;
      } else if (const auto* special = hf_json::find(item, "SpecialToken", file, item_path)) {
        std::string name = hf_json::get_string(*special, "id", file, item_path + ".SpecialToken");
        std::vector<int>& ids = seen_sequence ? out.suffix : out.prefix;
        size_t before = ids.size();
        std::string first;
        special_ids(spec, name, path, ids, first);
        if (!seen_sequence && before == 0) out.first_prefix_token = first;
        if (seen_sequence) out.last_suffix_token = first;
      } else {
        hf_json::fail(file, item_path,
                      "expected {\"SpecialToken\": ...} or {\"Sequence\": ...}, got " + hf_json::describe(item));
      }
    }
    if (!seen_sequence) hf_json::fail(file, single_path, "the template has no {\"Sequence\": {\"id\": \"A\"}}");
  }
};

}  // namespace

SpecialsTemplate SpecialsTemplate::from_json(const nlohmann::json& spec, const std::string& file) {
  SpecialsTemplate t;
  Reader reader{file, t};
  reader.read(spec, "post_processor");
  return t;
}

}  // namespace r1
