// Model FLOPs of the Llama-family decoder for MFU: matmul FLOPs (2 per multiply-add) of every projection and
// the LM head, plus attention's two matmuls (q k^T and probs v) over every key of a query's attention segment:
// the whole row, or in a packed row the query's own example (the other examples' keys are masked, and the fused
// kernel skips them). The causal half is not subtracted, as in the PaLM MFU definition. Norms, rotary, softmax
// and the embedding lookup are not counted. Training counts 3x the forward (backward = 2x forward).
#pragma once
#include <cstdint>
#include <vector>

#include "r1/config/model_config.h"

namespace r1::bench {

// Weights that take part in matmuls (projections, MLP, LM head; the embedding counts once, as the tied head).
std::int64_t matmul_parameters(const config::ModelConfig& cfg, std::int64_t vocab);

// Query-key pairs of one row's attention from its segment ids (TokenRow::segments: runs of one id are one
// segment): the sum of the segments' squared lengths.
double attention_pairs(const std::vector<int>& segments);

// Forward FLOPs of `tokens` tokens whose attention covers `pairs` query-key pairs.
double forward_flops_of(const config::ModelConfig& cfg, std::int64_t vocab, double tokens, double pairs);

// Forward FLOPs of `rows` unpacked rows of `len` tokens each (every query counts `len` keys).
double forward_flops(const config::ModelConfig& cfg, std::int64_t vocab, std::int64_t rows, std::int64_t len);

// Training (forward + backward) FLOPs: 3 x the forward's.
double train_flops_of(const config::ModelConfig& cfg, std::int64_t vocab, double tokens, double pairs);
double train_flops(const config::ModelConfig& cfg, std::int64_t vocab, std::int64_t rows, std::int64_t len);

}  // namespace r1::bench
