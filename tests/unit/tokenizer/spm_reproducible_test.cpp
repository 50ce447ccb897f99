// One seed gives byte-identical tokenizer files in any directory (issue 28, finding 11): SentencePiece used to
// store the corpus path and output prefix inside tokenizer.model.
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>

#include "../../support/test_support.h"
#include "r1/tokenizer/tokenizer.h"

using namespace r1;

TEST_CASE("a trained tokenizer.model does not depend on where the corpus and output live", "[tokenizer][reliability]") {
  const std::string corpus = test::tiny_tokenizer_dir() + "/corpus.txt";
  const std::string a = test::temp_dir("spm_a") + "/one", b = test::temp_dir("spm_b") + "/some/other/place";
  std::filesystem::create_directories(b);
  std::filesystem::copy_file(corpus, b + "/copied-corpus.txt");
  config::TokenizerConfig cfg;
  cfg.vocab_size = 400;
  Tokenizer ta = train_tokenizer(corpus, cfg, a, 7);
  Tokenizer tb = train_tokenizer(b + "/copied-corpus.txt", cfg, b, 7);
  const std::string bytes_a = test::file_bytes(a + "/tokenizer.model");
  REQUIRE(bytes_a.size() > 1000);
  CHECK(bytes_a == test::file_bytes(b + "/tokenizer.model"));
  CHECK(bytes_a.find("corpus.txt") == std::string::npos);
  CHECK(bytes_a.find(a) == std::string::npos);
  CHECK(ta.encode("the answer is 42") == tb.encode("the answer is 42"));  // and it still loads and works
  CHECK(ta.vocab_size() == test::tiny_tokenizer().vocab_size());
}
