// Benchmark data: tokenizer, prompts, pretraining rows, SFT examples, model presets.
#include "r1/bench/bench_world.h"

#include <filesystem>
#include <fstream>

#include "r1/data/corpus_generator.h"
#include "r1/data/prompt_source.h"
#include "r1/data/sft_dataset.h"
#include "r1/stages/pretrain_stage.h"
#include "r1/stages/sft_stage.h"
#include "r1/tokenizer/prompt_template.h"
#include "r1/util/error.h"
#include "r1/util/rng.h"

namespace r1::bench {

namespace fs = std::filesystem;

namespace {
config::CorpusConfig corpus_config(int n_docs) {
  config::CorpusConfig c;
  c.n_docs = n_docs;
  c.levels = {1, 2};
  c.template_name = kBenchTemplate;
  return c;
}
}  // namespace

Tokenizer make_bench_tokenizer(const std::string& dir, std::uint64_t seed) {
  fs::create_directories(dir);
  std::string corpus_path = (fs::path(dir) / "corpus.txt").string();
  {
    std::ofstream out(corpus_path);
    for (const auto& doc : generate_corpus(corpus_config(4000), derive_seed(seed, "bench/corpus"))) {
      std::string line = doc;
      for (auto& ch : line)
        if (ch == '\n') ch = ' ';
      out << line << "\n";
    }
    if (!out) throw RuntimeFailure("bench: cannot write " + corpus_path);
  }
  config::TokenizerConfig cfg;
  cfg.vocab_size = kBenchVocab;
  Tokenizer tok = train_tokenizer(corpus_path, cfg, dir, derive_seed(seed, "bench/tokenizer"));
  fs::remove(corpus_path);
  return tok;
}

std::vector<std::vector<int>> bench_prompts(const Tokenizer& tok, int n, std::uint64_t seed,
                                            const std::string& template_name) {
  config::PromptSourceConfig cfg;
  cfg.task = "arithmetic";
  cfg.levels = {1, 2};
  cfg.n = n;
  cfg.language = "mixed";
  cfg.template_name = template_name;
  std::vector<std::vector<int>> out;
  for (const auto& ex : load_prompts(cfg, derive_seed(seed, "bench/prompts"))) {
    std::vector<int> ids;
    if (tok.bos_id() >= 0) ids.push_back(tok.bos_id());
    for (int id : tok.encode(render_prompt(template_name, ex.question))) ids.push_back(id);
    out.push_back(std::move(ids));
  }
  return out;
}

std::vector<TokenRow> bench_pretrain_rows(const Tokenizer& tok, int seq_len, int rows, std::uint64_t seed) {
  std::vector<TokenExample> examples;
  std::int64_t tokens = 0, need = static_cast<std::int64_t>(seq_len) * (rows + 1);
  int batch = 0;
  while (tokens < need) {
    for (const auto& doc : generate_corpus(corpus_config(500), derive_seed(seed, "bench/pretrain-" + std::to_string(batch++)))) {
      TokenExample ex = stages::pretrain_token_example(doc, tok);  // as the pretrain stage tokenizes
      tokens += static_cast<std::int64_t>(ex.tokens.size());
      examples.push_back(std::move(ex));
    }
  }
  auto out = make_token_rows(examples, seq_len, /*packing=*/true, tok.pad_id());
  if (static_cast<int>(out.size()) > rows) out.resize(rows);
  return out;
}

std::vector<TokenExample> bench_sft_examples(const Tokenizer& tok, int n, std::uint64_t seed) {
  config::CorpusConfig c = corpus_config(n);
  c.levels = {1, 2, 3};
  c.tagged_rate = 1.0;
  c.malformed_rate = 0.0;
  c.bare_rate = 0.0;
  c.prose_rate = 0.0;
  std::vector<SftExample> examples;
  for (const auto& doc : generate_corpus_documents(c, derive_seed(seed, "bench/sft"))) {
    std::string prompt = render_prompt(kBenchTemplate, doc.example.question);
    if (doc.text.compare(0, prompt.size(), prompt) != 0)
      throw RuntimeFailure("bench: a tagged corpus document does not start with its rendered prompt");
    examples.push_back({prompt, doc.text.substr(prompt.size() + std::string(kCompletionSeparator).size()), Json()});
  }
  return stages::sft_token_examples(examples, tok);  // tokenized exactly as the sft stage does
}

config::ModelConfig bench_model_config(const std::string& name_or_path, int min_positions) {
  std::string path = name_or_path;
  if (path.find('/') == std::string::npos && path.find(".yaml") == std::string::npos)
    path = "configs/models/" + path + ".yaml";
  if (!fs::exists(path))
    throw InputError("bench: model preset " + name_or_path + " not found (looked for " + path +
                     "; give a YAML path or run from the repository root)");
  config::ModelConfig cfg = config::load_model_config(path);
  // The benchmark tokenizer's 512 pieces; a preset may pad the embedding beyond them (a released model's padded
  // vocabulary: the rows are never sampled, but every logit, gradient and optimizer moment pays for them).
  cfg.vocab_size = std::max(cfg.vocab_size, kBenchVocab);
  if (cfg.max_position_embeddings < min_positions) cfg.max_position_embeddings = min_positions;
  return cfg;
}

}  // namespace r1::bench
