// Real Hugging Face tokenizers through r1: the Tokenizer facade (tokenizer.json wins over tokenizer.model),
// template hf (the checkpoint's own chat template) for prompts and SFT conversations, BOS handling, checkpoints
// that carry tokenizer.json as released, and the `r1 tokenize` / `r1 generate --json` commands.
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>

#include "../support/test_support.h"
#include "r1/data/sft_dataset.h"
#include "r1/generate/sampler.h"
#include "r1/io/checkpoint.h"
#include "r1/tokenizer/hf_tokenizer.h"
#include "r1/tokenizer/prompt_template.h"
#include "r1/train/model_bundle.h"
#include "r1/util/error.h"
#include "r1/util/fs.h"

using namespace r1;
namespace fs = std::filesystem;

namespace {

std::string hf_dir(const std::string& name) { return test::shared_dir() + "/hf/" + name; }

const Tokenizer& qwen() {
  static const Tokenizer tok = Tokenizer::load(hf_dir("qwen2.5"));
  return tok;
}

const char* const kQwenSystem = "<|im_start|>system\nYou are Qwen, created by Alibaba Cloud. You are a helpful "
                                "assistant.<|im_end|>\n";

std::string write_text(const std::string& dir, const std::string& name, const std::string& text) {
  std::ofstream(dir + "/" + name, std::ios::binary) << text;
  return dir + "/" + name;
}

// A micro model with the Qwen2.5 tokenizer, saved as a checkpoint (written once per process).
const std::string& qwen_checkpoint() {
  static const std::string dir = [] {
    std::string root = test::temp_dir("qwen_micro");
    auto cfg = test::micro_model_config();
    auto bundle = train::fresh_model(cfg, qwen(), 3, torch::kCPU);
    return save_checkpoint(root, "final", train::checkpoint_content(bundle), 0);
  }();
  return dir;
}

}  // namespace

TEST_CASE("Tokenizer loads tokenizer.json (it wins over tokenizer.model) with its special tokens", "[tokenizer]") {
  const Tokenizer& tok = qwen();
  REQUIRE(tok.kind() == Tokenizer::Kind::kHfBpe);
  REQUIRE(tok.vocab_size() == 151665);
  REQUIRE(tok.eos_id() == 151645);  // <|im_end|>
  REQUIRE(tok.pad_id() == 151643);  // <|endoftext|>
  REQUIRE(tok.bos_id() == -1);
  REQUIRE_FALSE(tok.chat_template().empty());
  REQUIRE(tok.files().count("tokenizer.json") == 1);
  REQUIRE(tok.files().count("tokenizer_config.json") == 1);
  const std::string text = "<|im_start|>user\nWhat is 12 + 7?<|im_end|>";
  REQUIRE(tok.encode(text) == HfTokenizer::load(hf_dir("qwen2.5")).encode(text));
  REQUIRE(tok.encode(text).front() == 151644);
  REQUIRE(tok.decode(tok.encode(text)) == "user\nWhat is 12 + 7?");  // special tokens left out
  REQUIRE(tok.decode(tok.encode(text), /*keep_special=*/true) == text);
  REQUIRE(tok.id_to_piece(tok.encode(" the").front()) == "Ġthe");
  REQUIRE(tok.piece_text(tok.encode(" the").front()) == " the");

  // A directory holding both files loads tokenizer.json, as Hugging Face's fast tokenizers do.
  std::string both = test::temp_dir("both_tokenizers");
  fs::copy_file(hf_dir("qwen2/tokenizer.json"), both + "/tokenizer.json");
  fs::copy_file(test::tiny_tokenizer_dir() + "/tokenizer.model", both + "/tokenizer.model");
  REQUIRE(Tokenizer::load(both).kind() == Tokenizer::Kind::kHfBpe);
  REQUIRE(Tokenizer::load(both).eos_id() == -1);  // Qwen2's tokenizer.json alone names none (its config does)
  REQUIRE(Tokenizer::load(both + "/tokenizer.model").kind() == Tokenizer::Kind::kSentencePiece);
  REQUIRE_THROWS_WITH(Tokenizer::load(test::temp_dir("no_tokenizer")),
                      Catch::Contains("no tokenizer.json or tokenizer.model"));
}

