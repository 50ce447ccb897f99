// RoPE scaling rules as pure functions: the inverse frequencies and the cos/sin multiplier ("attention scaling")
// for each Hugging Face rope_type, computed as transformers 4.56-4.57 computes them in modeling_rope_utils.py
// (_compute_default_rope_parameters, _compute_linear_scaling_rope_parameters, _compute_dynamic_ntk_parameters,
// _compute_llama3_parameters, _compute_yarn_parameters), in float64 where transformers uses float32.
// The cos/sin tables built from them live in rotary.h.
#pragma once
#include <cstdint>
#include <vector>

#include "r1/config/model_config.h"

namespace r1::model {

// theta^(-2i / head_dim) for i in [0, head_dim / 2): the unscaled inverse frequencies, [head_dim / 2].
std::vector<double> rope_default_frequencies(int64_t head_dim, double theta);

// The scaled inverse frequencies [head_dim / 2] for a sequence of `seq_len` tokens (the largest position + 1).
// max_position_embeddings: the model's; dynamic scales only past it (transformers ignores rope_scaling's
// original_max_position_embeddings there), and yarn falls back to it when original_max_position_embeddings is 0.
// seq_len matters only to dynamic (seq_len <= max_position_embeddings gives the default frequencies).
std::vector<double> rope_inverse_frequencies(int64_t head_dim, double theta, const config::RopeScaling& scaling,
                                             int64_t max_position_embeddings, int64_t seq_len = 0);

// The factor transformers multiplies cos and sin by: 1 except for yarn, where it is attention_factor if given,
// else m(factor, mscale) / m(factor, mscale_all_dim) when both are non-zero, else m(factor, 1), with
// m(s, k) = 1 for s <= 1 and 0.1 k ln(s) + 1 otherwise.
double rope_attention_scaling(const config::RopeScaling& scaling);

// True when a sequence of `seq_len` tokens needs frequencies other than those at seq_len 0 (dynamic only:
// seq_len > max_position_embeddings, the point where transformers' dynamic_rope_update recomputes them).
bool rope_depends_on_length(const config::RopeScaling& scaling, int64_t max_position_embeddings, int64_t seq_len);

}  // namespace r1::model
