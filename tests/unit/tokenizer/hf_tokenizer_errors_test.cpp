// HfTokenizer refuses what it does not support, with messages naming the file, the key and what was found:
// other model types, normalizers, pre-tokenizers, decoders, post-processors, malformed JSON, missing keys.
#include <catch2/catch.hpp>

#include "r1/tokenizer/hf_tokenizer.h"
#include "r1/util/error.h"
#include "tiny_hf_tokenizer.h"

using nlohmann::json;
using r1::HfTokenizer;

namespace {

const std::string kSource = "/models/tiny";  // errors name /models/tiny/tokenizer.json

HfTokenizer load_json(const json& j, const std::string& config = "") {
  return HfTokenizer::from_strings(j.dump(), config, kSource);
}

// The InputError message of loading `j` (fails the test when it loads).
std::string load_error(const json& j, const std::string& config = "") {
  try {
    load_json(j, config);
  } catch (const r1::InputError& e) {
    return e.what();
  }
  FAIL("expected an InputError");
  return "";
}

}  // namespace

TEST_CASE("the tiny tokenizer loads and merges", "[tokenizer]") {
  HfTokenizer tok = load_json(r1::test::tiny_tokenizer_json());
  REQUIRE(tok.encode(" the") == std::vector<int>{tok.token_to_id("Ġthe")});
  REQUIRE(tok.encode("hello") == std::vector<int>{tok.token_to_id("hello")});
  REQUIRE(tok.decode(tok.encode("hello the world")) == "hello the world");
  REQUIRE(tok.vocab_size() == 256 + 13);  // one new token per merge
}

TEST_CASE("merges given as pairs read like merges given as strings", "[tokenizer]") {
  json j = r1::test::tiny_tokenizer_json();
  json pairs = json::array();
  for (const auto& [l, r] : r1::test::tiny_merges()) pairs.push_back({l, r});
  j["model"]["merges"] = pairs;
  HfTokenizer a = load_json(r1::test::tiny_tokenizer_json()), b = load_json(j);
  for (std::string s : {"hello the aaab", " the theabba", "abababa"}) REQUIRE(a.encode(s) == b.encode(s));
}

TEST_CASE("other model types are refused by name", "[tokenizer]") {
  json j = r1::test::tiny_tokenizer_json();
  j["model"]["type"] = "WordPiece";
  auto msg = load_error(j);
  REQUIRE_THAT(msg, Catch::Contains("/models/tiny/tokenizer.json") && Catch::Contains("model.type") &&
                        Catch::Contains("WordPiece models are not supported"));
  j["model"]["type"] = "Unigram";
  REQUIRE_THAT(load_error(j), Catch::Contains("Unigram models are not supported"));
  j["model"]["type"] = "Fancy";
  REQUIRE_THAT(load_error(j), Catch::Contains("unknown model type \"Fancy\""));
}

TEST_CASE("unsupported BPE options are refused", "[tokenizer]") {
  json j = r1::test::tiny_tokenizer_json();
  j["model"]["byte_fallback"] = true;
  REQUIRE_THAT(load_error(j), Catch::Contains("model.byte_fallback"));
  j = r1::test::tiny_tokenizer_json();
  j["model"]["continuing_subword_prefix"] = "##";
  REQUIRE_THAT(load_error(j), Catch::Contains("model.continuing_subword_prefix") && Catch::Contains("\"##\""));
  j = r1::test::tiny_tokenizer_json();
  j["model"]["end_of_word_suffix"] = "</w>";
  REQUIRE_THAT(load_error(j), Catch::Contains("model.end_of_word_suffix"));
  j = r1::test::tiny_tokenizer_json();
  j["model"]["dropout"] = 0.1;
  REQUIRE_THAT(load_error(j), Catch::Contains("model.dropout"));
  j = r1::test::tiny_tokenizer_json();
  j["model"]["continuing_subword_prefix"] = "";  // Qwen2 writes "" for none
  REQUIRE_NOTHROW(load_json(j));
}

TEST_CASE("inconsistent vocab and merges are refused", "[tokenizer]") {
  json j = r1::test::tiny_tokenizer_json();
  j["model"]["merges"].push_back("x zzz");
  REQUIRE_THAT(load_error(j),
               Catch::Contains("model.merges[13]") && Catch::Contains("\"zzz\" is not in the vocabulary"));
  j = r1::test::tiny_tokenizer_json();
  j["model"]["merges"].push_back("x y");
  REQUIRE_THAT(load_error(j), Catch::Contains("merged token \"xy\""));
  j = r1::test::tiny_tokenizer_json();
  j["model"]["merges"].push_back("xy");
  REQUIRE_THAT(load_error(j), Catch::Contains("model.merges[13]") && Catch::Contains("expected \"left right\""));
  j = r1::test::tiny_tokenizer_json();
  j["model"]["vocab"]["dup"] = 3;
  REQUIRE_THAT(load_error(j), Catch::Contains("id 3 is given to both"));
  j = r1::test::tiny_tokenizer_json();
  j["model"]["vocab"]["neg"] = -1;
  REQUIRE_THAT(load_error(j), Catch::Contains("model.vocab.neg"));
}