TEST_CASE("template hf renders the model's chat template, BOS is never doubled", "[tokenizer]") {
  PromptRenderer hf("hf", qwen());
  const std::string prompt = hf.render("What is 2 + 2?");
  REQUIRE(prompt == std::string(kQwenSystem) + "<|im_start|>user\nWhat is 2 + 2?<|im_end|>\n<|im_start|>assistant\n");
  REQUIRE(generate::encode_prompt(qwen(), prompt) == qwen().encode(prompt));  // Qwen has no BOS

  // Llama 3.1: the template writes <|begin_of_text|> itself; with r1's own templates r1 adds it.
  Tokenizer llama = Tokenizer::load(hf_dir("llama3.1"));
  REQUIRE(llama.bos_id() == 128000);
  const std::string lp = PromptRenderer("hf", llama).render("Hi");
  REQUIRE(lp.rfind("<|begin_of_text|>", 0) == 0);
  REQUIRE(lp.find("Today Date: 26 Jul 2024") != std::string::npos);  // strftime_now is fixed: reproducible
  auto ids = generate::encode_prompt(llama, lp);
  REQUIRE(ids[0] == 128000);
  REQUIRE(ids[1] != 128000);
  auto chat = generate::encode_prompt(llama, PromptRenderer("chat", llama).render("Hi"));
  REQUIRE(chat[0] == 128000);
  REQUIRE(chat[1] != 128000);
  REQUIRE(llama.encode_with_special_tokens("Hi").front() == 128000);

  // A tokenizer without a chat template cannot render hf.
  REQUIRE_THROWS_WITH(PromptRenderer("hf", test::tiny_tokenizer(), "runs/x/base/final"),
                      Catch::Contains("runs/x/base/final has no chat template"));
}

TEST_CASE("SFT conversations with template hf are rendered whole up to the answer", "[tokenizer]") {
  std::string dir = test::temp_dir("sft_hf");
  std::string path = write_text(
      dir, "chat.jsonl",
      R"({"messages": [{"role": "system", "content": "Be brief."}, {"role": "user", "content": "Hi"},)"
      R"( {"role": "assistant", "content": "Hello."}, {"role": "user", "content": "What is 4 + 4?"},)"
      R"( {"role": "assistant", "content": "<think> 8 </think> <answer> 8 </answer>"}]})"
      "\n");
  PromptRenderer hf("hf", qwen());
  auto rows = load_sft_dataset(path, "prompt", "completion", "messages", &hf);
  REQUIRE(rows.size() == 1);
  REQUIRE(rows[0].prompt ==
          "<|im_start|>system\nBe brief.<|im_end|>\n<|im_start|>user\nHi<|im_end|>\n<|im_start|>assistant\n"
          "Hello.<|im_end|>\n<|im_start|>user\nWhat is 4 + 4?<|im_end|>\n<|im_start|>assistant\n");
  REQUIRE(rows[0].completion == "<think> 8 </think> <answer> 8 </answer>");
}

TEST_CASE("a checkpoint carries tokenizer.json and the model's tokenizer_config.json as released", "[tokenizer]") {
  const std::string& ck = qwen_checkpoint();
  REQUIRE(is_complete_checkpoint(ck));
  REQUIRE_FALSE(fs::exists(ck + "/tokenizer.model"));
  REQUIRE(read_file(ck + "/tokenizer.json") == read_file(hf_dir("qwen2.5/tokenizer.json")));
  REQUIRE(read_file(ck + "/tokenizer_config.json") == read_file(hf_dir("qwen2.5/tokenizer_config.json")));
  auto loaded = train::load_model(ck, torch::kCPU);
  REQUIRE(loaded.tokenizer.same_as(qwen()));
  REQUIRE(loaded.tokenizer.eos_id() == 151645);
  REQUIRE_FALSE(loaded.tokenizer.same_as(test::tiny_tokenizer()));
}

