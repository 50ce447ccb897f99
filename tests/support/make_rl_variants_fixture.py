#!/usr/bin/python3
# Writes tests/data/rl_variants.json: float64 reference numbers for r1's GRPO variants, computed here with Debian's
# python3-torch from the formulas as the frameworks state them (written for this fixture, not taken from r1):
#
#  - GSPO (TRL GRPOTrainer._compute_loss, importance_sampling_level="sequence"): the log importance weight of a
#    completion is the masked mean of (logp - old_logp) over its tokens (mask sum clamped to >= 1); coef_1 =
#    exp(weight) per sequence, coef_2 = clamp(coef_1, 1 - eps_low, 1 + eps_high); per-token loss =
#    -min(coef_1 * A, coef_2 * A) (broadcast over the tokens), then the TIS weight, then + beta * k3 KL; aggregated
#    by loss_type (grpo / bnpo / dr_grpo / dapo as in ../shared/fixtures/grpo/loss.json). Clip metrics for
#    sequence level are TRL's masked_batch_mean of a [B, 1] tensor: the plain mean over sequences.
#  - TIS (TRL vllm_importance_sampling_correction, token_truncate): weight = min(exp(old_logp - sampler_logp), cap),
#    a constant multiplying the per-token surrogate before the KL term is added; token or sequence level.
#  - RLOO (verl compute_rloo_outcome_advantage, TRL RLOOTrainer): A_i = r_i - mean of the other G - 1 rewards.
#  - REINFORCE++-baseline (verl compute_reinforce_plus_plus_baseline_outcome_advantage, OpenRLHF
#    "reinforce_baseline"): d_i = r_i - group mean, broadcast over each completion's tokens, then masked_whiten over
#    every token of the batch: (d - mean) * rsqrt(var + 1e-8), mean and var token-weighted, var with Bessel's
#    correction (n / (n - 1), n = total tokens).
#
#   /usr/bin/python3 tests/support/make_rl_variants_fixture.py > tests/data/rl_variants.json
import json
import sys

import torch

torch.manual_seed(20261203)
D = torch.float64


def k3(logp, ref):
    return torch.exp(ref - logp) - (ref - logp) - 1


def aggregate(per_token_loss, mask, loss_type, max_completion_length, num_items_in_batch):
    if loss_type == "grpo":
        return ((per_token_loss * mask).sum(-1) / mask.sum(-1).clamp(min=1.0)).mean()
    if loss_type == "bnpo":
        return (per_token_loss * mask).sum() / mask.sum().clamp(min=1.0)
    if loss_type == "dr_grpo":
        return (per_token_loss * mask).sum() / (per_token_loss.size(0) * max_completion_length)
    if loss_type == "dapo":
        return (per_token_loss * mask).sum() / max(num_items_in_batch, 1.0)
    raise ValueError(loss_type)


def loss_case(name, logp, old, ref, sampler, mask, adv, level, eps_low, eps_high, beta, loss_type, tis_cap):
    B, T = logp.shape
    lp = logp.clone().requires_grad_(True)
    log_ratio = lp - old
    if level == "token":
        log_w = log_ratio
    else:
        log_w = ((log_ratio * mask).sum(-1) / mask.sum(-1).clamp(min=1.0)).unsqueeze(-1)
    coef_1 = torch.exp(log_w)
    coef_2 = torch.clamp(coef_1, 1 - eps_low, 1 + eps_high)
    a = adv.unsqueeze(1)
    per_token_loss = -torch.min(coef_1 * a, coef_2 * a)
    tis = None
    if tis_cap is not None:
        tis = torch.clamp(torch.exp(old - sampler), max=tis_cap)
        per_token_loss = per_token_loss * tis
    kl = k3(lp, ref)
    if beta != 0.0:
        per_token_loss = per_token_loss + beta * kl
    per_token_loss = per_token_loss.expand(B, T)
    num_items = float(mask.sum().item())
    loss = aggregate(per_token_loss, mask, loss_type, T, num_items)
    loss.backward()
    low = ((coef_1 < 1 - eps_low) & (a < 0)).to(D)
    high = ((coef_1 > 1 + eps_high) & (a > 0)).to(D)
    region = ((low + high) > 0).to(D)

    def batch_mean(x):  # TRL masked_batch_mean
        return x.mean() if x.size(1) == 1 else (x * mask).sum() / mask.sum()

    case = {
        "name": name,
        "importance_sampling": level,
        "loss_type": loss_type,
        "epsilon_low": eps_low,
        "epsilon_high": eps_high,
        "beta": beta,
        "tis_cap": tis_cap,
        "max_completion_length": T,
        "num_items_in_batch": num_items,
        "num_processes": 1,
        "per_token_logps": logp.tolist(),
        "old_per_token_logps": old.tolist(),
        "ref_per_token_logps": ref.tolist(),
        "sampling_per_token_logps": sampler.tolist(),
        "completion_mask": mask.tolist(),
        "advantages": adv.tolist(),
        "expected": {
            "loss": loss.item(),
            "grad_per_token_logps": lp.grad.tolist(),
            "coef_1": coef_1.detach().expand(B, T).tolist(),
            "per_token_loss": per_token_loss.detach().tolist(),
            "importance_sampling_ratio": None if tis is None else tis.tolist(),
            "kl_mean": ((kl.detach() * mask).sum() / mask.sum()).item(),
            "clip_ratio_low_mean": batch_mean(low).item(),
            "clip_ratio_high_mean": batch_mean(high).item(),
            "clip_ratio_region_mean": batch_mean(region).item(),
        },
    }
    return case


