// What encode(text, add_special_tokens=true) puts around the text: the single-sequence template of a
// TemplateProcessing post-processor (ByteLevel post-processors only adjust offsets, so they add nothing).
#pragma once
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

namespace r1 {

struct SpecialsTemplate {
  std::vector<int> prefix;         // ids before the text (Llama 3: <|begin_of_text|>)
  std::vector<int> suffix;         // ids after it
  std::string first_prefix_token;  // the token of prefix[0], "" when none: the fallback bos_token
  std::string last_suffix_token;   // the token of suffix.back(), "" when none: the fallback eos_token

  // Reads the "post_processor" value (null = nothing added). InputError naming `file` for other types
  // (BertProcessing, RobertaProcessing) or a template that is not "specials, $A, specials".
  static SpecialsTemplate from_json(const nlohmann::json& spec, const std::string& file);
};

}  // namespace r1
