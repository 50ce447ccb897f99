// `r1 generate`: sample completions from a checkpoint (or a freshly initialised model config) for prompts
// given on the command line or in a file.
#include <filesystem>
#include <iostream>
#include <optional>

#include "commands.h"
#include "r1/config/model_config.h"
#include "r1/generate/sampler.h"
#include "r1/io/jsonl.h"
#include "r1/tokenizer/prompt_template.h"
#include "r1/train/model_bundle.h"
#include "r1/train/runtime.h"
#include "r1/util/error.h"
#include "r1/util/fs.h"
#include "r1/util/rng.h"
#include "r1/util/strings.h"

namespace r1::cli {

namespace {
struct GenerateOptions {
  std::string model, tokenizer, prompt, input, template_name = "none", device = "cpu";
  config::KvCacheDtype kv_cache_dtype = config::KvCacheDtype::kAuto;
  bool greedy = false, json = false;
  int max_new_tokens = 64, top_k = 0, threads = 0;
  double temperature = 1.0, top_p = 1.0;
  std::uint64_t seed = 0;
  std::vector<std::string> stop;
};

int run_generate(const GenerateOptions& o) {
  train::set_threads(o.threads);
  torch::Device device = train::resolve_device(o.device);
  train::ModelBundle bundle;
  if (ends_with(o.model, ".yaml") || ends_with(o.model, ".yml")) {
    if (o.tokenizer.empty()) throw InputError("--model " + o.model + " is a model config: give --tokenizer DIR|FILE");
    bundle = train::fresh_model(config::load_model_config(o.model), Tokenizer::load(o.tokenizer), o.seed, device);
  } else {
    bundle = train::load_model(o.model, device);
  }
  std::vector<std::string> prompts;
  if (!o.prompt.empty()) prompts.push_back(o.prompt);
  if (!o.input.empty()) {
    std::string text = read_file(o.input);
    if (ends_with(o.input, ".jsonl")) {
      for_each_jsonl(o.input, [&](const Json& row, size_t line) {
        prompts.push_back(jsonl_string(row, row.contains("prompt") ? "prompt" : "question", o.input, line));
      });
    } else {
      for (const auto& line : split(text, '\n'))
        if (!trim(line).empty()) prompts.push_back(line);
    }
  }
  if (prompts.empty()) throw InputError("r1 generate: give --prompt TEXT or --input FILE (one prompt per line or JSONL)");
  config::SamplingConfig cfg;
  cfg.temperature = o.greedy ? 0.0 : o.temperature;
  cfg.top_p = o.top_p;
  cfg.top_k = o.top_k;
  cfg.max_new_tokens = o.max_new_tokens;
  cfg.stop = o.stop;
  cfg.kv_cache_dtype = o.kv_cache_dtype;
  std::optional<PromptRenderer> renderer;
  if (o.template_name != "none") renderer.emplace(o.template_name, bundle.tokenizer, o.model);
  std::vector<std::vector<int>> rows;
  std::vector<std::uint64_t> seeds;
  for (size_t i = 0; i < prompts.size(); ++i) {
    std::string text = renderer ? renderer->render(prompts[i]) : prompts[i];
    rows.push_back(generate::encode_prompt(bundle.tokenizer, text));
    seeds.push_back(derive_seed(o.seed, "generate/" + std::to_string(i)));
  }
  generate::Sampler sampler(*bundle.model, bundle.tokenizer);
  auto outs = sampler.generate(rows, cfg, seeds);
  for (size_t i = 0; i < outs.size(); ++i) {
    if (o.json) {
      std::cout << Json{{"prompt", prompts[i]},
                        {"prompt_ids", rows[i]},
                        {"completion", outs[i].text},
                        {"completion_ids", outs[i].tokens},
                        {"tokens", outs[i].tokens},
                        {"logprobs", outs[i].logprobs}, {"finish", generate::finish_reason_name(outs[i].finish)}}
                       .dump()
                << "\n";
    } else {
      std::cout << outs[i].text << "\n";
      if (outs.size() > 1) std::cout << "---\n";
    }
  }
  const auto& st = sampler.last_stats();
  if (!o.json)
    std::cerr << st.generated_tokens << " tokens in " << st.seconds << " s ("
              << (st.seconds > 0 ? st.generated_tokens / st.seconds : 0.0) << " tokens/s)\n";
  return kExitOk;
}
}  // namespace

void register_generate(CLI::App& app, Action& action) {
  auto o = std::make_shared<GenerateOptions>();
  auto* cmd = app.add_subcommand("generate", "Sample completions from a model");
  cmd->add_option("--model", o->model, "Checkpoint dir, stage dir, HF dir, or a model config YAML (fresh weights)")
      ->required();
  cmd->add_option("--tokenizer", o->tokenizer, "tokenizer.model (or its dir) for a model config YAML");
  cmd->add_option("--prompt", o->prompt, "Prompt text");
  cmd->add_option("--input", o->input, "File of prompts: one per line, or JSONL with prompt/question");
  cmd->add_option("--template", o->template_name, "none | r1-zero | plain | chat | hf (the model's chat template)")
      ->check(CLI::IsMember({"none", "r1-zero", "plain", "chat", "hf"}))
      ->capture_default_str();
  cmd->add_flag("--greedy", o->greedy, "Greedy decoding (temperature 0)");
  cmd->add_option("--max-new-tokens", o->max_new_tokens, "Completion length limit")->check(CLI::PositiveNumber)
      ->capture_default_str();
  cmd->add_option("--temperature", o->temperature, "Sampling temperature")->check(CLI::NonNegativeNumber)
      ->capture_default_str();
  cmd->add_option("--top-p", o->top_p, "Nucleus mass")->check(CLI::Range(0.01, 1.0))->capture_default_str();
  add_kv_cache_dtype_option(*cmd, o->kv_cache_dtype);
  cmd->add_option("--top-k", o->top_k, "Top-k (0 = off)")->check(CLI::NonNegativeNumber);
  cmd->add_option("--stop", o->stop, "Stop string (repeatable)");
  cmd->add_option("--seed", o->seed, "Sampling seed")->capture_default_str();
  cmd->add_option("--device", o->device, "cpu | cuda | cuda:N")->capture_default_str();
  cmd->add_option("--threads", o->threads, "CPU threads (0 = all)");
  cmd->add_flag("--json", o->json, "Print one JSON object per prompt with token ids and log-probs");
  cmd->callback([o, &action] { action = [o] { return run_generate(*o); }; });
}

}  // namespace r1::cli
