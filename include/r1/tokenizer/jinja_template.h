// A Jinja template in the subset real chat templates use, parsed once and rendered many times with Hugging Face's
// settings (trim_blocks, lstrip_blocks, no trailing newline kept, an immutable sandbox where only namespace()
// objects change). Anything outside the subset is an r1::InputError naming the template, the line and the
// construct — never a silently different render.
#pragma once
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <utility>
#include <vector>

#include "r1/tokenizer/jinja_value.h"

namespace r1 {

namespace jinja {
struct ParsedTemplate;
}

class JinjaTemplate {
 public:
  // `source_name` names the template in every error ("chat_template (tokenizer_config.json)").
  // Throws r1::InputError "<source_name> line N: ..." for syntax errors and unsupported statements, filters
  // and tests.
  static JinjaTemplate parse(const std::string& source_text, const std::string& source_name);

  // Makes a function callable from the template (raise_exception, strftime_now, ...); a variable of the same
  // name passed to render() shadows it. The function throws jinja::EvalError to fail the render at its call.
  void add_function(const std::string& name, jinja::NativeFunction fn);
  // Any other global value.
  void add_global(const std::string& name, jinja::Value value);

  // Renders with `variables` (a JSON object: names to values). ordered_json keeps object key order, which
  // `tojson` and `items` show (nlohmann::json sorts keys). Throws r1::InputError "<source_name> line N: ..."
  // for runtime errors (an undefined value used in +, a type error, raise_exception(...)).
  std::string render(const nlohmann::json& variables) const;
  std::string render(const nlohmann::ordered_json& variables) const;
  std::string render(const jinja::Dict& variables) const;

  const std::string& source_name() const { return source_name_; }

 private:
  JinjaTemplate() = default;
  std::shared_ptr<const jinja::ParsedTemplate> parsed_;
  std::string source_name_;
  std::vector<std::pair<std::string, jinja::Value>> globals_;
};

}  // namespace r1
