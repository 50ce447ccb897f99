// Chunked target log-probs with a recomputing backward (see chunked_logprobs.h).
#include "r1/model/chunked_logprobs.h"

#include <torch/csrc/autograd/custom_function.h>

#include <algorithm>
#include <limits>

namespace r1::model {

namespace {

using torch::autograd::AutogradContext;
using torch::autograd::variable_list;

constexpr float kInf = std::numeric_limits<float>::infinity();

// Whether the products run in float32 on float32 operands: only then do the logits go into a reused block.
bool float32_products(const torch::Tensor& h, const torch::Tensor& w, torch::ScalarType product_dtype) {
  return product_dtype == torch::kFloat32 && h.scalar_type() == torch::kFloat32 && w.scalar_type() == torch::kFloat32;
}

// Logits [n, c] float32 of hidden rows [n, H] against one tile of the output matrix [c, H] (both already in the
// product dtype), divided by the temperature. With a `buffer` (float32 products) they are written into its first
// n x c elements, which every tile of a pass reuses.
torch::Tensor tile_logits(const torch::Tensor& h, const torch::Tensor& w_tile, double temperature,
                          const torch::Tensor& buffer) {
  torch::Tensor logits;
  if (buffer.defined()) {
    logits = buffer.narrow(0, 0, h.size(0) * w_tile.size(0)).view({h.size(0), w_tile.size(0)});
    at::mm_out(logits, h, w_tile.t());
  } else {
    logits = torch::mm(h, w_tile.t()).to(torch::kFloat32);
  }
  return temperature != 1.0 ? logits.div_(temperature) : logits;
}

// The flat float32 storage tile_logits writes into: room for one [rows, cols] tile (undefined when the products do
// not run in float32: each tile's logits are then a conversion's fresh tensor). On the CPU every pass of the thread
// shares one block, kept between passes and grown when a pass needs more: with r1's allocator setting (large blocks
// stay in the heap, util/allocator.h), a fresh block each pass would land wherever the heap has room at that
// moment, and the holes it leaves between passes add up in the resident size. Passes never overlap on one thread
// (the backward runs after its forward has returned).
torch::Tensor logits_buffer(const torch::Tensor& hidden, const torch::Tensor& weight, const LogitsBlock& block,
                            torch::ScalarType product_dtype) {
  if (!float32_products(hidden, weight, product_dtype)) return torch::Tensor();
  const int64_t elements = std::min(block.rows, hidden.size(0)) * std::min(block.cols, weight.size(0));
  const auto options = hidden.options().dtype(torch::kFloat32);
  if (!hidden.is_cpu()) return torch::empty({elements}, options);
  thread_local torch::Tensor kept;
  if (!kept.defined() || kept.numel() < elements) {
    c10::InferenceMode normal(false);  // a normal tensor even when the first pass runs under InferenceMode: later
                                       // passes with autograd on write into it too
    kept = torch::Tensor();            // free the old block before taking a larger one
    kept = torch::empty({elements}, options);
  }
  return kept.narrow(0, 0, elements);
}

// Where each target of a row chunk falls in the vocabulary tile [first, first + cols).
struct TileTargets {
  torch::Tensor inside;  // [n] bool: the target is in this tile
  torch::Tensor local;   // [n, 1] int64: its column in the tile (clamped into the tile where it is not)
};
TileTargets tile_targets(const torch::Tensor& targets, int64_t first, int64_t cols) {
  TileTargets t;
  t.inside = (targets >= first).logical_and_(targets < first + cols);
  t.local = (targets - first).clamp_(0, cols - 1).unsqueeze(1);
  return t;
}

// Softmax statistics of a row chunk, gathered one vocabulary tile at a time (an online log-sum-exp: the running
// sums are rescaled whenever a tile raises a row's maximum).
struct RunningStats {
  torch::Tensor shift;   // [n] the largest logit so far (0 where that is infinite, as torch::logsumexp)
  torch::Tensor total;   // [n] sum_j exp(logit_j - shift)
  torch::Tensor moment;  // [n] sum_j exp(logit_j - shift) (logit_j - shift), only with the entropy
  torch::Tensor picked;  // [n] the target's logit
};

// Sums of exp(x) and, with the entropy, of exp(x) x over the rows of the shifted logits x [n, c]. Without the
// entropy x is overwritten by exp(x); with it the exponentials are made ~1M elements at a time beside x.
std::pair<torch::Tensor, torch::Tensor> exp_sums(torch::Tensor& x, bool with_entropy) {
  if (!with_entropy) return {x.exp_().sum(-1), torch::Tensor()};
  const int64_t n = x.size(0), rows = logits_chunk_rows(x.size(1), kEntropyBlock);
  auto total = torch::empty({n}, x.options()), moment = torch::empty({n}, x.options());
  for (int64_t r = 0; r < n; r += rows) {
    const int64_t len = std::min(rows, n - r);
    const auto xs = x.narrow(0, r, len);
    auto e = xs.exp();  // [len, c]
    total.narrow(0, r, len).copy_(e.sum(-1));
    moment.narrow(0, r, len).copy_(e.mul_(xs).sum(-1));
  }
  return {total, moment};
}

// Folds one tile's logits [n, c] (overwritten) into the running statistics.
void add_tile(RunningStats& st, torch::Tensor& logits, const TileTargets& tt, bool first_tile, bool with_entropy) {
  auto at_target = logits.gather(1, tt.local).squeeze(1);  // [n]
  st.picked = first_tile ? at_target : torch::where(tt.inside, at_target, st.picked);
  auto shift = logits.amax(-1);  // [n]
  if (!first_tile) shift = torch::maximum(shift, st.shift);
  shift.masked_fill_(shift.abs() == kInf, 0.0);  // as logsumexp: an all -inf row stays so
  logits.sub_(shift.unsqueeze(1));
  auto sums = exp_sums(logits, with_entropy);
  if (first_tile) {
    st.total = sums.first;
    st.moment = sums.second;
  } else {
    // Sums relative to the old shift, moved to the new one: exp(-d) sum e, exp(-d) (sum e x - d sum e).
    auto d = shift - st.shift, scale = (-d).exp_();
    if (with_entropy) st.moment = (st.moment - d * st.total).mul_(scale).add_(sums.second);
    st.total = st.total.mul_(scale).add_(sums.first);
  }
  st.shift = shift;
}

class ChunkedLogprobFunction : public torch::autograd::Function<ChunkedLogprobFunction> {
 public:
  // Returns {logprobs [N], entropy [N] (zeros unless with_entropy)}.
  static variable_list forward(AutogradContext* ctx, const torch::Tensor& hidden, const torch::Tensor& weight,
                               const torch::Tensor& targets, double temperature, int64_t rows, int64_t cols,
                               bool with_entropy, int64_t product_dtype) {
    const auto dtype = static_cast<torch::ScalarType>(product_dtype);
    const int64_t n = hidden.size(0), v = weight.size(0);
    auto f32 = hidden.options().dtype(torch::kFloat32);
    auto logp = torch::empty({n}, f32), lse = torch::empty({n}, f32), entropy = torch::zeros({n}, f32);
    const auto buffer = logits_buffer(hidden, weight, {rows, cols}, dtype);
    const auto w = weight.to(dtype);  // once a pass, not once a tile
    for (int64_t s = 0; s < n; s += rows) {
      const int64_t len = std::min(rows, n - s);
      const auto h = hidden.narrow(0, s, len).to(dtype);
      const auto t = targets.narrow(0, s, len);
      RunningStats st;
      for (int64_t c = 0; c < v; c += cols) {
        const int64_t width = std::min(cols, v - c);
        auto logits = tile_logits(h, w.narrow(0, c, width), temperature, buffer);  // [len, width]
        add_tile(st, logits, tile_targets(t, c, width), c == 0, with_entropy);
      }
      auto log_total = st.total.log();
      lse.narrow(0, s, len).copy_(log_total + st.shift);
      logp.narrow(0, s, len).copy_(st.picked - st.shift - log_total);
      if (with_entropy) entropy.narrow(0, s, len).copy_(log_total - st.moment / st.total);
    }
    ctx->save_for_backward({hidden, weight, targets, lse});
    ctx->saved_data["temperature"] = temperature;
    ctx->saved_data["rows"] = rows;
    ctx->saved_data["cols"] = cols;
    ctx->saved_data["dtype"] = product_dtype;
    ctx->mark_non_differentiable({entropy});
    return {logp, entropy};
  }

