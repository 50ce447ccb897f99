// Fused CPU kernels with autograd: RMSNorm and rotary embeddings for the training forward.
#include "r1/model/train_kernels.h"

#include <ATen/Parallel.h>
#include <torch/csrc/autograd/custom_function.h>

#include <algorithm>
#include <cmath>
#include <vector>

#include "r1/model/cpu_vector_math.h"

namespace r1::model {

namespace {

using torch::autograd::AutogradContext;
using torch::autograd::variable_list;

// Rows per parallel task: about 32K floats of work.
int64_t row_grain(int64_t width) { return std::max<int64_t>(1, (int64_t{1} << 15) / std::max<int64_t>(1, width)); }

// ---- RMSNorm ----------------------------------------------------------------------------------------------

// y = x * inv * w per row, inv = 1 / sqrt(mean(x^2) + eps) (stored for the backward).
R1_CPU_CLONES void rms_rows_forward(const float* x, const float* w, float* y, float* inv, int64_t begin, int64_t end,
                                    int64_t h, float eps) {
  for (int64_t r = begin; r < end; ++r) {
    const float* xr = x + r * h;
    float* yr = y + r * h;
    const float iv = 1.0f / std::sqrt(cpu::dot(xr, xr, h) / static_cast<float>(h) + eps);
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
    at::parallel_for(0, n, row_grain(3 * h), [&](int64_t b, int64_t e) {
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

// y = rotate(x) per token: for each head, (x1, x2) -> (x1 c - x2 s, x2 c + x1 s), s = sign * sin.
R1_CPU_CLONES void rotary_rows(const float* x, const float* cos, const float* sin, float* y, int64_t begin,
                               int64_t end, int64_t heads, int64_t d, float sign) {
  const int64_t half = d / 2;
  for (int64_t i = begin; i < end; ++i) {
    const float* c = cos + i * half;
    const float* s = sin + i * half;
    for (int64_t h = 0; h < heads; ++h) {
      const float* x1 = x + (i * heads + h) * d;
      const float* x2 = x1 + half;
      float* y1 = y + (i * heads + h) * d;
      float* y2 = y1 + half;
      for (int64_t j = 0; j < half; ++j) {
        const float sj = sign * s[j];
        y1[j] = x1[j] * c[j] - x2[j] * sj;
        y2[j] = x2[j] * c[j] + x1[j] * sj;
      }
    }
  }
}

torch::Tensor rotate(const torch::Tensor& x, const torch::Tensor& cos, const torch::Tensor& sin, float sign) {
  const int64_t tokens = x.size(0) * x.size(1), heads = x.size(2), d = x.size(3);
  auto y = torch::empty_like(x);
  const float* xp = x.data_ptr<float>();
  const float* cp = cos.data_ptr<float>();
  const float* sp = sin.data_ptr<float>();
  float* yp = y.data_ptr<float>();
  at::parallel_for(0, tokens, row_grain(3 * heads * d), [&](int64_t b, int64_t e) {
    rotary_rows(xp, cp, sp, yp, b, e, heads, d, sign);
  });
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

}  // namespace

bool fused_cpu_ok(const torch::Tensor& x) {
  return x.device().is_cpu() && x.scalar_type() == torch::kFloat32 && x.is_contiguous();
}

torch::Tensor rms_norm_fused(const torch::Tensor& x, const torch::Tensor& weight, double eps) {
  return RmsNormFunction::apply(x, weight, eps);
}

torch::Tensor rotary_fused(const torch::Tensor& x, const torch::Tensor& cos, const torch::Tensor& sin) {
  return RotaryFunction::apply(x, cos.contiguous(), sin.contiguous());
}

}  // namespace r1::model
