// Fused causal self-attention on CPU: blocks of query rows, scores kept in cache, backward by recomputation.
#include "r1/model/causal_attention_kernel.h"

#include <ATen/Parallel.h>
#include <torch/csrc/autograd/custom_function.h>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <vector>

#include "r1/model/attention_blocks.h"
#include "r1/model/cpu_small_gemm.h"
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
  int64_t b, t, kvh, d, rep;
  float scale;
  explicit Shape(const torch::Tensor& q, const torch::Tensor& k)
      : b(q.size(0)), t(q.size(1)), kvh(k.size(2)), d(q.size(3)), rep(q.size(2) / k.size(2)),
        scale(static_cast<float>(1.0 / std::sqrt(static_cast<double>(q.size(3))))) {}
};

// The mask rows of batch row `batch`: [T, T] floats (a [1, 1, T, T] mask serves every row).
const float* mask_rows(const torch::Tensor& mask, int64_t batch, int64_t t) {
  return mask.data_ptr<float>() + (mask.size(0) == 1 ? 0 : batch) * t * t;
}

// One query row's logits in place: s[j] = s[j] * scale + mask[j] for the len keys it sees; returns their maximum.
// always_inline: compiled into each CPU clone of its callers.
__attribute__((always_inline)) inline float logits_row(float* s, const float* mask, int64_t len, float scale) {
  using cpu::Float8;
  const Float8 scale8 = cpu::splat8(scale);
  Float8 max8 = cpu::splat8(-__builtin_huge_valf());
  int64_t j = 0;
  for (; j + 8 <= len; j += 8) {
    const Float8 v = cpu::load8(s + j) * scale8 + cpu::load8(mask + j);
    cpu::store8(s + j, v);
    max8 = v > max8 ? v : max8;
  }
  float mx = -__builtin_huge_valf();
  for (; j < len; ++j) {
    s[j] = s[j] * scale + mask[j];
    mx = s[j] > mx ? s[j] : mx;
  }
  for (int l = 0; l < 8; ++l) mx = max8[l] > mx ? max8[l] : mx;
  return mx;
}

// Softmax numerators of a block of rows x n scores, in place; row r sees its first first_len + r columns (the
// block's keys start at a column left of its first row's own key). Each visible score becomes exp(logit - row
// max) (not divided by their sum: the callers scale rows of the products instead), 1 / sum goes to row_inv, the
// invisible keys become 0. mask: the block's first row at its first key column, row stride mask_ld. A block holds
// every key its rows see, so the backward recomputes exactly the forward's values with this same function:
// nothing is kept between the passes.
R1_CPU_CLONES void softmax_numerators(float* s, int64_t ld, int64_t rows, int64_t n, int64_t first_len,
                                      const float* mask, int64_t mask_ld, float scale, float* row_inv) {
  for (int64_t r = 0; r < rows; ++r) {
    const int64_t len = first_len + r;
    float* sr = s + r * ld;
    const float row_max = logits_row(sr, mask + r * mask_ld, len, scale);
    row_inv[r] = 1.0f / cpu::exp_minus_inplace(sr, len, row_max);
    std::fill(sr + len, sr + n, 0.0f);
  }
}

// dst = src with row r times factor[r], for a rows x d block (row strides ld_src, ld_dst; in place when equal).
void scale_rows(const float* src, int64_t ld_src, float* dst, int64_t ld_dst, int64_t rows, int64_t d,
                const float* factor) {
  for (int64_t r = 0; r < rows; ++r)
    for (int64_t c = 0; c < d; ++c) dst[r * ld_dst + c] = src[r * ld_src + c] * factor[r];
}

