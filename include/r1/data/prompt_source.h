// Prompts for RL, data stages and evaluation: a synthetic task (deterministic per seed and config, with
// disjoint train/eval splits) or a JSONL file (see data/prompt_file.h).
#pragma once
#include <cstdint>
#include <vector>

#include "r1/config/prompt_source_config.h"
#include "r1/data/example.h"

namespace r1 {

// Whether a problem belongs to the eval split of its task: hash(task, problem_key) % 8 == 0. The key is
// language-independent, so a problem and its translation are always in the same split.
bool in_eval_split(const PromptExample& ex);

// The prompts `cfg` describes. Synthetic (cfg.file empty): cfg.offset + cfg.n problems of cfg.task drawn with
// levels uniform over cfg.levels, the first cfg.offset dropped; only problems of cfg.split (train rejects
// eval-split problems and vice versa, so the two never share a problem for any n); no problem twice while
// the task space allows (after many repeats in a row, duplicates are accepted rather than looping forever);
// `language: mixed` alternates en and es (half each). Deterministic per (seed, cfg).
// File: load_prompt_file(cfg) (the split is the file; the seed is unused).
std::vector<PromptExample> load_prompts(const config::PromptSourceConfig& cfg, std::uint64_t seed);

}  // namespace r1
