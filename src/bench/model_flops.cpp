// Model FLOP counts for MFU.
#include "r1/bench/model_flops.h"

namespace r1::bench {

std::int64_t matmul_parameters(const config::ModelConfig& cfg, std::int64_t vocab) {
  const std::int64_t h = cfg.hidden_size, q = std::int64_t{cfg.num_attention_heads} * cfg.head_size(),
                     kv = std::int64_t{cfg.kv_heads()} * cfg.head_size(), inter = cfg.intermediate_size;
  const std::int64_t per_layer = h * q + 2 * h * kv + q * h + 3 * h * inter;
  return per_layer * cfg.num_hidden_layers + h * vocab;
}

double forward_flops(const config::ModelConfig& cfg, std::int64_t vocab, std::int64_t rows, std::int64_t len) {
  const double tokens = static_cast<double>(rows) * static_cast<double>(len);
  const double dense = 2.0 * static_cast<double>(matmul_parameters(cfg, vocab)) * tokens;
  // Per layer and query: q.k over `len` keys and probs.v over `len` values, 2 FLOPs per multiply-add each.
  const double attn_width = static_cast<double>(cfg.num_attention_heads) * cfg.head_size();
  const double attention = 4.0 * attn_width * static_cast<double>(len) * tokens * cfg.num_hidden_layers;
  return dense + attention;
}

double train_flops(const config::ModelConfig& cfg, std::int64_t vocab, std::int64_t rows, std::int64_t len) {
  return 3.0 * forward_flops(cfg, vocab, rows, len);
}

}  // namespace r1::bench