// Softmax backward in place from the numerators e (p = e * inv): dp[r][j] <- e[r][j] * (dp[r][j] - delta_r) *
// inv_r * scale, delta_r = dO_r . O_r (which equals sum_j p[r][j] dp[r][j]). do_rows / o_rows: the block's rows of
// dO and O, row stride ld_o.
R1_CPU_CLONES void softmax_backward_block(const float* e, float* dp, int64_t ld, int64_t rows, int64_t n,
                                          const float* do_rows, const float* o_rows, int64_t ld_o, int64_t d,
                                          const float* row_inv, float scale) {
  for (int64_t r = 0; r < rows; ++r) {
    const float delta = cpu::dot(do_rows + r * ld_o, o_rows + r * ld_o, d);
    const float factor = row_inv[r] * scale;
    const float* er = e + r * ld;
    float* dr = dp + r * ld;
    for (int64_t j = 0; j < n; ++j) dr[j] = er[j] * (dr[j] - delta) * factor;
  }
}

// The query blocks of every mask row (plan_query_blocks): a [1, 1, T, T] mask has one plan for every batch row.
class BlockPlans {
 public:
  BlockPlans(const torch::Tensor& mask, int64_t t) : plans_(mask.size(0)) {
    at::parallel_for(0, mask.size(0), 1, [&](int64_t begin, int64_t end) {
      for (int64_t b = begin; b < end; ++b) plans_[b] = plan_query_blocks(mask_rows(mask, b, t), t, kQueryBlock, 8);
    });
  }
  const std::vector<QueryBlock>& of(int64_t batch) const { return plans_[plans_.size() == 1 ? 0 : batch]; }

 private:
  std::vector<std::vector<QueryBlock>> plans_;
};

// dst [D, T] = src^T for one head's [T, D] rows (row stride ld): keys or values laid out so that the products
// against them read eight consecutive positions at once.
void transpose_head(const float* src, int64_t ld, int64_t t, int64_t d, float* dst) {
  for (int64_t i = 0; i < t; ++i)
    for (int64_t c = 0; c < d; ++c) dst[c * t + i] = src[i * ld + c];
}

// Pointers into one batch row's [T, heads, D] block: head `head`'s row 0 (rows are heads * D apart).
struct Heads {
  float* base;
  int64_t t, heads, d;
  float* head(int64_t batch, int64_t h) const { return base + (batch * t * heads + h) * d; }
  int64_t ld() const { return heads * d; }
};
Heads heads_of(const torch::Tensor& x) {
  return {x.data_ptr<float>(), x.size(1), x.size(2), x.size(3)};
}

// The kv groups of a pass (a group = one batch row and one kv head), handed out one at a time to whichever
// thread is free: groups differ in work (each batch row has its own block plan), so a static split of the range
// would leave one thread waiting. Each group's outputs are written by the one thread that takes it, in the same
// order whichever thread that is: the results do not depend on the schedule.
class GroupQueue {
 public:
  explicit GroupQueue(int64_t groups) : groups_(groups) {}
  // The next group, or -1 when none is left.
  int64_t take() {
    const int64_t group = next_.fetch_add(1, std::memory_order_relaxed);
    return group < groups_ ? group : -1;
  }
  // Runs pass(queue) on every intra-op thread; they return once the queue is empty.
  template <typename F>
  void drain(F&& pass) {
    at::parallel_for(0, at::get_num_threads(), 1, [&](int64_t, int64_t) { pass(*this); });
  }

 private:
  int64_t groups_;
  std::atomic<int64_t> next_{0};
};

// The iteration both passes share: for each kv group taken from the queue (batch row b, kv head g), on_group(b, g),
// then on_block(b, g, head, block) for each query block of each of its query heads, in order.
template <typename G, typename F>
void for_each_group_block(const Shape& sh, const BlockPlans& plans, GroupQueue& queue, G&& on_group, F&& on_block) {
  for (int64_t group = queue.take(); group >= 0; group = queue.take()) {
    const int64_t b = group / sh.kvh, g = group % sh.kvh;
    on_group(b, g);
    for (int64_t r = 0; r < sh.rep; ++r)
      for (const QueryBlock& block : plans.of(b)) on_block(b, g, g * sh.rep + r, block);
  }
}

