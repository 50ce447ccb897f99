// Fused CPU kernels with autograd for the training forward: RMSNorm, rotary embeddings (alone or splitting a
// packed q|k|v projection) and SwiGLU.
#include "r1/model/train_kernels.h"

#include <ATen/Parallel.h>
#include <torch/csrc/autograd/custom_function.h>

#include <algorithm>
#include <cmath>
#include <vector>

#include "r1/model/autocast_scope.h"
#include "r1/model/cpu_kernel_dispatch.h"
#include "r1/model/cpu_vector_math.h"

// cpu::Float8 values pass between inlined helpers only: GCC's AVX calling-convention note does not apply.
#pragma GCC diagnostic ignored "-Wpsabi"

namespace r1::model {

namespace {

using torch::autograd::AutogradContext;
using torch::autograd::variable_list;

// ---- RMSNorm ----------------------------------------------------------------------------------------------

// y = x * inv * w per row, inv = 1 / sqrt(mean(x^2) + eps) (stored for the backward).
R1_CPU_CLONES void rms_rows_forward(const float* x, const float* w, float* y, float* inv, int64_t begin, int64_t end,
                                    int64_t h, float eps) {
  for (int64_t r = begin; r < end; ++r) {
    const float* xr = x + r * h;
    float* yr = y + r * h;
    const float iv = cpu::rms_factor(xr, h, eps);
    inv[r] = iv;
    for (int64_t i = 0; i < h; ++i) yr[i] = xr[i] * iv * w[i];
  }
}

// dx = inv * (g w - xhat * mean(g w xhat)), xhat = x * inv; dw_partial += g xhat.
R1_CPU_CLONES void rms_rows_backward(const float* x, const float* w, const float* inv, const float* g, float* dx,
                                     float* dw_partial, int64_t begin, int64_t end, int64_t h) {
  for (int64_t r = begin; r < end; ++r) {
    const float* xr = x + r * h;
    const float* gr = g + r * h;
    float* dxr = dx + r * h;
    const float iv = inv[r];
    float acc[8] = {0, 0, 0, 0, 0, 0, 0, 0};
    int64_t i = 0;
    for (; i + 8 <= h; i += 8)
      for (int l = 0; l < 8; ++l) acc[l] += gr[i + l] * w[i + l] * xr[i + l];
    float tail = 0;
    for (; i < h; ++i) tail += gr[i] * w[i] * xr[i];
    const float dot_gwx = tail + ((acc[0] + acc[4]) + (acc[1] + acc[5])) + ((acc[2] + acc[6]) + (acc[3] + acc[7]));
    const float coef = dot_gwx * iv * iv / static_cast<float>(h);  // mean(g w xhat) / inv, folded
    for (int64_t k = 0; k < h; ++k) {
      dxr[k] = iv * (gr[k] * w[k] - xr[k] * coef);
      dw_partial[k] += gr[k] * xr[k] * iv;
    }
  }
}

struct RmsNormFunction : public torch::autograd::Function<RmsNormFunction> {
  static torch::Tensor forward(AutogradContext* ctx, const torch::Tensor& x, const torch::Tensor& weight, double eps) {
    const int64_t h = x.size(-1), n = x.numel() / h;
    auto w = weight.contiguous();
    auto y = torch::empty_like(x);
    auto inv = torch::empty({n}, x.options());
    const float* xp = x.data_ptr<float>();
    const float* wp = w.data_ptr<float>();
    float* yp = y.data_ptr<float>();
    float* ip = inv.data_ptr<float>();
    at::parallel_for(0, n, cpu::grain_for(3 * h), [&](int64_t b, int64_t e) {
      rms_rows_forward(xp, wp, yp, ip, b, e, h, static_cast<float>(eps));
    });
    ctx->save_for_backward({x, w, inv});
    return y;
  }