TEST_CASE("unsupported normalizers, pre-tokenizers, decoders and post-processors are named", "[tokenizer]") {
  json j = r1::test::tiny_tokenizer_json();
  j["normalizer"] = {{"type", "NFKC"}};
  REQUIRE_THAT(load_error(j), Catch::Contains("normalizer.type") && Catch::Contains("\"NFKC\""));
  j["normalizer"] = {{"type", "Sequence"}, {"normalizers", {{{"type", "NFC"}}, {{"type", "Lowercase"}}}}};
  REQUIRE_THAT(load_error(j), Catch::Contains("normalizer.normalizers[1].type") && Catch::Contains("\"Lowercase\""));

  j = r1::test::tiny_tokenizer_json();
  j["pre_tokenizer"]["pretokenizers"][0] = {{"type", "Metaspace"}, {"replacement", "▁"}};
  REQUIRE_THAT(load_error(j), Catch::Contains("pre_tokenizer.pretokenizers[0].type") &&
                                  Catch::Contains("unsupported pre-tokenizer type \"Metaspace\""));
  j = r1::test::tiny_tokenizer_json();
  j["pre_tokenizer"]["pretokenizers"][0]["behavior"] = "MergedWithPrevious";
  REQUIRE_THAT(load_error(j), Catch::Contains("behavior") && Catch::Contains("MergedWithPrevious"));
  j = r1::test::tiny_tokenizer_json();
  j["pre_tokenizer"]["pretokenizers"][0]["pattern"]["Regex"] = "(unclosed";
  REQUIRE_THAT(load_error(j), Catch::Contains("does not compile"));
  j = r1::test::tiny_tokenizer_json();
  j["pre_tokenizer"] = {{"type", "Whitespace"}};
  REQUIRE_THAT(load_error(j), Catch::Contains("\"Whitespace\""));
  j["pre_tokenizer"] = nullptr;
  REQUIRE_THAT(load_error(j), Catch::Contains("no ByteLevel step"));

  j = r1::test::tiny_tokenizer_json();
  j["decoder"] = {{"type", "WordPiece"}, {"prefix", "##"}};
  REQUIRE_THAT(load_error(j),
               Catch::Contains("decoder.type") && Catch::Contains("unsupported decoder type \"WordPiece\""));
  j["decoder"] = nullptr;
  REQUIRE_THAT(load_error(j), Catch::Contains("decoder: null is not supported"));

  j = r1::test::tiny_tokenizer_json();
  j["post_processor"] = {{"type", "BertProcessing"}};
  REQUIRE_THAT(load_error(j), Catch::Contains("post_processor.type") && Catch::Contains("\"BertProcessing\""));
  j["post_processor"] = {{"type", "TemplateProcessing"},
                         {"single", {{{"SpecialToken", {{"id", "<s>"}, {"type_id", 0}}}}}},
                         {"special_tokens", json::object()}};
  REQUIRE_THAT(load_error(j), Catch::Contains("post_processor.special_tokens.<s>: missing key"));
}

TEST_CASE("malformed JSON and missing keys name the file and the place", "[tokenizer]") {
  try {
    HfTokenizer::from_strings("{\"model\": {\"type\": \"BPE\",}", "", kSource);
    FAIL("expected an InputError");
  } catch (const r1::InputError& e) {
    REQUIRE_THAT(e.what(), Catch::Contains("/models/tiny/tokenizer.json: malformed JSON at byte 26"));
  }
  REQUIRE_THROWS_WITH(HfTokenizer::from_strings(r1::test::tiny_tokenizer_json().dump(), "{\"bos_token\": ", kSource),
                      Catch::Contains("/models/tiny/tokenizer_config.json: malformed JSON"));
  json j = r1::test::tiny_tokenizer_json();
  j.erase("model");
  REQUIRE_THAT(load_error(j), Catch::Contains("tokenizer.json: model: missing key"));
  j = r1::test::tiny_tokenizer_json();
  j["model"].erase("vocab");
  REQUIRE_THAT(load_error(j), Catch::Contains("model.vocab: missing key"));
  j = r1::test::tiny_tokenizer_json();
  j.erase("decoder");
  REQUIRE_THAT(load_error(j), Catch::Contains("decoder: missing key"));
  j = r1::test::tiny_tokenizer_json();
  j["added_tokens"].push_back({{"id", 300}});
  REQUIRE_THAT(load_error(j), Catch::Contains("added_tokens[0].content: missing key"));
  j = r1::test::tiny_tokenizer_json();
  j["truncation"] = {{"max_length", 512}};
  REQUIRE_THAT(load_error(j), Catch::Contains("truncation"));
  REQUIRE_THROWS_AS(HfTokenizer::load("/nonexistent/dir/tokenizer.json"), r1::InputError);
}

TEST_CASE("tokenizer_config.json values are checked", "[tokenizer]") {
  json j = r1::test::tiny_tokenizer_json();
  REQUIRE_THAT(load_error(j, R"({"add_bos_token": true})"),
               Catch::Contains("tokenizer_config.json: add_bos_token: is true but there is no bos_token"));
  REQUIRE_THAT(load_error(j, R"({"add_bos_token": "yes", "bos_token": "a"})"),
               Catch::Contains("add_bos_token: expected true or false"));
  REQUIRE_THAT(load_error(j, R"({"eos_token": 5})"), Catch::Contains("eos_token: expected a token string"));
  REQUIRE_THAT(load_error(j, R"({"chat_template": [{"name": "tool_use", "template": "x"}]})"),
               Catch::Contains("chat_template: no template named \"default\""));
  // A null token is absent; a string token is found (added as special when only in the vocabulary).
  HfTokenizer tok = load_json(j, R"({"bos_token": null, "eos_token": "hello", "add_eos_token": true})");
  REQUIRE(tok.bos_id() == -1);
  REQUIRE(tok.eos_id() == tok.token_to_id("hello"));
  REQUIRE(tok.is_special(tok.eos_id()));
  REQUIRE(tok.encode("the", true).back() == tok.eos_id());
}
