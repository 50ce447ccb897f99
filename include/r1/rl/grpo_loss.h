// The clipped GRPO surrogate loss with optional KL penalty and the paper / DAPO / Dr. GRPO aggregations; token- or
// sequence-level (GSPO) importance ratios; an optional per-token weight (truncated importance sampling).
#pragma once
#include <cstdint>
#include <string>

#include <torch/torch.h>

#include "r1/config/enums.h"

namespace r1::rl {

struct GrpoLossConfig {
  double epsilon_low = 0.2;   // ratio is clipped below at 1 - epsilon_low (0 <= epsilon_low <= 1)
  double epsilon_high = 0.2;  // ratio is clipped above at 1 + epsilon_high (DAPO clip-higher: 0.28)
  double beta = 0.0;          // KL penalty weight; 0 = no KL term in the loss (ref_logp may then be undefined)
  config::KlEstimator kl_estimator = config::KlEstimator::kK3;  // see kl.h
  // token: ratio = exp(logp - old_logp) per token. sequence (GSPO, TRL importance_sampling_level="sequence"): one
  // ratio per completion, exp(mean over its active tokens of logp - old_logp), clipped per sequence and broadcast
  // over its tokens; its gradient reaches every token of the completion through the mean.
  config::ImportanceSampling importance_sampling = config::ImportanceSampling::kToken;
  // seq-mean-token-mean (paper, TRL "grpo"): mean over sequences of (sum of the sequence's token losses / its length)
  // token-mean (DAPO, TRL "bnpo"/"dapo"): sum of all token losses / number of active tokens
  // seq-mean-token-sum-norm (Dr. GRPO, TRL "dr_grpo"): sum of all token losses / (sequences * max_completion_length)
  config::LossAgg loss_agg = config::LossAgg::kSeqMeanTokenMean;
  int max_completion_length = 0;  // seq-mean-token-sum-norm only (must be > 0 there): the generation length cap
  // Normalisers for gradient accumulation and data parallelism; 0 = use this micro-batch's own counts.
  // token-mean: sum(loss * mask) / token_normalizer (e.g. the active tokens of the whole optimizer step / world size;
  //   TRL "dapo" = num_items_in_batch / num_processes). seq-mean-*: divide by sequence_normalizer instead of B
  //   (e.g. the sequences of the whole optimizer step on this rank). With them, the losses of the micro-batches of
  //   one step add up to the loss of the step's batch taken at once.
  double token_normalizer = 0;
  double sequence_normalizer = 0;
};

struct GrpoLossOutput {
  torch::Tensor loss;            // scalar, differentiable w.r.t. logp; masked positions get exactly zero gradient
  // Per-token diagnostics, detached, [B, T], computed at EVERY position from the raw inputs (so masked positions hold
  // whatever the raw inputs give, possibly inf or nan for garbage there; they never reach loss or gradient):
  torch::Tensor per_token_loss;  // -min(ratio*A, clip(ratio)*A) + beta*KL (KL term only when beta > 0)
  torch::Tensor per_token_kl;    // the estimator's KL; undefined iff ref_logp is undefined
  torch::Tensor ratio;           // exp(logp - old_logp) (TRL coef_1); sequence level: the completion's ratio at
                                 // every position (from the active positions only)
  // Masked means over active tokens (0 when there are none):
  double kl_mean = 0;            // of per_token_kl, whenever ref_logp is given (also when beta == 0); else 0
  // Clipped fractions: of active tokens (token level) or of sequences, all B of them (sequence level), as TRL logs:
  double clip_low_frac = 0;      // ratio < 1 - epsilon_low and A < 0 (TRL clip_ratio/low_mean)
  double clip_high_frac = 0;     // ratio > 1 + epsilon_high and A > 0 (TRL clip_ratio/high_mean)
  double clip_frac = 0;          // either of the two (TRL clip_ratio/region_mean)
  double clip_units = 0;         // what the clip fractions are fractions of: active tokens, or B sequences
  int64_t active_tokens = 0;     // sum of the mask
};

// logp (differentiable), old_logp, ref_logp, mask: [B, T]; advantages: [B] (or [B, 1]).
// old_logp and ref_logp are treated as constants (detached). ref_logp may be undefined when beta == 0. The log-probs
// must share dtype and device; half / bfloat16 inputs are computed in float32 (the loss is then float32), float32
// and float64 in their own precision. advantages is converted to the computation dtype and must be on logp's device.
// mask is bool, or a numeric 0/1 tensor. ratio = exp(logp - old_logp); per-token loss =
// -min(ratio*A, clamp(ratio, 1 - epsilon_low, 1 + epsilon_high)*A) + beta*KL(logp, ref_logp), then aggregated by
// cfg.loss_agg over active tokens. Masked positions never affect the value or the gradient, whatever they hold
// (inf and nan included): inputs are replaced there before any exp.
// token_weight (optional, [B, T], a constant): multiplies each token's surrogate before the KL term is added (TRL's
// order), e.g. the truncated importance-sampling weights min(pi_old / pi_sampler, cap) of rollout_correction.h.
// Throws r1::InputError on a bad config value or mismatched / malformed tensors.
GrpoLossOutput grpo_loss(const torch::Tensor& logp, const torch::Tensor& old_logp, const torch::Tensor& ref_logp,
                         const torch::Tensor& mask, const torch::Tensor& advantages, const GrpoLossConfig& cfg,
                         const torch::Tensor& token_weight = torch::Tensor());

}  // namespace r1::rl
