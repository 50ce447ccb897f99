// Fused inference kernels (CPU float32 loops) with ATen fallbacks.
#include "r1/model/fused_ops.h"

#include "r1/model/cpu_vector_math.h"

#include <ATen/Parallel.h>

#include <cmath>
#include <limits>
#include <vector>

namespace r1::model {

namespace {

bool cpu_float(const torch::Tensor& t) { return t.device().is_cpu() && t.scalar_type() == torch::kFloat32; }

// Work per parallel task, in rough FLOPs, below which a loop stays on one thread.
constexpr int64_t kGrainFlops = 1 << 15;

// Queries per row up to which cached_attention runs its own loop.
constexpr int64_t kMaxLoopQueries = 4;

int64_t grain_for(int64_t flops_per_item) { return std::max<int64_t>(1, kGrainFlops / std::max<int64_t>(1, flops_per_item)); }

}  // namespace

torch::Tensor rms_normalize(const torch::Tensor& x, double eps) {
  if (!cpu_float(x) || !x.is_contiguous() || x.dim() != 2) {
    auto xf = x.to(torch::kFloat32);
    return (xf * torch::rsqrt(xf.pow(2).mean(-1, true) + eps)).to(x.scalar_type());
  }
  const int64_t n = x.size(0), h = x.size(1);
  auto out = torch::empty_like(x);
  const float* src = x.data_ptr<float>();
  float* dst = out.data_ptr<float>();
  at::parallel_for(0, n, grain_for(3 * h), [&](int64_t begin, int64_t end) {
    for (int64_t r = begin; r < end; ++r) {
      const float* a = src + r * h;
      float* b = dst + r * h;
      const float ss = cpu::dot(a, a, h);
      const float inv = 1.0f / std::sqrt(ss / static_cast<float>(h) + static_cast<float>(eps));
      for (int64_t i = 0; i < h; ++i) b[i] = a[i] * inv;
    }
  });
  return out;
}

void rotary_inplace(torch::Tensor& qkv, const torch::Tensor& cos, const torch::Tensor& sin, int64_t rot_heads,
                    int64_t head_dim) {
  const int64_t b = qkv.size(0), t = qkv.size(1), half = head_dim / 2;
  if (!cpu_float(qkv) || !qkv.is_contiguous() || !cos.is_contiguous() || !sin.is_contiguous() ||
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
  at::parallel_for(0, b * t, grain_for(6 * rot_heads * half), [&](int64_t begin, int64_t end) {
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

// One (row, kv head) of decode attention: pointers to its first query head, keys [S, D], values [S, D], mask
// rows and output, with the strides between consecutive query tokens.
struct DecodeGroup {
  const float* q;
  int64_t q_t;
  const float* k;
  const float* v;
  const float* mask;
  int64_t m_t;
  float* out;
  int64_t o_t;
};

// softmax(q k^T + mask) v for the rep query heads of each of the t tokens. Each key and value row is read once
// for all rep heads; scores live in `scratch` [rep, S]; exp is the vectorizable exp_approx.
R1_CPU_CLONES void attend_kv_group(const DecodeGroup& g, int64_t t, int64_t rep, int64_t s, int64_t d,
                                   float* scratch) {
  const float neg_inf = -std::numeric_limits<float>::infinity();
  for (int64_t ti = 0; ti < t; ++ti) {
    const float* qt = g.q + ti * g.q_t;
    const float* m = g.mask + ti * g.m_t;
    float* ot = g.out + ti * g.o_t;
    for (int64_t j = 0; j < s; ++j) {
      const float* kr = g.k + j * d;
      for (int64_t r = 0; r < rep; ++r)
        scratch[r * s + j] = m[j] == neg_inf ? neg_inf : cpu::dot(qt + r * d, kr, d) + m[j];
    }
    for (int64_t r = 0; r < rep; ++r) {
      float* p = scratch + r * s;
      float mx = neg_inf;
      for (int64_t j = 0; j < s; ++j) mx = std::max(mx, p[j]);
      for (int64_t j = 0; j < s; ++j) {
        const float e = cpu::exp_approx(p[j] - mx);
        p[j] = p[j] == neg_inf ? 0.0f : e;
      }
      const float inv = 1.0f / cpu::sum(p, s);
      for (int64_t j = 0; j < s; ++j) p[j] *= inv;
      float* o = ot + r * d;
      for (int64_t x = 0; x < d; ++x) o[x] = 0;
    }
    for (int64_t j = 0; j < s; ++j) {
      const float* vr = g.v + j * d;
      for (int64_t r = 0; r < rep; ++r) {
        const float w = scratch[r * s + j];
        float* o = ot + r * d;
        for (int64_t x = 0; x < d; ++x) o[x] += w * vr[x];
      }
    }
  }
}

}  // namespace

torch::Tensor cached_attention(const torch::Tensor& q, const torch::Tensor& k, const torch::Tensor& v,
                               const torch::Tensor& mask, int64_t heads) {
  const int64_t b = q.size(0), t = q.size(1), kvh = k.size(1), s = k.size(2), d = k.size(3), rep = heads / kvh;
  // The loop wins for decode steps (few queries); prefill and full recomputation go to batched matmuls.
  const bool fast = t <= kMaxLoopQueries && cpu_float(q) && cpu_float(k) && cpu_float(v) && cpu_float(mask) &&
                    q.stride(2) == 1 && k.stride(3) == 1 && v.stride(3) == 1 && k.stride(2) == d &&
                    v.stride(2) == d && mask.size(1) == 1 && mask.size(2) == t && mask.stride(3) == 1;
  if (!fast) {
    // [B, T, H, D] -> [B, kvH, rep * T, D]; scores [B, kvH, rep, T, S].
    auto qg = q.reshape({b, t, kvh, rep, d}).permute({0, 2, 3, 1, 4}).reshape({b, kvh, rep * t, d});
    auto scores = torch::matmul(qg, k.transpose(-1, -2)).view({b, kvh, rep, t, s});
    scores = scores + mask.to(scores.scalar_type()).unsqueeze(2);
    auto probs = torch::softmax(scores, -1, torch::kFloat32).to(v.scalar_type());
    auto out = torch::matmul(probs.view({b, kvh, rep * t, s}), v);  // [B, kvH, rep*T, D]
    return out.view({b, kvh, rep, t, d}).permute({0, 3, 1, 2, 4}).reshape({b, t, heads * d});
  }
  auto out = torch::empty({b, t, heads * d}, q.options());
  const float* qp = q.data_ptr<float>();
  const float* kp = k.data_ptr<float>();
  const float* vp = v.data_ptr<float>();
  const float* mp = mask.data_ptr<float>();
  float* op = out.data_ptr<float>();
  const int64_t q_b = q.stride(0), q_t = q.stride(1);
  const int64_t k_b = k.stride(0), k_h = k.stride(1), v_b = v.stride(0), v_h = v.stride(1);
  const int64_t m_b = mask.size(0) == 1 ? 0 : mask.stride(0), m_t = mask.stride(2);
  // One task per (row, kv head): its rep * T queries share the same keys and values.
  at::parallel_for(0, b * kvh, grain_for(4 * rep * t * s * d), [&](int64_t begin, int64_t end) {
    std::vector<float> scratch(static_cast<size_t>(rep * s));
    for (int64_t item = begin; item < end; ++item) {
      const int64_t bi = item / kvh, g = item % kvh;
      DecodeGroup group{qp + bi * q_b + g * rep * d, q_t, kp + bi * k_b + g * k_h, vp + bi * v_b + g * v_h,
                        mp + bi * m_b, m_t, op + bi * t * heads * d + g * rep * d, heads * d};
      attend_kv_group(group, t, rep, s, d, scratch.data());
    }
  });
  return out;
}

}  // namespace r1::model
