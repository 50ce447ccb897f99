// model::PackedLinear / PackedSwiGlu: the packed products equal ATen's (every tile height, ragged last panels,
// bias and residual adds, the SwiGLU gating), a row's result does not depend on its batch-mates or the thread
// count, and other dtypes take the ATen path.
#include <catch2/catch.hpp>

#include "r1/model/packed_linear.h"

using namespace r1::model;

namespace {
float max_diff(const torch::Tensor& a, const torch::Tensor& b) { return (a - b).abs().max().item<float>(); }

// Random weights w [out, in], gate and up [inter, in], and the packed products over them.
struct RandomProducts {
  RandomProducts(std::uint64_t seed, int64_t in, int64_t out, int64_t inter, double gate_up_std)
      : gen(at::detail::createCPUGenerator(seed)),
        w(at::normal(0, 1, {out, in}, gen)),
        g(at::normal(0, gate_up_std, {inter, in}, gen)),
        u(at::normal(0, gate_up_std, {inter, in}, gen)),
        lin(w),
        mlp(g, u) {}
  at::Generator gen;
  torch::Tensor w, g, u;
  PackedLinear lin;
  PackedSwiGlu mlp;
};

// Restores the thread count a test changes.
struct ThreadsGuard {
  int saved = at::get_num_threads();
  ~ThreadsGuard() { at::set_num_threads(saved); }
};
}  // namespace

TEST_CASE("PackedLinear equals x w^T (+ add) for every tile height and ragged panels", "[model]") {
  auto gen = at::detail::createCPUGenerator(11);
  c10::InferenceMode guard;
  // out 37: two full panels and a ragged one; in 13: no alignment anywhere. Rows 1..13 cover every tile height
  // (6, then 5..1), 200 rows span three row blocks.
  auto w = at::normal(0, 1, {37, 13}, gen);
  PackedLinear lin(w);
  REQUIRE(lin.out_features() == 37);
  for (int64_t m : {1, 2, 5, 6, 7, 11, 13, 200}) {
    CAPTURE(m);
    auto x = at::normal(0, 1, {m, 13}, gen);
    auto bias = at::normal(0, 1, {37}, gen);
    auto residual = at::normal(0, 1, {m, 37}, gen);
    auto y = lin(x);
    REQUIRE(y.sizes() == torch::IntArrayRef({m, 37}));
    REQUIRE(max_diff(y, torch::mm(x, w.t())) < 1e-5);
    REQUIRE(max_diff(lin(x, bias), torch::addmm(bias, x, w.t())) < 1e-5);
    REQUIRE(max_diff(lin(x, residual), torch::addmm(residual, x, w.t())) < 1e-5);
  }
}

TEST_CASE("PackedSwiGlu equals silu(x g^T) * (x u^T)", "[model]") {
  auto gen = at::detail::createCPUGenerator(12);
  c10::InferenceMode guard;
  for (int64_t inter : {8, 21, 64}) {  // one full panel; two full and a ragged one; eight
    CAPTURE(inter);
    auto g = at::normal(0, 0.5, {inter, 24}, gen), u = at::normal(0, 0.5, {inter, 24}, gen);
    PackedSwiGlu mlp(g, u);
    for (int64_t m : {1, 7, 64}) {
      CAPTURE(m);
      auto x = at::normal(0, 1, {m, 24}, gen);
      auto want = torch::silu(torch::mm(x, g.t())) * torch::mm(x, u.t());
      auto y = mlp(x);
      REQUIRE(y.sizes() == torch::IntArrayRef({m, inter}));
      REQUIRE(max_diff(y, want) < 1e-5);
    }
  }
}

