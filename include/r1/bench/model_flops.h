// Model FLOPs of the Llama-family decoder for MFU: matmul FLOPs (2 per multiply-add) of every projection and
// the LM head, plus attention's two matmuls (q k^T and probs v) over the full key range that r1 computes
// (masked scores are computed too). Norms, rotary, softmax and the embedding lookup are not counted.
// Training counts 3x the forward (backward = 2x forward), as in the PaLM MFU definition.
#pragma once
#include <cstdint>

#include "r1/config/model_config.h"

namespace r1::bench {

// Weights that take part in matmuls (projections, MLP, LM head; the embedding counts once, as the tied head).
std::int64_t matmul_parameters(const config::ModelConfig& cfg, std::int64_t vocab);

// Forward FLOPs of `rows` rows of `len` tokens each (causal over the row: queries attend to `len` keys).
double forward_flops(const config::ModelConfig& cfg, std::int64_t vocab, std::int64_t rows, std::int64_t len);

// Training (forward + backward) FLOPs of the same rows: 3 x forward_flops.
double train_flops(const config::ModelConfig& cfg, std::int64_t vocab, std::int64_t rows, std::int64_t len);

}  // namespace r1::bench