  static variable_list backward(AutogradContext* ctx, variable_list grads) {
    auto saved = ctx->get_saved_variables();
    const auto &x = saved[0], &w = saved[1], &inv = saved[2];
    auto g = grads[0].contiguous();
    const int64_t h = x.size(-1), n = x.numel() / h;
    auto dx = torch::empty_like(x);
    // The weight's gradient sums over rows: one partial row per task, added up at the end.
    const int64_t tasks = std::max<int64_t>(1, std::min<int64_t>(at::get_num_threads(), n));
    auto partial = torch::zeros({tasks, h}, x.options());
    const float* xp = x.data_ptr<float>();
    const float* wp = w.data_ptr<float>();
    const float* ip = inv.data_ptr<float>();
    const float* gp = g.data_ptr<float>();
    float* dxp = dx.data_ptr<float>();
    float* pp = partial.data_ptr<float>();
    const int64_t per = (n + tasks - 1) / tasks;
    at::parallel_for(0, tasks, 1, [&](int64_t b, int64_t e) {
      for (int64_t task = b; task < e; ++task)
        rms_rows_backward(xp, wp, ip, gp, dxp, pp + task * h, task * per, std::min(n, (task + 1) * per), h);
    });
    return {dx, partial.sum(0), torch::Tensor()};
  }
};

// ---- Rotary ------------------------------------------------------------------------------------------------

// Rotates `heads` heads of width d per token: for each head, (x1, x2) -> (x1 c - x2 s, x2 c + x1 s), s = sign *
// sin. Token i's heads start at x + i * x_stride and y + i * y_stride (a packed projection row, or its own).
R1_CPU_CLONES void rotary_rows(const float* x, int64_t x_stride, const float* cos, const float* sin, float* y,
                               int64_t y_stride, int64_t begin, int64_t end, int64_t heads, int64_t d, float sign) {
  const int64_t half = d / 2;
  for (int64_t i = begin; i < end; ++i) {
    const float* c = cos + i * half;
    const float* s = sin + i * half;
    for (int64_t h = 0; h < heads; ++h) {
      const float* x1 = x + i * x_stride + h * d;
      const float* x2 = x1 + half;
      float* y1 = y + i * y_stride + h * d;
      float* y2 = y1 + half;
      for (int64_t j = 0; j < half; ++j) {
        const float sj = sign * s[j];
        y1[j] = x1[j] * c[j] - x2[j] * sj;
        y2[j] = x2[j] * c[j] + x1[j] * sj;
      }
    }
  }
}

// One block of heads in a token row: `heads` heads of width d at column `offset` of a row `stride` floats long.
struct HeadBlock {
  float* base;
  int64_t stride, offset, heads;
};

// Rotates (or, with rotate false, copies) the heads of `from` into `to`, token by token, in parallel.
void move_heads(const HeadBlock& from, const HeadBlock& to, const float* cos, const float* sin, int64_t tokens,
                int64_t d, bool rotate, float sign) {
  const int64_t width = from.heads * d;
  at::parallel_for(0, tokens, cpu::grain_for(3 * width), [&](int64_t b, int64_t e) {
    if (rotate) {
      rotary_rows(from.base + from.offset, from.stride, cos, sin, to.base + to.offset, to.stride, b, e, from.heads, d,
                  sign);
      return;
    }
    for (int64_t i = b; i < e; ++i)
      std::copy_n(from.base + i * from.stride + from.offset, width, to.base + i * to.stride + to.offset);
  });
}

torch::Tensor rotate(const torch::Tensor& x, const torch::Tensor& cos, const torch::Tensor& sin, float sign) {
  const int64_t tokens = x.size(0) * x.size(1), heads = x.size(2), d = x.size(3);
  auto y = torch::empty_like(x);
  const int64_t width = heads * d;
  move_heads({x.data_ptr<float>(), width, 0, heads}, {y.data_ptr<float>(), width, 0, heads}, cos.data_ptr<float>(),
             sin.data_ptr<float>(), tokens, d, true, sign);
  return y;
}

struct RotaryFunction : public torch::autograd::Function<RotaryFunction> {
  static torch::Tensor forward(AutogradContext* ctx, const torch::Tensor& x, const torch::Tensor& cos,
                               const torch::Tensor& sin) {
    ctx->save_for_backward({cos, sin});
    return rotate(x, cos, sin, 1.0f);
  }
  static variable_list backward(AutogradContext* ctx, variable_list grads) {
    auto saved = ctx->get_saved_variables();
    // The rotation is orthogonal: its transpose is the rotation by the opposite angle.
    return {rotate(grads[0].contiguous(), saved[0], saved[1], -1.0f), torch::Tensor(), torch::Tensor()};
  }
};

// Packed q | k | v projection rows -> rotated q, rotated k, copied v (each contiguous); the backward writes the
// three gradients back into one packed row (rotated back by the opposite angle). Part p has heads[p] heads and
// starts at column offset(p) of the packed row.
struct QkvParts {
  int64_t heads[3], d;
  int64_t width() const { return (heads[0] + heads[1] + heads[2]) * d; }
  int64_t offset(int p) const { return p == 0 ? 0 : (p == 1 ? heads[0] : heads[0] + heads[1]) * d; }
  static bool rotated(int p) { return p < 2; }  // q and k; v is copied
};

struct SplitQkvRotaryFunction : public torch::autograd::Function<SplitQkvRotaryFunction> {
  static variable_list forward(AutogradContext* ctx, const torch::Tensor& qkv, const torch::Tensor& cos,
                               const torch::Tensor& sin, int64_t heads, int64_t kv_heads) {
    const int64_t b = qkv.size(0), t = qkv.size(1);
    const QkvParts parts{{heads, kv_heads, kv_heads}, qkv.size(2) / (heads + 2 * kv_heads)};
    variable_list out;
    for (int p = 0; p < 3; ++p) {
      const int64_t n = parts.heads[p];
      out.push_back(torch::empty({b, t, n, parts.d}, qkv.options()));
      move_heads({qkv.data_ptr<float>(), parts.width(), parts.offset(p), n},
                 {out[p].data_ptr<float>(), n * parts.d, 0, n}, cos.data_ptr<float>(), sin.data_ptr<float>(), b * t,
                 parts.d, QkvParts::rotated(p), 1.0f);
    }
    ctx->save_for_backward({cos, sin});
    ctx->saved_data["heads"] = heads;
    ctx->saved_data["kv_heads"] = kv_heads;
    return out;
  }

