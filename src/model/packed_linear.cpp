// Decode-path products on pre-packed weights: the packing, the register-tiled kernel with its two epilogues
// (add a bias or residual; SwiGLU gating), and the ATen fallback for other devices and dtypes.
#include "r1/model/packed_linear.h"

#include <ATen/Parallel.h>

#include <algorithm>
#include <vector>

#include "r1/model/cpu_kernel_dispatch.h"
#include "r1/model/cpu_vector_math.h"
#include "r1/model/fused_ops.h"

// cpu::Float8 values pass between inlined helpers only: GCC's AVX calling-convention note does not apply.
#pragma GCC diagnostic ignored "-Wpsabi"

namespace r1::model {

namespace {

constexpr int64_t kPanel = 16;     // output columns per panel: two eight-float vectors
constexpr int64_t kTileRows = 6;   // rows per register tile: 12 accumulators + 2 weight vectors + 1 broadcast
constexpr int64_t kRowBlock = 96;  // rows one task multiplies, so its slice of x stays in L2 across panels

// w [rows, in] zero-padded to `padded_rows` rows.
torch::Tensor zero_pad_rows(const torch::Tensor& w, int64_t padded_rows) {
  auto out = torch::zeros({padded_rows, w.size(1)}, w.options());
  out.narrow(0, 0, w.size(0)).copy_(w);
  return out;
}

// Everything one product reads and writes. The panels are [P, kd, 16]; c is [m, ldc]; row_scale (optional)
// multiplies each row's sums before the epilogue; add (optional) has row stride add_ld (0: one bias row for every
// row of c).
struct Operands {
  const float* a;
  int64_t lda, kd;
  const float* panels;
  float* c;
  int64_t ldc, out;  // out: valid columns of c
  const float* row_scale;
  const float* add;
  int64_t add_ld;
};

inline void store_first(float* dst, const float* src, int64_t n) {
  for (int64_t j = 0; j < n; ++j) dst[j] = src[j];
}

// One tile: R rows of x against panel p, summed over k in order; then the epilogue writes the tile's columns.
// always_inline: compiled into each R1_CPU_CLONES copy of panel_rows.
template <int R, bool kSwiGlu>
__attribute__((always_inline)) inline void tile(const Operands& o, int64_t row0, int64_t p) {
  using cpu::Float8;
  const float* a = o.a + row0 * o.lda;
  const float* b = o.panels + p * o.kd * kPanel;
  Float8 acc[R][2];
  for (int r = 0; r < R; ++r) acc[r][0] = acc[r][1] = cpu::splat8(0.0f);
  for (int64_t k = 0; k < o.kd; ++k) {
    const Float8 b0 = cpu::load8(b + k * kPanel), b1 = cpu::load8(b + k * kPanel + 8);
    for (int r = 0; r < R; ++r) {
      const Float8 av = cpu::splat8(a[r * o.lda + k]);
      acc[r][0] += av * b0;
      acc[r][1] += av * b1;
    }
  }
  if (o.row_scale)
    for (int r = 0; r < R; ++r) {
      const Float8 sv = cpu::splat8(o.row_scale[row0 + r]);
      acc[r][0] *= sv;
      acc[r][1] *= sv;
    }
  if constexpr (kSwiGlu) {
    // Columns 8p..8p+7 of the output: silu(gate) * up = gate * up / (1 + exp(-gate)).
    const int64_t col0 = p * 8, n = std::min<int64_t>(8, o.out - col0);
    for (int r = 0; r < R; ++r) {
      const Float8 g = acc[r][0];
      const Float8 y = g * acc[r][1] / (1.0f + cpu::exp_approx8(-g));
      float* dst = o.c + (row0 + r) * o.ldc + col0;
      if (n == 8) {
        cpu::store8(dst, y);
      } else {
        float tmp[8];
        cpu::store8(tmp, y);
        store_first(dst, tmp, n);
      }
    }
  } else {
    const int64_t col0 = p * kPanel, n = std::min<int64_t>(kPanel, o.out - col0);
    for (int r = 0; r < R; ++r) {
      Float8 y0 = acc[r][0], y1 = acc[r][1];
      float* dst = o.c + (row0 + r) * o.ldc + col0;
      const float* add = o.add ? o.add + (row0 + r) * o.add_ld + col0 : nullptr;
      if (n == kPanel) {
        if (add) {
          y0 += cpu::load8(add);
          y1 += cpu::load8(add + 8);
        }
        cpu::store8(dst, y0);
        cpu::store8(dst + 8, y1);
      } else {
        float tmp[kPanel];
        cpu::store8(tmp, y0);
        cpu::store8(tmp + 8, y1);
        if (add)
          for (int64_t j = 0; j < n; ++j) tmp[j] += add[j];
        store_first(dst, tmp, n);
      }
    }
  }
}

template <bool kSwiGlu>
__attribute__((always_inline)) inline void rows_of_panel(const Operands& o, int64_t row0, int64_t rows, int64_t p) {
  int64_t i = row0;
  const int64_t end = row0 + rows;
  for (; i + kTileRows <= end; i += kTileRows) tile<kTileRows, kSwiGlu>(o, i, p);
  switch (end - i) {
    case 5: tile<5, kSwiGlu>(o, i, p); break;
    case 4: tile<4, kSwiGlu>(o, i, p); break;
    case 3: tile<3, kSwiGlu>(o, i, p); break;
    case 2: tile<2, kSwiGlu>(o, i, p); break;
    case 1: tile<1, kSwiGlu>(o, i, p); break;
    default: break;
  }
}

R1_CPU_CLONES void panel_rows(const Operands& o, int64_t row0, int64_t rows, int64_t p, bool swiglu) {
  if (swiglu) rows_of_panel<true>(o, row0, rows, p);
  else rows_of_panel<false>(o, row0, rows, p);
}

// Tasks are (row block, panel) pairs, panels fastest: a thread walks the panels with its rows held in L2, and at
// decode sizes (one row block) the threads split the weights between them.
void run_product(const Operands& o, int64_t m, int64_t panels, bool swiglu) {
  const int64_t blocks = (m + kRowBlock - 1) / kRowBlock;
  const int64_t flops_per_task = 2 * std::min(m, kRowBlock) * o.kd * kPanel;
  at::parallel_for(0, blocks * panels, cpu::grain_for(flops_per_task), [&](int64_t begin, int64_t end) {
    for (int64_t t = begin; t < end; ++t) {
      const int64_t block = t / panels, p = t % panels, row0 = block * kRowBlock;
      panel_rows(o, row0, std::min(kRowBlock, m - row0), p, swiglu);
    }
  });
}

// y [N, out] = x [N, in] times the panels, each row's sums multiplied by its RMSNorm factor when norm_eps is set,
// then the epilogue: SwiGLU gating, or adding `add` (undefined, or contiguous float32 with row stride add_ld).
torch::Tensor packed_product(const torch::Tensor& x, const torch::Tensor& panels, int64_t out,
                             std::optional<double> norm_eps, const torch::Tensor& add, int64_t add_ld, bool swiglu) {
  TORCH_CHECK(x.dim() == 2 && x.size(1) == panels.size(1), "packed product: x must be [N, ", panels.size(1),
              "], got ", x.sizes());
  const auto xc = x.to(torch::kFloat32).contiguous();
  const int64_t m = xc.size(0), in = xc.size(1);
  auto y = torch::empty({m, out}, xc.options());
  std::vector<float> scale;
  if (norm_eps)
    for (int64_t r = 0; r < m; ++r)
      scale.push_back(cpu::rms_factor(xc.data_ptr<float>() + r * in, in, static_cast<float>(*norm_eps)));
  Operands o{xc.data_ptr<float>(), in, in, panels.data_ptr<float>(), y.data_ptr<float>(), out, out,
             norm_eps ? scale.data() : nullptr, add.defined() ? add.data_ptr<float>() : nullptr, add_ld};
  run_product(o, m, panels.size(0), swiglu);
  return y;
}

}  // namespace

PackedLinear::PackedLinear(const torch::Tensor& w) : out_(w.size(0)) {
  c10::InferenceMode guard;
  if (!cpu::is_float32(w)) {
    weight_ = w;
    return;
  }
  const int64_t panels = (out_ + kPanel - 1) / kPanel, in = w.size(1);
  panels_ = zero_pad_rows(w, panels * kPanel).view({panels, kPanel, in}).transpose(1, 2).contiguous();
}

torch::Tensor PackedLinear::operator()(const torch::Tensor& x, const torch::Tensor& add) const {
  return product(x, add, std::nullopt);
}

torch::Tensor PackedLinear::normalized(const torch::Tensor& x, double eps, const torch::Tensor& add) const {
  return product(x, add, eps);
}

torch::Tensor PackedLinear::product(const torch::Tensor& x, const torch::Tensor& add,
                                    std::optional<double> norm_eps) const {
  if (!panels_.defined()) {  // ATen: a matrix-vector product for one row (BLAS reads w once instead of packing it)
    auto in = norm_eps ? rms_normalize(x, *norm_eps) : x;
    if (in.size(0) == 1) {
      auto row = in.view({-1});
      auto y = add.defined() ? torch::addmv(add.reshape({-1}), weight_, row) : torch::mv(weight_, row);
      return y.view({1, -1});
    }
    return add.defined() ? torch::addmm(add, in, weight_.t()) : torch::mm(in, weight_.t());
  }
  torch::Tensor addc;
  if (add.defined()) {
    const int64_t m = x.size(0);
    addc = add.to(torch::kFloat32).contiguous();
    const bool bias = addc.dim() == 1 && addc.size(0) == out_;
    TORCH_CHECK(bias || (addc.dim() == 2 && addc.size(0) == m && addc.size(1) == out_), "PackedLinear: add must be [",
                out_, "] or [", m, ", ", out_, "], got ", addc.sizes());
  }
  const int64_t add_ld = addc.defined() && addc.dim() == 2 ? out_ : 0;  // 0: one bias row for every row
  return packed_product(x, panels_, out_, norm_eps, addc, add_ld, false);
}

PackedSwiGlu::PackedSwiGlu(const torch::Tensor& gate, const torch::Tensor& up) : inter_(gate.size(0)) {
  c10::InferenceMode guard;
  TORCH_CHECK(gate.sizes() == up.sizes(), "PackedSwiGlu: gate ", gate.sizes(), " and up ", up.sizes(), " differ");
  if (!cpu::is_float32(gate) || !cpu::is_float32(up)) {
    gate_up_ = torch::cat({gate, up}, 0);
    return;
  }
  const int64_t panels = (inter_ + 7) / 8, in = gate.size(1);
  auto g = zero_pad_rows(gate, panels * 8).view({panels, 8, in});
  auto u = zero_pad_rows(up, panels * 8).view({panels, 8, in});
  panels_ = torch::cat({g, u}, 1).transpose(1, 2).contiguous();  // [P, in, 16]
}

torch::Tensor PackedSwiGlu::operator()(const torch::Tensor& x) const { return product(x, std::nullopt); }

torch::Tensor PackedSwiGlu::normalized(const torch::Tensor& x, double eps) const { return product(x, eps); }

torch::Tensor PackedSwiGlu::product(const torch::Tensor& x, std::optional<double> norm_eps) const {
  if (!panels_.defined()) {
    auto gu = torch::mm(norm_eps ? rms_normalize(x, *norm_eps) : x, gate_up_.t());  // [N, 2I]
    auto act = torch::silu(gu.narrow(1, 0, inter_));
    return act.mul_(gu.narrow(1, inter_, inter_));
  }
  return packed_product(x, panels_, inter_, norm_eps, {}, 0, true);
}

}  // namespace r1::model
