// Where prompts come from: a synthetic verifiable task (seeded, with a difficulty knob) or a JSONL file
// with field mapping (GSM8K/MATH exports work unchanged), and how they are templated.
#pragma once
#include "r1/config/enums.h"
#include "r1/config/fields.h"

namespace r1::config {

// Names of the synthetic tasks (data/task_registry must provide each; a test checks that).
inline const std::vector<std::string> kTaskNames = {"arithmetic", "countdown", "linear"};
// Prompt templates: r1's own three, and hf = the model's own chat template (tokenizer_config.json's chat_template).
inline const std::vector<std::string> kTemplateNames = {"r1-zero", "plain", "chat", "hf"};

// prompts.filter (GRPO stages only): online difficulty filtering by recent pass rate (open-r1's pass-rate
// filtering, done during training). A prompt is skipped when it has been sampled before and the mean accuracy of
// its last `window` groups lies outside [min_pass_rate, max_pass_rate]. window 0 = off.
struct PromptFilterConfig {
  double min_pass_rate = 0.0;
  double max_pass_rate = 1.0;
  int window = 0;

  bool enabled() const { return window > 0; }
  template <class V>
  void visit(V& v) {
    v("min_pass_rate", min_pass_rate, Between{0, 1});
    v("max_pass_rate", max_pass_rate, Between{0, 1});
    v("window", window, Min{0});
  }
  void check(Problems& p, const std::string& path) const;
};

struct PromptSourceConfig {
  std::string task = "arithmetic";     // synthetic task; ignored when `file` is set
  std::vector<int> levels = {1};       // difficulty levels, drawn uniformly
  int n = 1000;                        // prompts to generate; for a file: at most this many (0 = all)
  PromptSplit split = PromptSplit::kTrain;  // train | eval: disjoint sets (by question hash) of the same task
  std::string language = "en";         // prompt language of synthetic tasks: en | es | mixed
  std::string file;                    // JSONL prompts (a path)
  std::string prompt_field = "question";
  std::string answer_field = "answer";
  std::string answer_format = "plain"; // plain | gsm8k ("#### 42") | boxed (\boxed{42})
  std::string template_name = "r1-zero";  // r1-zero | plain | chat (YAML key: template)
  int offset = 0;                      // skip this many prompts first (e.g. to carve an eval slice of a file)
  PromptFilterConfig filter;           // GRPO stages only: skip prompts outside a pass-rate band

  template <class V>
  void visit(V& v) {
    v("task", task, OneOf{kTaskNames});
    v("levels", levels, NonEmpty{});
    v("n", n, Min{0});
    v("split", split);
    v("language", language, OneOf{{"en", "es", "mixed"}});
    v("file", file);
    v("prompt_field", prompt_field, NonEmpty{});
    v("answer_field", answer_field, NonEmpty{});
    v("answer_format", answer_format, OneOf{{"plain", "gsm8k", "boxed"}});
    v("template", template_name, OneOf{kTemplateNames});
    v("offset", offset, Min{0});
    v("filter", filter);
  }
  void check(Problems& p, const std::string& path) const;
  // Adds a problem when `filter` is set on a prompt source that is not a GRPO stage's training prompts.
  void refuse_filter(Problems& p, const std::string& path, const std::string& where) const;
};

}  // namespace r1::config