  static variable_list backward(AutogradContext* ctx, variable_list grads) {
    auto saved = ctx->get_saved_variables();
    const int64_t heads = ctx->saved_data["heads"].toInt(), kv_heads = ctx->saved_data["kv_heads"].toInt();
    const auto& ref = grads[0].defined() ? grads[0] : (grads[1].defined() ? grads[1] : grads[2]);
    const int64_t b = ref.size(0), t = ref.size(1);
    const QkvParts parts{{heads, kv_heads, kv_heads}, ref.size(3)};
    auto dqkv = torch::empty({b, t, parts.width()}, ref.options());
    float* packed = dqkv.data_ptr<float>();
    for (int p = 0; p < 3; ++p) {
      const int64_t n = parts.heads[p];
      if (!grads[p].defined()) {
        dqkv.narrow(2, parts.offset(p), n * parts.d).zero_();
        continue;
      }
      auto g = grads[p].contiguous();
      move_heads({g.data_ptr<float>(), n * parts.d, 0, n}, {packed, parts.width(), parts.offset(p), n},
                 saved[0].data_ptr<float>(), saved[1].data_ptr<float>(), b * t, parts.d, QkvParts::rotated(p), -1.0f);
    }
    return {dqkv, torch::Tensor(), torch::Tensor(), torch::Tensor(), torch::Tensor()};
  }
};

// ---- SwiGLU ------------------------------------------------------------------------------------------------

// h = silu(g) * u for rows of gu = [g | u] (f each); sigmoid through exp_approx (same operations in the vector
// body and the scalar tail).
R1_CPU_CLONES void swiglu_rows_forward(const float* gu, float* h, int64_t begin, int64_t end, int64_t f) {
  using cpu::Float8;
  const Float8 one = cpu::splat8(1.0f);
  for (int64_t r = begin; r < end; ++r) {
    const float* g = gu + r * 2 * f;
    const float* u = g + f;
    float* hr = h + r * f;
    int64_t j = 0;
    for (; j + 8 <= f; j += 8) {
      const Float8 gv = cpu::load8(g + j);
      const Float8 sig = one / (one + cpu::exp_approx8(-gv));
      cpu::store8(hr + j, gv * sig * cpu::load8(u + j));
    }
    for (; j < f; ++j) {
      const float sig = 1.0f / (1.0f + cpu::exp_approx(-g[j]));
      hr[j] = g[j] * sig * u[j];
    }
  }
}

// d[g | u] = [dh u s (1 + g (1 - s)) | dh g s], s = sigmoid(g).
R1_CPU_CLONES void swiglu_rows_backward(const float* gu, const float* dh, float* dgu, int64_t begin, int64_t end,
                                        int64_t f) {
  using cpu::Float8;
  const Float8 one = cpu::splat8(1.0f);
  for (int64_t r = begin; r < end; ++r) {
    const float* g = gu + r * 2 * f;
    const float* u = g + f;
    const float* dhr = dh + r * f;
    float* dg = dgu + r * 2 * f;
    float* du = dg + f;
    int64_t j = 0;
    for (; j + 8 <= f; j += 8) {
      const Float8 gv = cpu::load8(g + j), dv = cpu::load8(dhr + j);
      const Float8 sig = one / (one + cpu::exp_approx8(-gv));
      cpu::store8(dg + j, dv * cpu::load8(u + j) * (sig * (one + gv * (one - sig))));
      cpu::store8(du + j, dv * (gv * sig));
    }
    for (; j < f; ++j) {
      const float sig = 1.0f / (1.0f + cpu::exp_approx(-g[j]));
      dg[j] = dhr[j] * u[j] * (sig * (1.0f + g[j] * (1.0f - sig)));
      du[j] = dhr[j] * (g[j] * sig);
    }
  }
}

struct SwigluFunction : public torch::autograd::Function<SwigluFunction> {
  static torch::Tensor forward(AutogradContext* ctx, const torch::Tensor& gate_up) {
    const int64_t f = gate_up.size(-1) / 2, rows = gate_up.numel() / (2 * f);
    auto sizes = gate_up.sizes().vec();
    sizes.back() = f;
    auto h = torch::empty(sizes, gate_up.options());
    const float* gp = gate_up.data_ptr<float>();
    float* hp = h.data_ptr<float>();
    at::parallel_for(0, rows, cpu::grain_for(3 * f),
                     [&](int64_t b, int64_t e) { swiglu_rows_forward(gp, hp, b, e, f); });
    ctx->save_for_backward({gate_up});
    return h;
  }

