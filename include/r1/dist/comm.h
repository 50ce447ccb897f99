// The collective-communication interface the trainers and stages use (rank, world size, all-reduce, broadcast,
// all-gather of bytes, barrier), with a single-process implementation; the c10d one is in dist/c10d_comm.h.
#pragma once
#include <memory>
#include <string>
#include <vector>

#include <torch/torch.h>

namespace r1::dist {

class Comm {
 public:
  virtual ~Comm() = default;
  virtual int rank() const = 0;
  virtual int world_size() const = 0;
  // This process's index among the processes of its machine (picks its GPU).
  virtual int local_rank() const = 0;
  bool is_main() const { return rank() == 0; }
  bool distributed() const { return world_size() > 1; }
  // "single process" or e.g. "gloo, rank 1 of 2".
  virtual std::string describe() const = 0;

  // In place, every tensor becomes the element-wise sum (or max) over ranks. All ranks pass tensors of the same
  // shapes, dtypes and order.
  virtual void all_reduce_sum(std::vector<torch::Tensor>& tensors) = 0;
  virtual void all_reduce_max(std::vector<torch::Tensor>& tensors) = 0;
  // In place, every tensor becomes root's.
  virtual void broadcast(std::vector<torch::Tensor>& tensors, int root) = 0;
  // Every rank's `mine` (any length), indexed by rank.
  virtual std::vector<std::string> all_gather_bytes(const std::string& mine) = 0;
  // Returns once every rank has called it.
  virtual void barrier() = 0;
};

// The trivial world of one process: collectives return their input.
class LocalComm : public Comm {
 public:
  int rank() const override { return 0; }
  int world_size() const override { return 1; }
  int local_rank() const override { return 0; }
  std::string describe() const override { return "single process"; }
  void all_reduce_sum(std::vector<torch::Tensor>&) override {}
  void all_reduce_max(std::vector<torch::Tensor>&) override {}
  void broadcast(std::vector<torch::Tensor>&, int) override {}
  std::vector<std::string> all_gather_bytes(const std::string& mine) override { return {mine}; }
  void barrier() override {}
};

}  // namespace r1::dist
