// Data-parallel helpers over a Comm.
#include "r1/dist/collectives.h"

#include <algorithm>
#include <cstring>

#include "r1/util/error.h"
#include "r1/util/rng.h"
#include "r1/util/strings.h"

namespace r1::dist {

void all_reduce_mean_grads(Comm& comm, const std::vector<torch::Tensor>& params) {
  if (!comm.distributed()) return;
  std::vector<torch::Tensor> grads;
  grads.reserve(params.size());
  for (const auto& p : params) {
    auto g = p.mutable_grad();
    if (!g.defined()) {
      g = torch::zeros_like(p);
      p.mutable_grad() = g;
    }
    grads.push_back(g);
  }
  comm.all_reduce_sum(grads);
  const double inv = 1.0 / comm.world_size();
  torch::NoGradGuard no_grad;
  for (auto& g : grads) g.mul_(inv);
}

namespace {
void reduce_doubles(Comm& comm, std::vector<double>& values, bool max) {
  if (!comm.distributed() || values.empty()) return;
  std::vector<torch::Tensor> t{torch::tensor(values, torch::kFloat64)};
  if (max) comm.all_reduce_max(t);
  else comm.all_reduce_sum(t);
  auto acc = t[0].accessor<double, 1>();
  for (size_t i = 0; i < values.size(); ++i) values[i] = acc[static_cast<int64_t>(i)];
}
}  // namespace

void all_reduce_sum(Comm& comm, std::vector<double>& values) { reduce_doubles(comm, values, false); }
void all_reduce_max(Comm& comm, std::vector<double>& values) { reduce_doubles(comm, values, true); }

void broadcast_parameters(Comm& comm, const std::vector<torch::Tensor>& params, int root) {
  if (!comm.distributed()) return;
  std::vector<torch::Tensor> data;
  data.reserve(params.size());
  for (const auto& p : params) data.push_back(p.detach());
  comm.broadcast(data, root);
}

std::vector<std::uint64_t> parameter_hashes(const NamedParams& params) {
  std::vector<std::uint64_t> out;
  out.reserve(params.size());
  for (const auto& [name, p] : params) {
    auto c = p.detach().to(torch::kCPU).contiguous();
    std::string_view bytes(static_cast<const char*>(c.data_ptr()), c.numel() * c.element_size());
    out.push_back(fnv1a64(bytes));
  }
  return out;
}

void check_in_sync(Comm& comm, const NamedParams& params, const std::string& when) {
  if (!comm.distributed()) return;
  auto mine = parameter_hashes(params);
  std::string bytes(mine.size() * sizeof(std::uint64_t), '\0');
  std::memcpy(bytes.data(), mine.data(), bytes.size());
  auto all = comm.all_gather_bytes(bytes);
  std::vector<std::string> differ;
  size_t first_param = params.size();
  for (int r = 1; r < comm.world_size(); ++r) {
    if (all[r].size() != bytes.size())
      throw RuntimeFailure("parameter check " + when + ": rank " + std::to_string(r) + " has " +
                           std::to_string(all[r].size() / sizeof(std::uint64_t)) + " parameters, rank 0 has " +
                           std::to_string(mine.size()));
    for (size_t i = 0; i < params.size(); ++i) {
      if (std::memcmp(all[r].data() + i * 8, all[0].data() + i * 8, 8) != 0) {
        differ.push_back(std::to_string(r));
        first_param = std::min(first_param, i);
        break;
      }
    }
  }
  if (!differ.empty())
    throw RuntimeFailure("R1_DIST_CHECK_SYNC: parameters differ across ranks " + when + ": rank" +
                         (differ.size() > 1 ? "s " : " ") + join(differ, ", ") + " disagree with rank 0, first at " +
                         params[first_param].first + " (data-parallel replicas must stay identical)");
}

std::vector<std::string> all_gather_strings(Comm& comm, const std::vector<std::string>& mine) {
  if (!comm.distributed()) return mine;
  // Length-prefixed items: [u64 count] then [u64 size][bytes] per item.
  std::string packed;
  auto put = [&](std::uint64_t v) { packed.append(reinterpret_cast<const char*>(&v), sizeof v); };
  put(mine.size());
  for (const auto& s : mine) {
    put(s.size());
    packed += s;
  }
  std::vector<std::string> out;
  for (const auto& blob : comm.all_gather_bytes(packed)) {
    size_t pos = 0;
    auto get = [&]() {
      std::uint64_t v = 0;
      if (pos + sizeof v > blob.size()) throw RuntimeFailure("all_gather_strings: a rank sent a truncated message");
      std::memcpy(&v, blob.data() + pos, sizeof v);
      pos += sizeof v;
      return v;
    };
    std::uint64_t n = get();
    for (std::uint64_t i = 0; i < n; ++i) {
      std::uint64_t len = get();
      if (pos + len > blob.size()) throw RuntimeFailure("all_gather_strings: a rank sent a truncated message");
      out.emplace_back(blob.data() + pos, len);
      pos += len;
    }
  }
  return out;
}

}  // namespace r1::dist
