// `r1 eval`: pass@1 (mean over n samples), maj@n, pass@n, the pass@k curve (--k), greedy accuracy, format rate,
// language consistency and mean length of a model on a prompt set; JSON output.
#include <iostream>

#include "commands.h"
#include "r1/dist/world.h"
#include "r1/eval/evaluator.h"
#include "r1/train/runtime.h"
#include "r1/util/fs.h"
#include "r1/util/error.h"
#include "r1/util/strings.h"

namespace r1::cli {

namespace {

// --k "1,2,4": positive integers, each at most --samples (the estimator needs k <= n).
std::vector<int> parse_k_list(const std::string& text, int samples) {
  std::vector<int> out;
  for (const auto& part : split(text, ',')) {
    const std::string item = trim(part);
    size_t used = 0;
    long value = 0;
    try {
      value = std::stol(item, &used);
    } catch (const std::exception&) {
      used = 0;
    }
    if (item.empty() || used != item.size() || value < 1 || value > (1 << 30))
      throw InputError("--k: expected a comma-separated list of positive integers (e.g. 1,2,4,8), got " +
                       quote(text) + " (" + quote(item) + " is not one)");
    if (value > samples)
      throw InputError("--k: " + std::to_string(value) + " is more than --samples " + std::to_string(samples) +
                       ": pass@k is estimated from the n = --samples completions of each prompt, so k <= n");
    out.push_back(static_cast<int>(value));
  }
  return out;
}

}  // namespace

void register_eval(CLI::App& app, Action& action) {
  struct Options {
    std::string model, data, out, task, device = "cpu", levels = "1", k;
    config::EvalSettings settings;
    bool no_greedy = false;
    std::uint64_t seed = 1234;
    int threads = 0;
  };
  auto o = std::make_shared<Options>();
  auto& s = o->settings;
  auto* cmd = app.add_subcommand("eval", "Evaluate a model: pass@1 over k samples, maj@k, pass@k, greedy accuracy");
  cmd->add_option("--model", o->model, "Checkpoint dir, stage dir or HF dir")->required();
  cmd->add_option("--data", o->data, "Prompt JSONL (question/answer fields, see --prompt-field etc.)");
  cmd->add_option("--task", o->task, "Or a synthetic task's eval split: arithmetic | countdown | linear");
  cmd->add_option("--levels", o->levels, "Difficulty levels of --task, comma-separated")->capture_default_str();
  cmd->add_option("--n", s.prompts.n, "Prompts (synthetic: how many; file: at most, 0 = all)")->capture_default_str();
  cmd->add_option("--prompt-field", s.prompts.prompt_field)->capture_default_str();
  cmd->add_option("--answer-field", s.prompts.answer_field)->capture_default_str();
  cmd->add_option("--answer-format", s.prompts.answer_format, "plain | gsm8k | boxed")
      ->check(CLI::IsMember({"plain", "gsm8k", "boxed"}))->capture_default_str();
  cmd->add_option("--template", s.prompts.template_name, "r1-zero | plain | chat | hf (the model's chat template)")
      ->check(CLI::IsMember(config::kTemplateNames))->capture_default_str();
  cmd->add_option("--samples", s.samples, "n samples per prompt")->check(CLI::PositiveNumber)->capture_default_str();
  cmd->add_option("--k", o->k, "pass@k curve: k values, comma-separated, each <= --samples "
                               "(default 1, 2, 4, ... and --samples)");
  cmd->add_option("--temperature", s.sampling.temperature)->check(CLI::NonNegativeNumber)->capture_default_str();
  cmd->add_option("--top-p", s.sampling.top_p)->check(CLI::Range(0.01, 1.0))->capture_default_str();
  cmd->add_option("--max-new-tokens", s.sampling.max_new_tokens)->check(CLI::PositiveNumber)->capture_default_str();
  add_kv_cache_dtype_option(*cmd, s.sampling.kv_cache_dtype);
  cmd->add_flag("--no-greedy", o->no_greedy, "Skip the greedy-accuracy pass");
  cmd->add_option("--seed", o->seed, "Seed (prompt generation and sampling)")->capture_default_str();
  cmd->add_option("--device", o->device)->capture_default_str();
  cmd->add_option("--threads", o->threads, "CPU threads (0 = all)");
  cmd->add_option("--out", o->out, "Also write the JSON here");
  cmd->callback([o, &action] {
    action = [o] {
      auto& st = o->settings;
      if (o->data.empty() == o->task.empty()) throw InputError("r1 eval: give exactly one of --data FILE or --task NAME");
      if (!o->data.empty()) {
        st.prompts.file = o->data;
        if (st.prompts.n == 200) st.prompts.n = 0;
      } else {
        st.prompts.task = o->task;
        st.prompts.split = config::PromptSplit::kEval;
        st.prompts.levels.clear();
        for (const auto& l : split(o->levels, ',')) st.prompts.levels.push_back(std::stoi(l));
      }
      st.greedy = !o->no_greedy;
      if (!o->k.empty()) st.k = parse_k_list(o->k, st.samples);
      dist::Comm& comm = dist::init_world();  // under torchrun the ranks share the prompts out
      train::set_threads(o->threads);
      auto bundle = train::load_model(o->model, train::resolve_device(o->device));
      auto prompts = eval::eval_prompts(st, o->seed);
      auto result = eval::evaluate(bundle, prompts, st, o->seed);
      Json j = result.to_json();
      j["model"] = o->model;
      if (comm.is_main()) {
        std::cout << j.dump(2) << "\n";
        if (!o->out.empty()) write_file_atomic(o->out, j.dump(2) + "\n");
      }
      dist::shutdown_world();
      return kExitOk;
    };
  });
}

}  // namespace r1::cli