  static variable_list backward(AutogradContext* ctx, variable_list grads) {
    auto gate_up = ctx->get_saved_variables()[0];
    auto dh = grads[0].contiguous();
    const int64_t f = gate_up.size(-1) / 2, rows = gate_up.numel() / (2 * f);
    auto dgu = torch::empty_like(gate_up);
    const float* gp = gate_up.data_ptr<float>();
    const float* dp = dh.data_ptr<float>();
    float* op = dgu.data_ptr<float>();
    at::parallel_for(0, rows, cpu::grain_for(5 * f),
                     [&](int64_t b, int64_t e) { swiglu_rows_backward(gp, dp, op, b, e, f); });
    return {dgu};
  }
};

}  // namespace

bool fused_cpu_ok(const torch::Tensor& x) {
  // Under CPU autocast the products around these float32-only kernels come out bfloat16: ATen's path instead.
  return cpu::is_float32(x) && x.is_contiguous() && !AutocastScope::cpu_active();
}

torch::Tensor packed_rows(const std::vector<torch::Tensor>& parts) {
  for (const auto& p : parts)
    if (!p.defined() || p.numel() == 0) return torch::Tensor();
  return torch::cat(parts, 0);
}

torch::Tensor rms_norm_fused(const torch::Tensor& x, const torch::Tensor& weight, double eps) {
  return RmsNormFunction::apply(x, weight, eps);
}

torch::Tensor rotary_fused(const torch::Tensor& x, const torch::Tensor& cos, const torch::Tensor& sin) {
  return RotaryFunction::apply(x, cos.contiguous(), sin.contiguous());
}

std::vector<torch::Tensor> split_qkv_rotary_fused(const torch::Tensor& qkv, const torch::Tensor& cos,
                                                  const torch::Tensor& sin, int64_t heads, int64_t kv_heads) {
  return SplitQkvRotaryFunction::apply(qkv, cos.contiguous(), sin.contiguous(), heads, kv_heads);
}

torch::Tensor swiglu_fused(const torch::Tensor& gate_up) { return SwigluFunction::apply(gate_up); }

}  // namespace r1::model
