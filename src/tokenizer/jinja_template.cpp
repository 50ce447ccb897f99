// JinjaTemplate: lex + parse once, render with the built-in and added globals.
#include "r1/tokenizer/jinja_template.h"

#include "jinja_builtins.h"
#include "jinja_lexer.h"
#include "jinja_parser.h"
#include "jinja_render.h"
#include "r1/util/error.h"

namespace r1 {

namespace jinja {
struct ParsedTemplate {
  Body body;
};
}  // namespace jinja

namespace {

template <class Json>
jinja::Dict variables_from_json(const Json& variables, const std::string& source_name) {
  if (!variables.is_object())
    throw InputError(source_name + ": template variables must be a JSON object (got " +
                     std::string(variables.type_name()) + ")");
  jinja::Dict d;
  for (auto it = variables.begin(); it != variables.end(); ++it) {
    try {
      d.set(it.key(), jinja::Value::from_json(it.value()));
    } catch (const jinja::EvalError& e) {
      throw InputError(source_name + ": variable \"" + it.key() + "\": " + e.what());
    }
  }
  return d;
}

}  // namespace

JinjaTemplate JinjaTemplate::parse(const std::string& source_text, const std::string& source_name) {
  JinjaTemplate t;
  auto parsed = std::make_shared<jinja::ParsedTemplate>();
  parsed->body = jinja::parse_template(jinja::lex_template(source_text, source_name), source_name);
  t.parsed_ = std::move(parsed);
  t.source_name_ = source_name;
  t.globals_ = jinja::builtin_globals();
  return t;
}

void JinjaTemplate::add_function(const std::string& name, jinja::NativeFunction fn) {
  add_global(name, jinja::Value::function(name, std::move(fn)));
}

void JinjaTemplate::add_global(const std::string& name, jinja::Value value) {
  for (auto& g : globals_)
    if (g.first == name) {
      g.second = std::move(value);
      return;
    }
  globals_.emplace_back(name, std::move(value));
}

std::string JinjaTemplate::render(const nlohmann::json& variables) const {
  return render(variables_from_json(variables, source_name_));
}

std::string JinjaTemplate::render(const nlohmann::ordered_json& variables) const {
  return render(variables_from_json(variables, source_name_));
}

std::string JinjaTemplate::render(const jinja::Dict& variables) const {
  return jinja::render_body(parsed_->body, source_name_, globals_, variables);
}

}  // namespace r1
