// The base-model corpus: text a small model is pretrained on so that it gets latent, imperfect skill at the
// tasks and already knows the R1-Zero format — in English and Spanish, with short sentences over a small
// closed vocabulary, steps like "17 + 25 = 42" and connectives ("First," "Then," "So" / "Primero," "Luego,"
// "Entonces").
//
// Document kinds (rates from CorpusConfig):
//   bare       1-4 lines "problem = answer" ("(17 + 25) * 3 - 8 = 118"), one problem per line;
//   prose      filler prose (data/filler_prose.h);
//   worked     the question, a newline, a worked solution in prose ("First, 17 + 25 = 42. Then, ... So the
//              answer is 118.");
//   tagged     exactly render_prompt(cfg.template_name, question) + " " + "<think> STEPS </think> <answer> A </answer>";
//   malformed  a tagged document with a broken format: no </think>, a duplicated <answer> block, the answer
//              outside the tags, or an unclosed <answer>.
// Worked, tagged and malformed solutions have a wrong step (and a wrong final answer) at mistake_rate and
// switch to the other language midway at switch_rate. Only TRAIN-split problems are used (never eval ones).
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "r1/config/pretrain_config.h"
#include "r1/data/example.h"

namespace r1 {

struct CorpusDocument {
  std::string text;       // may contain '\n'
  std::string kind;       // bare | prose | worked | tagged | malformed
  std::string task;       // "" for prose
  std::string language;   // the question's (or the prose's) language
  bool correct = true;    // the solution's final answer is right (bare and prose: true)
  bool switched = false;  // the solution switches language midway
  bool guess = false;     // the solution is a guess: its conclusion only, no worked step
  PromptExample example;  // worked/tagged/malformed: the problem solved (empty otherwise)
};

// cfg.n_docs documents, deterministic per (cfg, seed). Ignores cfg.file. Throws InputError for an empty
// task/language/level list or a bad level.
std::vector<CorpusDocument> generate_corpus_documents(const config::CorpusConfig& cfg, std::uint64_t seed);

// The texts of generate_corpus_documents.
std::vector<std::string> generate_corpus(const config::CorpusConfig& cfg, std::uint64_t seed);

// cfg.file's non-blank lines (one document per line) when set, else generate_corpus. An unreadable or empty
// file is an InputError naming it.
std::vector<std::string> load_corpus(const config::CorpusConfig& cfg, std::uint64_t seed);

}  // namespace r1
