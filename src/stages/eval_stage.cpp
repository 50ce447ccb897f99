// The eval stage and the per-stage evaluation the runner does after model stages.
#include "r1/stages/eval_stage.h"

#include <filesystem>

#include "r1/dist/world.h"
#include "r1/util/fs.h"
#include "r1/util/logging.h"
#include "r1/util/rng.h"

namespace r1::stages {

eval::EvalResult evaluate_checkpoint(const std::string& model_path, const config::EvalSettings& settings,
                                     std::uint64_t run_seed, const torch::Device& device, const std::string& out_dir) {
  auto bundle = train::load_model(model_path, device);
  auto prompts = eval::eval_prompts(settings, run_seed);
  std::vector<Json> samples;
  auto result = eval::evaluate(bundle, prompts, settings, derive_seed(run_seed, "eval-sampling"), &samples);
  Json j = result.to_json();
  j["model"] = model_path;
  if (dist::world().is_main()) {  // every rank sampled its share and holds the result; one writes it
    write_file_atomic((std::filesystem::path(out_dir) / "eval.json").string(), j.dump(2) + "\n");
    std::string body;
    for (const auto& row : samples) body += row.dump() + "\n";
    write_file_atomic((std::filesystem::path(out_dir) / "eval_samples.jsonl").string(), body);
  }
  logger()->info("eval {}: pass@1 {:.3f}  maj@{} {:.3f}  pass@{} {:.3f}{}  format {:.3f}  language {:.3f}  "
                 "length {:.1f}  ({} prompts)",
                 model_path, result.pass_at_1, result.k, result.maj_at_k, result.k, result.pass_at_k,
                 result.greedy_accuracy >= 0 ? fmt::format("  greedy {:.3f}", result.greedy_accuracy) : "",
                 result.format_rate, result.language_consistency, result.mean_length, result.n_prompts);
  return result;
}

void EvalStage::run(const StageRun& r) {
  const train::RunContext& ctx = r.ctx;
  const config::EvalSettings& settings = cfg_.settings ? *cfg_.settings : r.run.eval;
  evaluate_checkpoint(r.refs.model(cfg_.model), settings, ctx.seed, ctx.device, ctx.stage_dir);
}

}  // namespace r1::stages