TEST_CASE("normalized products equal the product of RMS-normalized rows", "[model]") {
  c10::InferenceMode guard;
  RandomProducts p(15, 20, 37, 21, 0.5);
  auto& gen = p.gen;
  const auto &w = p.w, &g = p.g, &u = p.u;
  const PackedLinear& lin = p.lin;
  const PackedSwiGlu& mlp = p.mlp;
  for (int64_t m : {1, 7, 64}) {
    CAPTURE(m);
    auto x = at::normal(0, 3, {m, 20}, gen);  // rows far from unit RMS, so a missing factor shows
    auto residual = at::normal(0, 1, {m, 37}, gen);
    auto xn = x / torch::sqrt(x.pow(2).mean(-1, true) + 1e-5);
    REQUIRE(max_diff(lin.normalized(x, 1e-5, residual), torch::addmm(residual, xn, w.t())) < 1e-5);
    REQUIRE(max_diff(mlp.normalized(x, 1e-5), torch::silu(torch::mm(xn, g.t())) * torch::mm(xn, u.t())) < 1e-5);
    auto xd = x.to(torch::kFloat64), wd = w.to(torch::kFloat64);  // the ATen path normalizes the same way
    REQUIRE(max_diff(PackedLinear(wd).normalized(xd, 1e-5), torch::mm(xn.to(torch::kFloat64), wd.t())) < 1e-5);
  }
}

TEST_CASE("a packed product's row does not depend on its batch-mates or the thread count", "[model]") {
  ThreadsGuard restore;
  c10::InferenceMode guard;
  RandomProducts p(13, 48, 70, 40, 1.0);
  auto& gen = p.gen;
  const PackedLinear& lin = p.lin;
  const PackedSwiGlu& mlp = p.mlp;
  auto x = at::normal(0, 1, {23, 48}, gen), residual = at::normal(0, 1, {23, 70}, gen);
  at::set_num_threads(2);
  auto all = lin.normalized(x, 1e-5, residual);
  auto all_mlp = mlp.normalized(x, 1e-5);
  at::set_num_threads(1);
  REQUIRE(torch::equal(lin.normalized(x, 1e-5, residual), all));
  REQUIRE(torch::equal(mlp.normalized(x, 1e-5), all_mlp));
  for (int64_t r : {0, 5, 6, 17, 22}) {  // first and last rows of tiles, and the ragged last tile
    CAPTURE(r);
    auto one = x.narrow(0, r, 1).contiguous();
    REQUIRE(torch::equal(lin.normalized(one, 1e-5, residual.narrow(0, r, 1)), all.narrow(0, r, 1)));
    REQUIRE(torch::equal(mlp.normalized(one, 1e-5), all_mlp.narrow(0, r, 1)));
  }
}

TEST_CASE("PackedLinear keeps other dtypes on ATen", "[model]") {
  auto gen = at::detail::createCPUGenerator(14);
  c10::InferenceMode guard;
  auto w = at::normal(0, 1, {9, 16}, gen).to(torch::kFloat64);
  auto x = at::normal(0, 1, {3, 16}, gen).to(torch::kFloat64);
  auto residual = at::normal(0, 1, {3, 9}, gen).to(torch::kFloat64);
  PackedLinear lin(w);
  auto y = lin(x, residual);
  REQUIRE(y.scalar_type() == torch::kFloat64);
  REQUIRE(torch::equal(y, torch::addmm(residual, x, w.t())));
  auto one = lin(x.narrow(0, 1, 1), residual.narrow(0, 1, 1));  // one row: a matrix-vector product
  REQUIRE(max_diff(one, y.narrow(0, 1, 1)) < 1e-12);
  auto g = w.narrow(0, 0, 4), u = w.narrow(0, 4, 4);
  PackedSwiGlu mlp(g, u);
  REQUIRE(max_diff(mlp(x), torch::silu(torch::mm(x, g.t())) * torch::mm(x, u.t())) < 1e-12);
}

TEST_CASE("PackedLinear names the shape it expected", "[model]") {
  c10::InferenceMode guard;
  PackedLinear lin(torch::ones({4, 8}));
  REQUIRE_THROWS_WITH(lin(torch::ones({2, 7})), Catch::Contains("x must be [N, 8]"));
  REQUIRE_THROWS_WITH(lin(torch::ones({2, 8}), torch::ones({3, 4})), Catch::Contains("add must be [4] or [2, 4]"));
}
