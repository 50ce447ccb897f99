// Tokenizer settings: load an existing SentencePiece model or train one on the corpus.
#pragma once
#include "r1/config/fields.h"

namespace r1::config {

struct TokenizerConfig {
  std::string path;              // a tokenizer.model, a checkpoint dir holding one, or (in a recipe) a stage
                                 // name whose model's tokenizer to reuse; "" = train one on the corpus
  int vocab_size = 512;            // with byte_fallback, 256 of these are byte pieces
  std::string model_type = "unigram";  // unigram | bpe
  bool split_digits = true;      // every digit its own token
  bool byte_fallback = true;     // unknown characters become byte tokens
  double character_coverage = 1.0;

  template <class V>
  void visit(V& v) {
    v("path", path);
    v("vocab_size", vocab_size, Min{32});
    v("model_type", model_type, OneOf{{"unigram", "bpe"}});
    v("split_digits", split_digits);
    v("byte_fallback", byte_fallback);
    v("character_coverage", character_coverage, Between{0.5, 1});
  }
};

}  // namespace r1::config
