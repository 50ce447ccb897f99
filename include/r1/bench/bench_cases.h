// The benchmark cases. Each runs in its own process (so its peak RSS is its own), measures `warmup` uncounted
// and `runs` counted repetitions, and returns raw per-run samples as JSON; bench/report turns them into
// figures. Every case drives the code the CLI runs: the GRPO and LM trainers, the KV-cache sampler.
#pragma once
#include <string>
#include <vector>

#include "r1/bench/case_options.h"
#include "r1/io/jsonl.h"

namespace r1::bench {

// Names of the cases, in the order a full benchmark runs them ("gemm" and "tokenize" once, the rest per preset).
const std::vector<std::string>& case_names();

// Runs the named case; InputError for an unknown name.
Json run_case(const std::string& name, const CaseOptions& options);

// fp32 GEMM rate: {"n", "flops", "seconds": [...], "shapes": [{"m","k","n","flops","seconds": [...]}, ...]}.
Json gemm_case(const CaseOptions& o);
// LM-trainer steps on pretraining rows of seq_len: {"step_s": [...], "flops_per_step", "tokens_per_step", ...}.
Json train_case(const CaseOptions& o);
// SFT epochs, packed vs one example per row (padded per micro-batch), interleaved:
// {"packed": {"seconds": [...], "tokens": [...], "rows"}, "padded": {...}, "examples", "real_tokens"}.
Json packing_case(const CaseOptions& o);
// Batch-1 generation with and without the KV cache, interleaved: {"cache_s": [...], "no_cache_s": [...], ...}.
Json decode1_case(const CaseOptions& o);
// Batch-`decode_batch` generation with the KV cache: {"cache_s": [...], ...}.
Json decode_batch_case(const CaseOptions& o);
// GRPO trainer steps: {"rollout_s": [...], "logprob_s": [...], "update_s": [...], "step_s": [...], ...}.
Json grpo_case(const CaseOptions& o);
// A GRPO rollout's generation (grpo_prompts prompts in the R1-Zero template, group_size rows each), with and without
// shared prefills, paired: {"shared_s": [...], "separate_s": [...], "same_samples", "prompt_tokens_mean", ...}.
Json rollout_prefix_case(const CaseOptions& o);
// A GRPO update's forward + backward over one rollout batch (group_size x grpo_prompts completions of lengths drawn
// uniformly from [grpo_new_tokens / 8, grpo_new_tokens]), padded vs packed rows, paired:
// {"padded_s": [...], "packed_s": [...], "padded_tokens", "packed_tokens", "real_tokens", "max_logprob_diff", ...}.
Json grpo_update_case(const CaseOptions& o);
// A Hugging Face tokenizer.json (hf_tokenizer): {"load_s": [...], "prose"/"mixed": {"bytes", "encode_s": [...],
// "decode_s": [...]}, "grpo_step": {"seconds": [...]}} (tokenize_case.cpp).
Json tokenize_case(const CaseOptions& o);
// Whether a case runs once for the whole benchmark rather than once per preset.
bool preset_independent(const std::string& name);

}  // namespace r1::bench
