// Fused inference kernels (CPU float32 loops) with ATen fallbacks.
#include "r1/model/fused_ops.h"

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

// a . b over n floats with eight independent partial sums, so the compiler can vectorize it.
inline float dot(const float* a, const float* b, int64_t n) {
  float acc[8] = {0, 0, 0, 0, 0, 0, 0, 0};
  int64_t i = 0;
  for (; i + 8 <= n; i += 8)
    for (int l = 0; l < 8; ++l) acc[l] += a[i + l] * b[i + l];
  float tail = 0;
  for (; i < n; ++i) tail += a[i] * b[i];
  return tail + ((acc[0] + acc[4]) + (acc[1] + acc[5])) + ((acc[2] + acc[6]) + (acc[3] + acc[7]));
}

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
      const float ss = dot(a, a, h);
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
  const float neg_inf = -std::numeric_limits<float>::infinity();
  // One task per (row, kv head): its rep * T queries share the same keys and values.
  at::parallel_for(0, b * kvh, grain_for(4 * rep * t * s * d), [&](int64_t begin, int64_t end) {
    std::vector<float> p(static_cast<size_t>(s));
    for (int64_t item = begin; item < end; ++item) {
      const int64_t bi = item / kvh, g = item % kvh;
      const float* kb = kp + bi * k_b + g * k_h;
      const float* vb = vp + bi * v_b + g * v_h;
      for (int64_t ti = 0; ti < t; ++ti) {
        const float* m = mp + bi * m_b + ti * m_t;
        for (int64_t r = 0; r < rep; ++r) {
          const int64_t h = g * rep + r;
          const float* qv = qp + bi * q_b + ti * q_t + h * d;
          float mx = neg_inf;
          for (int64_t j = 0; j < s; ++j) {
            if (m[j] == neg_inf) {
              p[j] = neg_inf;
              continue;
            }
            p[j] = dot(qv, kb + j * d, d) + m[j];
            mx = std::max(mx, p[j]);
          }
          float* o = op + (bi * t + ti) * heads * d + h * d;
          for (int64_t x = 0; x < d; ++x) o[x] = 0;
          float z = 0;
          for (int64_t j = 0; j < s; ++j) {
            if (p[j] == neg_inf) continue;
            const float w = std::exp(p[j] - mx);
            z += w;
            const float* vr = vb + j * d;
            for (int64_t x = 0; x < d; ++x) o[x] += w * vr[x];
          }
          const float inv = 1.0f / z;
          for (int64_t x = 0; x < d; ++x) o[x] *= inv;
        }
      }
    }
  });
  return out;
}

}  // namespace r1::model
