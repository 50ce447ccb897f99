// Prompt templates: r1-zero (the DeepSeek-R1 paper's R1-Zero template), plain and chat. Every template ends so
// that the completion follows after ONE space, and the completion itself starts with "<think>".
#pragma once
#include <string>

namespace r1 {

// The paper's R1-Zero preamble (up to and including "answer here </answer>.").
extern const char* const kR1ZeroPreamble;

// Renders `question` with the template:
//   r1-zero: "<preamble> User: {question}. Assistant:"  (no "." added after a question ending in . ? or !)
//   plain:   "Question: {question}\nAnswer:"
//   chat:    "User: {question}\nAssistant:"
// Throws InputError listing the names for an unknown template.
std::string render_prompt(const std::string& template_name, const std::string& question);

// The text that goes between a rendered prompt and its completion: one space.
inline const char* const kCompletionSeparator = " ";

}  // namespace r1
