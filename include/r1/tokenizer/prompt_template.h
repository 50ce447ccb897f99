// Prompt templates: r1-zero (the DeepSeek-R1 paper's R1-Zero template), plain and chat, which end so that the
// completion follows after one space and starts with "<think>"; and hf, the checkpoint's own chat template
// (tokenizer_config.json's chat_template or chat_template.jinja) rendered as transformers' apply_chat_template
// renders it, with the generation prompt.
#pragma once
#include <cstdint>
#include <memory>
#include <string>

#include <nlohmann/json.hpp>

namespace r1 {

class ChatTemplate;
class Tokenizer;

// The paper's R1-Zero preamble (up to and including "answer here </answer>.").
extern const char* const kR1ZeroPreamble;

// Renders `question` with one of r1's own templates:
//   r1-zero: "<preamble> User: {question}. Assistant:"  (no "." added after a question ending in . ? or !)
//   plain:   "Question: {question}\nAnswer:"
//   chat:    "User: {question}\nAssistant:"
// Throws InputError listing the names for an unknown template, and for hf (which needs a tokenizer: use
// PromptRenderer).
std::string render_prompt(const std::string& template_name, const std::string& question);

// The text that goes between a rendered prompt and its completion with r1's own templates: one space.
inline const char* const kCompletionSeparator = " ";

// The date strftime_now() gives chat templates (Llama 3.x print "Today Date"): 26 Jul 2024, the Llama templates'
// own default, fixed so that a prompt renders the same on any day and runs stay reproducible.
constexpr std::int64_t kChatTemplateDate = 1721952000;

// A template bound to a model's tokenizer: any of r1's own, or hf.
class PromptRenderer {
 public:
  // InputError for an unknown name, or hf with a tokenizer that has no chat template (naming `model`).
  PromptRenderer(const std::string& template_name, const Tokenizer& tokenizer, const std::string& model = "the model");
  // One question as a prompt (hf: a single user message, with the generation prompt).
  std::string render(const std::string& question) const;
  // A conversation up to the turn the model writes (hf: rendered whole with the generation prompt; r1's own
  // templates: the last user message as the question). `messages`: [{role, content}, ...].
  std::string render_conversation(const nlohmann::json& messages) const;
  bool uses_chat_template() const { return static_cast<bool>(chat_); }
  const std::string& name() const { return name_; }

 private:
  std::string name_;
  std::shared_ptr<const ChatTemplate> chat_;  // hf only
  std::string bos_token_, eos_token_;
};

}  // namespace r1
