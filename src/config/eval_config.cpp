// Eval defaults: the R1 paper's protocol (k samples at temperature 0.6, top-p 0.95) on the eval split.
#include "r1/config/eval_config.h"

#include <algorithm>

namespace r1::config {

EvalSettings::EvalSettings() {
  prompts.split = PromptSplit::kEval;
  prompts.n = 200;
  sampling.temperature = 0.6;
  sampling.top_p = 0.95;
}

void EvalSettings::check(Problems& p, const std::string& path) const {
  prompts.refuse_filter(p, join_path(path, "prompts"), "evaluation prompts (an eval set is never filtered)");
  for (size_t i = 0; i < k.size(); ++i)
    if (k[i] > samples)
      p.add(index_path(join_path(path, "k"), i),
            "expected k <= samples (" + std::to_string(samples) + "): pass@k is estimated from the n = samples "
            "completions of each prompt, got " + std::to_string(k[i]));
}

std::vector<int> EvalSettings::curve_ks() const {
  std::vector<int> out = k;
  if (out.empty()) {
    for (int v = 1; v < samples; v *= 2) out.push_back(v);
    out.push_back(samples);
  }
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

}  // namespace r1::config
