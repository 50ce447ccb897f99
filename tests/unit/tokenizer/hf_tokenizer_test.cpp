// HfTokenizer on the real tokenizer files under ../shared/hf: the 46 + 46 HF reference cases (Qwen2, Llama 3),
// added tokens in text, special-token settings from tokenizer_config.json, long runs, decode, threads.
#include <catch2/catch.hpp>

#include <fstream>
#include <map>
#include <memory>
#include <sstream>
#include <thread>

#include "../../support/test_support.h"
#include "r1/tokenizer/byte_level.h"
#include "r1/tokenizer/hf_tokenizer.h"
#include "r1/util/error.h"
#include "r1/util/fs.h"
#include "r1/util/strings.h"

using r1::HfTokenizer;

namespace {

std::string hf_dir(const std::string& name) { return r1::test::shared_dir() + "/hf/" + name; }

// One tokenizer per directory for the whole test run (loading takes a fraction of a second).
const HfTokenizer& cached(const std::string& name) {
  static std::map<std::string, std::unique_ptr<HfTokenizer>> loaded;
  auto& slot = loaded[name];
  if (!slot) slot = std::make_unique<HfTokenizer>(HfTokenizer::load(hf_dir(name)));
  return *slot;
}

struct VocabCase {
  std::string text;
  std::vector<int> ids;
};

// The llama.cpp test files: strings separated by "\n__ggml_vocab_test__\n", one line of ids per string.
std::vector<VocabCase> read_cases(const std::string& name) {
  std::string base = r1::test::shared_dir() + "/hf/testcases/" + name;
  std::string inp = r1::read_file(base + ".inp");
  const std::string sep = "\n__ggml_vocab_test__\n";
  std::vector<std::string> texts;
  size_t start = 0;
  for (size_t at; (at = inp.find(sep, start)) != std::string::npos; start = at + sep.size())
    texts.push_back(inp.substr(start, at - start));
  REQUIRE(start == inp.size());  // every string is followed by the separator
  std::istringstream out(r1::read_file(base + ".out"));
  std::vector<VocabCase> cases;
  std::string line;
  for (const auto& text : texts) {
    REQUIRE(std::getline(out, line));
    VocabCase c{text, {}};
    std::istringstream ids(line);
    for (int id; ids >> id;) c.ids.push_back(id);
    cases.push_back(std::move(c));
  }
  return cases;
}

void check_cases(const HfTokenizer& tok, const std::string& name) {
  auto cases = read_cases(name);
  REQUIRE(cases.size() == 46);
  int matched = 0;
  for (size_t i = 0; i < cases.size(); ++i) {
    INFO(name << " case " << i << ": " << r1::quote(cases[i].text, 80));
    auto ids = tok.encode(cases[i].text);
    CHECK(ids == cases[i].ids);
    CHECK(tok.decode(ids) == cases[i].text);
    if (ids == cases[i].ids) ++matched;
  }
  CHECK(matched == 46);
}

std::vector<int> byte_ids(const HfTokenizer& tok, const std::string& bytes) {
  std::vector<int> ids;
  for (char c : bytes) ids.push_back(tok.token_to_id(r1::byte_level::char_of(static_cast<unsigned char>(c))));
  return ids;
}

}  // namespace

TEST_CASE("qwen2 tokenizer.json matches HF on the 46 reference strings", "[tokenizer]") {
  const HfTokenizer& tok = cached("qwen2");
  check_cases(tok, "qwen2");
  REQUIRE(tok.vocab_size() == 151646);
  REQUIRE(tok.bos_id() == -1);
  REQUIRE(tok.prefix_ids().empty());
}

TEST_CASE("llama 3.1 tokenizer.json matches HF on the 46 reference strings", "[tokenizer]") {
  const HfTokenizer& tok = cached("llama3.1");
  check_cases(tok, "llama-bpe");
  REQUIRE(tok.vocab_size() == 128256);
  // ignore_merges: a pre-token found in the vocabulary is one token.
  REQUIRE(tok.encode("Cửa Việt") == std::vector<int>{34, 91163, 101798});
}

