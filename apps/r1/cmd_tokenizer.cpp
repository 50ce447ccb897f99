// `r1 tokenizer train`: a SentencePiece model with the reasoning tags as single tokens.
#include <iostream>

#include "commands.h"
#include "r1/tokenizer/tokenizer.h"
#include "r1/util/error.h"

namespace r1::cli {

void register_tokenizer(CLI::App& app, Action& action) {
  struct Options {
    std::string input, out;
    config::TokenizerConfig cfg;
    bool no_split_digits = false, no_byte_fallback = false;
    std::uint64_t seed = 0;
  };
  auto o = std::make_shared<Options>();
  auto* tok = app.add_subcommand("tokenizer", "Tokenizer tools");
  tok->require_subcommand(1);
  auto* train = tok->add_subcommand("train", "Train a SentencePiece tokenizer (<think> </think> <answer> </answer> "
                                             "are single tokens)");
  train->add_option("--input", o->input, "Text file, one sentence per line")->required()->check(CLI::ExistingFile);
  train->add_option("--vocab-size", o->cfg.vocab_size, "Vocabulary size (with byte fallback, 256 are byte pieces)")
      ->required()->check(CLI::Range(32, 1 << 20));
  train->add_option("--out", o->out, "Output directory (tokenizer.model)")->required();
  train->add_option("--model-type", o->cfg.model_type, "unigram | bpe")->check(CLI::IsMember({"unigram", "bpe"}))
      ->capture_default_str();
  train->add_flag("--no-split-digits", o->no_split_digits, "Let digits merge into multi-digit pieces");
  train->add_flag("--no-byte-fallback", o->no_byte_fallback, "Unknown characters become <unk> instead of bytes");
  train->add_option("--seed", o->seed, "Random seed")->capture_default_str();
  train->callback([o, &action] {
    action = [o] {
      o->cfg.split_digits = !o->no_split_digits;
      o->cfg.byte_fallback = !o->no_byte_fallback;
      Tokenizer t = train_tokenizer(o->input, o->cfg, o->out, o->seed);
      std::cout << o->out << "/tokenizer.model: " << t.vocab_size() << " pieces (bos " << t.bos_id() << ", eos "
                << t.eos_id() << ", pad " << t.pad_id() << ")\n";
      for (const auto& tag : kReasoningTags) std::cout << "  " << tag << " = " << t.piece_to_id(tag) << "\n";
      return kExitOk;
    };
  });
}

}  // namespace r1::cli
