// Fused inference kernels (CPU float32 loops) with ATen fallbacks.
#include "r1/model/fused_ops.h"

#include "r1/model/cpu_kernel_dispatch.h"
#include "r1/model/cpu_vector_math.h"

#include <ATen/Parallel.h>

#include <cmath>
#include <cstring>
#include <type_traits>
#include <vector>

// The kernels pass cpu::Float8 values between inlined helpers; the AVX-vs-SSE calling convention note GCC gives
// for them does not apply (nothing of that type crosses a real call).
#pragma GCC diagnostic ignored "-Wpsabi"

namespace r1::model {

namespace {

// Queries per row up to which cached_attention runs its own loop.
constexpr int64_t kMaxLoopQueries = 4;

}  // namespace

torch::Tensor rms_normalize(const torch::Tensor& x, double eps) {
  if (!cpu::is_float32(x) || !x.is_contiguous() || x.dim() != 2) {
    auto xf = x.to(torch::kFloat32);
    return (xf * torch::rsqrt(xf.pow(2).mean(-1, true) + eps)).to(x.scalar_type());
  }
  const int64_t n = x.size(0), h = x.size(1);
  auto out = torch::empty_like(x);
  const float* src = x.data_ptr<float>();
  float* dst = out.data_ptr<float>();
  at::parallel_for(0, n, cpu::grain_for(3 * h), [&](int64_t begin, int64_t end) {
    for (int64_t r = begin; r < end; ++r) {
      const float* a = src + r * h;
      float* b = dst + r * h;
      const float inv = cpu::rms_factor(a, h, static_cast<float>(eps));
      for (int64_t i = 0; i < h; ++i) b[i] = a[i] * inv;
    }
  });
  return out;
}

void rotary_inplace(torch::Tensor& qkv, const torch::Tensor& cos, const torch::Tensor& sin, int64_t rot_heads,
                    int64_t head_dim) {
  const int64_t b = qkv.size(0), t = qkv.size(1), half = head_dim / 2;
  if (!cpu::is_float32(qkv) || !qkv.is_contiguous() || !cos.is_contiguous() || !sin.is_contiguous() ||
      cos.scalar_type() != torch::kFloat32) {
    auto heads = qkv.view({b, t, -1, head_dim}).narrow(2, 0, rot_heads);  // [B, T, R, D]
    auto x1 = heads.narrow(-1, 0, half), x2 = heads.narrow(-1, half, half);
    auto c = cos.view({b, t, 1, half}).to(qkv.scalar_type()), s = sin.view({b, t, 1, half}).to(qkv.scalar_type());
    auto r1 = x1 * c - x2 * s, r2 = x2 * c + x1 * s;
    x1.copy_(r1);
    x2.copy_(r2);
    return;
  }
  const int64_t row = qkv.size(2);
  float* base = qkv.data_ptr<float>();
  const float* cp = cos.data_ptr<float>();
  const float* sp = sin.data_ptr<float>();
  at::parallel_for(0, b * t, cpu::grain_for(6 * rot_heads * half), [&](int64_t begin, int64_t end) {
    for (int64_t i = begin; i < end; ++i) {
      float* r = base + i * row;
      const float* c = cp + i * half;
      const float* s = sp + i * half;
      for (int64_t h = 0; h < rot_heads; ++h) {
        float* x1 = r + h * head_dim;
        float* x2 = x1 + half;
        for (int64_t j = 0; j < half; ++j) {
          const float a = x1[j], bb = x2[j];
          x1[j] = a * c[j] - bb * s[j];
          x2[j] = bb * c[j] + a * s[j];
        }
      }
    }
  });
}

namespace {

// One (row, kv head) of decode attention: pointers to its first query head, transposed keys [D, ldk]
// (ldk >= S: the cache's capacity), values [S, D], mask rows and output, with the strides between consecutive
// query tokens. Keys and values are float32 (Elem = float) or bfloat16 bit patterns (Elem = std::uint16_t),
// widened to float32 as they are loaded; all arithmetic is float32 either way.
template <class Elem>
struct DecodeGroup {
  const float* q;
  int64_t q_t;
  const Elem* kt;
  int64_t ldk;
  const Elem* v;
  const float* mask;
  int64_t m_t;
  float* out;
  int64_t o_t;
};

// Key rows of the transposed cache requested this many rows ahead of the one being scored: a row is a short
// stream (S keys) that takes less time to score than memory takes to deliver it, and the hardware prefetcher
// does not run ahead across rows.
constexpr int64_t kKeyRowsAhead = 4;

// Requests the cache lines of p[0, bytes) (no effect on results).
inline void prefetch_bytes(const void* p, int64_t bytes) {
  const char* c = static_cast<const char*>(p);
  for (int64_t o = 0; o < bytes; o += 64) __builtin_prefetch(c + o);
}

// scores[r * stride + j] = q_r . k_j + m[j] for the R query heads q [R, D] (head stride d) and keys j < s. The
// keys are read row by row of the transposed cache (D sequential streams, one at a time, requested
// kKeyRowsAhead rows ahead), the heads' score rows (L1-resident) accumulate eight keys per vector operation.
// While scoring, the lines of `later` [0, d * later_step) (the values, read next) are requested, later_step
// bytes per key row; later may be null.
template <int R, class Elem>
__attribute__((always_inline)) inline void score_keys(const float* q, const Elem* kt, int64_t ldk, int64_t s,
                                                      int64_t d, const float* m, float* scores, int64_t stride,
                                                      const char* later, int64_t later_step) {
  const int64_t full = s - s % 8;
  for (int r = 0; r < R; ++r) std::memcpy(scores + r * stride, m, sizeof(float) * s);
  for (int64_t x = 0; x < kKeyRowsAhead && x < d; ++x) prefetch_bytes(kt + x * ldk, s * sizeof(Elem));
  for (int64_t x = 0; x < d; ++x) {
    const Elem* kx = kt + x * ldk;
    float qv[R];
    for (int r = 0; r < R; ++r) qv[r] = q[r * d + x];
    if (x + kKeyRowsAhead < d) prefetch_bytes(kx + kKeyRowsAhead * ldk, s * sizeof(Elem));
    if (later) prefetch_bytes(later + x * later_step, later_step);
    for (int64_t j = 0; j < full; j += 8) {
      const cpu::Float8 kv = cpu::load8(kx + j);
      for (int r = 0; r < R; ++r) {
        float* sr = scores + r * stride + j;
        cpu::store8(sr, cpu::load8(sr) + qv[r] * kv);
      }
    }
    for (int64_t j = full; j < s; ++j)
      for (int r = 0; r < R; ++r) scores[r * stride + j] += qv[r] * cpu::to_float(kx[j]);
  }
}

// out_r[x0, x0 + 8 V) = scale_r * sum_j w_r[j] v_j[x0, x0 + 8 V) for the R heads' weights w [R, S] (head
// stride `stride`) and values v [S, D]: value rows are read in order, the R x V accumulators stay in registers.
template <int R, int V, class Elem>
__attribute__((always_inline)) inline void weigh_value_columns(const float* w, int64_t stride, const Elem* v,
                                                               int64_t s, int64_t d, int64_t x0, const float* scale,
                                                               float* out) {
  cpu::Float8 acc[R][V];
  for (int r = 0; r < R; ++r)
    for (int c = 0; c < V; ++c) acc[r][c] = cpu::splat8(0.0f);
  for (int64_t j = 0; j < s; ++j) {
    const Elem* vr = v + j * d + x0;
    cpu::Float8 vv[V];
    for (int c = 0; c < V; ++c) vv[c] = cpu::load8(vr + 8 * c);
    for (int r = 0; r < R; ++r) {
      const float wr = w[r * stride + j];
      for (int c = 0; c < V; ++c) acc[r][c] += wr * vv[c];
    }
  }
  for (int r = 0; r < R; ++r)
    for (int c = 0; c < V; ++c) cpu::store8(out + r * d + x0 + 8 * c, acc[r][c] * scale[r]);
}

// out_r = scale_r * sum_j w_r[j] v_j for all D columns: 32 columns per pass over the values (16 for four heads),
// then 8, then single columns.
template <int R, class Elem>
__attribute__((always_inline)) inline void weigh_values(const float* w, int64_t stride, const Elem* v, int64_t s,
                                                        int64_t d, const float* scale, float* out) {
  constexpr int kWide = R <= 2 ? 4 : 2;  // Float8 accumulators per head in the wide pass
  int64_t x0 = 0;
  for (; x0 + 8 * kWide <= d; x0 += 8 * kWide) weigh_value_columns<R, kWide>(w, stride, v, s, d, x0, scale, out);
  for (; x0 + 8 <= d; x0 += 8) weigh_value_columns<R, 1>(w, stride, v, s, d, x0, scale, out);
  for (; x0 < d; ++x0) {
    for (int r = 0; r < R; ++r) {
      float a = 0;
      for (int64_t j = 0; j < s; ++j) a += w[r * stride + j] * cpu::to_float(v[j * d + x0]);
      out[r * d + x0] = a * scale[r];
    }
  }
}

// Query heads handled together out of `left`: four, two or one (the kernels are unrolled for these).
inline int64_t head_tile(int64_t left) { return left >= 4 ? 4 : (left >= 2 ? 2 : 1); }

// softmax(q k^T + mask) v for the rep query heads of each of the t tokens. Keys and values are read once per
// tile of up to four heads; scratch holds the scores [rep, S] and the heads' 1 / sum of weights [rep].
template <class Elem>
__attribute__((always_inline)) inline void attend_kv_group(const DecodeGroup<Elem>& g, int64_t t, int64_t rep,
                                                           int64_t s, int64_t d, float* scratch) {
  float* inv = scratch + rep * s;
  // The first pass over the keys also requests the values (S rows of D), spread over its D key rows.
  const int64_t later_step = (s * d * static_cast<int64_t>(sizeof(Elem)) + d - 1) / d;
  for (int64_t ti = 0; ti < t; ++ti) {
    const float* qt = g.q + ti * g.q_t;
    const float* m = g.mask + ti * g.m_t;
    float* ot = g.out + ti * g.o_t;
    for (int64_t r = 0, n = 0; r < rep; r += n) {
      n = head_tile(rep - r);
      const float* qr = qt + r * d;
      float* sr = scratch + r * s;
      const char* later = ti == 0 && r == 0 ? reinterpret_cast<const char*>(g.v) : nullptr;
      if (n == 4) score_keys<4>(qr, g.kt, g.ldk, s, d, m, sr, s, later, later_step);
      else if (n == 2) score_keys<2>(qr, g.kt, g.ldk, s, d, m, sr, s, later, later_step);
      else score_keys<1>(qr, g.kt, g.ldk, s, d, m, sr, s, later, later_step);
    }
    for (int64_t r = 0; r < rep; ++r) inv[r] = 1.0f / cpu::exp_shifted_inplace(scratch + r * s, s);
    for (int64_t r = 0, n = 0; r < rep; r += n) {
      n = head_tile(rep - r);
      const float* wr = scratch + r * s;
      float* orow = ot + r * d;
      if (n == 4) weigh_values<4>(wr, s, g.v, s, d, inv + r, orow);
      else if (n == 2) weigh_values<2>(wr, s, g.v, s, d, inv + r, orow);
      else weigh_values<1>(wr, s, g.v, s, d, inv + r, orow);
    }
  }
}

// The kernel compiled per CPU target (R1_CPU_CLONES), once per cache element type.
R1_CPU_CLONES void attend_kv_group_f32(const DecodeGroup<float>& g, int64_t t, int64_t rep, int64_t s, int64_t d,
                                       float* scratch) {
  attend_kv_group(g, t, rep, s, d, scratch);
}
R1_CPU_CLONES void attend_kv_group_bf16(const DecodeGroup<std::uint16_t>& g, int64_t t, int64_t rep, int64_t s,
                                        int64_t d, float* scratch) {
  attend_kv_group(g, t, rep, s, d, scratch);
}

// The decode-attention loop over (row, kv head) groups for keys/values stored as Elem (see DecodeGroup); kp and
// vp point at the first key / value element.
template <class Elem>
torch::Tensor decode_attention_loop(const torch::Tensor& q, const torch::Tensor& k, const torch::Tensor& v,
                                    const torch::Tensor& mask, int64_t heads, const Elem* kp, const Elem* vp) {
  const int64_t b = q.size(0), t = q.size(1), kvh = k.size(1), s = k.size(2), d = k.size(3), rep = heads / kvh;
  auto out = torch::empty({b, t, heads * d}, q.options());
  const float* qp = q.data_ptr<float>();
  const float* mp = mask.data_ptr<float>();
  float* op = out.data_ptr<float>();
  const int64_t q_b = q.stride(0), q_t = q.stride(1);
  const int64_t k_b = k.stride(0), k_h = k.stride(1), ldk = k.stride(3), v_b = v.stride(0), v_h = v.stride(1);
  const int64_t m_b = mask.size(0) == 1 ? 0 : mask.stride(0), m_t = mask.stride(2);
  // One task per (row, kv head): its rep * T queries share the same keys and values.
  at::parallel_for(0, b * kvh, cpu::grain_for(4 * rep * t * s * d), [&](int64_t begin, int64_t end) {
    std::vector<float> scratch(static_cast<size_t>(rep * (s + 1)));
    for (int64_t item = begin; item < end; ++item) {
      const int64_t bi = item / kvh, g = item % kvh;
      DecodeGroup<Elem> group{qp + bi * q_b + g * rep * d, q_t, kp + bi * k_b + g * k_h, ldk, vp + bi * v_b + g * v_h,
                              mp + bi * m_b, m_t, op + bi * t * heads * d + g * rep * d, heads * d};
      if constexpr (std::is_same_v<Elem, float>) attend_kv_group_f32(group, t, rep, s, d, scratch.data());
      else attend_kv_group_bf16(group, t, rep, s, d, scratch.data());
    }
  });
  return out;
}

bool cache_dtype(const torch::Tensor& t) {
  return t.device().is_cpu() && (t.scalar_type() == torch::kFloat32 || t.scalar_type() == torch::kBFloat16);
}

}  // namespace

torch::Tensor cached_attention(const torch::Tensor& q, const torch::Tensor& k, const torch::Tensor& v,
                               const torch::Tensor& mask, int64_t heads) {
  const int64_t b = q.size(0), t = q.size(1), kvh = k.size(1), s = k.size(2), d = k.size(3), rep = heads / kvh;
  // The loop wins for decode steps (few queries); prefill and full recomputation go to batched matmuls.
  const bool fast = t <= kMaxLoopQueries && cpu::is_float32(q) && cache_dtype(k) &&
                    v.scalar_type() == k.scalar_type() && v.device().is_cpu() && cpu::is_float32(mask) &&
                    q.stride(2) == 1 && k.stride(2) == 1 && k.stride(3) >= s && v.stride(3) == 1 &&
                    v.stride(2) == d && mask.size(1) == 1 && mask.size(2) == t && mask.stride(3) == 1;
  if (fast && k.scalar_type() == torch::kBFloat16)
    return decode_attention_loop(q, k, v, mask, heads, reinterpret_cast<const std::uint16_t*>(k.data_ptr<at::BFloat16>()),
                                 reinterpret_cast<const std::uint16_t*>(v.data_ptr<at::BFloat16>()));
  if (fast) return decode_attention_loop(q, k, v, mask, heads, k.data_ptr<float>(), v.data_ptr<float>());
  // Batched matmuls in q's dtype (a lower-precision cache is widened first).
  const auto kq = k.to(q.scalar_type()), vq = v.to(q.scalar_type());
  // [B, T, H, D] -> [B, kvH, rep * T, D]; scores [B, kvH, rep, T, S].
  auto qg = q.reshape({b, t, kvh, rep, d}).permute({0, 2, 3, 1, 4}).reshape({b, kvh, rep * t, d});
  auto scores = torch::matmul(qg, kq.transpose(-1, -2)).view({b, kvh, rep, t, s});
  scores = scores + mask.to(scores.scalar_type()).unsqueeze(2);
  auto probs = torch::softmax(scores, -1, torch::kFloat32).to(vq.scalar_type());
  auto out = torch::matmul(probs.view({b, kvh, rep * t, s}), vq);  // [B, kvH, rep*T, D]
  return out.view({b, kvh, rep, t, d}).permute({0, 3, 1, 2, 4}).reshape({b, t, heads * d});
}

}  // namespace r1::model
