// Helpers for the [rl] tests: load the shared GRPO fixtures (failing loudly if missing), JSON -> float64 tensors,
// and the fixtures' tolerance |got - want| <= 1e-9 + 1e-9*|want|.
#pragma once
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>
#include <torch/torch.h>

#include "r1/rl/grpo_loss.h"

namespace r1_rl_test {

inline nlohmann::json load_grpo_fixture(const std::string& name) {
  const std::filesystem::path path = std::filesystem::path(R1_SHARED_DIR) / "fixtures" / "grpo" / name;
  INFO("fixture " << path.string());
  REQUIRE(std::filesystem::is_regular_file(path));
  std::ifstream in(path);
  REQUIRE(in.good());
  nlohmann::json j = nlohmann::json::parse(in);
  REQUIRE(j.contains("cases"));
  REQUIRE(j["cases"].is_array());
  REQUIRE(!j["cases"].empty());
  return j;
}

// A fixture case's TRL loss_type as r1's loss_agg (+ normalisers): grpo, bnpo, dapo (token-mean over the
// generation batch's tokens / processes) and dr_grpo (sum over max_completion_length).
inline void set_trl_loss_type(r1::rl::GrpoLossConfig& cfg, const nlohmann::json& c) {
  using r1::config::LossAgg;
  const std::string type = c["loss_type"].get<std::string>();
  if (type == "grpo") {
    cfg.loss_agg = LossAgg::kSeqMeanTokenMean;
  } else if (type == "bnpo") {
    cfg.loss_agg = LossAgg::kTokenMean;
  } else if (type == "dapo") {
    cfg.loss_agg = LossAgg::kTokenMean;
    cfg.token_normalizer = std::max(c["num_items_in_batch"].get<double>(), 1.0) / c["num_processes"].get<double>();
  } else if (type == "dr_grpo") {
    cfg.loss_agg = LossAgg::kSeqMeanTokenSumNorm;
    cfg.max_completion_length = c["max_completion_length"].get<int>();
  } else {
    FAIL("unknown loss_type " << type);
  }
}

inline bool fixture_close(double got, double want) {
  return std::isfinite(got) && std::fabs(got - want) <= 1e-9 + 1e-9 * std::fabs(want);
}

// A [rows][cols] (or flat) JSON array of numbers as a float64 tensor.
inline torch::Tensor json_tensor(const nlohmann::json& j) {
  std::vector<double> flat;
  std::vector<int64_t> shape;
  if (!j.empty() && j[0].is_array()) {
    shape = {static_cast<int64_t>(j.size()), static_cast<int64_t>(j[0].size())};
    for (const auto& row : j) {
      REQUIRE(static_cast<int64_t>(row.size()) == shape[1]);
      for (const auto& v : row) flat.push_back(v.get<double>());
    }
  } else {
    shape = {static_cast<int64_t>(j.size())};
    for (const auto& v : j) flat.push_back(v.get<double>());
  }
  return torch::tensor(flat, torch::kDouble).reshape(shape);
}

// Every element of got within the fixture tolerance of want (same shape); names the worst element on failure.
inline void check_close(const torch::Tensor& got, const torch::Tensor& want, const std::string& what) {
  INFO(what);
  REQUIRE(got.defined());
  REQUIRE(got.sizes() == want.sizes());
  const torch::Tensor g = got.detach().to(torch::kCPU, torch::kDouble).contiguous().reshape({-1});
  const torch::Tensor w = want.to(torch::kDouble).contiguous().reshape({-1});
  int64_t bad = -1;
  for (int64_t i = 0; i < g.numel(); ++i)
    if (!fixture_close(g[i].item<double>(), w[i].item<double>())) {
      bad = i;
      break;
    }
  if (bad >= 0) {
    std::ostringstream os;
    os.precision(17);
    os << "element " << bad << ": got " << g[bad].item<double>() << ", want " << w[bad].item<double>();
    FAIL(os.str());
  }
}

inline void check_close(double got, double want, const std::string& what) {
  std::ostringstream os;
  os.precision(17);
  os << what << ": got " << got << ", want " << want;
  INFO(os.str());
  CHECK(fixture_close(got, want));
}

inline void check_close(const std::vector<double>& got, const nlohmann::json& want, const std::string& what) {
  INFO(what);
  REQUIRE(got.size() == want.size());
  for (size_t i = 0; i < got.size(); ++i) check_close(got[i], want[i].get<double>(), what + "[" + std::to_string(i) + "]");
}

}  // namespace r1_rl_test