TEST_CASE("r1 tokenize: text, JSONL, chat, special tokens, tables and errors", "[tokenizer][cli]") {
  std::string dir = test::temp_dir("tokenize_cli");
  const std::string qwen_opt = " --tokenizer " + hf_dir("qwen2.5");
  auto r = test::run_r1("tokenize" + qwen_opt + " --json --text '<|im_start|>user\nHi<|im_end|>'");
  INFO(r.output);
  REQUIRE(r.exit_code == 0);
  Json j = Json::parse(r.output.substr(0, r.output.find('\n')));
  const std::string text = "<|im_start|>user\nHi<|im_end|>";
  REQUIRE(j["text"] == text);
  REQUIRE(j["ids"].get<std::vector<int>>() == qwen().encode(text));
  REQUIRE(j["tokens"][0] == "<|im_start|>");

  write_text(dir, "rows.jsonl", "{\"text\": \"a b\"}\n{\"text\": \"\"}\n");
  auto rows = test::run_r1("tokenize" + qwen_opt + " --json --input " + dir + "/rows.jsonl");
  REQUIRE(rows.exit_code == 0);
  REQUIRE(rows.output.find("{\"ids\":[],\"text\":\"\",\"tokens\":[]}") != std::string::npos);

  write_text(dir, "chat.json", R"([{"role": "user", "content": "Hi"}])");
  auto chat = test::run_r1("tokenize --model " + qwen_checkpoint() + " --json --chat " + dir +
                           "/chat.json --add-generation-prompt");
  INFO(chat.output);
  REQUIRE(chat.exit_code == 0);
  Json c = Json::parse(chat.output.substr(0, chat.output.find('\n')));
  REQUIRE(c["text"] == std::string(kQwenSystem) + "<|im_start|>user\nHi<|im_end|>\n<|im_start|>assistant\n");

  auto bos = test::run_r1("tokenize --tokenizer " + hf_dir("llama3.1") + " --json --add-special-tokens --text Hi");
  REQUIRE(bos.exit_code == 0);
  REQUIRE(Json::parse(bos.output)["ids"][0] == 128000);
  auto table = test::run_r1("tokenize" + qwen_opt + " --text ' the'");
  REQUIRE(table.exit_code == 0);
  REQUIRE(table.output.find("\"Ġthe\"") != std::string::npos);
  REQUIRE(table.output.find("1 tokens") != std::string::npos);

  auto bad_utf8 = test::run_r1("tokenize" + qwen_opt + " --text \"$(printf 'ab\\377c')\"");
  REQUIRE(bad_utf8.exit_code == 2);
  REQUIRE(bad_utf8.output.find("not valid UTF-8") != std::string::npos);
  std::string wp = test::temp_dir("wordpiece");
  write_text(wp, "tokenizer.json", R"({"model": {"type": "WordPiece", "vocab": {"a": 0}}})");
  auto wordpiece = test::run_r1("tokenize --tokenizer " + wp + " --text a");
  REQUIRE(wordpiece.exit_code == 2);
  REQUIRE(wordpiece.output.find("WordPiece models are not supported") != std::string::npos);
  auto neither = test::run_r1("tokenize" + qwen_opt);
  REQUIRE(neither.exit_code == 2);
  auto no_template = test::run_r1("tokenize --tokenizer " + test::tiny_tokenizer_dir() + " --chat " + dir + "/chat.json");
  REQUIRE(no_template.exit_code == 2);
  REQUIRE(no_template.output.find("no chat template") != std::string::npos);
}

TEST_CASE("r1 generate --template hf --json prints the prompt's ids beside the completion's", "[tokenizer][cli]") {
  auto r = test::run_r1("generate --model " + qwen_checkpoint() +
                        " --template hf --prompt 'What is 1 + 1?' --max-new-tokens 3 --json");
  INFO(r.output);
  REQUIRE(r.exit_code == 0);
  Json j = Json::parse(r.output.substr(0, r.output.find('\n')));
  const std::string prompt = PromptRenderer("hf", qwen()).render("What is 1 + 1?");
  REQUIRE(j["prompt_ids"].get<std::vector<int>>() == qwen().encode(prompt));
  REQUIRE(j["completion_ids"].size() == 3);
}
