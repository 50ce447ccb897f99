// Preflight: every check a run can fail before a stage's first step (preflight.h).
#include "r1/stages/preflight.h"

#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <map>
#include <variant>

#include "r1/config/problems.h"
#include "r1/dist/collectives.h"
#include "r1/dist/world.h"
#include "r1/data/prompt_source.h"
#include "r1/io/checkpoint.h"
#include "r1/io/weight_shapes.h"
#include "r1/tokenizer/prompt_template.h"
#include "r1/train/runtime.h"
#include "r1/util/error.h"
#include "r1/util/logging.h"
#include "r1/util/strings.h"

namespace r1::stages {

namespace fs = std::filesystem;
using config::index_path;
using config::join_path;

namespace {

// Resolves the models stages read: an earlier stage's shape by name, else a checkpoint path's config.json.
class ShapeBook {
 public:
  ShapeBook(const config::Recipe& recipe, config::Problems& problems) : recipe_(recipe), problems_(problems) {}

  void set(const std::string& stage, std::optional<ModelShape> shape) { shapes_[stage] = std::move(shape); }
  bool names_stage(const std::string& ref) const { return recipe_.find(ref) >= 0; }

  // The shape of model input `ref` (at `key` of the stage at `path`); nullopt, with a problem, when unreadable.
  std::optional<ModelShape> of(const std::string& ref, const std::string& path, const std::string& key) {
    if (ref.empty()) return std::nullopt;
    if (recipe_.find(ref) >= 0) {
      auto it = shapes_.find(ref);
      return it == shapes_.end() ? std::nullopt : it->second;  // a later stage: Recipe::check said so
    }
    try {
      const std::string dir = resolve_checkpoint_dir(ref);
      if (!is_complete_checkpoint(dir)) {
        problems_.add(join_path(path, key), dir + ": a checkpoint needs config.json, model weights (model.safetensors"
                                                  " or its index) and a tokenizer (tokenizer.json or tokenizer.model)");
        return std::nullopt;
      }
      HfModelInfo info = load_hf_config((fs::path(dir) / "config.json").string());
      // The weights' names and shapes from the safetensors headers (no tensor data is read): a missing shard or a
      // tensor that disagrees with config.json is refused here, before the stage writes anything.
      std::map<std::string, std::string> files;
      const auto found = read_weight_shapes(dir, &files);
      const auto mismatch =
          weight_shape_mismatch(found, files, expected_weight_shapes(info.config, info.config.vocab_size));
      if (!mismatch.empty()) {
        problems_.add(join_path(path, key), mismatch);
        return std::nullopt;
      }
      return ModelShape{info.config, info.config.vocab_size};
    } catch (const InputError& e) {
      problems_.add(join_path(path, key), e.what());
      return std::nullopt;
    }
  }

