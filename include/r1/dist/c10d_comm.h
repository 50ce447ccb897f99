// Comm over PyTorch's distributed engine (c10d): a TCPStore for the rendezvous, ProcessGroupGloo for CPU tensors and
// bytes, ProcessGroupNCCL for CUDA tensors when r1 is built against a CUDA LibTorch. Every collective waits at most
// the configured timeout; a failure becomes a RuntimeFailure that says which rank stopped answering (found through
// heartbeats in the store) instead of a hang.
#pragma once
#include <memory>

#include "r1/dist/comm.h"
#include "r1/dist/world.h"

namespace r1::dist {

// Whether this build has c10d (compiled with USE_C10D_GLOO).
bool c10d_available();

class C10dComm : public Comm {
 public:
  // Joins the group described by `env` (blocks until every rank has joined or env.timeout passes). InputError when
  // r1 was built without c10d; RuntimeFailure when the rendezvous fails.
  explicit C10dComm(const DistEnv& env);
  ~C10dComm() override;
  C10dComm(const C10dComm&) = delete;
  C10dComm& operator=(const C10dComm&) = delete;

  int rank() const override;
  int world_size() const override;
  int local_rank() const override;
  std::string describe() const override;
  void all_reduce_sum(std::vector<torch::Tensor>& tensors) override;
  void all_reduce_max(std::vector<torch::Tensor>& tensors) override;
  void broadcast(std::vector<torch::Tensor>& tensors, int root) override;
  std::vector<std::string> all_gather_bytes(const std::string& mine) override;
  void barrier() override;

  struct Impl;

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace r1::dist
