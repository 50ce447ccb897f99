// Prompt templates (torch-free): r1's own and the checkpoint's chat template.
#include "r1/tokenizer/prompt_template.h"

#include "r1/config/prompt_source_config.h"
#include "r1/tokenizer/chat_template.h"
#include "r1/tokenizer/tokenizer.h"
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
  if (template_name == "hf")
    throw InputError("template: hf renders the model's own chat template, which needs the model (here there is none)");
  std::string hint = closest_match(template_name, config::kTemplateNames);
  throw InputError("template: expected one of " + join(config::kTemplateNames, "|") + ", got " +
                   quote(template_name) + (hint.empty() ? "" : " (did you mean \"" + hint + "\"?)"));
}

PromptRenderer::PromptRenderer(const std::string& template_name, const Tokenizer& tokenizer, const std::string& model)
    : name_(template_name), bos_token_(tokenizer.bos_token()), eos_token_(tokenizer.eos_token()) {
  if (template_name != "hf") {
    render_prompt(template_name, "check");  // an unknown name fails here, before any data is read
    return;
  }
  if (tokenizer.chat_template().empty())
    throw InputError("template: hf: " + model +
                     " has no chat template (tokenizer_config.json chat_template or chat_template.jinja); use "
                     "r1-zero, plain or chat");
  chat_ = std::make_shared<const ChatTemplate>(tokenizer.chat_template(), model + " chat_template");
}

std::string PromptRenderer::render(const std::string& question) const {
  if (!chat_) return render_prompt(name_, question);
  return render_conversation(nlohmann::json::array({{{"role", "user"}, {"content", question}}}));
}

std::string PromptRenderer::render_conversation(const nlohmann::json& messages) const {
  if (chat_) {
    ChatTemplateInputs in;
    in.messages = messages;
    in.add_generation_prompt = true;
    in.bos_token = bos_token_;
    in.eos_token = eos_token_;
    in.now_unix_seconds = kChatTemplateDate;
    return chat_->render(in);
  }
  for (auto it = messages.rbegin(); it != messages.rend(); ++it)
    if (it->value("role", "") == "user") return render_prompt(name_, it->value("content", ""));
  throw InputError("template " + name_ + ": the conversation has no user message");
}

}  // namespace r1
