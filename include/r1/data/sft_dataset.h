// SFT datasets from JSONL: {prompt, completion} rows (the prompt is the raw question, rendered with a
// template) or {messages: [{role, content}, ...]} rows (the last assistant message is the completion, the
// last user message before it the question; system messages are ignored). Plus a seeded train/eval split.
#pragma once
#include <algorithm>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "r1/io/jsonl.h"
#include "r1/tokenizer/prompt_template.h"
#include "r1/util/rng.h"

namespace r1 {

struct SftExample {
  std::string prompt;      // already rendered with the template
  std::string completion;  // the target text (for R1 data it starts with "<think>")
  Json meta;               // the row's other fields (provenance, task, answer, ...) plus "source_line"
};

// True when `text` can be an SFT prompt or completion: not empty after trimming whitespace. The loader refuses
// other rows; the data stages drop such samples ("empty" in their metrics) so their output always loads.
bool usable_sft_text(const std::string& text);

// Loads `path`. A row with `messages_field` uses the messages form, otherwise `prompt_field` and
// `completion_field` are required strings. `renderer` renders the prompts (nullptr: the prompt text as it is);
// with the model's chat template (template hf) a messages row is rendered whole up to its last assistant turn,
// with the generation prompt. Every bad line is an InputError "FILE:LINE: ..."; an empty dataset is an
// InputError naming the file.
std::vector<SftExample> load_sft_dataset(const std::string& path, const std::string& prompt_field,
                                         const std::string& completion_field, const std::string& messages_field,
                                         const PromptRenderer* renderer);

// Deterministic split: round(eval_frac * n) examples (at least 1 and at most n - 1 when 0 < eval_frac and
// n >= 2) chosen by a seeded shuffle go to eval; both parts keep the input order. Returns {train, eval}.
template <class T>
std::pair<std::vector<T>, std::vector<T>> split_train_eval(const std::vector<T>& examples, double eval_frac,
                                                           std::uint64_t seed) {
  const size_t n = examples.size();
  size_t n_eval = static_cast<size_t>(eval_frac * static_cast<double>(n) + 0.5);
  if (eval_frac > 0 && n >= 2) n_eval = std::min(std::max<size_t>(n_eval, 1), n - 1);
  if (eval_frac <= 0) n_eval = 0;
  if (n_eval > n) n_eval = n;
  std::vector<size_t> order(n);
  for (size_t i = 0; i < n; ++i) order[i] = i;
  Rng rng(derive_seed(seed, "train-eval-split"));
  rng.shuffle(order);
  std::vector<bool> is_eval(n, false);
  for (size_t i = 0; i < n_eval; ++i) is_eval[order[i]] = true;
  std::pair<std::vector<T>, std::vector<T>> out;
  for (size_t i = 0; i < n; ++i) (is_eval[i] ? out.second : out.first).push_back(examples[i]);
  return out;
}

}  // namespace r1
