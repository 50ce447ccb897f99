// Activation checkpointing (see activation_checkpoint.h).
#include "r1/model/activation_checkpoint.h"

#include <torch/csrc/autograd/custom_function.h>

#include "r1/model/autocast_scope.h"

namespace r1::model {

namespace {

using torch::autograd::AutogradContext;
using torch::autograd::variable_list;

// What the backward needs besides x: the block, the tensors it differentiates against, the autocast dtype.
struct Recompute : torch::CustomClassHolder {
  std::function<torch::Tensor(const torch::Tensor&)> block;
  std::vector<torch::Tensor> params;
  torch::ScalarType compute_dtype = torch::kFloat32;
};

class CheckpointFunction : public torch::autograd::Function<CheckpointFunction> {
 public:
  // Differentiable inputs: x and the params; the recompute capsule is not a tensor.
  static torch::Tensor forward(AutogradContext* ctx, const torch::Tensor& x, torch::TensorList /*params*/,
                               const c10::intrusive_ptr<Recompute>& recompute) {
    ctx->save_for_backward({x});
    ctx->saved_data["recompute"] = c10::IValue::make_capsule(recompute);
    // The autograd Function runs this with gradients off: nothing inside is recorded or kept. Autocast, a
    // thread-local state, is still the caller's.
    return recompute->block(x);
  }

  // Recomputes the block with gradients on and takes the gradients of its output against x and the params.
  static variable_list backward(AutogradContext* ctx, variable_list grads) {
    const auto x = ctx->get_saved_variables()[0];
    auto holder = ctx->saved_data["recompute"].toCapsule();
    const auto& r = *static_cast<Recompute*>(holder.get());
    torch::AutoGradMode grad_on(true);
    AutocastScope autocast(r.compute_dtype, x.device());
    auto input = x.detach().requires_grad_(x.requires_grad());
    auto y = r.block(input);
    // Only what needs a gradient is asked for; the rest get an undefined gradient (the engine skips them).
    std::vector<torch::Tensor> wrt;
    std::vector<size_t> slot;  // position in {x, params...} of each wrt entry
    if (input.requires_grad()) wrt.push_back(input), slot.push_back(0);
    for (size_t i = 0; i < r.params.size(); ++i)
      if (r.params[i].requires_grad()) wrt.push_back(r.params[i]), slot.push_back(i + 1);
    variable_list out(r.params.size() + 2);  // x, params..., the capsule (never a gradient)
    if (wrt.empty() || !y.requires_grad()) return out;
    auto g = torch::autograd::grad({y}, wrt, {grads[0]}, /*retain_graph=*/false, /*create_graph=*/false,
                                   /*allow_unused=*/true);
    for (size_t k = 0; k < g.size(); ++k) out[slot[k]] = g[k];
    return out;
  }
};

}  // namespace

torch::Tensor checkpointed(const std::function<torch::Tensor(const torch::Tensor&)>& block, const torch::Tensor& x,
                           const std::vector<torch::Tensor>& params, torch::ScalarType compute_dtype) {
  auto r = c10::make_intrusive<Recompute>();
  r->block = block;
  r->params = params;
  r->compute_dtype = compute_dtype;
  return CheckpointFunction::apply(x, torch::TensorList(params), r);
}

}  // namespace r1::model
