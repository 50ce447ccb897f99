// JSONL prompt files with field mapping, so GSM8K/MATH exports and `r1 data gen` output load unchanged.
//
// Each non-blank line is a JSON object with the question in `prompt_field` (a string) and the gold answer in
// `answer_field` (a string or a number), parsed by `answer_format`: plain, gsm8k ("...#### 1,234" -> "1234")
// or boxed (\boxed{...}). Optional fields, type-checked when present: id (string), task (one of the synthetic
// task names: its verifier is then used), level (integer 1..5), language ("en" | "es"), numbers (array of
// integers) and target (integer) for countdown, problem (the task's canonical problem text).
// Every bad line is an InputError "FILE:LINE: ..." naming the field, what was expected and what was found;
// no line is skipped.
#pragma once
#include <vector>

#include "r1/config/prompt_source_config.h"
#include "r1/data/example.h"
#include "r1/io/jsonl.h"

namespace r1 {

// Reads cfg.file: skips the first cfg.offset prompts, keeps cfg.n (0 = all). The id of a row without one is
// "<file name>:<line>"; task "file" unless the row says otherwise. An empty result is an InputError.
std::vector<PromptExample> load_prompt_file(const config::PromptSourceConfig& cfg);

// The optional fields of a prompt row (id, task, level, language, numbers, target, problem), type-checked, into
// `ex`; shared by prompt files and `r1 reward` so both accept the same rows. A countdown row needs non-empty
// numbers and a target: its `target` field, else its gold answer (ex.answer, set before) as an integer.
void read_prompt_fields(const Json& row, const std::string& path, size_t line, PromptExample& ex);

}  // namespace r1
