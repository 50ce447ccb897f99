// Prompt templates (torch-free).
#include "r1/tokenizer/prompt_template.h"

#include "r1/config/prompt_source_config.h"
#include "r1/util/error.h"
#include "r1/util/strings.h"

namespace r1 {

const char* const kR1ZeroPreamble =
    "A conversation between User and Assistant. The user asks a question, and the Assistant solves it. The "
    "assistant first thinks about the reasoning process in the mind and then provides the user with the answer. "
    "The reasoning process and answer are enclosed within <think> </think> and <answer> </answer> tags, "
    "respectively, i.e., <think> reasoning process here </think> <answer> answer here </answer>.";

std::string render_prompt(const std::string& template_name, const std::string& question) {
  std::string q = trim(question);
  if (template_name == "r1-zero") {
    bool punctuated = !q.empty() && (q.back() == '.' || q.back() == '?' || q.back() == '!');
    return std::string(kR1ZeroPreamble) + " User: " + q + (punctuated ? "" : ".") + " Assistant:";
  }
  if (template_name == "plain") return "Question: " + q + "\nAnswer:";
  if (template_name == "chat") return "User: " + q + "\nAssistant:";
  std::string hint = closest_match(template_name, config::kTemplateNames);
  throw InputError("template: expected one of " + join(config::kTemplateNames, "|") + ", got " +
                   quote(template_name) + (hint.empty() ? "" : " (did you mean \"" + hint + "\"?)"));
}

}  // namespace r1
