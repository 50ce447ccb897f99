// Settings shared by stage configs: names, kinds, checkpoint cadence, the sample filters of data stages.
#pragma once
#include "r1/config/fields.h"

namespace r1::config {

// Checkpoint and logging cadence of training stages.
struct CheckpointConfig {
  int every = 0;        // optimizer steps between checkpoints; 0 = only the final one
  int keep_last = 2;    // keep this many step checkpoints (the final one is always kept); 0 = keep all
  template <class V>
  void visit(V& v) {
    v("every", every, Min{0});
    v("keep_last", keep_last, Min{0});
  }
};

// Filters a sampled completion must pass to enter a dataset (cold-start, rejection sampling).
struct SampleFilterConfig {
  bool require_correct = true;          // accuracy reward == 1
  bool require_format = true;           // strict <think>..</think><answer>..</answer>
  double min_language_consistency = 1.0;  // fraction of reasoning words in the prompt's language
  int min_tokens = 1;
  int max_tokens = 0;                   // 0 = no upper bound (beyond the sampler's)
  int max_paragraph_chars = 0;          // drop samples with a longer paragraph; 0 = off
  bool reject_code_blocks = true;       // drop samples containing ``` fences
  double max_repeat_frac = 0.5;         // drop if repeated 3-grams exceed this fraction of 3-grams; 1 = off
  template <class V>
  void visit(V& v) {
    v("require_correct", require_correct);
    v("require_format", require_format);
    v("min_language_consistency", min_language_consistency, Between{0, 1});
    v("min_tokens", min_tokens, Min{0});
    v("max_tokens", max_tokens, Min{0});
    v("max_paragraph_chars", max_paragraph_chars, Min{0});
    v("reject_code_blocks", reject_code_blocks);
    v("max_repeat_frac", max_repeat_frac, Between{0, 1});
  }
};

}  // namespace r1::config
