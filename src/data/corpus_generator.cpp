// The synthetic bilingual base-model corpus.
#include "r1/data/corpus_generator.h"

#include <sstream>

#include "r1/data/filler_prose.h"
#include "r1/data/lexicon.h"
#include "r1/data/prompt_source.h"
#include "r1/data/task.h"
#include "r1/tokenizer/prompt_template.h"
#include "r1/util/error.h"
#include "r1/util/fs.h"
#include "r1/util/strings.h"

namespace r1 {

namespace {

PromptExample train_problem(const Task& task, Rng& rng, int level, const std::string& language) {
  for (int attempt = 0; attempt < 10000; ++attempt) {
    PromptExample ex = task.make(rng, level, language);
    if (!in_eval_split(ex)) return ex;
  }
  throw RuntimeFailure("corpus: could not draw a train-split problem of " + task.name());
}

std::string tagged_completion(const WorkedSolution& sol) {
  return "<think> " + sol.text() + " </think> <answer> " + sol.answer + " </answer>";
}

std::string malformed_completion(const WorkedSolution& sol, Rng& rng) {
  const std::string think = sol.text();
  switch (rng.below(4)) {
    case 0: return "<think> " + think + " <answer> " + sol.answer + " </answer>";  // no </think>
    case 1:  // duplicated answer block
      return "<think> " + think + " </think> <answer> " + sol.answer + " </answer> <answer> " + sol.answer +
             " </answer>";
    case 2: return "<think> " + think + " </think> " + sol.answer;  // answer outside the tags
    default: return "<think> " + think + " </think> <answer> " + sol.answer;  // unclosed answer
  }
}

void check_config(const config::CorpusConfig& cfg) {
  if (cfg.tasks.empty()) throw InputError("corpus.tasks: expected at least one task");
  if (cfg.languages.empty()) throw InputError("corpus.languages: expected at least one language");
  if (cfg.levels.empty()) throw InputError("corpus.levels: expected at least one level");
  for (int level : cfg.levels)
    if (level < 1 || level > 5) throw InputError("corpus.levels: expected levels in [1, 5], got " + std::to_string(level));
  for (const auto& l : cfg.languages) require_language(l, "corpus.languages");
  if (cfg.n_docs < 1) throw InputError("corpus.n_docs: expected >= 1, got " + std::to_string(cfg.n_docs));
}

}  // namespace

std::vector<CorpusDocument> generate_corpus_documents(const config::CorpusConfig& cfg, std::uint64_t seed) {
  check_config(cfg);
  std::vector<const Task*> tasks;
  for (const auto& t : cfg.tasks) tasks.push_back(&task_by_name(t));
  Rng rng(derive_seed(seed, "corpus"));
  std::vector<CorpusDocument> docs;
  docs.reserve(static_cast<size_t>(cfg.n_docs));
  for (int i = 0; i < cfg.n_docs; ++i) {
    const Task& task = *rng.pick(tasks);
    const int level = rng.pick(cfg.levels);
    const std::string language = rng.pick(cfg.languages);
    CorpusDocument doc;
    doc.language = language;
    double u = rng.uniform();
    if (u < cfg.bare_rate) {
      doc.kind = "bare";
      doc.task = task.name();
      int lines = static_cast<int>(rng.uniform_int(1, 4));
      std::vector<std::string> out;
      for (int k = 0; k < lines; ++k) out.push_back(task.bare_line(train_problem(task, rng, level, language)));
      doc.text = join(out, "\n");
    } else if (u < cfg.bare_rate + cfg.prose_rate) {
      doc.kind = "prose";
      doc.text = filler_prose(rng, language);
    } else {
      PromptExample ex = train_problem(task, rng, level, language);
      SolutionOptions opts;
      opts.mistake = rng.bernoulli(cfg.mistake_rate);
      doc.switched = rng.bernoulli(cfg.switch_rate);
      if (doc.switched) opts.switch_to = other_language(language);
      opts.verbal = rng.bernoulli(cfg.verbal_rate);
      WorkedSolution sol = task.solve(ex, rng, opts);
      doc.task = task.name();
      doc.correct = sol.correct;
      doc.example = ex;
      if (rng.bernoulli(cfg.tagged_rate)) {
        bool malformed = rng.bernoulli(cfg.malformed_rate);
        doc.kind = malformed ? "malformed" : "tagged";
        doc.text = render_prompt(cfg.template_name, ex.question) + kCompletionSeparator +
                   (malformed ? malformed_completion(sol, rng) : tagged_completion(sol));
      } else {
        doc.kind = "worked";
        doc.text = ex.question + "\n" + sol.text();
      }
    }
    docs.push_back(std::move(doc));
  }
  return docs;
}

std::vector<std::string> generate_corpus(const config::CorpusConfig& cfg, std::uint64_t seed) {
  std::vector<std::string> out;
  for (auto& d : generate_corpus_documents(cfg, seed)) out.push_back(std::move(d.text));
  return out;
}

std::vector<std::string> load_corpus(const config::CorpusConfig& cfg, std::uint64_t seed) {
  if (cfg.file.empty()) return generate_corpus(cfg, seed);
  std::istringstream in(read_file(cfg.file));
  std::vector<std::string> docs;
  std::string line;
  while (std::getline(in, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (!trim(line).empty()) docs.push_back(line);
  }
  if (docs.empty()) throw InputError(cfg.file + ": the corpus file has no documents (no non-blank lines)");
  return docs;
}

}  // namespace r1
