// Chunked target log-probs with a recomputing backward (see chunked_logprobs.h).
#include "r1/model/chunked_logprobs.h"

#include <torch/csrc/autograd/custom_function.h>

#include <algorithm>

namespace r1::model {

namespace {

using torch::autograd::AutogradContext;
using torch::autograd::variable_list;

// Logits [n, V] float32 of hidden rows [n, H] against weight [V, H], divided by the temperature.
torch::Tensor chunk_logits(const torch::Tensor& h, const torch::Tensor& w, double temperature,
                           torch::ScalarType product_dtype) {
  auto logits = torch::mm(h.to(product_dtype), w.to(product_dtype).t()).to(torch::kFloat32);
  return temperature != 1.0 ? logits / temperature : logits;
}

class ChunkedLogprobFunction : public torch::autograd::Function<ChunkedLogprobFunction> {
 public:
  // Returns {logprobs [N], entropy [N] (zeros unless with_entropy)}.
  static variable_list forward(AutogradContext* ctx, const torch::Tensor& hidden, const torch::Tensor& weight,
                               const torch::Tensor& targets, double temperature, int64_t chunk, bool with_entropy,
                               int64_t product_dtype) {
    const auto dtype = static_cast<torch::ScalarType>(product_dtype);
    const int64_t n = hidden.size(0);
    auto f32 = hidden.options().dtype(torch::kFloat32);
    auto logp = torch::empty({n}, f32), lse = torch::empty({n}, f32), entropy = torch::zeros({n}, f32);
    for (int64_t s = 0; s < n; s += chunk) {
      const int64_t len = std::min(chunk, n - s);
      auto logits = chunk_logits(hidden.narrow(0, s, len), weight, temperature, dtype);  // [len, V]
      auto z = torch::logsumexp(logits, -1);                                               // [len]
      lse.narrow(0, s, len).copy_(z);
      logp.narrow(0, s, len).copy_(logits.gather(1, targets.narrow(0, s, len).unsqueeze(1)).squeeze(1) - z);
      if (with_entropy) {
        auto p = (logits - z.unsqueeze(1)).exp_();
        entropy.narrow(0, s, len).copy_(z - (p * logits).sum(-1));  // H = lse - E_p[logit]
      }
    }
    ctx->save_for_backward({hidden, weight, targets, lse});
    ctx->saved_data["temperature"] = temperature;
    ctx->saved_data["chunk"] = chunk;
    ctx->saved_data["dtype"] = product_dtype;
    ctx->mark_non_differentiable({entropy});
    return {logp, entropy};
  }

  // d logp_i / d logits_ij = onehot_ij - p_ij, through logits = h w^T / T.
  static variable_list backward(AutogradContext* ctx, variable_list grads) {
    const auto saved = ctx->get_saved_variables();
    const auto& hidden = saved[0];
    const auto& weight = saved[1];
    const auto& targets = saved[2];
    const auto& lse = saved[3];
    const double temperature = ctx->saved_data["temperature"].toDouble();
    const int64_t chunk = ctx->saved_data["chunk"].toInt();
    const auto dtype = static_cast<torch::ScalarType>(ctx->saved_data["dtype"].toInt());
    const torch::Tensor g = grads[0].to(torch::kFloat32);  // [N]
    const int64_t n = hidden.size(0);
    auto grad_h = torch::empty(hidden.sizes(), hidden.options().dtype(torch::kFloat32));
    auto grad_w = torch::zeros(weight.sizes(), weight.options().dtype(torch::kFloat32));
    for (int64_t s = 0; s < n; s += chunk) {
      const int64_t len = std::min(chunk, n - s);
      const auto h = hidden.narrow(0, s, len);
      auto logits = chunk_logits(h, weight, temperature, dtype);                  // [len, V]
      auto gc = g.narrow(0, s, len).unsqueeze(1);                                 // [len, 1]
      auto grad_logits = (logits - lse.narrow(0, s, len).unsqueeze(1)).exp_().mul_(-gc);  // -g p
      grad_logits.scatter_add_(1, targets.narrow(0, s, len).unsqueeze(1), gc);    // + g onehot
      if (temperature != 1.0) grad_logits.div_(temperature);
      auto gl = grad_logits.to(dtype);
      grad_h.narrow(0, s, len).copy_(torch::mm(gl, weight.to(dtype)));            // [len, H]
      grad_w.add_(torch::mm(gl.t(), h.to(dtype)));                                // [V, H]
    }
    return {grad_h.to(hidden.scalar_type()), grad_w.to(weight.scalar_type()), torch::Tensor(), torch::Tensor(),
            torch::Tensor(), torch::Tensor(), torch::Tensor()};
  }
};

}  // namespace

ChunkedLogprobs chunked_token_logprobs(const torch::Tensor& hidden, const torch::Tensor& weight,
                                       const torch::Tensor& targets, double temperature, int64_t chunk_tokens,
                                       bool with_entropy, torch::ScalarType product_dtype) {
  auto out = ChunkedLogprobFunction::apply(hidden, weight, targets, temperature, std::max<int64_t>(1, chunk_tokens),
                                           with_entropy, static_cast<int64_t>(product_dtype));
  ChunkedLogprobs r;
  r.logprobs = out[0];
  if (with_entropy) r.entropy = out[1];
  return r;
}

int64_t logits_chunk_rows(int64_t vocab, int64_t budget_elements) {
  return std::max<int64_t>(1, budget_elements / std::max<int64_t>(1, vocab));
}

}  // namespace r1::model
