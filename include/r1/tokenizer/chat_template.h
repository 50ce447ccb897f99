// A model's own chat template (the Jinja `chat_template` of tokenizer_config.json or chat_template.jinja) rendered
// the way transformers' apply_chat_template renders it: the same variables (messages, tools/documents None,
// add_generation_prompt, the special tokens), raise_exception() and strftime_now() globals, and HF's Jinja
// settings. Parse once with ChatTemplate, render per prompt.
#pragma once
#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "r1/tokenizer/jinja_template.h"

namespace r1 {

// The JSON fields are ordered_json (nlohmann::json converts to it implicitly) so that objects keep their key
// order: `tojson` and `items` show it, as Python dicts do (nlohmann::json would sort the keys of a tool schema).
struct ChatTemplateInputs {
  nlohmann::ordered_json messages;  // array of {role, content, ...}
  bool add_generation_prompt = false;
  std::string bos_token, eos_token;  // as transformers passes them; "" = the tokenizer has none (left undefined)
  nlohmann::ordered_json extra = nlohmann::ordered_json::object();  // other variables (e.g. date_string, tools)
  // strftime_now's clock: a fixed Unix time (formatted as UTC) for reproducible renders; unset = the system
  // clock in local time, as transformers.
  std::optional<std::int64_t> now_unix_seconds;
};

class ChatTemplate {
 public:
  // Throws r1::InputError "<source_name> line N: ..." when the template is outside the supported subset.
  ChatTemplate(const std::string& template_text, const std::string& source_name);

  // Throws r1::InputError for bad inputs (messages not an array, extra not an object or setting messages /
  // add_generation_prompt) and for render errors, including the template's own raise_exception(message).
  std::string render(const ChatTemplateInputs& in) const;

  const std::string& source_name() const { return template_.source_name(); }

 private:
  JinjaTemplate template_;
};

// Parses and renders in one go (use ChatTemplate to render many prompts).
std::string render_chat_template(const std::string& template_text, const std::string& source_name,
                                 const ChatTemplateInputs& in);

}  // namespace r1
