// AdamW, learning-rate schedules and gradient clipping.
#include "r1/optim/adamw.h"

#include <cmath>

#include "r1/util/error.h"

namespace r1::optim {

AdamW::AdamW(std::vector<std::pair<std::string, torch::Tensor>> named_params, const config::OptimConfig& cfg)
    : params_(std::move(named_params)), cfg_(cfg) {
  torch::NoGradGuard ng;
  for (const auto& [name, p] : params_) {
    exp_avg_.push_back(torch::zeros_like(p, torch::MemoryFormat::Contiguous));
    exp_avg_sq_.push_back(torch::zeros_like(p, torch::MemoryFormat::Contiguous));
    decay_.push_back(p.dim() >= 2);
  }
}

void AdamW::step(double lr) {
  torch::NoGradGuard ng;
  ++steps_;
  const double bc1 = 1.0 - std::pow(cfg_.beta1, static_cast<double>(steps_));
  const double bc2 = 1.0 - std::pow(cfg_.beta2, static_cast<double>(steps_));
  const double step_size = lr / bc1;
  const double bc2_sqrt = std::sqrt(bc2);
  for (size_t i = 0; i < params_.size(); ++i) {
    auto& p = params_[i].second;
    const auto& g = p.grad();
    if (!g.defined()) continue;
    if (decay_[i] && cfg_.weight_decay > 0) p.mul_(1.0 - lr * cfg_.weight_decay);
    exp_avg_[i].lerp_(g, 1.0 - cfg_.beta1);
    exp_avg_sq_[i].mul_(cfg_.beta2).addcmul_(g, g, 1.0 - cfg_.beta2);
    auto denom = exp_avg_sq_[i].sqrt().div_(bc2_sqrt).add_(cfg_.eps);  // one temporary the size of p
    p.addcdiv_(exp_avg_[i], denom, -step_size);
  }
}

void AdamW::zero_grad() {
  for (auto& [name, p] : params_) {
    if (p.grad().defined()) {
      p.mutable_grad().detach_();
      p.mutable_grad().zero_();
    }
  }
}

std::map<std::string, torch::Tensor> AdamW::state_tensors() const {
  std::map<std::string, torch::Tensor> out;
  for (size_t i = 0; i < params_.size(); ++i) {
    out["exp_avg." + params_[i].first] = exp_avg_[i];
    out["exp_avg_sq." + params_[i].first] = exp_avg_sq_[i];
  }
  return out;
}

void AdamW::load_state(const std::map<std::string, torch::Tensor>& tensors, int64_t steps, const std::string& source) {
  torch::NoGradGuard ng;
  for (size_t i = 0; i < params_.size(); ++i) {
    for (auto* which : {&exp_avg_, &exp_avg_sq_}) {
      std::string key = (which == &exp_avg_ ? "exp_avg." : "exp_avg_sq.") + params_[i].first;
      auto it = tensors.find(key);
      if (it == tensors.end()) throw InputError(source + ": optimizer state lacks " + key);
      if (it->second.sizes() != (*which)[i].sizes())
        throw InputError(source + ": optimizer state " + key + " has shape " + c10::str(it->second.sizes()) +
                         ", the parameter has " + c10::str((*which)[i].sizes()));
      (*which)[i].copy_(it->second.to((*which)[i].device(), (*which)[i].scalar_type()));
    }
  }
  steps_ = steps;
}

double lr_at(const config::OptimConfig& cfg, int64_t step, int64_t total) {
  if (cfg.warmup_steps > 0 && step < cfg.warmup_steps)
    return cfg.lr * static_cast<double>(step + 1) / static_cast<double>(cfg.warmup_steps);
  if (cfg.schedule == config::LrSchedule::kConstant) return cfg.lr;
  int64_t decay_steps = std::max<int64_t>(1, total - cfg.warmup_steps - 1);
  double progress = std::min(1.0, static_cast<double>(step - cfg.warmup_steps) / static_cast<double>(decay_steps));
  double floor = cfg.lr * cfg.min_lr_ratio;
  if (cfg.schedule == config::LrSchedule::kLinear) return cfg.lr - (cfg.lr - floor) * progress;
  return floor + 0.5 * (cfg.lr - floor) * (1.0 + std::cos(M_PI * progress));
}

GradNorm clip_grad_norm(const std::vector<torch::Tensor>& params, double max_norm) {
  torch::NoGradGuard ng;
  std::vector<torch::Tensor> norms;
  for (const auto& p : params)
    if (p.grad().defined()) norms.push_back(p.grad().to(torch::kFloat32).norm());
  GradNorm out;
  if (norms.empty()) return out;
  out.norm = torch::stack(norms).norm().item<double>();
  out.finite = std::isfinite(out.norm);
  if (out.finite && max_norm > 0 && out.norm > max_norm) {
    double scale = max_norm / (out.norm + 1e-6);
    for (const auto& p : params)
      if (p.grad().defined()) p.grad().mul_(scale);
  }
  return out;
}

}  // namespace r1::optim