// A block's softmax numerators, the same in both passes (so the backward's are bit-for-bit the forward's):
// E [rows, keys] (row stride T) from S = Q_blk K^T over the block's score columns, 1 / row sums to row_inv.
// kt: the group's keys transposed, [D, T].
void block_numerators(const Shape& sh, const Heads& q, const float* kt, const torch::Tensor& mask, int64_t b,
                      int64_t head, const QueryBlock& blk, float* e, float* row_inv) {
  const int64_t i0 = blk.first_row, j0 = blk.first_key;
  // S [rows, score columns] = Q_blk [rows, D] K^T [D, score columns]; the columns past keys() are above every
  // row's diagonal
  cpu::gemm_small(blk.rows, blk.score_end - j0, sh.d, q.head(b, head) + i0 * q.ld(), q.ld(), 1, kt + j0, sh.t, e,
                  sh.t, false);
  softmax_numerators(e, sh.t, blk.rows, blk.keys(), i0 + 1 - j0, mask_rows(mask, b, sh.t) + i0 * sh.t + j0, sh.t,
                     sh.scale, row_inv);
}

// Forward of the heads of the kv groups this thread takes from the queue.
void forward_groups(const Shape& sh, const Heads& q, const Heads& k, const Heads& v, const torch::Tensor& mask,
                    const BlockPlans& plans, const Heads& out, GroupQueue& queue) {
  std::vector<float> scores(kQueryBlock * sh.t);  // [64, T]: one block's scores, then softmax numerators
  std::vector<float> kt(sh.d * sh.t);             // [D, T]: the group's keys, transposed
  float row_inv[kQueryBlock];                     // 1 / softmax sum of each row of the block
  float* sp = scores.data();
  for_each_group_block(
      sh, plans, queue,
      [&](int64_t b, int64_t g) { transpose_head(k.head(b, g), k.ld(), sh.t, sh.d, kt.data()); },
      [&](int64_t b, int64_t g, int64_t head, const QueryBlock& blk) {
        const int64_t i0 = blk.first_row, rows = blk.rows, j0 = blk.first_key, n = blk.keys();
        block_numerators(sh, q, kt.data(), mask, b, head, blk, sp, row_inv);
        // O_blk [rows, D] = E [rows, n] V [n, D], then each row / its sum (= P V)
        float* o_blk = out.head(b, head) + i0 * out.ld();
        cpu::gemm_small(rows, sh.d, n, sp, sh.t, 1, v.head(b, g) + j0 * v.ld(), v.ld(), o_blk, out.ld(), false);
        scale_rows(o_blk, out.ld(), o_blk, out.ld(), rows, sh.d, row_inv);
      });
}

