// Chunked target log-probs with a recomputing backward (see chunked_logprobs.h).
#include "r1/model/chunked_logprobs.h"

#include <torch/csrc/autograd/custom_function.h>

#include <algorithm>
#include <limits>
#include <vector>

namespace r1::model {

namespace {

using torch::autograd::AutogradContext;
using torch::autograd::variable_list;

// Whether the products run in float32 on float32 operands: only then do the logits go into a reused block.
bool float32_products(const torch::Tensor& h, const torch::Tensor& w, torch::ScalarType product_dtype) {
  return product_dtype == torch::kFloat32 && h.scalar_type() == torch::kFloat32 && w.scalar_type() == torch::kFloat32;
}

// Logits [n, V] float32 of hidden rows [n, H] against weight [V, H], divided by the temperature. With a `buffer`
// [chunk, V] (float32 products) they are written into its first n rows, which every chunk of a pass reuses: one
// [chunk, V] block a pass instead of one a chunk, so no small allocation can split the freed block between two
// chunks and push the next one past the heap's end.
torch::Tensor chunk_logits(const torch::Tensor& h, const torch::Tensor& w, double temperature,
                           torch::ScalarType product_dtype, const torch::Tensor& buffer) {
  torch::Tensor logits;
  if (buffer.defined()) {
    logits = buffer.narrow(0, 0, h.size(0));
    at::mm_out(logits, h, w.t());
  } else {
    logits = torch::mm(h.to(product_dtype), w.to(product_dtype).t()).to(torch::kFloat32);
  }
  return temperature != 1.0 ? logits.div_(temperature) : logits;
}

// The [rows, V] float32 block chunk_logits writes into, for chunks of at most `chunk` of the n rows of `hidden`
// (undefined when the products do not run in float32: each chunk's logits are then a conversion's fresh tensor).
// On the CPU every pass of the thread shares one block, kept between passes and grown when a pass needs more:
// with r1's allocator setting (large blocks stay in the heap, util/allocator.h), a fresh block each pass would
// land wherever the heap has room at that moment, and the holes it leaves between passes add up in the resident
// size. Passes never overlap on one thread (the backward runs after its forward has returned).
torch::Tensor logits_buffer(const torch::Tensor& hidden, const torch::Tensor& weight, int64_t chunk,
                            torch::ScalarType product_dtype) {
  if (!float32_products(hidden, weight, product_dtype)) return torch::Tensor();
  const int64_t rows = std::min(chunk, hidden.size(0)), v = weight.size(0);
  const auto options = hidden.options().dtype(torch::kFloat32);
  if (!hidden.is_cpu()) return torch::empty({rows, v}, options);
  thread_local torch::Tensor kept;  // flat float32 storage
  if (!kept.defined() || kept.numel() < rows * v) {
    c10::InferenceMode normal(false);  // a normal tensor even when the first pass runs under InferenceMode: later
                                       // passes with autograd on write into it too
    kept = torch::Tensor();            // free the old block before taking a larger one
    kept = torch::empty({rows * v}, options);
  }
  return kept.narrow(0, 0, rows * v).view({rows, v});
}

// One chunk's softmax statistics, computed over the logits [len, V] in place (they are shifted by their row
// maxima). Same max-shifted sum as torch::logsumexp. The entropy needs the exponentials beside the shifted logits:
// they are made a block of ~1M elements at a time, so asking for it adds 4 MB, not a second [len, V] buffer.
struct ChunkStats {
  torch::Tensor lse;      // [len] log sum_j exp(logits_j)
  torch::Tensor logp;     // [len] log-prob of the target
  torch::Tensor entropy;  // [len] when asked for: lse - E_p[logit]
};
ChunkStats chunk_stats(torch::Tensor& logits, const torch::Tensor& targets, bool with_entropy) {
  auto m = std::get<0>(logits.max(-1, /*keepdim=*/true));                  // [len, 1]
  m.masked_fill_(m.abs() == std::numeric_limits<float>::infinity(), 0.0);  // as logsumexp: an all -inf row stays so
  logits.sub_(m);                                                          // shifted: x - m
  auto picked = logits.gather(1, targets.unsqueeze(1));                    // [len, 1]
  ChunkStats out;
  torch::Tensor log_total;  // [len, 1]
  if (with_entropy) {
    const int64_t len = logits.size(0), block = logits_chunk_rows(logits.size(1), int64_t{1} << 20);
    std::vector<torch::Tensor> totals, entropies;
    for (int64_t r = 0; r < len; r += block) {
      const auto x = logits.narrow(0, r, std::min(block, len - r));
      auto e = x.exp();                                // [block, V]
      auto total = e.sum(-1, /*keepdim=*/true);
      auto lt = total.log();
      entropies.push_back(lt - e.mul_(x).sum(-1, /*keepdim=*/true) / total);
      totals.push_back(std::move(lt));
    }
    log_total = torch::cat(totals);
    out.entropy = torch::cat(entropies).squeeze(1);
  } else {
    log_total = logits.exp_().sum(-1, /*keepdim=*/true).log_();
  }
  out.lse = (log_total + m).squeeze(1);
  out.logp = (picked - log_total).squeeze(1);
  return out;
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
    const auto buffer = logits_buffer(hidden, weight, chunk, dtype);
    const auto w = weight.to(dtype);  // once a pass, not once a chunk
    for (int64_t s = 0; s < n; s += chunk) {
      const int64_t len = std::min(chunk, n - s);
      auto logits = chunk_logits(hidden.narrow(0, s, len), w, temperature, dtype, buffer);  // [len, V]
      const auto st = chunk_stats(logits, targets.narrow(0, s, len), with_entropy);
      lse.narrow(0, s, len).copy_(st.lse);
      logp.narrow(0, s, len).copy_(st.logp);
      if (with_entropy) entropy.narrow(0, s, len).copy_(st.entropy);
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
    const auto buffer = logits_buffer(hidden, weight, chunk, dtype);
    const auto w = weight.to(dtype);  // once a pass, not once a chunk
    for (int64_t s = 0; s < n; s += chunk) {
      const int64_t len = std::min(chunk, n - s);
      const auto h = hidden.narrow(0, s, len);
      auto logits = chunk_logits(h, w, temperature, dtype, buffer);               // [len, V]
      auto gc = g.narrow(0, s, len).unsqueeze(1);                                 // [len, 1]
      // The gradient is written over the logits: one [chunk, V] buffer for the pass.
      auto grad_logits = logits.sub_(lse.narrow(0, s, len).unsqueeze(1)).exp_().mul_(-gc);  // -g p
      grad_logits.scatter_add_(1, targets.narrow(0, s, len).unsqueeze(1), gc);              // + g onehot
      if (temperature != 1.0) grad_logits.div_(temperature);
      auto gl = grad_logits.to(dtype);
      grad_h.narrow(0, s, len).copy_(torch::mm(gl, w));  // [len, H]
      if (dtype == torch::kFloat32)
        grad_w.addmm_(gl.t(), h);  // [V, H], accumulated in place
      else
        grad_w.add_(torch::mm(gl.t(), h.to(dtype)));
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
