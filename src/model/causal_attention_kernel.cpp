// Fused causal self-attention on CPU: blocks of query rows, scores kept in cache, backward by recomputation.
#include "r1/model/causal_attention_kernel.h"

#include <ATen/Parallel.h>
#include <torch/csrc/autograd/custom_function.h>

#include <algorithm>
#include <cmath>

#include "r1/model/cpu_vector_math.h"

// cpu::Float8 values pass between inlined helpers only: GCC's AVX calling-convention note does not apply.
#pragma GCC diagnostic ignored "-Wpsabi"

namespace r1::model {

namespace {

using torch::autograd::AutogradContext;
using torch::autograd::variable_list;

// Query rows per block: a block's scores (64 x T floats) stay in L2 between the two matrix products.
constexpr int64_t kQueryBlock = 64;

// Sizes shared by the forward and the backward.
struct Shape {
  int64_t b, t, h, kvh, d, rep;
  float scale;
  explicit Shape(const torch::Tensor& q, const torch::Tensor& k)
      : b(q.size(0)), t(q.size(1)), h(q.size(2)), kvh(k.size(2)), d(q.size(3)), rep(q.size(2) / k.size(2)),
        scale(static_cast<float>(1.0 / std::sqrt(static_cast<double>(q.size(3))))) {}
};

// One head's [T, D] matrix inside a [B, T, heads, D] tensor (row stride heads * D).
torch::Tensor head_matrix(const torch::Tensor& x, int64_t batch, int64_t head) { return x.select(0, batch).select(1, head); }

// The mask rows of batch row `batch`: [T, T] floats (a [1, 1, T, T] mask serves every row).
const float* mask_rows(const torch::Tensor& mask, int64_t batch, int64_t t) {
  return mask.data_ptr<float>() + (mask.size(0) == 1 ? 0 : batch) * t * t;
}

// Scores -> logits in place for the rows [i0, i0 + rows) of a block: s[r][j] = s[r][j] * scale + mask[i][j] for
// the keys j <= i the query may see; the keys after it are left as they are (the callers zero them).
R1_CPU_CLONES void scale_and_mask(float* s, int64_t ld, int64_t rows, int64_t i0, const float* mask, int64_t t,
                                  float scale) {
  for (int64_t r = 0; r < rows; ++r) {
    const int64_t i = i0 + r;
    float* sr = s + r * ld;
    const float* mr = mask + i * t;
    for (int64_t j = 0; j <= i; ++j) sr[j] = sr[j] * scale + mr[j];
  }
}

// Forward softmax of a block of n = i0 + rows key columns: each row's visible keys become probabilities, its
// row maximum and 1 / sum go to row_max / row_inv (per query, for the backward), the invisible keys become 0.
R1_CPU_CLONES void softmax_block(float* s, int64_t ld, int64_t rows, int64_t i0, int64_t n, float* row_max,
                                 float* row_inv) {
  for (int64_t r = 0; r < rows; ++r) {
    const int64_t len = i0 + r + 1;
    float* sr = s + r * ld;
    const float mx = cpu::max_of(sr, len);
    const float inv = 1.0f / cpu::exp_minus_inplace(sr, len, mx);
    for (int64_t j = 0; j < len; ++j) sr[j] *= inv;
    std::fill(sr + len, sr + n, 0.0f);
    row_max[r] = mx;
    row_inv[r] = inv;
  }
}

// The backward's copy of softmax_block: the same operations from the stored row maxima and inverse sums, so the
// probabilities are bit-for-bit the forward's.
R1_CPU_CLONES void probs_block(float* s, int64_t ld, int64_t rows, int64_t i0, int64_t n, const float* row_max,
                               const float* row_inv) {
  for (int64_t r = 0; r < rows; ++r) {
    const int64_t len = i0 + r + 1;
    float* sr = s + r * ld;
    cpu::exp_minus_inplace(sr, len, row_max[r]);
    for (int64_t j = 0; j < len; ++j) sr[j] *= row_inv[r];
    std::fill(sr + len, sr + n, 0.0f);
  }
}

// Softmax backward in place: dp[r][j] <- p[r][j] * (dp[r][j] - delta_r) * scale, delta_r = dO_r . O_r (which
// equals sum_j p[r][j] dp[r][j]). do_rows / o_rows: the block's rows of dO and O, row stride ld_o.
R1_CPU_CLONES void softmax_backward_block(const float* p, float* dp, int64_t ld, int64_t rows, int64_t n,
                                          const float* do_rows, const float* o_rows, int64_t ld_o, int64_t d,
                                          float scale) {
  for (int64_t r = 0; r < rows; ++r) {
    const float delta = cpu::dot(do_rows + r * ld_o, o_rows + r * ld_o, d);
    const float* pr = p + r * ld;
    float* dr = dp + r * ld;
    for (int64_t j = 0; j < n; ++j) dr[j] = pr[j] * (dr[j] - delta) * scale;
  }
}

// Query blocks [i0, i0 + rows) of one head, in order.
template <typename F>
void for_each_block(int64_t t, F&& f) {
  for (int64_t i0 = 0; i0 < t; i0 += kQueryBlock) f(i0, std::min(kQueryBlock, t - i0));
}

// Forward of the heads of the kv groups [begin, end) (a group = one batch row and one kv head). Writes out and
// the per-query statistics row_max / row_inv [B, H, T].
void forward_groups(const Shape& sh, const torch::Tensor& q, const torch::Tensor& k, const torch::Tensor& v,
                    const torch::Tensor& mask, torch::Tensor& out, float* row_max, float* row_inv, int64_t begin,
                    int64_t end) {
  auto scores = torch::empty({kQueryBlock, sh.t}, q.options());  // [64, T], one block's scores
  float* sp = scores.data_ptr<float>();
  for (int64_t group = begin; group < end; ++group) {
    const int64_t b = group / sh.kvh, g = group % sh.kvh;
    auto kg = head_matrix(k, b, g), vg = head_matrix(v, b, g);  // [T, D]
    const float* mask_b = mask_rows(mask, b, sh.t);
    for (int64_t r = 0; r < sh.rep; ++r) {
      const int64_t head = g * sh.rep + r;
      auto qh = head_matrix(q, b, head), oh = head_matrix(out, b, head);  // [T, D]
      const int64_t stats = (b * sh.h + head) * sh.t;
      for_each_block(sh.t, [&](int64_t i0, int64_t rows) {
        const int64_t n = i0 + rows;  // keys the block's last query sees
        auto s = scores.narrow(0, 0, rows).narrow(1, 0, n);  // [rows, n]
        at::mm_out(s, qh.narrow(0, i0, rows), kg.narrow(0, 0, n).t());
        scale_and_mask(sp, sh.t, rows, i0, mask_b, sh.t, sh.scale);
        softmax_block(sp, sh.t, rows, i0, n, row_max + stats + i0, row_inv + stats + i0);
        auto o = oh.narrow(0, i0, rows);
        at::mm_out(o, s, vg.narrow(0, 0, n));
      });
    }
  }
}

// Backward of the kv groups [begin, end): dq for their query heads, dk / dv (zero on entry) for their kv heads;
// a group's dk / dv rows are written by this task alone.
void backward_groups(const Shape& sh, const torch::Tensor& q, const torch::Tensor& k, const torch::Tensor& v,
                     const torch::Tensor& mask, const torch::Tensor& out, const torch::Tensor& grad_out,
                     const float* row_max, const float* row_inv, torch::Tensor& dq, torch::Tensor& dk,
                     torch::Tensor& dv, int64_t begin, int64_t end) {
  auto probs = torch::empty({kQueryBlock, sh.t}, q.options());   // [64, T]: P of one block
  auto dprobs = torch::empty({kQueryBlock, sh.t}, q.options());  // [64, T]: dP, then dS
  float* pp = probs.data_ptr<float>();
  float* dpp = dprobs.data_ptr<float>();
  const int64_t ld_o = sh.h * sh.d;
  for (int64_t group = begin; group < end; ++group) {
    const int64_t b = group / sh.kvh, g = group % sh.kvh;
    auto kg = head_matrix(k, b, g), vg = head_matrix(v, b, g);     // [T, D]
    auto dkg = head_matrix(dk, b, g), dvg = head_matrix(dv, b, g);  // [T, D]
    const float* mask_b = mask_rows(mask, b, sh.t);
    for (int64_t r = 0; r < sh.rep; ++r) {
      const int64_t head = g * sh.rep + r;
      auto qh = head_matrix(q, b, head), doh = head_matrix(grad_out, b, head), dqh = head_matrix(dq, b, head);
      const float* o_head = out.data_ptr<float>() + (b * sh.t * sh.h + head) * sh.d;
      const float* do_head = grad_out.data_ptr<float>() + (b * sh.t * sh.h + head) * sh.d;
      const int64_t stats = (b * sh.h + head) * sh.t;
      for_each_block(sh.t, [&](int64_t i0, int64_t rows) {
        const int64_t n = i0 + rows;
        auto p = probs.narrow(0, 0, rows).narrow(1, 0, n);    // [rows, n]
        auto dp = dprobs.narrow(0, 0, rows).narrow(1, 0, n);  // [rows, n]
        auto q_blk = qh.narrow(0, i0, rows), do_blk = doh.narrow(0, i0, rows);  // [rows, D]
        at::mm_out(p, q_blk, kg.narrow(0, 0, n).t());
        scale_and_mask(pp, sh.t, rows, i0, mask_b, sh.t, sh.scale);
        probs_block(pp, sh.t, rows, i0, n, row_max + stats + i0, row_inv + stats + i0);
        dvg.narrow(0, 0, n).addmm_(p.t(), do_blk);  // dV += P^T dO
        at::mm_out(dp, do_blk, vg.narrow(0, 0, n).t());  // dP = dO V^T
        softmax_backward_block(pp, dpp, sh.t, rows, n, do_head + i0 * ld_o, o_head + i0 * ld_o, ld_o, sh.d,
                               sh.scale);
        auto dq_blk = dqh.narrow(0, i0, rows);
        at::mm_out(dq_blk, dp, kg.narrow(0, 0, n));    // dQ = dS K
        dkg.narrow(0, 0, n).addmm_(dp.t(), q_blk);     // dK += dS^T Q
      });
    }
  }
}

struct CausalAttentionFunction : public torch::autograd::Function<CausalAttentionFunction> {
  static torch::Tensor forward(AutogradContext* ctx, const torch::Tensor& q, const torch::Tensor& k,
                               const torch::Tensor& v, const torch::Tensor& mask) {
    const Shape sh(q, k);
    auto out = torch::empty_like(q);                         // [B, T, H, D]
    auto row_max = torch::empty({sh.b, sh.h, sh.t}, q.options());  // [B, H, T]
    auto row_inv = torch::empty({sh.b, sh.h, sh.t}, q.options());  // [B, H, T]
    float* mx = row_max.data_ptr<float>();
    float* iv = row_inv.data_ptr<float>();
    at::parallel_for(0, sh.b * sh.kvh, 1, [&](int64_t begin, int64_t end) {
      forward_groups(sh, q, k, v, mask, out, mx, iv, begin, end);
    });
    ctx->save_for_backward({q, k, v, mask, out, row_max, row_inv});
    return out;
  }

