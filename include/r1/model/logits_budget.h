// How many logits r1 makes at once where a vocabulary meets a batch of tokens. Torch-free, so the memory estimate
// (stages/memory_estimate) counts with the same numbers the code runs with.
#pragma once
#include <cstdint>

namespace r1::model {

// Target log-probs (model::token_logprobs): up to this many logits a pass, the whole [rows, T, V] logits are made
// and kept for the backward (16M elements, 64 MB in float32) ...
constexpr std::int64_t kWholeLogitsBudget = std::int64_t{1} << 24;
// ... past it, one tile of the chunked log-probs at a time (4M elements, 16 MB; model/chunked_logprobs.h) ...
constexpr std::int64_t kChunkedTileBudget = std::int64_t{1} << 22;
// ... whose vocabulary side is at most this wide: a chunk then holds hundreds of tokens, not budget / vocab.
constexpr std::int64_t kMaxTileColumns = 8192;
// The entropy's exponentials beside a tile: blocks of about this many elements (1M, 4 MB).
constexpr std::int64_t kEntropyBlock = std::int64_t{1} << 20;

// Generation: each decode step runs the LM head and the sampler on groups of at most this many logits
// (4M, 16 MB; generate::GenerateOptions::logits_budget).
constexpr std::int64_t kSamplerLogitsBudget = std::int64_t{1} << 22;

// Distillation: past this many logits a micro-batch, student and teacher logits are taken in chunks of tokens
// against the whole vocabulary, each chunk at most this many (sft::LmTrainer's kd_logits_budget).
constexpr std::int64_t kKdLogitsBudget = std::int64_t{1} << 24;

}  // namespace r1::model
