// Pretrain stage checks.
#include "r1/config/pretrain_config.h"

namespace r1::config {

void PretrainConfig::check(Problems& p, const std::string& path) const {
  if (seq_len > model.config.max_position_embeddings)
    p.add(join_path(path, "seq_len"), "exceeds model.max_position_embeddings (" + std::to_string(seq_len) + " > " +
                                          std::to_string(model.config.max_position_embeddings) + ")");
  double rates = corpus.bare_rate + corpus.prose_rate;
  if (rates > 1.0)
    p.add(join_path(path, "corpus"), "bare_rate + prose_rate must be <= 1 (got " + std::to_string(rates) + ")");
  for (size_t i = 0; i < corpus.levels.size(); ++i)
    if (corpus.levels[i] < 1 || corpus.levels[i] > 5)
      p.add(index_path(join_path(path, "corpus.levels"), i),
            "expected a difficulty level in [1, 5], got " + std::to_string(corpus.levels[i]));
}

}  // namespace r1::config
