// Evaluation: sampling, scoring and the pass@k / maj@k summaries.
#include "r1/eval/evaluator.h"

#include <algorithm>

#include "r1/data/prompt_source.h"
#include "r1/dist/shard.h"
#include "r1/generate/sampler.h"
#include "r1/generate/sharded_sampling.h"
#include "r1/rewards/eval_metrics.h"
#include "r1/rewards/number_match.h"
#include "r1/rewards/reward_set.h"
#include "r1/tokenizer/prompt_template.h"
#include "r1/util/progress.h"
#include "r1/util/rng.h"

namespace r1::eval {

Json PassAtKCurve::to_json() const { return Json{{"k", k}, {"pass@k", pass_at_k}}; }

Json EvalResult::to_json() const {
  Json by_level = Json::object();
  for (const auto& [level, v] : pass_at_1_by_level) by_level[std::to_string(level)] = v;
  Json j{{"pass@1", pass_at_1},
         {"maj@k", maj_at_k},
         {"pass@k", pass_at_k},
         {"k", k},
         {"format_rate", format_rate},
         {"language_consistency", language_consistency},
         {"mean_length", mean_length},
         {"n_prompts", n_prompts},
         {"pass@1_by_level", by_level}};
  j["greedy_accuracy"] = greedy_accuracy >= 0 ? Json(greedy_accuracy) : Json(nullptr);
  j["pass_at_k"] = curve.to_json();
  Json scores = Json::array();
  for (const auto& s : per_prompt) scores.push_back(s.to_json());
  j["per_prompt"] = std::move(scores);
  return j;
}

namespace {

PromptScore score_of(const PromptSamples& p) {
  PromptScore s;
  s.id = p.id;
  s.n = static_cast<int>(p.correct.size());
  s.correct = static_cast<int>(std::count(p.correct.begin(), p.correct.end(), true));
  s.formatted = static_cast<int>(std::count(p.formatted.begin(), p.formatted.end(), true));
  for (double l : p.language_consistency) s.language += l;
  if (s.n > 0) s.language /= s.n;
  return s;
}

PassAtKCurve curve_of(const std::vector<PromptScore>& scores, const std::vector<int>& ks) {
  PassAtKCurve curve;
  curve.k = ks;
  for (int k : ks) {
    double sum = 0;
    for (const auto& s : scores) sum += s.n >= k ? pass_at_k(s.n, s.correct, k) : 0.0;
    curve.pass_at_k.push_back(scores.empty() ? 0.0 : sum / static_cast<double>(scores.size()));
  }
  return curve;
}

}  // namespace

EvalResult summarize(const std::vector<PromptSamples>& prompts, int k, const std::vector<int>& curve_ks) {
  EvalResult r;
  r.k = k;
  r.n_prompts = static_cast<int>(prompts.size());
  for (const auto& p : prompts) r.per_prompt.push_back(score_of(p));
  r.curve = curve_of(r.per_prompt, curve_ks);
  if (prompts.empty()) return r;
  double samples = 0;
  std::map<int, std::pair<double, int>> levels;
  for (const auto& p : prompts) {
    int c = static_cast<int>(std::count(p.correct.begin(), p.correct.end(), true));
    int n = static_cast<int>(p.correct.size());
    double acc = n ? static_cast<double>(c) / n : 0.0;
    r.pass_at_1 += acc;
    r.pass_at_k += n >= k ? pass_at_k(n, c, k) : 0.0;
    r.maj_at_k += majority_correct(p.answers, p.correct);
    levels[p.level].first += acc;
    levels[p.level].second += 1;
    for (size_t i = 0; i < p.correct.size(); ++i) {
      r.format_rate += p.formatted[i];
      r.language_consistency += p.language_consistency[i];
      r.mean_length += p.lengths[i];
      samples += 1;
    }
  }
  double np = static_cast<double>(prompts.size());
  r.pass_at_1 /= np;
  r.pass_at_k /= np;
  r.maj_at_k /= np;
  if (samples > 0) {
    r.format_rate /= samples;
    r.language_consistency /= samples;
    r.mean_length /= samples;
  }
  for (const auto& [level, acc] : levels) r.pass_at_1_by_level[level] = acc.first / acc.second;
  return r;
}

std::vector<PromptExample> eval_prompts(const config::EvalSettings& settings, std::uint64_t run_seed) {
  return load_prompts(settings.prompts, derive_seed(run_seed, "eval-prompts"));
}

EvalResult evaluate(train::ModelBundle& bundle, const std::vector<PromptExample>& prompts,
                    const config::EvalSettings& settings, std::uint64_t seed, std::vector<Json>* samples_out,
                    dist::Comm& comm) {
  bundle.model->eval();
  generate::Sampler sampler(*bundle.model, bundle.tokenizer);
  RewardSet rewards = verdict_rewards();
  const int k = settings.samples;
  std::vector<PromptSamples> results(prompts.size());
  std::vector<std::string> texts(prompts.size());
  std::vector<std::vector<int>> tokens(prompts.size());
  std::vector<std::vector<int>> rows;
  std::vector<std::uint64_t> seeds;
  const PromptRenderer renderer(settings.prompts.template_name, bundle.tokenizer,
                                bundle.source.empty() ? "the model" : bundle.source);
  for (size_t i = 0; i < prompts.size(); ++i) {
    texts[i] = renderer.render(prompts[i].question);
    tokens[i] = generate::encode_prompt(bundle.tokenizer, texts[i]);
    results[i].id = prompts[i].id;
    results[i].level = prompts[i].level;
    for (int s = 0; s < k; ++s) {
      rows.push_back(tokens[i]);
      seeds.push_back(derive_seed(seed, "eval/" + prompts[i].id + "/" + std::to_string(s)));
    }
  }
  // The ranks share the prompts out; every rank scores all the gathered completions (cheap) in prompt order.
  const auto share = dist::shard_range(prompts.size(), comm.rank(), comm.world_size());
  Progress progress("eval", static_cast<std::int64_t>(share.size()) * (settings.greedy ? 2 : 1), "prompt");
  progress.set_enabled(comm.is_main());
  const size_t batch = static_cast<size_t>(settings.batch_prompts);
  auto outs = generate::sample_across_ranks(sampler, rows, settings.sampling, seeds, static_cast<size_t>(k), batch,
                                            comm, [&](size_t done, size_t) { progress.update(static_cast<std::int64_t>(done)); });
  for (size_t r = 0; r < outs.size(); ++r) {
    size_t i = r / k;
    const auto& c = outs[r];
    auto o = rewards.score(prompts[i], texts[i], c.text, static_cast<int>(c.tokens.size()), c.truncated());
    auto& ps = results[i];
    ps.correct.push_back(o.correct);
    ps.answers.push_back(o.extracted_answer.empty() ? "" : answer_key(o.extracted_answer));
    ps.formatted.push_back(o.formatted);
    ps.language_consistency.push_back(o.language_consistency);
    ps.lengths.push_back(static_cast<int>(c.tokens.size()));
    if (samples_out)
      samples_out->push_back(Json{{"prompt_id", prompts[i].id}, {"level", prompts[i].level},
                                  {"question", prompts[i].question}, {"answer", prompts[i].answer},
                                  {"sample", r % k}, {"completion", c.text}, {"correct", o.correct},
                                  {"formatted", o.formatted}, {"language_consistency", o.language_consistency}});
  }
  double greedy_correct = 0;
  if (settings.greedy) {
    config::SamplingConfig greedy = settings.sampling;
    greedy.temperature = 0.0;
    std::vector<std::uint64_t> gseeds(tokens.size(), 0);
    auto gouts = generate::sample_across_ranks(
        sampler, tokens, greedy, gseeds, 1, batch, comm,
        [&](size_t done, size_t) { progress.update(static_cast<std::int64_t>(share.size() + done)); });
    for (size_t i = 0; i < gouts.size(); ++i) {
      auto o = rewards.score(prompts[i], texts[i], gouts[i].text, static_cast<int>(gouts[i].tokens.size()),
                             gouts[i].truncated());
      greedy_correct += o.correct;
    }
  }
  progress.finish();
  EvalResult res = summarize(results, k, settings.curve_ks());
  if (settings.greedy && !prompts.empty()) res.greedy_accuracy = greedy_correct / static_cast<double>(prompts.size());
  return res;
}

}  // namespace r1::eval
