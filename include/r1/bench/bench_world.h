// The synthetic world the benchmarks run in, with no checkpoint needed: a tokenizer trained on the generated
// arithmetic corpus (vocab 512, the presets' size), rendered prompts, pretraining rows and SFT examples.
// Everything is seeded, so every run of the benchmark sees the same data.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "r1/config/model_config.h"
#include "r1/data/packing.h"
#include "r1/tokenizer/tokenizer.h"

namespace r1::bench {

inline constexpr int kBenchVocab = 512;
inline constexpr const char* kBenchTemplate = "chat";

// Trains the benchmark tokenizer into `dir` (tokenizer.model) on a generated corpus; returns it.
Tokenizer make_bench_tokenizer(const std::string& dir, std::uint64_t seed);

// `n` arithmetic prompts (levels 1-2, English and Spanish) rendered with the chat template, as token rows
// ([BOS] + encoded prompt), as the GRPO rollouts see them.
std::vector<std::vector<int>> bench_prompts(const Tokenizer& tok, int n, std::uint64_t seed,
                                            const std::string& template_name = kBenchTemplate);

// Pretraining rows as the pretrain stage builds them: corpus documents packed whole into rows of seq_len tokens
// (best fit; rows are full or nearly so), `rows` of them.
std::vector<TokenRow> bench_pretrain_rows(const Tokenizer& tok, int seq_len, int rows, std::uint64_t seed);

// `n` SFT examples: [BOS] chat prompt (no loss) + "<think> ... </think> <answer> A </answer>" + [EOS] (loss),
// arithmetic levels 1-3, so lengths vary as in a real SFT set.
std::vector<TokenExample> bench_sft_examples(const Tokenizer& tok, int n, std::uint64_t seed);

// The model preset `name_or_path`: a YAML path, or a name looked up as configs/models/<name>.yaml. The vocab
// is the benchmark tokenizer's; max_position_embeddings is raised to `min_positions` when smaller (positions
// only size the rotary tables: the parameters are unchanged).
config::ModelConfig bench_model_config(const std::string& name_or_path, int min_positions);

}  // namespace r1::bench
