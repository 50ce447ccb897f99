// Synthetic prompt sets with disjoint train/eval splits; files go to prompt_file.
#include "r1/data/prompt_source.h"

#include <unordered_set>

#include "r1/data/lexicon.h"
#include "r1/data/prompt_file.h"
#include "r1/data/task.h"
#include "r1/util/error.h"
#include "r1/util/rng.h"
#include "r1/util/strings.h"

namespace r1 {

bool in_eval_split(const PromptExample& ex) { return mix64(fnv1a64(ex.task + ":" + ex.problem_key)) % 8 == 0; }

std::vector<PromptExample> load_prompts(const config::PromptSourceConfig& cfg, std::uint64_t seed) {
  if (!cfg.file.empty()) return load_prompt_file(cfg);
  const Task& task = task_by_name(cfg.task);
  if (cfg.levels.empty()) throw InputError("prompts.levels: expected at least one level");
  for (int level : cfg.levels)
    if (level < 1 || level > 5)
      throw InputError("prompts.levels: expected difficulty levels in [1, 5], got " + std::to_string(level));
  if (cfg.n < 1) throw InputError("prompts.n: a synthetic task needs n >= 1, got " + std::to_string(cfg.n));
  if (cfg.offset < 0) throw InputError("prompts.offset: expected >= 0, got " + std::to_string(cfg.offset));
  const bool mixed = cfg.language == "mixed";
  if (!mixed) require_language(cfg.language, "prompts.language");
  const bool want_eval = cfg.split == config::PromptSplit::kEval;
  const std::string split_name = config::enum_name(cfg.split);

  // One stream per (task, split): a larger n extends a smaller one.
  Rng rng(derive_seed(seed, "prompts/" + cfg.task + "/" + split_name));
  const size_t total = static_cast<size_t>(cfg.offset) + static_cast<size_t>(cfg.n);
  std::vector<PromptExample> out;
  out.reserve(total);
  std::unordered_set<std::string> seen;
  int repeat_streak = 0;
  bool allow_repeats = false;
  size_t attempts = 0;
  const size_t max_attempts = 2000 * total + 100000;
  while (out.size() < total) {
    if (++attempts > max_attempts)
      throw RuntimeFailure("prompts: could not draw " + std::to_string(total) + " " + split_name + " problems of " +
                           cfg.task);
    int level = rng.pick(cfg.levels);
    std::string language = mixed ? (out.size() % 2 == 0 ? "en" : "es") : cfg.language;
    PromptExample ex = task.make(rng, level, language);
    if (in_eval_split(ex) != want_eval) continue;
    if (!allow_repeats && seen.count(ex.problem_key)) {
      // The task space is (nearly) exhausted: accept repeats rather than loop forever.
      if (++repeat_streak > 1000) allow_repeats = true;
      continue;
    }
    repeat_streak = 0;
    seen.insert(ex.problem_key);
    out.push_back(std::move(ex));
  }
  out.erase(out.begin(), out.begin() + cfg.offset);
  return out;
}

}  // namespace r1