TEST_CASE("added tokens in text are found before pre-tokenisation (Qwen2.5)", "[tokenizer]") {
  const HfTokenizer& tok = cached("qwen2.5");
  auto ids = tok.encode("<|im_start|>user\nHi<|im_end|>\n");
  REQUIRE(ids == std::vector<int>{151644, 872, 198, 13048, 151645, 198});
  REQUIRE(tok.token(151644) == "<|im_start|>");
  REQUIRE(tok.is_special(151644));
  REQUIRE(tok.is_special(151645));
  REQUIRE_FALSE(tok.is_special(872));
  REQUIRE(tok.decode(ids) == "<|im_start|>user\nHi<|im_end|>\n");
  // Text glued to an added token still splits there; a broken token name is plain text.
  REQUIRE(tok.encode("a<|im_end|>b") == std::vector<int>{tok.encode("a")[0], 151645, tok.encode("b")[0]});
  auto broken = tok.encode("<|im_end|");
  REQUIRE(std::find(broken.begin(), broken.end(), 151645) == broken.end());
  REQUIRE(tok.decode(broken) == "<|im_end|");
  // Non-special added tokens are matched too.
  REQUIRE(tok.encode("<tool_call>") == std::vector<int>{151657});
  REQUIRE_FALSE(tok.is_special(151657));
}

TEST_CASE("decode can skip special tokens but keeps other added tokens", "[tokenizer]") {
  const HfTokenizer& tok = cached("qwen2.5");
  auto ids = tok.encode("<|im_start|>user\nHi<tool_call><|im_end|><|endoftext|>");
  REQUIRE(tok.decode(ids, true) == "user\nHi<tool_call>");
  REQUIRE(tok.decode(ids, false) == "<|im_start|>user\nHi<tool_call><|im_end|><|endoftext|>");
}

TEST_CASE("tokenizer_config.json gives special tokens and the chat template", "[tokenizer]") {
  SECTION("qwen2.5: no bos, eos <|im_end|>, pad <|endoftext|>") {
    const HfTokenizer& tok = cached("qwen2.5");
    REQUIRE(tok.vocab_size() == 151665);
    REQUIRE(tok.bos_id() == -1);
    REQUIRE(tok.bos_token().empty());
    REQUIRE(tok.eos_token() == "<|im_end|>");
    REQUIRE(tok.eos_id() == 151645);
    REQUIRE(tok.pad_id() == 151643);
    REQUIRE(r1::starts_with(tok.chat_template(), "{%- if tools %}"));
    REQUIRE(tok.encode("Hi", true) == tok.encode("Hi"));  // add_bos_token: false, no template
  }
  SECTION("llama 3.1 directory: bos 128000 once, eos <|eot_id|>") {
    const HfTokenizer& tok = cached("llama3.1");
    REQUIRE(tok.bos_id() == 128000);
    REQUIRE(tok.bos_token() == "<|begin_of_text|>");
    REQUIRE(tok.eos_id() == 128009);
    REQUIRE(tok.pad_id() == -1);
    REQUIRE(tok.prefix_ids() == std::vector<int>{128000});
    REQUIRE(r1::starts_with(tok.chat_template(), "{{- bos_token }}"));
  }
  SECTION("llama 3.1 tokenizer.json alone: bos and eos from the post-processor") {
    HfTokenizer tok = HfTokenizer::load(hf_dir("llama3.1") + "/tokenizer.json");
    REQUIRE(tok.bos_id() == 128000);
    REQUIRE(tok.bos_token() == "<|begin_of_text|>");
    REQUIRE(tok.eos_id() == -1);
    REQUIRE(tok.chat_template().empty());
    REQUIRE(tok.encode("Hello", true) == std::vector<int>{128000, 9906});
  }
  SECTION("chat_template.jinja is used when the config has none") {
    std::string dir = r1::test::temp_dir("hf_jinja");
    r1::write_file_atomic(dir + "/tokenizer.json", r1::read_file(hf_dir("qwen2") + "/tokenizer.json"));
    r1::write_file_atomic(dir + "/chat_template.jinja", "{{ messages }}");
    REQUIRE(HfTokenizer::load(dir).chat_template() == "{{ messages }}");
  }
  SECTION("a list of named templates gives \"default\"") {
    std::string config =
        R"({"chat_template": [{"name": "tool_use", "template": "T"}, {"name": "default", "template": "D"}]})";
    auto tok = HfTokenizer::from_strings(r1::read_file(hf_dir("qwen2") + "/tokenizer.json"), config, "mem");
    REQUIRE(tok.chat_template() == "D");
  }
  SECTION("DeepSeek-R1-Distill config on Qwen2.5's vocabulary: its tokens are added, bos is prepended") {
    auto tok = HfTokenizer::from_strings(r1::read_file(hf_dir("qwen2.5") + "/tokenizer.json"),
                                         r1::read_file(hf_dir("deepseek-r1-distill-qwen") + "/tokenizer_config.json"),
                                         hf_dir("deepseek-r1-distill-qwen"));
    REQUIRE(tok.bos_token() == "<｜begin▁of▁sentence｜>");
    REQUIRE(tok.bos_id() == 151665);
    REQUIRE(tok.eos_id() == 151666);
    REQUIRE(tok.pad_id() == 151666);
    REQUIRE(tok.is_special(151665));
    REQUIRE(tok.encode("Hi", true) == std::vector<int>{151665, 13048});
    REQUIRE(tok.encode("<｜end▁of▁sentence｜>") == std::vector<int>{151666});
    REQUIRE(tok.chat_template().find("<｜Assistant｜>") != std::string::npos);
  }
}