  static variable_list backward(AutogradContext* ctx, variable_list grads) {
    auto saved = ctx->get_saved_variables();
    const auto &q = saved[0], &k = saved[1], &v = saved[2], &mask = saved[3], &out = saved[4];
    const Shape sh(q, k);
    auto grad_out = grads[0].contiguous();
    auto dq = torch::empty_like(q);
    auto dk = torch::zeros_like(k), dv = torch::zeros_like(v);
    const float* mx = saved[5].data_ptr<float>();
    const float* iv = saved[6].data_ptr<float>();
    at::parallel_for(0, sh.b * sh.kvh, 1, [&](int64_t begin, int64_t end) {
      backward_groups(sh, q, k, v, mask, out, grad_out, mx, iv, dq, dk, dv, begin, end);
    });
    return {dq, dk, dv, torch::Tensor()};
  }
};

}  // namespace

torch::Tensor causal_attention_fused(const torch::Tensor& q, const torch::Tensor& k, const torch::Tensor& v,
                                     const torch::Tensor& mask) {
  TORCH_CHECK(q.dim() == 4 && k.dim() == 4 && v.sizes() == k.sizes() && q.size(0) == k.size(0) &&
                  q.size(1) == k.size(1) && q.size(3) == k.size(3) && q.size(2) % k.size(2) == 0,
              "causal_attention_fused: q [B, T, H, D] and k, v [B, T, kvH, D] expected, got ", q.sizes(), " and ",
              k.sizes());
  const int64_t t = q.size(1);
  TORCH_CHECK(mask.dim() == 4 && (mask.size(0) == 1 || mask.size(0) == q.size(0)) && mask.size(2) == t &&
                  mask.size(3) == t,
              "causal_attention_fused: mask [B or 1, 1, T, T] expected, got ", mask.sizes());
  return CausalAttentionFunction::apply(q.contiguous(), k.contiguous(), v.contiguous(),
                                        mask.to(q.scalar_type()).contiguous());
}

}  // namespace r1::model
