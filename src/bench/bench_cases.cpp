// The benchmark cases: GEMM ceiling, LM-trainer steps, packing vs padding, decode, GRPO steps.
#include "r1/bench/bench_cases.h"

#include <filesystem>
#include <functional>

#include "r1/bench/bench_world.h"
#include "r1/bench/model_flops.h"
#include "r1/generate/sampler.h"
#include "r1/io/checkpoint.h"
#include "r1/model/packed_linear.h"
#include "r1/rl/grpo_loss.h"
#include "r1/rl/grpo_trainer.h"
#include "r1/sft/lm_trainer.h"
#include "r1/train/model_bundle.h"
#include "r1/train/runtime.h"
#include "r1/util/error.h"
#include "r1/util/strings.h"
#include "r1/util/rng.h"
#include "r1/util/timer.h"

namespace r1::bench {

namespace fs = std::filesystem;

namespace {

const torch::Device kCpu(torch::kCPU);

train::RunContext trainer_env(const CaseOptions& o, const std::string& name, config::StageKind kind) {
  train::RunContext env;
  env.stage_name = name;
  env.stage_kind = kind;
  env.stage_dir = (fs::path(o.work_dir) / name).string();
  env.seed = o.seed;
  env.device = kCpu;
  env.resume = "none";
  fs::remove_all(env.stage_dir);
  fs::create_directories(env.stage_dir);
  return env;
}

// The values of `key` in a trainer's metrics.jsonl, skipping the first `skip` rows.
std::vector<double> metric_column(const train::RunContext& env, const std::string& key, int skip) {
  std::vector<double> out;
  auto rows = read_jsonl((fs::path(env.stage_dir) / "metrics.jsonl").string());
  for (size_t i = static_cast<size_t>(skip); i < rows.size(); ++i) {
    if (!rows[i].contains(key))
      throw RuntimeFailure("bench: " + env.stage_dir + "/metrics.jsonl has no \"" + key + "\" in row " +
                           std::to_string(i + 1));
    out.push_back(rows[i][key].get<double>());
  }
  return out;
}

Json model_info(const config::ModelConfig& cfg) {
  return Json{{"hidden_size", cfg.hidden_size},
              {"intermediate_size", cfg.intermediate_size},
              {"layers", cfg.num_hidden_layers},
              {"heads", cfg.num_attention_heads},
              {"kv_heads", cfg.kv_heads()},
              {"vocab", cfg.vocab_size},
              {"parameters", cfg.parameter_count(cfg.vocab_size)},
              {"matmul_parameters", matmul_parameters(cfg, cfg.vocab_size)}};
}

// `runs` samples of the seconds per call of op, after `warmup` uncounted ones; each sample repeats op so that it
// lasts ~50 ms.
std::vector<double> seconds_per_call(const std::function<void()>& op, int runs, int warmup) {
  auto timed = [&](int reps) {
    Stopwatch clock;
    for (int i = 0; i < reps; ++i) op();
    return clock.seconds() / reps;
  };
  const double once = timed(1);
  const int reps = std::max(1, static_cast<int>(0.05 / std::max(once, 1e-7)));
  for (int w = 0; w < warmup; ++w) timed(reps);
  std::vector<double> seconds;
  for (int r = 0; r < runs; ++r) seconds.push_back(timed(reps));
  return seconds;
}

// Seconds per [m x k] x [k x n] product (BLAS, through at::mm_out).
std::vector<double> gemm_seconds(std::int64_t m, std::int64_t k, std::int64_t n, int runs, int warmup,
                                 at::Generator& gen) {
  torch::NoGradGuard no_grad;
  auto a = at::normal(0, 1, {m, k}, gen), b = at::normal(0, 1, {k, n}, gen);
  auto c = torch::empty({m, n});
  return seconds_per_call([&] { at::mm_out(c, a, b); }, runs, warmup);
}

// The same product as the decode path runs it: model::PackedLinear, the weight [n, k] packed once.
std::vector<double> packed_product_seconds(std::int64_t m, std::int64_t k, std::int64_t n, int runs, int warmup,
                                           at::Generator& gen) {
  c10::InferenceMode guard;
  auto x = at::normal(0, 1, {m, k}, gen);
  const model::PackedLinear product(at::normal(0, 1, {n, k}, gen));
  return seconds_per_call([&] { product(x); }, runs, warmup);
}

// The LM trainer's plan for `rows`: plain AdamW, no eval, one final checkpoint.
sft::LmTrainPlan lm_plan(std::vector<TokenRow> rows, int batch, std::int64_t steps) {
  sft::LmTrainPlan plan;
  plan.train_rows = std::move(rows);
  plan.total_steps = steps;
  plan.batch_size = batch;
  plan.log_every = 1000000;
  plan.optim.lr = 1e-3;
  plan.optim.schedule = config::LrSchedule::kConstant;
  plan.checkpoint.keep_last = 1;
  return plan;
}

}  // namespace

const std::vector<std::string>& case_names() {
  static const std::vector<std::string> names = {"gemm",    "tokenize",     "train",          "train-checkpointed",
                                                 "packing", "decode1",      "decode-batch",   "rollout-prefix",
                                                 "grpo-update", "grpo"};
  return names;
}

bool preset_independent(const std::string& name) { return name == "gemm" || name == "tokenize"; }

Json run_case(const std::string& name, const CaseOptions& options) {
  train::set_threads(options.threads);
  if (name == "gemm") return gemm_case(options);
  if (name == "train") return train_case(options);
  if (name == "train-checkpointed") {
    CaseOptions checkpointed = options;
    checkpointed.activation_checkpointing = true;
    return train_case(checkpointed);
  }
  if (name == "packing") return packing_case(options);
  if (name == "decode1") return decode1_case(options);
  if (name == "decode-batch") return decode_batch_case(options);
  if (name == "rollout-prefix") return rollout_prefix_case(options);
  if (name == "grpo-update") return grpo_update_case(options);
  if (name == "grpo") return grpo_case(options);
  if (name == "tokenize") return tokenize_case(options);
  throw InputError("bench: unknown case \"" + name + "\" (expected one of " + join(case_names(), ", ") + ")");
}

Json gemm_case(const CaseOptions& o) {
  torch::NoGradGuard no_grad;
  auto gen = at::detail::createCPUGenerator(o.seed);
  struct Shape {
    std::int64_t m, k, n;
  };
  // The square ceiling first, then shapes the presets' training and decoding run (tokens x hidden x out); the
  // decoding ones (up to kDecodeRows rows) also through the decode path's packed kernel.
  constexpr std::int64_t kDecodeRows = 64;
  std::vector<Shape> shapes = {{o.gemm_n, o.gemm_n, o.gemm_n}, {4096, 256, 704}, {4096, 704, 256},
                               {4096, 128, 352},             {64, 256, 704},   {1, 256, 704}};
  Json out{{"n", o.gemm_n}, {"shapes", Json::array()}};
  for (size_t s = 0; s < shapes.size(); ++s) {
    const auto& sh = shapes[s];
    const double flops = 2.0 * sh.m * sh.k * sh.n;
    auto seconds = gemm_seconds(sh.m, sh.k, sh.n, o.runs, o.warmup, gen);
    Json row{{"m", sh.m}, {"k", sh.k}, {"n", sh.n}, {"flops", flops}, {"seconds", seconds}};
    if (sh.m <= kDecodeRows) row["packed_seconds"] = packed_product_seconds(sh.m, sh.k, sh.n, o.runs, o.warmup, gen);
    if (s == 0) {
      out["flops"] = flops;
      out["seconds"] = seconds;
    } else {
      out["shapes"].push_back(row);
    }
  }
  return out;
}

Json train_case(const CaseOptions& o) {
  Tokenizer tok = Tokenizer::load(o.tokenizer_dir);
  auto cfg = bench_model_config(o.preset, o.seq_len);
  auto bundle = train::fresh_model(cfg, tok, derive_seed(o.seed, "bench/init"), kCpu);
  const std::int64_t steps = o.warmup + o.runs;
  auto rows = bench_pretrain_rows(tok, o.seq_len, static_cast<int>(o.train_batch * steps), o.seed);
  // The steps draw every row once: per step, the rows' mean attention pairs (packed pretraining rows attend
  // within each document).
  double pairs = 0;
  for (const auto& row : rows) pairs += attention_pairs(row.segments);
  pairs *= static_cast<double>(o.train_batch) / static_cast<double>(rows.size());
  const double tokens = static_cast<double>(o.train_batch) * o.seq_len;
  // The GEMM ceiling of this process's own minutes, just before and just after the steps: this machine's speed
  // drifts from minute to minute, so MFU divides by the ceiling measured around the steps it is compared with.
  auto gen = at::detail::createCPUGenerator(o.seed);
  const std::int64_t n = o.gemm_n;
  auto ceiling_s = gemm_seconds(n, n, n, 3, 1, gen);
  auto env = trainer_env(o, "train", config::StageKind::kPretrain);
  env.activation_checkpointing = o.activation_checkpointing;
  sft::run_lm_training(lm_plan(rows, o.train_batch, steps), bundle, env);
  for (double s : gemm_seconds(n, n, n, 3, 0, gen)) ceiling_s.push_back(s);
  Json ceiling = Json::array();
  for (double s : ceiling_s) ceiling.push_back(2.0 * n * n * n / s / 1e9);
  return Json{{"model", model_info(cfg)},
              {"activation_checkpointing", o.activation_checkpointing},
              {"ceiling_gflops", ceiling},
              {"seq_len", o.seq_len},
              {"batch", o.train_batch},
              {"tokens_per_step", static_cast<std::int64_t>(tokens)},
              {"attention_pairs_fraction", pairs / (tokens * o.seq_len)},
              {"flops_per_step", train_flops_of(cfg, cfg.vocab_size, tokens, pairs)},
              {"step_s", metric_column(env, "step_s", o.warmup)}};
}

Json packing_case(const CaseOptions& o) {
  Tokenizer tok = Tokenizer::load(o.tokenizer_dir);
  auto cfg = bench_model_config(o.preset, o.seq_len);
  auto bundle = train::fresh_model(cfg, tok, derive_seed(o.seed, "bench/init"), kCpu);
  auto examples = bench_sft_examples(tok, o.sft_examples, o.seed);
  std::int64_t real_tokens = 0;
  for (const auto& ex : examples) real_tokens += static_cast<std::int64_t>(ex.tokens.size());
  Json out{{"model", model_info(cfg)}, {"seq_len", o.seq_len}, {"batch", o.train_batch},
           {"examples", examples.size()}, {"real_tokens", real_tokens}};
  const char* modes[] = {"packed", "padded"};
  std::vector<TokenRow> rows[2];
  for (int m = 0; m < 2; ++m) {
    PackStats stats;
    rows[m] = make_token_rows(examples, o.seq_len, m == 0, tok.pad_id(), &stats);
    out[modes[m]] = Json{{"rows", stats.rows}, {"seconds", Json::array()}, {"tokens_per_s", Json::array()}};
  }
  // One epoch per run: the ceil(rows / batch) steps of the trainer, whose last batch is filled up with rows of the
  // next epoch (it draws full batches), so the time is scaled to the rows of one epoch. Packed and padded in turn,
  // the first of the two alternating from run to run (the mode that runs first pays the allocator's warm-up of its
  // tensor sizes).
  auto epoch = [&](int m, bool counted, int run) {
    const auto n_rows = static_cast<std::int64_t>(rows[m].size());
    const std::int64_t steps = std::max<std::int64_t>(1, (n_rows + o.train_batch - 1) / o.train_batch);
    auto env = trainer_env(o, std::string("sft-") + modes[m], config::StageKind::kSft);
    env.seed = mix64(o.seed + run);
    sft::run_lm_training(lm_plan(rows[m], o.train_batch, counted ? steps : std::min<std::int64_t>(steps, 2)), bundle, env);
    auto secs = metric_column(env, "step_s", 0);
    auto tps = metric_column(env, "tokens_per_s", 0);
    double seconds = 0, tokens = 0;
    for (size_t i = 0; i < secs.size(); ++i) {
      seconds += secs[i];
      tokens += secs[i] * tps[i];
    }
    if (counted) {
      const double one_epoch = static_cast<double>(n_rows) / static_cast<double>(steps * o.train_batch);
      out[modes[m]]["seconds"].push_back(seconds * one_epoch);
      out[modes[m]]["tokens_per_s"].push_back(tokens / std::max(1e-9, seconds));
    }
  };
  auto both = [&](bool counted, int run) {
    const int first = run % 2;
    epoch(first, counted, run);
    epoch(1 - first, counted, run);
  };
  for (int w = 0; w < o.warmup; ++w) both(false, w);
  for (int r = 0; r < o.runs; ++r) both(true, r);
  return out;
}

namespace {

struct DecodeSetup {
  Tokenizer tok;
  config::ModelConfig cfg;
  train::ModelBundle bundle;
  std::vector<std::vector<int>> prompts;
  config::SamplingConfig sampling;
  bool module_decode = false;
};

DecodeSetup decode_setup(const CaseOptions& o, int batch) {
  DecodeSetup s;
  s.tok = Tokenizer::load(o.tokenizer_dir);
  s.prompts = bench_prompts(s.tok, batch, o.seed);
  size_t longest = 0;
  for (const auto& p : s.prompts) longest = std::max(longest, p.size());
  s.cfg = bench_model_config(o.preset, static_cast<int>(longest) + o.new_tokens);
  s.bundle = train::fresh_model(s.cfg, s.tok, derive_seed(o.seed, "bench/init"), kCpu);
  s.bundle.model->eval();
  s.sampling.temperature = 1.0;
  s.sampling.max_new_tokens = o.new_tokens;
  s.sampling.stop = {};
  s.sampling.kv_cache_dtype = o.kv_cache_dtype;
  s.module_decode = o.module_decode;
  return s;
}

double timed_generate(DecodeSetup& s, bool use_cache, std::uint64_t seed, std::int64_t* generated) {
  generate::Sampler sampler(*s.bundle.model, s.tok);
  generate::GenerateOptions opts;
  opts.use_cache = use_cache;
  opts.stop_at_eos = false;
  opts.fused = !s.module_decode;
  std::vector<std::uint64_t> seeds;
  for (size_t i = 0; i < s.prompts.size(); ++i) seeds.push_back(mix64(seed + i));
  Stopwatch clock;
  auto out = sampler.generate(s.prompts, s.sampling, seeds, opts);
  double seconds = clock.seconds();
  std::int64_t n = 0;
  for (const auto& c : out) n += static_cast<std::int64_t>(c.tokens.size());
  if (generated) *generated = n;
  return seconds;
}

Json decode_info(const DecodeSetup& s, std::int64_t generated) {
  std::int64_t prompt_tokens = 0;
  for (const auto& p : s.prompts) prompt_tokens += static_cast<std::int64_t>(p.size());
  return Json{{"model", model_info(s.cfg)},
              {"batch", s.prompts.size()},
              {"decode_path", s.module_decode ? "module" : "fused"},
              {"new_tokens", s.sampling.max_new_tokens},
              {"kv_cache_dtype", config::enum_name(s.sampling.kv_cache_dtype)},
              {"prompt_tokens", prompt_tokens},
              {"generated_tokens", generated}};
}

// Times `runs` generations with the cache (and, when `no_cache`, the same seeds without it, paired) after
// `warmup` uncounted ones, and returns the decode figures of the batch of `s.prompts`.
Json timed_decode(DecodeSetup& s, const CaseOptions& o, bool no_cache) {
  std::int64_t generated = 0;
  for (int w = 0; w < o.warmup; ++w) {
    timed_generate(s, true, o.seed + w, &generated);
    if (no_cache) timed_generate(s, false, o.seed + w, nullptr);
  }
  std::vector<double> cache_s, no_cache_s;
  for (int r = 0; r < o.runs; ++r) {
    cache_s.push_back(timed_generate(s, true, o.seed + 100 + r, &generated));
    if (no_cache) no_cache_s.push_back(timed_generate(s, false, o.seed + 100 + r, nullptr));
  }
  Json out = decode_info(s, generated);
  out["cache_s"] = cache_s;
  if (no_cache) out["no_cache_s"] = no_cache_s;
  return out;
}

}  // namespace

Json decode1_case(const CaseOptions& o) {
  auto s = decode_setup(o, 1);
  return timed_decode(s, o, true);
}

Json decode_batch_case(const CaseOptions& o) {
  auto s = decode_setup(o, o.decode_batch);
  return timed_decode(s, o, o.batch_no_cache);
}

Json grpo_case(const CaseOptions& o) {
  Tokenizer tok = Tokenizer::load(o.tokenizer_dir);
  auto prompts = bench_prompts(tok, o.grpo_prompts, o.seed);
  size_t longest = 0;
  for (const auto& p : prompts) longest = std::max(longest, p.size());
  auto cfg = bench_model_config(o.preset, static_cast<int>(longest) + o.grpo_new_tokens + 32);
  // The initial checkpoint the stage loads; the fresh model is freed before the stage runs (it would add a third
  // copy of the weights to the measured peak).
  const std::string init = [&] {
    auto bundle = train::fresh_model(cfg, tok, derive_seed(o.seed, "bench/init"), kCpu);
    return save_checkpoint((fs::path(o.work_dir) / "grpo-init").string(), "final", train::checkpoint_content(bundle),
                           0);
  }();

  auto c = config::RlStageConfig::defaults_for(config::StageKind::kTrainZero);
  c.name = "bench-grpo";
  c.prompts.task = "arithmetic";
  c.prompts.levels = {1, 2};
  c.prompts.language = "mixed";
  c.prompts.template_name = kBenchTemplate;
  c.prompts.n = o.grpo_prompts * (o.warmup + o.runs);
  c.sampling.temperature = 1.0;
  c.sampling.max_new_tokens = o.grpo_new_tokens;
  c.sampling.kv_cache_dtype = o.kv_cache_dtype;
  c.grpo.group_size = o.group_size;
  c.grpo.prompts_per_step = o.grpo_prompts;
  c.grpo.beta = o.grpo_beta;
  c.steps = o.warmup + o.runs;
  c.samples_every = 0;
  c.eval = false;
  auto env = trainer_env(o, "grpo", config::StageKind::kTrainZero);
  rl::run_grpo(c, env, rl::GrpoInputs{init, ""});
  return Json{{"model", model_info(cfg)},
              {"group_size", o.group_size},
              {"prompts_per_step", o.grpo_prompts},
              {"max_new_tokens", o.grpo_new_tokens},
              {"beta", o.grpo_beta},
              {"rollout_s", metric_column(env, "rollout_s", o.warmup)},
              {"logprob_s", metric_column(env, "logprob_s", o.warmup)},
              {"update_s", metric_column(env, "train_s", o.warmup)},
              {"step_s", metric_column(env, "step_s", o.warmup)},
              {"completion_len_mean", metric_column(env, "completion_len_mean", o.warmup)}};
}

Json rollout_prefix_case(const CaseOptions& o) {
  Tokenizer tok = Tokenizer::load(o.tokenizer_dir);
  const auto distinct = bench_prompts(tok, o.grpo_prompts, o.seed, "r1-zero");
  std::vector<std::vector<int>> rows;  // group-contiguous, as collect_rollout lays them out
  std::int64_t prompt_tokens = 0;
  size_t longest = 0;
  for (const auto& p : distinct) {
    prompt_tokens += static_cast<std::int64_t>(p.size());
    longest = std::max(longest, p.size());
    for (int g = 0; g < o.group_size; ++g) rows.push_back(p);
  }
  auto cfg = bench_model_config(o.preset, static_cast<int>(longest) + o.grpo_new_tokens);
  auto bundle = train::fresh_model(cfg, tok, derive_seed(o.seed, "bench/init"), kCpu);
  bundle.model->eval();
  config::SamplingConfig sampling;
  sampling.temperature = 1.0;
  sampling.max_new_tokens = o.grpo_new_tokens;
  sampling.stop = {};
  sampling.kv_cache_dtype = o.kv_cache_dtype;
  generate::Sampler sampler(*bundle.model, tok);
  auto generate = [&](bool share, std::uint64_t seed, std::vector<generate::Completion>& out) {
    generate::GenerateOptions opts;
    opts.stop_at_eos = false;  // every row decodes the whole budget: the timing does not depend on EOS draws
    opts.share_prefix = share;
    std::vector<std::uint64_t> seeds;
    for (size_t i = 0; i < rows.size(); ++i) seeds.push_back(mix64(seed + i));
    Stopwatch clock;
    out = sampler.generate(rows, sampling, seeds, opts);
    return clock.seconds();
  };
  std::vector<generate::Completion> a, b;
  bool same = true;
  std::vector<double> shared_s, separate_s;
  for (int r = -o.warmup; r < o.runs; ++r) {
    const std::uint64_t seed = o.seed + 100 + static_cast<std::uint64_t>(r + o.warmup);
    const double s1 = generate(true, seed, a), s2 = generate(false, seed, b);
    for (size_t i = 0; i < a.size(); ++i) same = same && a[i].tokens == b[i].tokens;
    if (r < 0) continue;
    shared_s.push_back(s1);
    separate_s.push_back(s2);
  }
  return Json{{"model", model_info(cfg)},
              {"template", "r1-zero"},
              {"group_size", o.group_size},
              {"distinct_prompts", distinct.size()},
              {"rows", rows.size()},
              {"prompt_tokens_mean", static_cast<double>(prompt_tokens) / std::max<size_t>(1, distinct.size())},
              {"new_tokens", o.grpo_new_tokens},
              {"same_samples", same},
              {"shared_s", shared_s},
              {"separate_s", separate_s}};
}

namespace {

// A scored-looking rollout for the update benchmark: group_size completions per prompt from the fresh model, each
// cut to a seeded length in [budget / 8, budget] (a GRPO batch's completions differ in length; the update's work
// depends on the lengths, not on what the tokens say).
rl::Rollout update_bench_rollout(generate::Sampler& sampler, const std::vector<std::vector<int>>& prompts,
                                 const CaseOptions& o) {
  rl::Rollout r;
  r.group_size = o.group_size;
  r.prompt_tokens = prompts;
  std::vector<std::vector<int>> rows;
  std::vector<std::uint64_t> seeds;
  for (size_t k = 0; k < prompts.size(); ++k)
    for (int g = 0; g < o.group_size; ++g) {
      rows.push_back(prompts[k]);
      seeds.push_back(mix64(o.seed + rows.size()));
    }
  config::SamplingConfig sampling;
  sampling.temperature = 1.0;
  sampling.max_new_tokens = o.grpo_new_tokens;
  sampling.stop = {};
  generate::GenerateOptions opts;
  opts.stop_at_eos = false;
  auto completions = sampler.generate(rows, sampling, seeds, opts);
  Rng rng(derive_seed(o.seed, "bench/update-lengths"));
  const int low = std::max(1, o.grpo_new_tokens / 8);
  for (size_t i = 0; i < completions.size(); ++i) {
    auto c = std::move(completions[i]);
    const auto keep = static_cast<size_t>(rng.uniform_int(low, o.grpo_new_tokens));
    c.tokens.resize(std::min(keep, c.tokens.size()));
    c.logprobs.resize(c.tokens.size());
    rl::RolloutSample s;
    s.prompt_index = i / static_cast<size_t>(o.group_size);
    s.completion = std::move(c);
    r.samples.push_back(std::move(s));
  }
  return r;
}

}  // namespace

Json grpo_update_case(const CaseOptions& o) {
  Tokenizer tok = Tokenizer::load(o.tokenizer_dir);
  const auto prompts = bench_prompts(tok, o.grpo_prompts, o.seed);
  size_t longest = 0;
  for (const auto& p : prompts) longest = std::max(longest, p.size());
  auto cfg = bench_model_config(o.preset, static_cast<int>(longest) + o.grpo_new_tokens);
  auto bundle = train::fresh_model(cfg, tok, derive_seed(o.seed, "bench/init"), kCpu);
  auto& model = *bundle.model;
  model.eval();
  generate::Sampler sampler(model, tok);
  const rl::Rollout rollout = update_bench_rollout(sampler, prompts, o);
  std::vector<size_t> rows(rollout.samples.size());
  for (size_t i = 0; i < rows.size(); ++i) rows[i] = i;
  auto gen = at::detail::createCPUGenerator(o.seed);
  const auto advantages = at::normal(0, 1, {static_cast<std::int64_t>(rows.size()), 1}, gen);
  rl::GrpoLossConfig lc;
  model.train();
  // One update pass as the trainer runs it with the whole batch as one micro-batch (the default): build the batch,
  // forward, loss against frozen log-probs, backward. Returns the seconds and the log-probs.
  auto update = [&](bool pack, torch::Tensor* logprobs) {
    Stopwatch clock;
    model.zero_grad();
    auto batch = rl::make_policy_batch(rollout, rows, false, tok.pad_id(), kCpu, pack);
    auto lp = rl::completion_logprobs(model, batch, 1.0);
    auto out = rl::grpo_loss(lp, lp.detach() - 0.01, torch::Tensor(), batch.mask, advantages.squeeze(1), lc);
    out.loss.backward();
    const double seconds = clock.seconds();
    if (logprobs) *logprobs = (lp.detach() * batch.mask);
    return std::make_pair(seconds, batch.tokens.numel());
  };
  std::vector<double> padded_s, packed_s;
  std::int64_t padded_tokens = 0, packed_tokens = 0;
  torch::Tensor lp_padded, lp_packed;
  for (int r = -o.warmup; r < o.runs; ++r) {
    auto a = update(false, &lp_padded);
    auto b = update(true, &lp_packed);
    padded_tokens = a.second, packed_tokens = b.second;
    if (r < 0) continue;
    padded_s.push_back(a.first);
    packed_s.push_back(b.first);
  }
  std::int64_t real_tokens = 0, completion_tokens = 0;
  for (const auto& s : rollout.samples) {
    completion_tokens += static_cast<std::int64_t>(s.completion.tokens.size());
    real_tokens += static_cast<std::int64_t>(s.completion.tokens.size() + prompts[s.prompt_index].size());
  }
  return Json{{"model", model_info(cfg)},
              {"rows", rows.size()},
              {"completion_len_mean", static_cast<double>(completion_tokens) / std::max<size_t>(1, rows.size())},
              {"completion_len_range", Json::array({std::max(1, o.grpo_new_tokens / 8), o.grpo_new_tokens})},
              {"real_tokens", real_tokens},
              {"padded_tokens", padded_tokens},
              {"packed_tokens", packed_tokens},
              {"max_logprob_diff", (lp_packed - lp_padded).abs().max().item<double>()},
              {"padded_s", padded_s},
              {"packed_s", packed_s}};
}

}  // namespace r1::bench
