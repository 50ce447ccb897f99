// `r1 reward --config REWARDS.yaml --input COMPLETIONS.jsonl [--json] [--template NAME]`: scores completions
// with a reward list and prints a per-reward table (mean/min/max, the total, accuracy/format/language rates);
// --json prints one JSON result per input line instead (the table then goes to stderr).
//
// Input rows (JSON objects, one per line):
//   completion         string, required: the model's text, starting at "<think>"
//   answer             gold answer (string or number); required unless task is countdown with a target
//   question           the question (rendered with --template to make the prompt when `prompt` is absent)
//   prompt             the exact prompt text (used by accuracy mode tinyzero, which looks for "Assistant:")
//   task               arithmetic | countdown | linear | file (default file: number/text matching)
//   numbers, target    countdown: the given numbers (array of integers) and the target (integer; default: the
//                      answer); also level, problem: the same rules as prompt files (data/prompt_file.h)
//   language           en | es (default en): the prompt's language, for the language reward
//   completion_tokens  integer: the length the length reward uses (default: the completion's characters)
//   truncated          true/false (default false): the completion hit the sampler's limit
//   id                 string, echoed in --json output
#include <cstdio>
#include <iostream>
#include <limits>

#include "commands.h"
#include "r1/config/prompt_source_config.h"
#include "r1/config/reward_config.h"
#include "r1/data/example.h"
#include "r1/data/prompt_file.h"
#include "r1/io/jsonl.h"
#include "r1/rewards/reward_set.h"
#include "r1/tokenizer/prompt_template.h"
#include "r1/util/error.h"
#include "r1/util/strings.h"

namespace r1::cli {

namespace {
struct RewardOptions {
  std::string config;
  std::string input;
  bool json = false;
  std::string template_name = "r1-zero";
};

struct Stats {
  double sum = 0, min = std::numeric_limits<double>::infinity(), max = -std::numeric_limits<double>::infinity();
  void add(double v) {
    sum += v;
    min = std::min(min, v);
    max = std::max(max, v);
  }
};

int run_reward(const RewardOptions& o) {
  RewardSet rewards(config::load_rewards_file(o.config));
  const auto& names = rewards.names();
  std::vector<Stats> per(names.size());
  Stats total;
  size_t rows = 0, correct = 0, formatted = 0, char_lengths = 0;
  double language = 0;
  for_each_jsonl(o.input, [&](const Json& row, size_t line) {
    auto c = row.find("completion");
    if (c == row.end()) throw InputError(jsonl_where(o.input, line) + "missing field \"completion\"");
    if (!c->is_string()) throw jsonl_field_error(o.input, line, "completion", "a string", *c);
    const std::string completion = c->get<std::string>();

    PromptExample ex;
    ex.task = "file";
    ex.id = o.input + ":" + std::to_string(line);
    if (row.contains("answer")) ex.answer = jsonl_string(row, "answer", o.input, line);
    read_prompt_fields(row, o.input, line, ex);  // the rules prompt files follow
    if (ex.task == "countdown" && !row.contains("answer")) ex.answer = std::to_string(ex.target);
    else if (!row.contains("answer")) jsonl_string(row, "answer", o.input, line);  // names the missing field
    std::string prompt;
    if (auto q = row.find("question"); q != row.end()) {
      if (!q->is_string()) throw jsonl_field_error(o.input, line, "question", "a string", *q);
      ex.question = q->get<std::string>();
      prompt = render_prompt(o.template_name, ex.question);
    }
    if (auto p = row.find("prompt"); p != row.end()) {
      if (!p->is_string()) throw jsonl_field_error(o.input, line, "prompt", "a string", *p);
      prompt = p->get<std::string>();
    }
    int tokens = static_cast<int>(completion.size());
    if (auto t = row.find("completion_tokens"); t != row.end()) {
      long long v = jsonl_integer(*t, o.input, line, "completion_tokens");
      if (v < 0) throw jsonl_field_error(o.input, line, "completion_tokens", "an integer >= 0", *t);
      tokens = static_cast<int>(v);
    } else {
      ++char_lengths;
    }
    bool truncated = false;
    if (auto t = row.find("truncated"); t != row.end()) {
      if (!t->is_boolean()) throw jsonl_field_error(o.input, line, "truncated", "true or false", *t);
      truncated = t->get<bool>();
    }

    RewardOutcome r = rewards.score(ex, prompt, completion, tokens, truncated);
    ++rows;
    correct += r.correct;
    formatted += r.formatted;
    language += r.language_consistency;
    total.add(r.total);
    for (size_t i = 0; i < names.size(); ++i) per[i].add(r.components[i]);
    if (o.json) {
      Json out = {{"line", line}, {"id", ex.id}, {"total", r.total}};
      Json comps = Json::object();
      for (size_t i = 0; i < names.size(); ++i) comps[names[i]] = r.components[i];
      out["rewards"] = comps;
      out["correct"] = r.correct;
      out["formatted"] = r.formatted;
      out["language_consistency"] = r.language_consistency;
      out["extracted_answer"] = r.extracted_answer;
      std::cout << out.dump(-1, ' ', false, Json::error_handler_t::replace) << "\n";
    }
  });
  if (rows == 0) throw InputError(o.input + ": no completions to score (the file has no rows)");

  std::ostream& table = o.json ? std::cerr : std::cout;
  char buf[256];
  std::snprintf(buf, sizeof buf, "%-12s %8s %9s %9s %9s\n", "reward", "weight", "mean", "min", "max");
  table << buf;
  for (size_t i = 0; i < names.size(); ++i) {
    std::snprintf(buf, sizeof buf, "%-12s %8s %9.4f %9.4f %9.4f\n", names[i].c_str(),
                  format_number(rewards.weights()[i]).c_str(), per[i].sum / rows, per[i].min, per[i].max);
    table << buf;
  }
  std::snprintf(buf, sizeof buf, "%-12s %8s %9.4f %9.4f %9.4f\n", "total", "", total.sum / rows, total.min, total.max);
  table << buf;
  std::snprintf(buf, sizeof buf, "rows %zu | accuracy %.1f%% | format %.1f%% | language consistency %.3f\n", rows,
                100.0 * correct / rows, 100.0 * formatted / rows, language / rows);
  table << buf;
  if (char_lengths > 0)
    table << "note: " << char_lengths << " row(s) have no completion_tokens; their length is counted in characters\n";
  return kExitOk;
}
}  // namespace

void register_reward(CLI::App& app, Action& action) {
  auto opts = std::make_shared<RewardOptions>();
  auto* cmd = app.add_subcommand("reward", "Score completions with a reward list; print a per-reward breakdown");
  cmd->add_option("--config", opts->config, "Rewards YAML (rewards: [{name: accuracy, weight: 1}, ...])")->required();
  cmd->add_option("--input", opts->input, "Completions JSONL (completion, answer, question/prompt, task, ...)")
      ->required();
  cmd->add_flag("--json", opts->json, "Print one JSON result per line (the table goes to stderr)");
  cmd->add_option("--template", opts->template_name, "Prompt template for rows with a question but no prompt")
      ->capture_default_str();
  cmd->callback([opts, &action] { action = [opts] { return run_reward(*opts); }; });
}

}  // namespace r1::cli
