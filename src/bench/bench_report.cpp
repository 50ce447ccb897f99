// bench.json figures, targets and the Markdown table.
#include "r1/bench/bench_report.h"

#include <cmath>
#include <sstream>

#include "r1/bench/figure.h"
#include "r1/util/error.h"

namespace r1::bench {

namespace {

std::vector<double> samples(const Json& j, const std::string& key) {
  if (!j.contains(key)) throw RuntimeFailure("bench: a case result has no \"" + key + "\"");
  return j.at(key).get<std::vector<double>>();
}

bool has_raw(const Json& bench, const std::string& key) { return bench["raw"].contains(key); }

Json figures_train(const Json& raw, double gemm_flops_per_s) {
  const Json& r = raw.at("result");
  auto step = samples(r, "step_s");
  double tokens = r.at("tokens_per_step").get<double>(), flops = r.at("flops_per_step").get<double>();
  Json out{{"seq_len", r.at("seq_len")},
           {"batch", r.at("batch")},
           {"flops_per_step", flops},
           {"step_s", to_json(summarize(step))},
           {"train_tokens_per_s", to_json(summarize_map(step, [&](double s) { return tokens / s; }))},
           {"achieved_gflops", to_json(summarize_map(step, [&](double s) { return flops / s / 1e9; }))},
           {"peak_rss_mb", raw.at("peak_rss_mb")}};
  if (r.contains("attention_pairs_fraction")) out["attention_pairs_fraction"] = r.at("attention_pairs_fraction");
  // The ceiling the case measured around its own steps, when it did (else the gemm case's).
  if (r.contains("ceiling_gflops")) {
    const Figure ceiling = summarize(samples(r, "ceiling_gflops"));
    out["ceiling_gflops"] = to_json(ceiling);
    gemm_flops_per_s = ceiling.median * 1e9;
  }
  if (gemm_flops_per_s > 0)
    out["train_mfu"] = to_json(summarize_map(step, [&](double s) { return flops / s / gemm_flops_per_s; }));
  return out;
}

// The train case with and without activation checkpointing (two processes): peak RSS of each, the saving, and
// the step-time cost (medians' ratio: the two runs are separate processes, so their steps are not paired).
Json figures_activation_checkpointing(const Json& plain, const Json& checkpointed) {
  const double plain_mb = plain.at("peak_rss_mb").get<double>(), ckpt_mb = checkpointed.at("peak_rss_mb").get<double>();
  const Figure plain_s = summarize(samples(plain.at("result"), "step_s"));
  const Figure ckpt_s = summarize(samples(checkpointed.at("result"), "step_s"));
  return Json{{"plain_peak_rss_mb", plain_mb},
              {"checkpointed_peak_rss_mb", ckpt_mb},
              {"peak_rss_saving_mb", plain_mb - ckpt_mb},
              {"plain_step_s", to_json(plain_s)},
              {"checkpointed_step_s", to_json(ckpt_s)},
              {"step_time_ratio", ckpt_s.median / plain_s.median}};
}

Json figures_packing(const Json& raw) {
  const Json& r = raw.at("result");
  auto packed_s = samples(r.at("packed"), "seconds"), padded_s = samples(r.at("padded"), "seconds");
  return Json{{"examples", r.at("examples")},
              {"real_tokens", r.at("real_tokens")},
              {"packed_rows", r.at("packed").at("rows")},
              {"padded_rows", r.at("padded").at("rows")},
              {"packed_epoch_s", to_json(summarize(packed_s))},
              {"padded_epoch_s", to_json(summarize(padded_s))},
              {"packed_tokens_per_s", to_json(summarize(samples(r.at("packed"), "tokens_per_s")))},
              {"padded_tokens_per_s", to_json(summarize(samples(r.at("padded"), "tokens_per_s")))},
              {"packing_speedup", to_json(paired_ratio(padded_s, packed_s))},
              {"peak_rss_mb", raw.at("peak_rss_mb")}};
}

// Tokens/s of one decode case's runs with the cache, and without it (with the paired speed-up) when timed.
Json decode_batch_figures(const Json& raw, Figure* with_cache) {
  const Json& r = raw.at("result");
  const double tokens = r.at("generated_tokens").get<double>();
  const auto cache = samples(r, "cache_s");
  *with_cache = summarize_map(cache, [&](double s) { return tokens / s; });
  Json out{{"batch", r.at("batch")},
           {"decode_tokens_per_s", to_json(*with_cache)},
           {"prompt_tokens", r.at("prompt_tokens")},
           {"kv_cache_dtype", r.value("kv_cache_dtype", "auto")},
           {"peak_rss_mb", raw.at("peak_rss_mb")}};
  if (r.contains("no_cache_s")) {
    const auto nocache = samples(r, "no_cache_s");
    out["no_cache_tokens_per_s"] = to_json(summarize_map(nocache, [&](double s) { return tokens / s; }));
    out["decode_speedup_vs_no_cache"] = to_json(paired_ratio(nocache, cache));
  }
  return out;
}

Json figures_decode(const Json* raw1, const Json* rawb) {
  Json out = Json::object();
  Figure b1, bb;
  if (raw1) {
    out["new_tokens"] = raw1->at("result").at("new_tokens");
    out["batch_1"] = decode_batch_figures(*raw1, &b1);
  }
  if (rawb) {
    out["new_tokens"] = rawb->at("result").at("new_tokens");
    out["batch_n"] = decode_batch_figures(*rawb, &bb);
  }
  if (raw1 && rawb) out["batch_n_over_batch_1"] = to_json(independent_ratio(bb, b1));
  return out;
}

Json figures_grpo(const Json& raw) {
  const Json& r = raw.at("result");
  auto rollout = samples(r, "rollout_s"), logprob = samples(r, "logprob_s"), update = samples(r, "update_s"),
       step = samples(r, "step_s");
  return Json{{"group_size", r.at("group_size")},
              {"prompts_per_step", r.at("prompts_per_step")},
              {"max_new_tokens", r.at("max_new_tokens")},
              {"beta", r.at("beta")},
              {"completion_len_mean", to_json(summarize(samples(r, "completion_len_mean")))},
              {"grpo_step_s", to_json(summarize(step))},
              {"rollout_s", to_json(summarize(rollout))},
              {"logprob_s", to_json(summarize(logprob))},
              {"update_s", to_json(summarize(update))},
              {"rollout_frac", to_json(paired_ratio(rollout, step))},
              {"peak_rss_mb", raw.at("peak_rss_mb")}};
}

Json figures_rollout_prefix(const Json& raw) {
  const Json& r = raw.at("result");
  auto shared = samples(r, "shared_s"), separate = samples(r, "separate_s");
  return Json{{"rows", r.at("rows")},
              {"distinct_prompts", r.at("distinct_prompts")},
              {"prompt_tokens_mean", r.at("prompt_tokens_mean")},
              {"new_tokens", r.at("new_tokens")},
              {"same_samples", r.at("same_samples").get<bool>() ? "yes" : "NO"},
              {"shared_s", to_json(summarize(shared))},
              {"separate_s", to_json(summarize(separate))},
              {"prefix_sharing_speedup", to_json(paired_ratio(separate, shared))},
              {"peak_rss_mb", raw.at("peak_rss_mb")}};
}

// A GRPO update's forward + backward, padded vs packed rows: seconds, the tokens each layout computes, the
// paired speed-up and how far the packed log-probs are from the padded ones.
Json figures_grpo_update(const Json& raw) {
  const Json& r = raw.at("result");
  auto padded = samples(r, "padded_s"), packed = samples(r, "packed_s");
  return Json{{"rows", r.at("rows")},
              {"completion_len_mean", r.at("completion_len_mean")},
              {"completion_len_range", r.at("completion_len_range")},
              {"real_tokens", r.at("real_tokens")},
              {"padded_tokens", r.at("padded_tokens")},
              {"packed_tokens", r.at("packed_tokens")},
              {"max_logprob_diff", r.at("max_logprob_diff")},
              {"padded_s", to_json(summarize(padded))},
              {"packed_s", to_json(summarize(packed))},
              {"update_packing_speedup", to_json(paired_ratio(padded, packed))},
              {"peak_rss_mb", raw.at("peak_rss_mb")}};
}

// Encode/decode MB/s of one text, load seconds, and the seconds of one GRPO step's tokenizer work.
Json figures_tokenize(const Json& raw) {
  const Json& r = raw.at("result");
  auto rate = [&](const char* text, const char* key) {
    const double mb = r.at(text).at("bytes").get<double>() / 1e6;
    return to_json(summarize_map(samples(r.at(text), key), [&](double s) { return mb / s; }));
  };
  return Json{{"tokenizer", r.at("tokenizer")},
              {"load_s", to_json(summarize(samples(r, "load_s")))},
              {"prose_encode_mb_s", rate("prose", "encode_s")},
              {"mixed_encode_mb_s", rate("mixed", "encode_s")},
              {"prose_decode_mb_s", rate("prose", "decode_s")},
              {"grpo_step_tokenizer_s", to_json(summarize(samples(r.at("grpo_step"), "seconds")))},
              {"peak_rss_mb", raw.at("peak_rss_mb")}};
}

std::string fmt_num(double v) {
  std::ostringstream s;
  double a = std::fabs(v);
  if (a > 0 && a < 1e-3) {  // small differences and errors: two significant digits
    s.precision(1);
    s << std::scientific << v;
    return s.str();
  }
  s.setf(std::ios::fixed);
  s.precision(a >= 1000 ? 0 : a >= 100 ? 1 : a >= 10 ? 2 : a >= 0.1 ? 3 : 4);
  s << v;
  return s.str();
}

std::string fmt_fig(const Json& f) {
  if (!f.is_object() || !f.contains("median")) return "-";
  return fmt_num(f["median"].get<double>()) + " [" + fmt_num(f["min"].get<double>()) + ", " +
         fmt_num(f["max"].get<double>()) + "]";
}

const Json* find_path(const Json& j, const std::vector<std::string>& path) {
  const Json* cur = &j;
  for (const auto& k : path) {
    if (!cur->is_object() || !cur->contains(k)) return nullptr;
    cur = &(*cur)[k];
  }
  return cur;
}

// A preset whose model differs from another preset's only in its vocabulary: its GRPO step's peak RSS should stay
// within 1.5x the smaller vocabulary's plus the larger embedding's own float32 bytes (issue #24's bound; MiB, as
// peak_rss_mb). One target per such pair whose presets both ran the grpo case.
void add_vocabulary_memory_targets(const Json& presets, Json& targets) {
  for (const auto& [base_name, base] : presets.items())
    for (const auto& [wide_name, wide] : presets.items()) {
      if (!base.contains("grpo") || !wide.contains("grpo") || !base.contains("model") || !wide.contains("model"))
        continue;
      const Json &a = base["model"], &b = wide["model"];
      if (a.at("vocab").get<double>() >= b.at("vocab").get<double>()) continue;
      bool same_shape = true;
      for (const char* k : {"heads", "hidden_size", "intermediate_size", "kv_heads", "layers"})
        same_shape = same_shape && a.at(k) == b.at(k);
      if (!same_shape) continue;
      const double embedding_mib = b["vocab"].get<double>() * b["hidden_size"].get<double>() * 4 / (1024.0 * 1024.0);
      const double bound = 1.5 * base["grpo"]["peak_rss_mb"].get<double>() + embedding_mib;
      const double peak = wide["grpo"]["peak_rss_mb"].get<double>();
      targets.push_back(Json{{"preset", wide_name},
                             {"target", "GRPO peak RSS MB <= 1.5x " + base_name + "'s + the embedding's " +
                                            fmt_num(embedding_mib) + " = " + fmt_num(bound)},
                             {"median", peak},
                             {"met", peak <= bound}});
    }
}

}  // namespace

void compute_figures(Json& bench) {
  Json& raw = bench["raw"];
  double gemm_flops_per_s = 0;
  if (raw.contains("gemm")) {
    const Json& r = raw["gemm"]["result"];
    double flops = r.at("flops").get<double>();
    auto gf = summarize_map(samples(r, "seconds"), [&](double s) { return flops / s / 1e9; });
    gemm_flops_per_s = gf.median * 1e9;
    Json shapes = Json::array();
    for (const auto& sh : r.at("shapes")) {
      double f = sh.at("flops").get<double>();
      auto rate = [&](const char* key) { return to_json(summarize_map(samples(sh, key), [&](double s) { return f / s / 1e9; })); };
      Json shape{{"m", sh["m"]}, {"k", sh["k"]}, {"n", sh["n"]}, {"gflops", rate("seconds")}};
      if (sh.contains("packed_seconds")) shape["packed_gflops"] = rate("packed_seconds");
      shapes.push_back(shape);
    }
    bench["gemm"] = Json{{"n", r.at("n")}, {"gemm_gflops", to_json(gf)}, {"shapes", shapes},
                         {"peak_rss_mb", raw["gemm"]["peak_rss_mb"]}};
  }
  if (raw.contains("tokenize")) bench["tokenize"] = figures_tokenize(raw["tokenize"]);
  Json presets = Json::object();
  Json targets = Json::array();
  for (const auto& p : bench["presets_run"]) {
    std::string path = p.get<std::string>();
    std::string name = path.substr(path.find_last_of('/') + 1);
    if (name.size() > 5 && name.substr(name.size() - 5) == ".yaml") name = name.substr(0, name.size() - 5);
    Json fig = Json::object();
    auto key = [&](const std::string& c) { return c + "/" + name; };
    for (const std::string c : {"train", "train-checkpointed", "packing", "decode1", "decode-batch", "rollout-prefix",
                                "grpo-update", "grpo"})
      if (has_raw(bench, key(c)) && !fig.contains("model")) fig["model"] = raw[key(c)]["result"]["model"];
    if (has_raw(bench, key("train"))) fig["train"] = figures_train(raw[key("train")], gemm_flops_per_s);
    if (has_raw(bench, key("train")) && has_raw(bench, key("train-checkpointed")))
      fig["activation_checkpointing"] =
          figures_activation_checkpointing(raw[key("train")], raw[key("train-checkpointed")]);
    if (has_raw(bench, key("packing"))) fig["packing"] = figures_packing(raw[key("packing")]);
    const Json* d1 = has_raw(bench, key("decode1")) ? &raw[key("decode1")] : nullptr;
    const Json* db = has_raw(bench, key("decode-batch")) ? &raw[key("decode-batch")] : nullptr;
    if (d1 || db) fig["decode"] = figures_decode(d1, db);
    if (has_raw(bench, key("rollout-prefix")))
      fig["rollout_prefix"] = figures_rollout_prefix(raw[key("rollout-prefix")]);
    if (has_raw(bench, key("grpo-update"))) fig["grpo_update"] = figures_grpo_update(raw[key("grpo-update")]);
    if (has_raw(bench, key("grpo"))) fig["grpo"] = figures_grpo(raw[key("grpo")]);
    if (fig.contains("grpo") && bench.contains("tokenize")) {
      // One GRPO step's tokenizing with the real vocabulary, over this preset's GRPO step (same G and prompts).
      const double tok_s = bench["tokenize"]["grpo_step_tokenizer_s"]["median"].get<double>();
      const double step_s = fig["grpo"]["grpo_step_s"]["median"].get<double>();
      fig["grpo"]["tokenizer_share"] = Json{{"median", tok_s / step_s}, {"min", tok_s / step_s}, {"max", tok_s / step_s}};
    }

    auto target = [&](const std::string& what, const Json* f, double bound, bool at_least) {
      if (!f) return;
      double v = (*f)["median"].get<double>();
      targets.push_back(Json{{"preset", name}, {"target", what}, {"median", v},
                             {"met", at_least ? v >= bound : v <= bound}});
    };
    if (name == "small") target("train_mfu >= 0.70", find_path(fig, {"train", "train_mfu"}), 0.70, true);
    target("decode_speedup_vs_no_cache >= 5", find_path(fig, {"decode", "batch_1", "decode_speedup_vs_no_cache"}), 5.0,
           true);
    target("batch-N decode tokens/s >= 20x batch-1", find_path(fig, {"decode", "batch_n_over_batch_1"}), 20.0, true);
    target("rollout <= 60% of the GRPO step", find_path(fig, {"grpo", "rollout_frac"}), 0.60, false);
    target("tokenizing <= 2% of the GRPO step", find_path(fig, {"grpo", "tokenizer_share"}), 0.02, false);
    presets[name] = fig;
  }
  add_vocabulary_memory_targets(presets, targets);
  bench["presets"] = presets;
  bench["targets"] = targets;
}

std::string render_table(const Json& bench) {
  std::vector<std::string> names;
  for (const auto& [k, v] : bench["presets"].items()) names.push_back(k);
  // Preserve the run order (tiny before small), not alphabetical.
  std::vector<std::string> ordered;
  for (const auto& p : bench["presets_run"]) {
    std::string path = p.get<std::string>();
    std::string name = path.substr(path.find_last_of('/') + 1);
    if (name.size() > 5 && name.substr(name.size() - 5) == ".yaml") name = name.substr(0, name.size() - 5);
    if (bench["presets"].contains(name)) ordered.push_back(name);
  }
  std::ostringstream out;
  out << "| figure |";
  for (const auto& n : ordered) out << " " << n << " |";
  out << "\n|---|";
  for (size_t i = 0; i < ordered.size(); ++i) out << "---|";
  out << "\n";
  auto row = [&](const std::string& label, const std::vector<std::string>& path) {
    bool any = false;
    std::ostringstream r;
    r << "| " << label << " |";
    for (const auto& n : ordered) {
      std::vector<std::string> full = {n};
      full.insert(full.end(), path.begin(), path.end());
      const Json* f = find_path(bench["presets"], full);
      if (f) any = true;
      const std::string cell = !f ? "-" : f->is_object() ? fmt_fig(*f) : f->is_string() ? f->get<std::string>()
                                                                                         : fmt_num(f->get<double>());
      r << " " << cell << " |";
    }
    if (any) out << r.str() << "\n";
  };
  if (bench.contains("gemm")) {
    out << "| gemm_gflops (fp32 " << bench["gemm"]["n"].get<int>() << "^3, all presets) |";
    for (size_t i = 0; i < ordered.size(); ++i) out << " " << fmt_fig(bench["gemm"]["gemm_gflops"]) << " |";
    out << "\n";
  }
  if (bench.contains("tokenize")) {  // one tokenizer for every preset: the same figure in each column
    const Json& t = bench["tokenize"];
    auto once = [&](const std::string& label, const char* key) {
      out << "| " << label << " |";
      for (size_t i = 0; i < std::max<size_t>(1, ordered.size()); ++i) out << " " << fmt_fig(t[key]) << " |";
      out << "\n";
    };
    once("tokenizer.json load s (" + t["tokenizer"].get<std::string>() + ")", "load_s");
    once("encode MB/s, English prose", "prose_encode_mb_s");
    once("encode MB/s, mixed scripts", "mixed_encode_mb_s");
    once("decode MB/s, English prose", "prose_decode_mb_s");
    once("tokenizer s per GRPO step (encode prompts, decode completions)", "grpo_step_tokenizer_s");
  }
  row("parameters", {"model", "parameters"});
  row("train step s (seq 256)", {"train", "step_s"});
  row("train_tokens_per_s", {"train", "train_tokens_per_s"});
  row("train achieved GFLOP/s", {"train", "achieved_gflops"});
  row("train GEMM ceiling GFLOP/s (same process, around the steps)", {"train", "ceiling_gflops"});
  row("train_mfu", {"train", "train_mfu"});
  row("train attention pairs, share of full rows (packed documents)", {"train", "attention_pairs_fraction"});
  row("train peak RSS MB", {"train", "peak_rss_mb"});
  row("train peak RSS MB, activation checkpointing", {"activation_checkpointing", "checkpointed_peak_rss_mb"});
  row("  peak RSS saving MB", {"activation_checkpointing", "peak_rss_saving_mb"});
  row("  step s, activation checkpointing", {"activation_checkpointing", "checkpointed_step_s"});
  row("  step time ratio (checkpointed / plain, medians)", {"activation_checkpointing", "step_time_ratio"});
  row("SFT packed tokens/s", {"packing", "packed_tokens_per_s"});
  row("SFT padded tokens/s", {"packing", "padded_tokens_per_s"});
  row("SFT epoch s, packed", {"packing", "packed_epoch_s"});
  row("SFT epoch s, padded", {"packing", "padded_epoch_s"});
  row("packing speed-up (padded s / packed s)", {"packing", "packing_speedup"});
  row("SFT peak RSS MB", {"packing", "peak_rss_mb"});
  row("decode KV cache dtype (sampling.kv_cache_dtype)", {"decode", "batch_n", "kv_cache_dtype"});
  row("decode_tokens_per_s, batch 1", {"decode", "batch_1", "decode_tokens_per_s"});
  row("no-cache tokens/s, batch 1", {"decode", "batch_1", "no_cache_tokens_per_s"});
  row("decode_speedup_vs_no_cache", {"decode", "batch_1", "decode_speedup_vs_no_cache"});
  row("decode batch-1 peak RSS MB", {"decode", "batch_1", "peak_rss_mb"});
  row("decode_tokens_per_s, batch N", {"decode", "batch_n", "decode_tokens_per_s"});
  row("decode batch N", {"decode", "batch_n", "batch"});
  row("no-cache tokens/s, batch N", {"decode", "batch_n", "no_cache_tokens_per_s"});
  row("decode_speedup_vs_no_cache, batch N", {"decode", "batch_n", "decode_speedup_vs_no_cache"});
  row("batch-N / batch-1 tokens/s", {"decode", "batch_n_over_batch_1"});
  row("decode batch-N peak RSS MB", {"decode", "batch_n", "peak_rss_mb"});
  row("rollout with the R1-Zero template: prompt tokens (mean)", {"rollout_prefix", "prompt_tokens_mean"});
  row("  rows (prompts x G)", {"rollout_prefix", "rows"});
  row("  rollout s, shared prefill", {"rollout_prefix", "shared_s"});
  row("  rollout s, one prefill per row", {"rollout_prefix", "separate_s"});
  row("  prefix-sharing speed-up", {"rollout_prefix", "prefix_sharing_speedup"});
  row("  same samples both ways", {"rollout_prefix", "same_samples"});
  row("GRPO update (forward + backward), rows", {"grpo_update", "rows"});
  row("  tokens computed, padded rows", {"grpo_update", "padded_tokens"});
  row("  tokens computed, packed rows", {"grpo_update", "packed_tokens"});
  row("  update s, padded rows", {"grpo_update", "padded_s"});
  row("  update s, packed rows", {"grpo_update", "packed_s"});
  row("  update packing speed-up", {"grpo_update", "update_packing_speedup"});
  row("  max |log-prob difference| packed vs padded", {"grpo_update", "max_logprob_diff"});
  row("grpo_step_s", {"grpo", "grpo_step_s"});
  row("  rollout s", {"grpo", "rollout_s"});
  row("  reference log-probs s", {"grpo", "logprob_s"});
  row("  update s", {"grpo", "update_s"});
  row("  rollout fraction", {"grpo", "rollout_frac"});
  row("  completion length", {"grpo", "completion_len_mean"});
  row("  tokenizing share (real vocabulary)", {"grpo", "tokenizer_share"});
  row("GRPO peak RSS MB", {"grpo", "peak_rss_mb"});
  if (bench.contains("gemm") && !bench["gemm"]["shapes"].empty()) {
    out << "\nGEMM shapes (GFLOP/s, [m x k] x [k x n]; decode shapes also through the decode path's packed kernel):\n";
    for (const auto& sh : bench["gemm"]["shapes"]) {
      out << "  " << sh["m"].get<long>() << " x " << sh["k"].get<long>() << " x " << sh["n"].get<long>() << ": "
          << fmt_fig(sh["gflops"]);
      if (sh.contains("packed_gflops")) out << "; packed: " << fmt_fig(sh["packed_gflops"]);
      out << "\n";
    }
  }
  if (!bench["targets"].empty()) {
    out << "\nTargets (medians):\n";
    for (const auto& t : bench["targets"])
      out << "  [" << (t["met"].get<bool>() ? "met" : "NOT met") << "] " << t["preset"].get<std::string>() << ": "
          << t["target"].get<std::string>() << " (measured " << fmt_num(t["median"].get<double>()) << ")\n";
  }
  return out.str();
}

}  // namespace r1::bench