TEST_CASE("llama 3 adds <|begin_of_text|> with add_special_tokens", "[tokenizer]") {
  const HfTokenizer& tok = cached("llama3.1");
  auto plain = tok.encode("Hello world");
  REQUIRE(plain == std::vector<int>{9906, 1917});
  auto with = tok.encode("Hello world", true);
  REQUIRE(with == std::vector<int>{128000, 9906, 1917});
  REQUIRE(tok.encode("", true) == std::vector<int>{128000});
  REQUIRE(tok.decode(with) == "<|begin_of_text|>Hello world");
  REQUIRE(tok.decode(with, true) == "Hello world");
}

TEST_CASE("the empty string has no tokens", "[tokenizer]") {
  for (const char* name : {"qwen2", "qwen2.5", "llama3.1"}) {
    REQUIRE(cached(name).encode("").empty());
    REQUIRE(cached(name).decode({}).empty());
  }
}

TEST_CASE("10 kB runs of digits and spaces encode in one pass", "[tokenizer]") {
  const HfTokenizer& qwen = cached("qwen2");
  const HfTokenizer& llama = cached("llama3.1");
  std::string digits;
  for (int i = 0; i < 10000; ++i) digits += static_cast<char>('0' + i % 10);
  auto q = qwen.encode(digits);
  REQUIRE(q.size() == 10000);  // Qwen2 splits digits one by one
  REQUIRE(q[0] == 15);
  REQUIRE(q[1] == 16);
  REQUIRE(qwen.decode(q) == digits);
  std::string threes(10000, '3');
  auto l = llama.encode(threes);
  REQUIRE(l.size() == 3334);  // \p{N}{1,3}: 3333 x "333" + "3"
  REQUIRE(l.front() == 8765);
  REQUIRE(l.back() == 18);
  REQUIRE(llama.decode(l) == threes);

  std::string spaces(10000, ' ');
  for (const HfTokenizer* tok : {&qwen, &llama}) {
    auto ids = tok->encode(spaces);
    REQUIRE(tok->decode(ids) == spaces);
    REQUIRE(ids.size() < 1000);  // long space tokens, not one per byte
    auto word = tok->encode(spaces + "x");
    REQUIRE(tok->decode(word) == spaces + "x");
    auto tail = tok->encode(" x");
    REQUIRE(std::equal(tail.rbegin(), tail.rend(), word.rbegin()));  // the last space goes with the word
  }
}