def inputs(B, T, spread, fully_masked_row):
    lengths = torch.randint(1, T + 1, (B,))
    lengths[0] = T
    if fully_masked_row:
        lengths[-1] = 0
    mask = (torch.arange(T).unsqueeze(0) < lengths.unsqueeze(1)).to(D)
    logp = -torch.rand(B, T, dtype=D) * 2.5 - 0.01
    # Per-row scale of the policy drift: a few rows drift less than GSPO's 3e-4 clip range, the rest far more.
    row_scale = torch.tensor([spread[i % len(spread)] for i in range(B)], dtype=D).unsqueeze(1)
    old = logp + torch.randn(B, T, dtype=D) * row_scale
    ref = logp + torch.randn(B, T, dtype=D) * 0.3
    sampler = old + torch.randn(B, T, dtype=D) * 0.4
    # Masked positions hold arbitrary finite values that must not matter.
    garbage = (mask == 0)
    for t in (logp, old, ref, sampler):
        t[garbage] = -7.5
    return logp, old, ref, sampler, mask


def group_advantages(rewards, G):
    r = torch.tensor(rewards, dtype=D).view(-1, G)
    return ((r - r.mean(1, keepdim=True)) / (r.std(1, keepdim=True) + 1e-4)).nan_to_num(0.0).view(-1)


def rloo(rewards, G):
    r = torch.tensor(rewards, dtype=D).view(-1, G)
    others = (r.sum(1, keepdim=True) - r) / (G - 1)
    return (r - others).view(-1)


def reinforce_pp_baseline(rewards, G, token_counts):
    r = torch.tensor(rewards, dtype=D).view(-1, G)
    d = (r - r.mean(1, keepdim=True)).view(-1)
    T = max(max(token_counts), 1)
    mask = (torch.arange(T).unsqueeze(0) < torch.tensor(token_counts).unsqueeze(1)).to(D)
    values = d.unsqueeze(1) * mask
    n = mask.sum()
    mean = (values * mask).sum() / n
    var = (((values - mean) ** 2) * mask).sum() / n * (n / (n - 1))
    whitened = (values - mean) * torch.rsqrt(var + 1e-8)
    # every token of a row holds the same value; rows without tokens take the formula's value at d
    per_row = (d - mean) * torch.rsqrt(var + 1e-8)
    assert torch.equal(whitened * mask, per_row.unsqueeze(1).expand_as(whitened) * mask)
    return per_row


def main():
    cases = []
    B, T = 6, 7
    for variant, (spread, masked) in {"mixed": ([1e-4, 0.3, 2e-4, 0.8], False),
                                      "masked_row": ([1e-4, 0.5], True)}.items():
        logp, old, ref, sampler, mask = inputs(B, T, spread, masked)
        adv = group_advantages([1.0, 0.0, 0.5, 0.0, 1.0, 1.0], 3)
        for loss_type in ("grpo", "bnpo", "dr_grpo", "dapo"):
            for beta in (0.0, 0.04):
                cases.append(loss_case(f"gspo/{variant}/{loss_type}/beta{beta}", logp, old, ref, sampler, mask, adv,
                                       "sequence", 3e-4, 4e-4, beta, loss_type, None))
        cases.append(loss_case(f"gspo/{variant}/grpo/wide", logp, old, ref, sampler, mask, adv, "sequence", 0.2, 0.28,
                               0.0, "grpo", None))
        for level in ("token", "sequence"):
            eps = (0.2, 0.28) if level == "token" else (3e-4, 4e-4)
            for cap in (2.0, 1.2):
                cases.append(loss_case(f"tis/{variant}/{level}/cap{cap}", logp, old, ref, sampler, mask, adv, level,
                                       eps[0], eps[1], 0.04, "bnpo" if level == "token" else "grpo", cap))
    adv_cases = []
    for name, rewards, G, tokens in [
        ("mixed", [1.0, 0.0, 0.5, 0.0, 0.25, 1.0, 1.0, 1.0, 2.0, 0.0, 0.0, 3.0], 4,
         [5, 1, 9, 3, 4, 4, 7, 2, 8, 6, 1, 2]),
        ("all_equal_groups", [1.0, 1.0, 1.0, 0.0, 1.0, 0.5], 3, [3, 3, 3, 2, 10, 1]),
        ("pairs_with_empty_rows", [0.0, 1.0, 1.0, 0.0, 0.3, 0.9], 2, [4, 0, 2, 7, 0, 5]),
    ]:
        rpp = reinforce_pp_baseline(rewards, G, tokens)
        adv_cases.append({"name": name, "rewards": rewards, "group_size": G, "token_counts": tokens,
                          "expected_rloo": rloo(rewards, G).tolist(), "expected_reinforce_pp": rpp.tolist()})
    json.dump({"source": "tests/support/make_rl_variants_fixture.py (python3-torch, float64): TRL GSPO "
                         "(importance_sampling_level='sequence') and TIS (vllm_importance_sampling_cap, "
                         "token_truncate); verl RLOO and REINFORCE++-baseline. See the script's header for the formulas.",
               "loss_cases": cases, "advantage_cases": adv_cases}, sys.stdout)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
