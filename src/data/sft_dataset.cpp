// SFT JSONL datasets: prompt/completion and chat-messages rows.
#include "r1/data/sft_dataset.h"

#include "r1/tokenizer/prompt_template.h"
#include "r1/util/error.h"
#include "r1/util/strings.h"

namespace r1 {

namespace {

std::string where(const std::string& path, size_t line) { return path + ":" + std::to_string(line) + ": "; }

std::string required_string(const Json& row, const std::string& field, const std::string& path, size_t line) {
  auto it = row.find(field);
  if (it == row.end()) throw InputError(where(path, line) + "missing field \"" + field + "\"");
  if (!it->is_string() || !usable_sft_text(it->get<std::string>()))
    throw InputError(where(path, line) + "field \"" + field + "\": expected a non-empty string, got " +
                     describe_json(*it));
  return it->get<std::string>();
}

}  // namespace

bool usable_sft_text(const std::string& text) { return !trim(text).empty(); }

std::vector<SftExample> load_sft_dataset(const std::string& path, const std::string& prompt_field,
                                         const std::string& completion_field, const std::string& messages_field,
                                         const PromptRenderer* renderer) {
  std::vector<SftExample> out;
  for_each_jsonl(path, [&](const Json& row, size_t line) {
    std::string question, completion, prompt;
    Json meta = Json::object();
    auto m = messages_field.empty() ? row.end() : row.find(messages_field);
    if (m != row.end()) {
      if (!m->is_array() || m->empty())
        throw InputError(where(path, line) + "field \"" + messages_field +
                         "\": expected a non-empty array of {role, content}, got " + describe_json(*m));
      int last_assistant = -1;
      for (size_t i = 0; i < m->size(); ++i) {
        const Json& msg = (*m)[i];
        std::string at = "field \"" + messages_field + "\"[" + std::to_string(i) + "]";
        if (!msg.is_object()) throw InputError(where(path, line) + at + ": expected an object, got " + describe_json(msg));
        auto role = msg.find("role");
        auto content = msg.find("content");
        if (role == msg.end() || !role->is_string())
          throw InputError(where(path, line) + at + ".role: expected a string, got " +
                           (role == msg.end() ? std::string("nothing") : describe_json(*role)));
        if (content == msg.end() || !content->is_string())
          throw InputError(where(path, line) + at + ".content: expected a string, got " +
                           (content == msg.end() ? std::string("nothing") : describe_json(*content)));
        std::string r = role->get<std::string>();
        if (r != "system" && r != "user" && r != "assistant")
          throw InputError(where(path, line) + at + ".role: expected system|user|assistant, got " + quote(r));
        if (r == "assistant") last_assistant = static_cast<int>(i);
      }
      if (last_assistant < 0) throw InputError(where(path, line) + "no assistant message in \"" + messages_field + "\"");
      completion = (*m)[static_cast<size_t>(last_assistant)]["content"].get<std::string>();
      for (int i = last_assistant - 1; i >= 0 && question.empty(); --i)
        if ((*m)[static_cast<size_t>(i)]["role"] == "user") question = (*m)[static_cast<size_t>(i)]["content"].get<std::string>();
      if (!usable_sft_text(question))
        throw InputError(where(path, line) + "no non-empty user message before the last assistant message");
      if (!usable_sft_text(completion)) throw InputError(where(path, line) + "the last assistant message is empty");
      if (renderer && renderer->uses_chat_template())
        prompt = renderer->render_conversation(Json(m->begin(), m->begin() + last_assistant));
      for (auto it = row.begin(); it != row.end(); ++it)
        if (it.key() != messages_field) meta[it.key()] = it.value();
    } else {
      if (row.find(prompt_field) == row.end() && !messages_field.empty() && row.find(completion_field) == row.end())
        throw InputError(where(path, line) + "expected either \"" + prompt_field + "\" and \"" + completion_field +
                         "\" or \"" + messages_field + "\"");
      question = required_string(row, prompt_field, path, line);
      completion = required_string(row, completion_field, path, line);
      for (auto it = row.begin(); it != row.end(); ++it)
        if (it.key() != prompt_field && it.key() != completion_field) meta[it.key()] = it.value();
    }
    meta["source_line"] = line;
    SftExample ex;
    ex.prompt = !prompt.empty() ? prompt : renderer ? renderer->render(question) : question;
    ex.completion = completion;
    ex.meta = std::move(meta);
    out.push_back(std::move(ex));
  });
  if (out.empty()) throw InputError(path + ": the SFT dataset is empty (no rows)");
  return out;
}

}  // namespace r1
