// Data curation stages.
#include "r1/stages/data_stage.h"

#include <filesystem>
#include <set>

#include "r1/data/prompt_source.h"
#include "r1/data/sft_dataset.h"
#include "r1/data/sample_filters.h"
#include "r1/dist/shard.h"
#include "r1/dist/world.h"
#include "r1/generate/completion_journal.h"
#include "r1/generate/sampler.h"
#include "r1/generate/sharded_sampling.h"
#include "r1/rewards/reward_set.h"
#include "r1/tokenizer/prompt_template.h"
#include "r1/train/model_bundle.h"
#include "r1/util/error.h"
#include "r1/util/fs.h"
#include "r1/util/logging.h"
#include "r1/util/progress.h"
#include "r1/util/rng.h"

namespace r1::stages {

namespace fs = std::filesystem;

namespace {
// The first filter a sample fails, or "" when it passes.
std::string failed_filter(const config::SampleFilterConfig& f, const RewardOutcome& o, const generate::Completion& c) {
  if (c.truncated()) return "truncated";
  if (f.require_correct && !o.correct) return "incorrect";
  if (f.require_format && !o.formatted) return "format";
  if (o.language_consistency < f.min_language_consistency) return "mixed_language";
  int n = static_cast<int>(c.tokens.size());
  if (n < f.min_tokens || (f.max_tokens > 0 && n > f.max_tokens)) return "length";
  if (f.max_paragraph_chars > 0 && longest_paragraph(c.text) > static_cast<size_t>(f.max_paragraph_chars))
    return "long_paragraph";
  if (f.reject_code_blocks && has_code_block(c.text)) return "code_block";
  if (f.max_repeat_frac < 1.0 && repeated_ngram_fraction(c.text) > f.max_repeat_frac) return "repetition";
  return "";
}

// Every prompt rendered and encoded, k rows per prompt with their own seeds.
struct SamplingRows {
  std::vector<std::string> texts;          // rendered prompt per prompt
  std::vector<std::vector<int>> rows;      // prompt ids, k per prompt
  std::vector<std::uint64_t> seeds;        // one per row
};

SamplingRows sampling_rows(const std::vector<PromptExample>& prompts, const PromptRenderer& renderer,
                           const Tokenizer& tokenizer, int k, const train::RunContext& ctx) {
  SamplingRows out;
  for (const auto& ex : prompts) {
    out.texts.push_back(renderer.render(ex.question));
    auto ids = generate::encode_prompt(tokenizer, out.texts.back());
    for (int s = 0; s < k; ++s) {
      out.rows.push_back(ids);
      out.seeds.push_back(derive_seed(ctx.seed, ctx.stage_name + "/" + ex.id + "/" + std::to_string(s)));
    }
  }
  return out;
}

}  // namespace

// What the filters kept, and why the rest went.
struct Selection {
  std::vector<Json> rows;
  std::map<std::string, std::int64_t> dropped;
  std::map<int, std::pair<std::int64_t, std::int64_t>> by_level;  // level -> (samples, kept)
  std::int64_t samples = 0, prompts_with_data = 0;
};


Selection DataStage::select(const std::vector<PromptExample>& prompts, const std::vector<std::string>& texts,
                            const std::vector<generate::Completion>& outs, const std::string& policy_path,
                            const train::RunContext& ctx) const {
  const bool cold = cfg_.kind == config::StageKind::kColdStart;
  RewardSet rewards = verdict_rewards();
  Selection sel;
  std::set<std::string> seen;
  const int k = cfg_.samples_per_prompt;
  for (size_t i = 0; i < prompts.size(); ++i) {
    const auto& ex = prompts[i];
    int kept_here = 0;
    for (int s = 0; s < k; ++s) {
      const auto& c = outs[i * k + s];
      ++sel.samples;
      sel.by_level[ex.level].first += 1;
      auto o = rewards.score(ex, texts[i], c.text, static_cast<int>(c.tokens.size()), c.truncated());
      std::string why = failed_filter(cfg_.filters, o, c);
      if (why.empty() && kept_here >= cfg_.max_per_prompt) why = "per_prompt_cap";
      std::string completion = c.text;
      if (why.empty() && cold) completion = rewrite_cold_start(cfg_.rewrite_template, split_reasoning(c.text), ex.language);
      if (why.empty() && !usable_sft_text(completion)) why = "empty";  // the SFT loader would refuse the row
      if (why.empty() && cfg_.dedupe && !seen.insert(normalize_for_dedupe(ex.question + "\x1f" + completion)).second)
        why = "duplicate";
      if (!why.empty()) {
        ++sel.dropped[why];
        continue;
      }
      ++kept_here;
      sel.by_level[ex.level].second += 1;
      sel.rows.push_back(Json{{"prompt", ex.question},
                              {"completion", completion},
                              {"prompt_id", ex.id},
                              {"sample_index", s},
                              {"task", ex.task},
                              {"level", ex.level},
                              {"language", ex.language},
                              {"answer", ex.answer},
                              {"rewards", Json{{"correct", o.correct}, {"formatted", o.formatted},
                                               {"language_consistency", o.language_consistency}}},
                              {"completion_tokens", c.tokens.size()},
                              {"source_checkpoint", policy_path},
                              {"stage", ctx.stage_name}});
    }
    sel.prompts_with_data += kept_here > 0;
  }
  return sel;
}

std::int64_t DataStage::mix_in(std::vector<Json>& rows, const train::RunContext& ctx) const {
  if (cfg_.kind == config::StageKind::kColdStart || cfg_.mix_ratio <= 0) return 0;
  auto extra = read_jsonl(cfg_.mix_file);
  if (extra.empty()) throw InputError(cfg_.mix_file + ": mix_file is empty");
  const auto kept = static_cast<double>(rows.size());
  std::int64_t want = static_cast<std::int64_t>(cfg_.mix_ratio * kept + 0.5);
  Rng rng(derive_seed(ctx.seed, ctx.stage_name + "/mix"));
  std::vector<size_t> order(extra.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = i;
  rng.shuffle(order);
  for (std::int64_t i = 0; i < want; ++i) {
    Json row = extra[order[static_cast<size_t>(i) % order.size()]];
    row["source"] = "mix:" + cfg_.mix_file;
    row["stage"] = ctx.stage_name;
    rows.push_back(row);
  }
  return want;
}

void DataStage::run(const StageRun& r) {
  const train::RunContext& ctx = r.ctx;
  auto log = logger();
  const std::string policy_path = r.refs.model(cfg_.policy);
  auto bundle = train::load_model(policy_path, ctx.device);
  bundle.model->eval();
  auto prompts = load_prompts(cfg_.prompts, derive_seed(ctx.seed, "prompts/" + ctx.stage_name));
  log->info("[{}] sampling {} x {} from {}", ctx.stage_name, prompts.size(), cfg_.samples_per_prompt, policy_path);
  generate::Sampler sampler(*bundle.model, bundle.tokenizer);
  const PromptRenderer renderer(cfg_.prompts.template_name, bundle.tokenizer, policy_path);
  const int k = cfg_.samples_per_prompt;
  SamplingRows in = sampling_rows(prompts, renderer, bundle.tokenizer, k, ctx);

  // The ranks share the prompts out and gather the completions in order; every rank then runs the (cheap,
  // order-dependent: caps, de-duplication) filters over all of them. Finished batches go to a journal, so a
  // stopped or killed run resumes where it stopped.
  dist::Comm& comm = dist::world();
  const auto share = dist::shard_range(prompts.size(), comm.rank(), comm.world_size());
  Progress progress(ctx.stage_name, static_cast<std::int64_t>(share.size()), "prompt");
  progress.set_enabled(comm.is_main());
  generate::CompletionJournal journal(
      (fs::path(ctx.stage_dir) / ("samples.rank" + std::to_string(comm.rank()) + ".journal")).string(),
      fmt::format("r1 sampling journal: config {} rank {}/{} prompts {} k {} batch {}", ctx.config_hash, comm.rank(),
                  comm.world_size(), prompts.size(), k, cfg_.batch_prompts));
  generate::ShardedSamplingOptions so;
  so.rows_per_unit = static_cast<size_t>(k);
  so.batch_units = static_cast<size_t>(cfg_.batch_prompts);
  so.what = "[" + ctx.stage_name + "] sampling";
  so.journal = &journal;
  so.progress = [&](size_t done, size_t) { progress.update(static_cast<std::int64_t>(done)); };
  auto outs = generate::sample_across_ranks(sampler, in.rows, cfg_.sampling, in.seeds, so, comm);
  progress.finish();

  Selection sel = select(prompts, in.texts, outs, policy_path, ctx);
  const std::int64_t kept = static_cast<std::int64_t>(sel.rows.size());
  Json drops = Json::object();
  for (const auto& [why, n] : sel.dropped) drops[why] = n;
  if (kept == 0)
    throw InputError("[" + ctx.stage_name + "] every one of " + std::to_string(sel.samples) +
                     " samples was filtered out (dropped per filter: " + drops.dump() +
                     "); nothing written. Loosen `filters`, raise samples_per_prompt, or train the policy longer.");
  const std::int64_t mixed = mix_in(sel.rows, ctx);

  Json levels = Json::object();
  for (const auto& [level, sk] : sel.by_level)
    levels[std::to_string(level)] = Json{{"samples", sk.first}, {"kept", sk.second},
                                         {"acceptance", sk.first ? static_cast<double>(sk.second) / sk.first : 0.0}};
  Json summary{{"stage", ctx.stage_name},
               {"kind", config::enum_name(cfg_.kind)},
               {"policy", policy_path},
               {"prompts", prompts.size()},
               {"prompts_with_data", sel.prompts_with_data},
               {"samples", sel.samples},
               {"kept", kept},
               {"mixed_in", mixed},
               {"acceptance", sel.samples ? static_cast<double>(kept) / sel.samples : 0.0},
               {"dropped", drops},
               {"by_level", levels}};
  if (ctx.rank == 0) {
    std::string body;
    for (const auto& row : sel.rows) body += row.dump() + "\n";
    write_file_atomic((fs::path(ctx.stage_dir) / "data.jsonl").string(), body);
    write_file_atomic((fs::path(ctx.stage_dir) / "data_summary.json").string(), summary.dump(2) + "\n");
  }
  comm.barrier();  // the data is written before any rank drops its journal
  journal.remove();
  log->info("[{}] kept {} of {} samples ({:.1f}%) from {} of {} prompts; dropped {}{}", ctx.stage_name, kept,
            sel.samples, 100.0 * kept / std::max<std::int64_t>(1, sel.samples), sel.prompts_with_data,
            prompts.size(), drops.dump(), mixed ? fmt::format("; mixed in {} rows", mixed) : "");
}

}  // namespace r1::stages