// Backward of the kv groups this thread takes from the queue: dq for their query heads, dk / dv (zero on entry)
// for their kv heads; a group's dk / dv rows are written by this thread alone.
void backward_groups(const Shape& sh, const Heads& q, const Heads& k, const Heads& v, const torch::Tensor& mask,
                     const BlockPlans& plans, const Heads& out, const Heads& grad_out, const Heads& dq,
                     const Heads& dk, const Heads& dv, GroupQueue& queue) {
  std::vector<float> numerators(kQueryBlock * sh.t);  // [64, T]: E of one block (P times the row sums)
  std::vector<float> dprobs(kQueryBlock * sh.t);      // [64, T]: dP, then dS
  std::vector<float> do_scaled(kQueryBlock * sh.d);   // [64, D]: dO rows / the row sums
  std::vector<float> kt(sh.d * sh.t), vt(sh.d * sh.t);  // [D, T] each
  float row_inv[kQueryBlock];                           // 1 / softmax sum of each row of the block
  float* ep = numerators.data();
  float* dpp = dprobs.data();
  auto transpose_group = [&](int64_t b, int64_t g) {
    transpose_head(k.head(b, g), k.ld(), sh.t, sh.d, kt.data());
    transpose_head(v.head(b, g), v.ld(), sh.t, sh.d, vt.data());
  };
  for_each_group_block(
      sh, plans, queue, transpose_group,
      [&](int64_t b, int64_t g, int64_t head, const QueryBlock& blk) {
        const int64_t i0 = blk.first_row, rows = blk.rows, j0 = blk.first_key, n = blk.keys();
        const float* q_blk = q.head(b, head) + i0 * q.ld();
        const float* do_blk = grad_out.head(b, head) + i0 * grad_out.ld();
        block_numerators(sh, q, kt.data(), mask, b, head, blk, ep, row_inv);
        // dV [n, D] += P^T [n, rows] dO_blk [rows, D] = E^T (dO_blk rows / their sums)
        scale_rows(do_blk, grad_out.ld(), do_scaled.data(), sh.d, rows, sh.d, row_inv);
        cpu::gemm_small(n, sh.d, rows, ep, 1, sh.t, do_scaled.data(), sh.d, dv.head(b, g) + j0 * dv.ld(), dv.ld(),
                        true);
        // dP [rows, n] = dO_blk [rows, D] V^T [D, n]
        cpu::gemm_small(rows, blk.score_end - j0, sh.d, do_blk, grad_out.ld(), 1, vt.data() + j0, sh.t, dpp, sh.t,
                        false);
        softmax_backward_block(ep, dpp, sh.t, rows, n, do_blk, out.head(b, head) + i0 * out.ld(), out.ld(), sh.d,
                               row_inv, sh.scale);
        // dQ_blk [rows, D] = dS [rows, n] K [n, D];  dK [n, D] += dS^T [n, rows] Q_blk [rows, D]
        cpu::gemm_small(rows, sh.d, n, dpp, sh.t, 1, k.head(b, g) + j0 * k.ld(), k.ld(), dq.head(b, head) + i0 * dq.ld(),
                        dq.ld(), false);
        cpu::gemm_small(n, sh.d, rows, dpp, 1, sh.t, q_blk, q.ld(), dk.head(b, g) + j0 * dk.ld(), dk.ld(), true);
      });
}

struct CausalAttentionFunction : public torch::autograd::Function<CausalAttentionFunction> {
  static torch::Tensor forward(AutogradContext* ctx, const torch::Tensor& q, const torch::Tensor& k,
                               const torch::Tensor& v, const torch::Tensor& mask) {
    const Shape sh(q, k);
    auto out = torch::empty_like(q);  // [B, T, H, D]
    const Heads qh = heads_of(q), kh = heads_of(k), vh = heads_of(v), oh = heads_of(out);
    const BlockPlans plans(mask, sh.t);
    GroupQueue(sh.b * sh.kvh).drain([&](GroupQueue& queue) { forward_groups(sh, qh, kh, vh, mask, plans, oh, queue); });
    ctx->save_for_backward({q, k, v, mask, out});
    return out;
  }

  static variable_list backward(AutogradContext* ctx, variable_list grads) {
    auto saved = ctx->get_saved_variables();
    const auto &q = saved[0], &k = saved[1], &v = saved[2], &mask = saved[3], &out = saved[4];
    const Shape sh(q, k);
    auto grad_out = grads[0].contiguous();
    auto dq = torch::empty_like(q);
    auto dk = torch::zeros_like(k), dv = torch::zeros_like(v);
    const Heads qh = heads_of(q), kh = heads_of(k), vh = heads_of(v), oh = heads_of(out), gh = heads_of(grad_out);
    const Heads dqh = heads_of(dq), dkh = heads_of(dk), dvh = heads_of(dv);
    const BlockPlans plans(mask, sh.t);
    GroupQueue(sh.b * sh.kvh).drain([&](GroupQueue& queue) {
      backward_groups(sh, qh, kh, vh, mask, plans, oh, gh, dqh, dkh, dvh, queue);
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
