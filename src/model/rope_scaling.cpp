// RoPE scaling rules (linear, dynamic NTK, Llama 3.1, YaRN): inverse frequencies and the cos/sin multiplier.
#include "r1/model/rope_scaling.h"

#include <algorithm>
#include <cmath>

namespace r1::model {

namespace {

constexpr double kPi = 3.14159265358979323846;

using config::RopeScaling;
using config::RopeType;

// Linear: every frequency divided by factor (positions interpolated).
std::vector<double> linear_frequencies(std::vector<double> f, const RopeScaling& s) {
  for (double& x : f) x /= s.factor;
  return f;
}

// Dynamic NTK: past max_position_embeddings (L), theta' = theta * (factor * n / L - (factor - 1))^(d / (d - 2)).
std::vector<double> dynamic_frequencies(int64_t head_dim, double theta, const RopeScaling& s, int64_t max_positions,
                                        int64_t seq_len) {
  const double d = static_cast<double>(head_dim);
  const double n = static_cast<double>(std::max(seq_len, max_positions)), l = static_cast<double>(max_positions);
  const double scaled_theta = theta * std::pow(s.factor * n / l - (s.factor - 1.0), d / (d - 2.0));
  return rope_default_frequencies(head_dim, scaled_theta);
}

// Llama 3.1: wavelengths 2 pi / f below original / high_freq_factor kept, above original / low_freq_factor divided
// by factor, and a linear blend in between weighted by original / wavelength.
std::vector<double> llama3_frequencies(std::vector<double> f, const RopeScaling& s) {
  const double old_len = s.original_max_position_embeddings;
  const double short_wave = old_len / s.high_freq_factor, long_wave = old_len / s.low_freq_factor;
  for (double& x : f) {
    const double wavelength = 2.0 * kPi / x;
    if (wavelength < short_wave) continue;
    if (wavelength > long_wave) {
      x /= s.factor;
      continue;
    }
    const double smooth = (old_len / wavelength - s.low_freq_factor) / (s.high_freq_factor - s.low_freq_factor);
    x = (1.0 - smooth) * x / s.factor + smooth * x;
  }
  return f;
}

// YaRN: the pair index whose frequency turns `rotations` times over the original context.
double yarn_pair_index(double rotations, double head_dim, double theta, double old_len) {
  return head_dim * std::log(old_len / (rotations * 2.0 * kPi)) / (2.0 * std::log(theta));
}

// YaRN: a ramp over pair indices from beta_fast's (ramp 0: original frequency) to beta_slow's (ramp 1: / factor).
std::vector<double> yarn_frequencies(std::vector<double> f, int64_t head_dim, double theta, const RopeScaling& s,
                                     int64_t max_positions) {
  const double d = static_cast<double>(head_dim);
  const double old_len = s.original_max_position_embeddings > 0 ? s.original_max_position_embeddings
                                                                : static_cast<double>(max_positions);
  double lo = yarn_pair_index(s.beta_fast.value_or(32.0), d, theta, old_len);
  double hi = yarn_pair_index(s.beta_slow.value_or(1.0), d, theta, old_len);
  if (s.truncate.value_or(true)) {
    lo = std::floor(lo);
    hi = std::ceil(hi);
  }
  lo = std::max(lo, 0.0);
  hi = std::min(hi, d - 1.0);
  if (lo == hi) hi += 0.001;  // as transformers: no zero-width ramp
  for (size_t i = 0; i < f.size(); ++i) {
    const double ramp = std::clamp((static_cast<double>(i) - lo) / (hi - lo), 0.0, 1.0);
    f[i] = f[i] / s.factor * ramp + f[i] * (1.0 - ramp);
  }
  return f;
}

// YaRN's m(scale, k): 1 for scale <= 1, else 0.1 k ln(scale) + 1.
double yarn_mscale(double scale, double k) { return scale <= 1.0 ? 1.0 : 0.1 * k * std::log(scale) + 1.0; }

}  // namespace

std::vector<double> rope_default_frequencies(int64_t head_dim, double theta) {
  std::vector<double> f(static_cast<size_t>(head_dim / 2));
  for (size_t i = 0; i < f.size(); ++i)
    f[i] = 1.0 / std::pow(theta, static_cast<double>(2 * i) / static_cast<double>(head_dim));
  return f;
}

std::vector<double> rope_inverse_frequencies(int64_t head_dim, double theta, const config::RopeScaling& scaling,
                                             int64_t max_position_embeddings, int64_t seq_len) {
  switch (scaling.type) {
    case RopeType::kDefault: return rope_default_frequencies(head_dim, theta);
    case RopeType::kLinear: return linear_frequencies(rope_default_frequencies(head_dim, theta), scaling);
    case RopeType::kDynamic: return dynamic_frequencies(head_dim, theta, scaling, max_position_embeddings, seq_len);
    case RopeType::kLlama3: return llama3_frequencies(rope_default_frequencies(head_dim, theta), scaling);
    case RopeType::kYarn:
      return yarn_frequencies(rope_default_frequencies(head_dim, theta), head_dim, theta, scaling,
                              max_position_embeddings);
  }
  return rope_default_frequencies(head_dim, theta);
}

double rope_attention_scaling(const config::RopeScaling& scaling) {
  if (scaling.type != RopeType::kYarn) return 1.0;
  if (scaling.attention_factor) return *scaling.attention_factor;
  const double mscale = scaling.mscale.value_or(0.0), all_dim = scaling.mscale_all_dim.value_or(0.0);
  if (mscale != 0.0 && all_dim != 0.0)
    return yarn_mscale(scaling.factor, mscale) / yarn_mscale(scaling.factor, all_dim);
  return yarn_mscale(scaling.factor, 1.0);
}

bool rope_depends_on_length(const config::RopeScaling& scaling, int64_t max_position_embeddings, int64_t seq_len) {
  return scaling.type == RopeType::kDynamic && seq_len > max_position_embeddings;
}

}  // namespace r1::model
