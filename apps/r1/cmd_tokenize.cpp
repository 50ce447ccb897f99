// `r1 tokenize (--model DIR | --tokenizer DIR) (--text T | --input F.jsonl | --chat MSGS.json) [--json]`: what a
// model's tokenizer makes of a text, a file of {"text": ...} rows, or a conversation rendered with the model's
// chat template — the tool for debugging prompts (as llama-tokenize is for llama.cpp). Like HF
// encode(text, add_special_tokens=False): special tokens written in the text are recognised and nothing is added,
// unless --add-special-tokens.
#include <iomanip>
#include <iostream>

#include "commands.h"
#include "r1/io/checkpoint.h"
#include "r1/io/jsonl.h"
#include "r1/tokenizer/chat_template.h"
#include "r1/tokenizer/prompt_template.h"
#include "r1/tokenizer/tokenizer.h"
#include "r1/util/error.h"
#include "r1/util/fs.h"

namespace r1::cli {

namespace {

struct TokenizeOptions {
  std::string model, tokenizer, text, input, chat, template_name = "none";
  bool add_generation_prompt = false, add_special_tokens = false, json = false;
};

Tokenizer load(const TokenizeOptions& o) {
  if (o.model.empty() == o.tokenizer.empty()) throw InputError("r1 tokenize: give one of --model DIR or --tokenizer DIR");
  return Tokenizer::load(o.model.empty() ? o.tokenizer : resolve_checkpoint_dir(o.model));
}

// The texts to tokenize, in order.
std::vector<std::string> texts(const TokenizeOptions& o, const Tokenizer& tok) {
  const int given = !o.text.empty() + !o.input.empty() + !o.chat.empty();
  if (given != 1) throw InputError("r1 tokenize: give exactly one of --text, --input or --chat");
  if (!o.chat.empty()) {
    if (tok.chat_template().empty())
      throw InputError("--chat: the tokenizer has no chat template (tokenizer_config.json chat_template)");
    Json doc = Json::parse(read_file(o.chat), nullptr, false);
    if (doc.is_discarded()) throw InputError(o.chat + ": not valid JSON (expected a list of {role, content})");
    if (doc.is_object() && doc.contains("messages")) doc = doc["messages"];
    if (!doc.is_array()) throw InputError(o.chat + ": expected a list of {role, content} messages, got " +
                                          describe_json(doc));
    ChatTemplateInputs in;
    in.messages = doc;
    in.add_generation_prompt = o.add_generation_prompt;
    in.bos_token = tok.bos_token();
    in.eos_token = tok.eos_token();
    in.now_unix_seconds = kChatTemplateDate;
    return {render_chat_template(tok.chat_template(), o.chat + " (chat template)", in)};
  }
  std::vector<std::string> raw;
  if (!o.text.empty()) raw.push_back(o.text);
  else for_each_jsonl(o.input, [&](const Json& row, size_t line) { raw.push_back(jsonl_string(row, "text", o.input, line)); });
  if (o.template_name == "none") return raw;
  PromptRenderer renderer(o.template_name, tok, o.model.empty() ? o.tokenizer : o.model);
  for (auto& t : raw) t = renderer.render(t);
  return raw;
}

void print_table(const std::string& text, const std::vector<int>& ids, const Tokenizer& tok) {
  std::cout << Json(text).dump(-1, ' ', false, Json::error_handler_t::replace) << ": " << ids.size() << " tokens\n";
  for (int id : ids)
    std::cout << std::setw(8) << id << "  "
              << Json(tok.id_to_piece(id)).dump(-1, ' ', false, Json::error_handler_t::replace) << "\n";
}

int run_tokenize(const TokenizeOptions& o) {
  Tokenizer tok = load(o);
  for (const auto& text : texts(o, tok)) {
    std::vector<int> ids = o.add_special_tokens ? tok.encode_with_special_tokens(text) : tok.encode(text);
    if (!o.json) {
      print_table(text, ids, tok);
      continue;
    }
    Json pieces = Json::array();
    for (int id : ids) pieces.push_back(tok.id_to_piece(id));
    std::cout << Json{{"text", text}, {"ids", ids}, {"tokens", pieces}}.dump(-1, ' ', false,
                                                                             Json::error_handler_t::replace)
              << "\n";
  }
  return kExitOk;
}

}  // namespace

void register_tokenize(CLI::App& app, Action& action) {
  auto o = std::make_shared<TokenizeOptions>();
  auto* cmd = app.add_subcommand("tokenize", "Show the token ids and pieces a model's tokenizer makes of a text, a "
                                             "JSONL file or a chat (debugging prompts)");
  cmd->add_option("--model", o->model, "Checkpoint, stage or Hugging Face model directory");
  cmd->add_option("--tokenizer", o->tokenizer, "Directory with tokenizer.json (or tokenizer.model), or the file");
  cmd->add_option("--text", o->text, "Text to tokenize");
  cmd->add_option("--input", o->input, "JSONL file of {\"text\": ...} rows");
  cmd->add_option("--chat", o->chat, "JSON file of messages [{role, content}, ...], rendered with the chat template");
  cmd->add_flag("--add-generation-prompt", o->add_generation_prompt, "With --chat: end with the assistant prompt");
  cmd->add_flag("--add-special-tokens", o->add_special_tokens,
                "Add the tokenizer's BOS/EOS as its config says (HF add_special_tokens=True)");
  cmd->add_option("--template", o->template_name,
                  "With --text/--input: render each text as a question first: none | r1-zero | plain | chat | hf")
      ->capture_default_str();
  cmd->add_flag("--json", o->json, "One JSON object per input: {text, ids, tokens}");
  cmd->callback([o, &action] { action = [o] { return run_tokenize(*o); }; });
}

}  // namespace r1::cli