  // d logp_i / d logits_ij = onehot_ij - p_ij, through logits = h w^T / T; one [rows, cols] tile at a time.
  static variable_list backward(AutogradContext* ctx, variable_list grads) {
    const auto saved = ctx->get_saved_variables();
    const auto& hidden = saved[0];
    const auto& weight = saved[1];
    const auto& targets = saved[2];
    const auto& lse = saved[3];
    const double temperature = ctx->saved_data["temperature"].toDouble();
    const int64_t rows = ctx->saved_data["rows"].toInt(), cols = ctx->saved_data["cols"].toInt();
    const auto dtype = static_cast<torch::ScalarType>(ctx->saved_data["dtype"].toInt());
    const torch::Tensor g = grads[0].to(torch::kFloat32);  // [N]
    const int64_t n = hidden.size(0), v = weight.size(0);
    auto grad_h = torch::zeros(hidden.sizes(), hidden.options().dtype(torch::kFloat32));
    auto grad_w = torch::zeros(weight.sizes(), weight.options().dtype(torch::kFloat32));
    const auto buffer = logits_buffer(hidden, weight, {rows, cols}, dtype);
    const auto w = weight.to(dtype);  // once a pass, not once a tile
    for (int64_t s = 0; s < n; s += rows) {
      const int64_t len = std::min(rows, n - s);
      const auto hp = hidden.narrow(0, s, len).to(dtype);  // [len, H] in the product dtype
      const auto t = targets.narrow(0, s, len);
      const auto gc = g.narrow(0, s, len).unsqueeze(1);      // [len, 1]
      const auto row_lse = lse.narrow(0, s, len).unsqueeze(1);  // [len, 1]
      auto gh = grad_h.narrow(0, s, len);                     // [len, H]
      for (int64_t c = 0; c < v; c += cols) {
        const int64_t width = std::min(cols, v - c);
        const auto wt = w.narrow(0, c, width);
        auto logits = tile_logits(hp, wt, temperature, buffer);  // [len, width]
        // The gradient is written over the logits.
        auto grad_logits = logits.sub_(row_lse).exp_().mul_(-gc);  // -g p
        const auto tt = tile_targets(t, c, width);
        grad_logits.scatter_add_(1, tt.local, gc.mul(tt.inside.unsqueeze(1)));  // + g onehot
        if (temperature != 1.0) grad_logits.div_(temperature);
        auto gw = grad_w.narrow(0, c, width);  // [width, H]
        if (dtype == torch::kFloat32) {
          gh.addmm_(grad_logits, wt);
          gw.addmm_(grad_logits.t(), hp);
        } else {
          auto gl = grad_logits.to(dtype);
          gh.add_(torch::mm(gl, wt));
          gw.add_(torch::mm(gl.t(), hp));
        }
      }
    }
    return {grad_h.to(hidden.scalar_type()), grad_w.to(weight.scalar_type()), torch::Tensor(), torch::Tensor(),
            torch::Tensor(), torch::Tensor(), torch::Tensor(), torch::Tensor()};
  }
};

}  // namespace

ChunkedLogprobs chunked_token_logprobs(const torch::Tensor& hidden, const torch::Tensor& weight,
                                       const torch::Tensor& targets, double temperature, const LogitsBlock& block,
                                       bool with_entropy, torch::ScalarType product_dtype) {
  auto out = ChunkedLogprobFunction::apply(hidden, weight, targets, temperature, std::max<int64_t>(1, block.rows),
                                           std::max<int64_t>(1, block.cols), with_entropy,
                                           static_cast<int64_t>(product_dtype));
  ChunkedLogprobs r;
  r.logprobs = out[0];
  if (with_entropy) r.entropy = out[1];
  return r;
}

LogitsBlock logits_block(int64_t vocab, int64_t budget_elements) {
  LogitsBlock b;
  b.cols = std::max<int64_t>(1, std::min(vocab, kMaxTileColumns));
  b.rows = std::max<int64_t>(1, budget_elements / b.cols);
  return b;
}

int64_t logits_chunk_rows(int64_t vocab, int64_t budget_elements) {
  return std::max<int64_t>(1, budget_elements / std::max<int64_t>(1, vocab));
}

}  // namespace r1::model