 private:
  const config::Recipe& recipe_;
  config::Problems& problems_;
  std::map<std::string, std::optional<ModelShape>> shapes_;
};

// A fresh model's shape: its config, with `vocab` unless the config sets vocab_size itself.
ModelShape fresh_shape(const config::ModelConfig& model, std::int64_t vocab) {
  return ModelShape{model, model.vocab_size > 0 ? model.vocab_size : vocab};
}

// The models a stage holds; nullopt when its own model's shape is unknown (a problem was recorded, or an input is
// missing, which Recipe::check reports).
std::optional<StageModels> stage_models(const config::StageEntry& entry, const std::string& path, ShapeBook& book) {
  using namespace config;
  std::optional<ModelShape> model;
  StageModels m;
  std::visit(
      [&](const auto& c) {
        using T = std::decay_t<decltype(c)>;
        if constexpr (std::is_same_v<T, PretrainConfig>) {
          if (!c.init.empty()) {
            model = book.of(c.init, path, "init");
          } else {
            std::int64_t vocab = c.tokenizer.vocab_size;
            const std::string& tok = c.tokenizer.path;  // a stage, a checkpoint dir, or a tokenizer.model file
            if (!tok.empty() && (book.names_stage(tok) || fs::is_directory(tok)))
              if (auto t = book.of(tok, path, "tokenizer.path")) vocab = t->vocab;
            model = fresh_shape(c.model.config, vocab);
          }
        } else if constexpr (std::is_same_v<T, RlStageConfig>) {
          model = book.of(c.init, path, "init");
          if (c.grpo.beta > 0)
            m.reference = c.reference.empty() ? model : book.of(c.reference, path, "reference");
        } else if constexpr (std::is_same_v<T, DataStageConfig>) {
          model = book.of(c.policy, path, "policy");
        } else if constexpr (std::is_same_v<T, SftStageConfig>) {
          std::optional<ModelShape> teacher = book.of(c.teacher, path, "teacher");
          if (!c.init.empty()) model = book.of(c.init, path, "init");
          else if (teacher) model = fresh_shape(c.model.config, teacher->vocab);
          if (c.kd.weight > 0) m.teacher = teacher;
        } else {
          model = book.of(c.model, path, "model");
        }
      },
      entry.config);
  if (!model) return std::nullopt;
  m.model = *model;
  return m;
}

// How many prompts the length bound looks at (the first ones; run-time prompts are drawn the same way).
constexpr int kPromptSample = 2000;
// Room for an hf chat template's own text around the question (system prompt, role headers).
constexpr std::int64_t kChatTemplateAllowance = 1024;

// An upper bound on the tokens of the source's prompts: the longest rendered prompt of the first kPromptSample,
// in bytes, plus BOS and one spare (a byte-level or byte-fallback tokenizer never gives more tokens than bytes).
// A source that cannot be loaded is a problem at `key` (the run would fail there too).
std::int64_t prompt_tokens_bound(const config::PromptSourceConfig& source, std::uint64_t seed, const std::string& key,
                                 config::Problems& p) {
  config::PromptSourceConfig cfg = source;
  cfg.n = cfg.n == 0 ? kPromptSample : std::min(cfg.n, kPromptSample);
  try {
    std::int64_t longest = 0;
    for (const auto& ex : load_prompts(cfg, seed)) {
      const std::int64_t bytes = cfg.template_name == "hf"
                                     ? static_cast<std::int64_t>(ex.question.size()) + kChatTemplateAllowance
                                     : static_cast<std::int64_t>(render_prompt(cfg.template_name, ex.question).size());
      longest = std::max(longest, bytes);
    }
    return longest + 2;
  } catch (const InputError& e) {
    p.add(key, e.what());
    return kPromptTokensBound;
  }
}

// The prompt sources of a stage (GRPO and data stages sample them).
const config::PromptSourceConfig* stage_prompts(const config::StageEntry& entry) {
  if (const auto* rl = std::get_if<config::RlStageConfig>(&entry.config)) return &rl->prompts;
  if (const auto* data = std::get_if<config::DataStageConfig>(&entry.config)) return &data->prompts;
  return nullptr;
}

// max_new_tokens leaves room for a prompt in the model's positions.
void check_generation_length(const config::SamplingConfig& s, const ModelShape& m, const std::string& key,
                             const std::string& stage, config::Problems& p) {
  if (s.max_new_tokens < m.config.max_position_embeddings) return;
  p.add(key, std::to_string(s.max_new_tokens) + " new tokens leave no room for a prompt in the " +
                 "max_position_embeddings " + std::to_string(m.config.max_position_embeddings) + " of stage " +
                 quote(stage) + "'s model; lower it below that");
}

void check_seq_len(int seq_len, const ModelShape& m, const std::string& key, config::Problems& p) {
  if (seq_len <= m.config.max_position_embeddings) return;
  p.add(key, "exceeds the model's max_position_embeddings (" + std::to_string(seq_len) + " > " +
                 std::to_string(m.config.max_position_embeddings) + ")");
}

// Checks that need the stage's model shape and the world size.
void check_stage_fit(const config::StageEntry& entry, const config::RunSettings& run, const ModelShape& m,
                     const std::string& path, int world_size, config::Problems& p) {
  using namespace config;
  std::visit(
      [&](const auto& c) {
        using T = std::decay_t<decltype(c)>;
        if constexpr (std::is_same_v<T, RlStageConfig>) {
          check_generation_length(c.sampling, m, join_path(path, "sampling.max_new_tokens"), entry.name(), p);
          if (c.grpo.prompts_per_step % world_size != 0)
            p.add(join_path(path, "grpo.prompts_per_step"),
                  "must be divisible by the number of ranks, " + std::to_string(world_size) + " (got " +
                      std::to_string(c.grpo.prompts_per_step) + ")");
        } else if constexpr (std::is_same_v<T, DataStageConfig>) {
          check_generation_length(c.sampling, m, join_path(path, "sampling.max_new_tokens"), entry.name(), p);
        } else if constexpr (std::is_same_v<T, SftStageConfig> || std::is_same_v<T, PretrainConfig>) {
          if (!c.init.empty()) check_seq_len(c.seq_len, m, join_path(path, "seq_len"), p);
        } else if constexpr (std::is_same_v<T, EvalStageConfig>) {
          check_generation_length(c.settings ? c.settings->sampling : run.eval.sampling, m,
                                  c.settings ? join_path(path, "eval.sampling.max_new_tokens")
                                             : "eval.sampling.max_new_tokens",
                                  entry.name(), p);
        }
      },
      entry.config);
  if (entry.wants_eval())
    check_generation_length(run.eval.sampling, m, "eval.sampling.max_new_tokens", entry.name(), p);
}

// The device exists and the dtype is one r1 computes in (as the stages will resolve them).
void check_device(const config::RunSettings& run, config::Problems& p) {
  try {
    train::resolve_device(run.device);
    train::resolve_dtype(config::enum_name(run.dtype));
  } catch (const InputError& e) {
    p.add("", e.what());
  }
}

// run_dir is a directory, or can be made in a writable parent.
void check_run_dir(const std::string& run_dir, config::Problems& p) {
  std::error_code ec;
  fs::path dir = fs::absolute(run_dir, ec);
  if (fs::exists(dir, ec) && !fs::is_directory(dir, ec)) {
    p.add("run_dir", quote(run_dir) + " is a file; choose a directory");
    return;
  }
  fs::path probe = dir;
  while (!probe.empty() && !fs::exists(probe, ec)) probe = probe.parent_path();
  if (probe.empty() || !fs::is_directory(probe, ec)) {
    p.add("run_dir", "cannot create " + quote(run_dir) + ": " + quote(probe.string()) + " is not a directory");
  } else if (::access(probe.c_str(), W_OK | X_OK) != 0) {
    p.add("run_dir", "cannot write " + quote(run_dir) + ": no write permission in " + quote(probe.string()));
  }
}

// The per-rank memory each stage's peak is compared with.
MemoryBudget budget_for(const PreflightOptions& o, std::int64_t own_resident) {
  if (o.memory_limit) return {*o.memory_limit, "--memory-limit"};
  MemoryBudget b = available_memory();
  if (b.bytes < 0) return b;
  const int local = std::max(1, o.local_world_size);
  // What is free now, shared by this machine's ranks, plus what this process already holds (its estimate counts it).
  b.bytes = b.bytes / local + std::max<std::int64_t>(0, own_resident);
  b.source += local > 1 ? " / " + std::to_string(local) + " ranks" : "";
  b.source += " + this process";
  return b;
}

void check_memory(const StagePreflight& s, const std::string& path, const MemoryBudget& budget, config::Problems& p) {
  const MemoryEstimate& m = s.memory;
  if (budget.bytes < 0 || m.peak() <= budget.bytes) return;
  const std::pair<const char*, std::int64_t> parts[] = {{"weights", m.weights},     {"optimizer", m.optimizer},
                                                        {"activations", m.activations}, {"generation", m.generation},
                                                        {"data", m.data},           {"eval", m.eval}};
  const auto* big = std::max_element(std::begin(parts), std::end(parts),
                                     [](const auto& a, const auto& b) { return a.second < b.second; });
  std::string fix = m.knob.empty() ? "a smaller model or more ranks" : "lower " + m.knob;
  p.add(path, "stage " + quote(s.name) + " needs about " + format_bytes_short(m.peak()) + " at its peak (" +
                  big->first + " " + format_bytes_short(big->second) + "), more than the " +
                  format_bytes_short(budget.bytes) + " available (" + budget.source + "); " + fix +
                  ", or override with --memory-limit SIZE (or off)");
}

std::string stage_path(const PreflightOptions& o, size_t i) { return o.stage_file ? "" : index_path("stages", i); }

}  // namespace

PreflightReport preflight(const config::Recipe& recipe, const PreflightOptions& options) {
  PreflightReport report;
  report.source = recipe.source;
  config::Problems p(recipe.source);
  check_device(recipe.run, p);
  check_run_dir(recipe.run.run_dir, p);
  const std::int64_t own = resident_bytes();
  const bool on_gpu = starts_with(recipe.run.device, "cuda");
  report.budget = budget_for(options, own);
  report.memory_checked = options.check_memory && !on_gpu && report.budget.bytes >= 0;
  ShapeBook book(recipe, p);
  const int world = std::max(1, options.world_size);
  const std::int64_t eval_prompts = prompt_tokens_bound(recipe.run.eval.prompts, recipe.run.seed, "eval.prompts", p);
  for (size_t i = 0; i < recipe.stages.size(); ++i) {
    const auto& entry = recipe.stages[i];
    const std::string path = stage_path(options, i);
    StagePreflight s;
    s.name = entry.name();
    s.kind = entry.kind_name();
    std::optional<StageModels> models = stage_models(entry, path, book);
    if (entry.info().produces_model)
      book.set(entry.name(), models ? std::optional<ModelShape>(models->model) : std::nullopt);
    std::int64_t eval_tokens = eval_prompts, tokens = kPromptTokensBound;
    if (const auto* eval = std::get_if<config::EvalStageConfig>(&entry.config); eval && eval->settings)
      eval_tokens = prompt_tokens_bound(eval->settings->prompts, recipe.run.seed, join_path(path, "eval.prompts"), p);
    if (const auto* prompts = stage_prompts(entry))
      tokens = prompt_tokens_bound(*prompts, recipe.run.seed, join_path(path, "prompts"), p);
    if (models) {
      models->eval_prompt_tokens = eval_tokens;
      models->prompt_tokens = tokens;
      s.params = models->model.params();
      s.memory = estimate_stage_memory(entry, recipe.run, *models, world, own);
      check_stage_fit(entry, recipe.run, models->model, path, world, p);
      const bool runs = options.runs.empty() || (i < options.runs.size() && options.runs[i]);
      s.checked = report.memory_checked && runs;
      if (s.checked) check_memory(s, path, report.budget, p);
    }
    report.stages.push_back(std::move(s));
  }
  report.problems = p.lines();
  return report;
}

void require_preflight(const PreflightReport& report) {
  if (!report.problems.empty()) throw ConfigError(report.problems);
}

std::string PreflightReport::table() const {
  std::string out;
  char line[256];
  std::snprintf(line, sizeof line, "%-16s %-17s %8s %9s %9s %11s %10s %9s %9s %9s\n", "stage", "kind", "params",
                "weights", "optimizer", "activations", "generation", "data", "eval", "peak");
  out += line;
  std::int64_t largest = 0;
  std::string largest_name;
  for (const auto& s : stages) {
    if (s.params == 0) {
      std::snprintf(line, sizeof line, "%-16s %-17s %8s\n", s.name.c_str(), s.kind.c_str(), "?");
      out += line;
      continue;
    }
    const auto& m = s.memory;
    char params[16];
    std::snprintf(params, sizeof params, s.params >= 1000000000 ? "%.2fB" : s.params >= 1000000 ? "%.2fM" : "%.1fK",
                  s.params >= 1000000000 ? s.params / 1e9 : s.params >= 1000000 ? s.params / 1e6 : s.params / 1e3);
    std::snprintf(line, sizeof line, "%-16s %-17s %8s %9s %9s %11s %10s %9s %9s %9s\n", s.name.c_str(), s.kind.c_str(),
                  params, format_bytes_short(m.weights).c_str(), format_bytes_short(m.optimizer).c_str(),
                  format_bytes_short(m.activations).c_str(), format_bytes_short(m.generation).c_str(),
                  format_bytes_short(m.data).c_str(), format_bytes_short(m.eval).c_str(),
                  format_bytes_short(m.peak()).c_str());
    out += line;
    if (m.peak() > largest) {
      largest = m.peak();
      largest_name = s.name;
    }
  }
  const std::string runtime = stages.empty() ? "" : format_bytes_short(stages.front().memory.runtime);
  out += "peak = the process (" + runtime + " with a 64 MiB allowance) + the larger of the stage's work and its " +
         "evaluation; largest: " + format_bytes_short(largest) + " (" + largest_name + ")\n";
  if (budget.bytes < 0) return out + "memory available: unknown (no /proc/meminfo); not checked\n";
  return out + "memory available: " + format_bytes_short(budget.bytes) + " (" + budget.source +
         (memory_checked ? ")\n" : "; not enforced)\n");
}

void preflight_before_run(const config::Recipe& recipe, const PreflightOptions& options) {
  PreflightReport report = preflight(recipe, options);
  dist::Comm& comm = dist::world();
  if (comm.is_main()) logger()->info("preflight: estimated peak memory per stage\n{}", report.table());
  if (comm.distributed()) {  // one verdict for all ranks (their machines may differ in memory)
    std::vector<std::string> all = dist::all_gather_strings(comm, {join(report.problems, "\n")});
    report.problems.clear();
    for (const auto& text : all)
      for (const auto& line : split(text, '\n'))
        if (!line.empty() && std::find(report.problems.begin(), report.problems.end(), line) == report.problems.end())
          report.problems.push_back(line);
  }
  require_preflight(report);
}

PreflightOptions preflight_options(const std::string& memory_limit_flag) {
  PreflightOptions o;
  if (auto env = dist::dist_env_from_process()) {
    o.world_size = env->world_size;
    o.local_world_size = env->local_world_size;
  }
  if (memory_limit_flag == "off") o.check_memory = false;
  else if (!memory_limit_flag.empty()) o.memory_limit = parse_memory_size(memory_limit_flag, "--memory-limit");
  return o;
}

}  // namespace r1::stages