TEST_CASE("encode refuses invalid UTF-8 and names the byte offset", "[tokenizer]") {
  const HfTokenizer& tok = cached("qwen2");
  REQUIRE_THROWS_AS(tok.encode("abc\xff"), r1::InputError);
  REQUIRE_THROWS_WITH(tok.encode("abc\xffz"), Catch::Contains("byte offset 3") && Catch::Contains("0xFF"));
  REQUIRE_THROWS_WITH(tok.encode("ok \xe4\xb8"), Catch::Contains("byte offset 3"));   // truncated at the end
  REQUIRE_THROWS_WITH(tok.encode("\xed\xa0\x80"), Catch::Contains("byte offset 0"));  // a surrogate
  REQUIRE_THROWS_WITH(tok.encode("\xc0\xaf"), Catch::Contains("byte offset 0"));      // overlong
}

TEST_CASE("decode replaces ill-formed UTF-8 as Python's errors='replace' does", "[tokenizer]") {
  const HfTokenizer& tok = cached("qwen2");
  const std::string fffd = "\xEF\xBF\xBD";
  // Expectations from Python: bytes.decode("utf-8", errors="replace").
  REQUIRE(tok.decode(byte_ids(tok, "\xc3")) == fffd);
  REQUIRE(tok.decode(byte_ids(tok, "\xe4\xb8")) == fffd);
  REQUIRE(tok.decode(byte_ids(tok,
                              "\xf0\x9f\x98"
                              "a")) == fffd + "a");
  REQUIRE(tok.decode(byte_ids(tok, "\xff\xfe")) == fffd + fffd);
  REQUIRE(tok.decode(byte_ids(tok, "\xed\xa0\x80")) == fffd + fffd + fffd);
  REQUIRE(tok.decode(byte_ids(tok,
                              "a\xf4\x90\x80\x80"
                              "b")) == "a" + fffd + fffd + fffd + fffd + "b");
  REQUIRE(tok.decode(byte_ids(tok, "\xe0\x80\xaf")) == fffd + fffd + fffd);
  // A real token sequence cut inside a character: the emoji's bytes are split over several tokens.
  auto ids = tok.encode("ok 🦙");
  REQUIRE(tok.decode(ids) == "ok 🦙");
  std::string bytes;
  for (int id : ids) bytes += tok.token_bytes(id);
  REQUIRE(bytes == "ok 🦙");
  ids.pop_back();
  std::string cut = tok.decode(ids);
  REQUIRE(r1::starts_with(cut, "ok "));
  REQUIRE(r1::ends_with(cut, fffd));
  // Ids that are not tokens are skipped, as HF does.
  REQUIRE(tok.decode({872, 999999, -1}) == "user");
}

TEST_CASE("token, token_bytes and token_to_id", "[tokenizer]") {
  const HfTokenizer& tok = cached("qwen2.5");
  REQUIRE(tok.token(279) == "Ġthe");
  REQUIRE(tok.token_bytes(279) == " the");
  REQUIRE(tok.token_to_id("Ġthe") == 279);
  REQUIRE(tok.token_to_id("<|im_end|>") == 151645);
  REQUIRE(tok.token_to_id("no such token") == -1);
  REQUIRE(tok.token(151645) == "<|im_end|>");
  REQUIRE(tok.token_bytes(151645) == "<|im_end|>");
  REQUIRE(tok.token(-5).empty());
  REQUIRE(tok.token(tok.vocab_size()).empty());
  REQUIRE(tok.token_bytes(198) == "\n");
}

TEST_CASE("encode and decode are safe from several threads at once", "[tokenizer]") {
  HfTokenizer tok = HfTokenizer::load(hf_dir("qwen2"));  // a fresh, empty cache
  auto cases = read_cases("qwen2");
  std::vector<std::string> failures(4);
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int round = 0; round < 20; ++round)
        for (size_t i = 0; i < cases.size(); ++i) {
          size_t k = (i * 7 + static_cast<size_t>(t) * 13 + static_cast<size_t>(round)) % cases.size();
          auto ids = tok.encode(cases[k].text);
          if (ids != cases[k].ids || tok.decode(ids) != cases[k].text) failures[t] = "case " + std::to_string(k);
        }
    });
  }
  for (auto& th : threads) th.join();
  for (const auto& f : failures) REQUIRE(f.empty());
}
