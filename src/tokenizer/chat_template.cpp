// Chat templates rendered like transformers' apply_chat_template: variables, raise_exception, strftime_now.
#include "r1/tokenizer/chat_template.h"

#include <chrono>
#include <cstdio>
#include <ctime>

#include "r1/util/error.h"

namespace r1 {

namespace {

// Python's datetime.strftime for a naive datetime: glibc's strftime per directive, %f as microseconds and
// %z/%Z empty.
std::string format_time(const std::string& format, std::int64_t seconds, long micros, bool utc) {
  std::time_t t = static_cast<std::time_t>(seconds);
  std::tm tm{};
  if (utc)
    gmtime_r(&t, &tm);
  else
    localtime_r(&t, &tm);
  std::string out;
  for (size_t i = 0; i < format.size(); ++i) {
    if (format[i] != '%' || i + 1 == format.size()) {
      out += format[i];
      continue;
    }
    std::string spec = "%";
    size_t j = i + 1;
    while (j < format.size() && std::string("-_0^#EO").find(format[j]) != std::string::npos) spec += format[j++];
    if (j >= format.size()) {
      out += format.substr(i);
      break;
    }
    char c = format[j];
    i = j;
    if (c == 'f') {
      char buf[16];
      std::snprintf(buf, sizeof buf, "%06ld", micros);
      out += buf;
    } else if (c != 'z' && c != 'Z') {
      spec += c;
      char buf[256];
      size_t n = std::strftime(buf, sizeof buf, spec.c_str(), &tm);
      out.append(buf, n);
    }
  }
  return out;
}

jinja::NativeFunction strftime_function(std::optional<std::int64_t> fixed_seconds) {
  return [fixed_seconds](const jinja::CallArgs& a) {
    if (a.positional.size() != 1 || !a.keyword.empty() || !a.positional[0].is_string())
      throw jinja::EvalError("strftime_now(format) takes one string argument");
    if (fixed_seconds) return jinja::Value(format_time(a.positional[0].as_string(), *fixed_seconds, 0, true));
    auto now = std::chrono::system_clock::now().time_since_epoch();
    auto us = std::chrono::duration_cast<std::chrono::microseconds>(now).count();
    return jinja::Value(format_time(a.positional[0].as_string(), us / 1000000, static_cast<long>(us % 1000000), false));
  };
}

}  // namespace

ChatTemplate::ChatTemplate(const std::string& template_text, const std::string& source_name)
    : template_(JinjaTemplate::parse(template_text, source_name)) {
  template_.add_function("raise_exception", [](const jinja::CallArgs& a) -> jinja::Value {
    if (a.positional.size() != 1 || !a.keyword.empty())
      throw jinja::EvalError("raise_exception(message) takes one argument");
    throw jinja::EvalError(a.positional[0].str());
  });
  template_.add_function("strftime_now", strftime_function(std::nullopt));
}

std::string ChatTemplate::render(const ChatTemplateInputs& in) const {
  const std::string& name = template_.source_name();
  if (!in.messages.is_array())
    throw InputError(name + ": messages must be a JSON array of {role, content} objects (got " +
                     std::string(in.messages.type_name()) + ")");
  if (!in.extra.is_object())
    throw InputError(name + ": extra template variables must be a JSON object (got " +
                     std::string(in.extra.type_name()) + ")");
  for (const char* reserved : {"messages", "add_generation_prompt"})
    if (in.extra.contains(reserved))
      throw InputError(name + ": extra template variables must not set \"" + reserved + "\" (it has its own field)");

  // transformers: render(messages=, tools=, documents=, add_generation_prompt=, **special_tokens, **kwargs)
  nlohmann::ordered_json vars = nlohmann::ordered_json::object();
  vars["tools"] = nullptr;
  vars["documents"] = nullptr;
  if (!in.bos_token.empty()) vars["bos_token"] = in.bos_token;
  if (!in.eos_token.empty()) vars["eos_token"] = in.eos_token;
  for (auto it = in.extra.begin(); it != in.extra.end(); ++it) vars[it.key()] = it.value();
  vars["messages"] = in.messages;
  vars["add_generation_prompt"] = in.add_generation_prompt;
  if (!in.now_unix_seconds) return template_.render(vars);

  JinjaTemplate fixed_clock = template_;
  fixed_clock.add_function("strftime_now", strftime_function(in.now_unix_seconds));
  return fixed_clock.render(vars);
}

std::string render_chat_template(const std::string& template_text, const std::string& source_name,
                                 const ChatTemplateInputs& in) {
  return ChatTemplate(template_text, source_name).render(in);
}

}  // namespace r1
