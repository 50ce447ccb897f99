#!/usr/bin/python3
# Writes tests/data/rope_scaling.json: float64 reference RoPE inverse frequencies and cos/sin multipliers
# ("attention scaling") for each Hugging Face rope_scaling type r1 supports, computed here with plain Python floats
# from the formulas as the papers and transformers' documentation state them (written for this fixture, not taken
# from r1 or from transformers' code):
#
#  - default:  f_i = 1 / theta^(2i / d), i = 0 .. d/2 - 1 (d = head_dim); scaling 1.
#  - linear (position interpolation): f_i / factor; scaling 1.
#  - dynamic (NTK-aware, recomputed per length): with L = max_position_embeddings and s = max(seq_len, L),
#    theta' = theta * (factor * s / L - (factor - 1))^(d / (d - 2)), f_i = 1 / theta'^(2i / d); scaling 1.
#  - llama3 (Llama 3.1): wavelength w_i = 2 pi / f_i; with L0 = original_max_position_embeddings,
#    w_i < L0 / high_freq_factor: f_i unchanged; w_i > L0 / low_freq_factor: f_i / factor; in between
#    s = (L0 / w_i - low) / (high - low) and f_i ((1 - s) / factor + s); scaling 1.
#  - yarn (YaRN, arXiv 2309.00071): L0 = original_max_position_embeddings (else max_position_embeddings); the pair
#    index at which a frequency turns r times over L0 is c(r) = d ln(L0 / (2 pi r)) / (2 ln theta); lo = c(beta_fast),
#    hi = c(beta_slow), floored / ceiled unless truncate is false, then lo = max(lo, 0), hi = min(hi, d - 1) (and
#    hi += 0.001 when they meet); ramp_i = clamp((i - lo) / (hi - lo), 0, 1);
#    f_i = (f_i / factor) ramp_i + f_i (1 - ramp_i). Scaling: attention_factor if given, else
#    m(factor, mscale) / m(factor, mscale_all_dim) when both are given and non-zero, else m(factor, 1), where
#    m(s, k) = 1 for s <= 1, else 0.1 k ln(s) + 1.
#
#   /usr/bin/python3 tests/support/make_rope_fixture.py > tests/data/rope_scaling.json
import json
import math
import sys


def default_freqs(head_dim, theta):
    return [1.0 / theta ** ((2 * i) / head_dim) for i in range(head_dim // 2)]


def linear(head_dim, theta, rs, max_pos, seq_len):
    return [f / rs["factor"] for f in default_freqs(head_dim, theta)], 1.0


def dynamic(head_dim, theta, rs, max_pos, seq_len):
    factor = rs["factor"]
    s = max(seq_len, max_pos)
    new_theta = theta * (factor * s / max_pos - (factor - 1)) ** (head_dim / (head_dim - 2))
    return default_freqs(head_dim, new_theta), 1.0


def llama3(head_dim, theta, rs, max_pos, seq_len):
    factor, low, high = rs["factor"], rs["low_freq_factor"], rs["high_freq_factor"]
    old_len = rs["original_max_position_embeddings"]
    out = []
    for f in default_freqs(head_dim, theta):
        wavelength = 2 * math.pi / f
        if wavelength < old_len / high:
            out.append(f)
        elif wavelength > old_len / low:
            out.append(f / factor)
        else:
            smooth = (old_len / wavelength - low) / (high - low)
            out.append((1 - smooth) * f / factor + smooth * f)
    return out, 1.0


def yarn_scaling(rs):
    def m(scale, k):
        return 1.0 if scale <= 1 else 0.1 * k * math.log(scale) + 1.0

    if rs.get("attention_factor") is not None:
        return rs["attention_factor"]
    if rs.get("mscale") and rs.get("mscale_all_dim"):
        return m(rs["factor"], rs["mscale"]) / m(rs["factor"], rs["mscale_all_dim"])
    return m(rs["factor"], 1.0)


def yarn(head_dim, theta, rs, max_pos, seq_len):
    factor = rs["factor"]
    old_len = rs.get("original_max_position_embeddings") or max_pos
    fast = rs.get("beta_fast") or 32
    slow = rs.get("beta_slow") or 1

    def pair_index(rotations):
        return head_dim * math.log(old_len / (2 * math.pi * rotations)) / (2 * math.log(theta))

    lo, hi = pair_index(fast), pair_index(slow)
    if rs.get("truncate", True):
        lo, hi = math.floor(lo), math.ceil(hi)
    lo, hi = max(lo, 0), min(hi, head_dim - 1)
    if lo == hi:
        hi += 0.001
    out = []
    for i, f in enumerate(default_freqs(head_dim, theta)):
        ramp = min(max((i - lo) / (hi - lo), 0.0), 1.0)
        out.append(f / factor * ramp + f * (1 - ramp))
    return out, yarn_scaling(rs)


RULES = {"linear": linear, "dynamic": dynamic, "llama3": llama3, "yarn": yarn}


def case(name, head_dim, theta, max_pos, rope_scaling, seq_len):
    kind = rope_scaling.get("rope_type", rope_scaling.get("type"))
    freqs, scaling = RULES[kind](head_dim, theta, rope_scaling, max_pos, seq_len)
    return {"name": name, "head_dim": head_dim, "rope_theta": theta, "max_position_embeddings": max_pos,
            "rope_scaling": rope_scaling, "seq_len": seq_len, "attention_scaling": scaling, "inv_freq": freqs}


def main():
    cases = [
        # meta-llama/Llama-3.1-8B config.json.
        case("llama3.1-8b", 128, 500000.0, 131072,
             {"factor": 8.0, "low_freq_factor": 1.0, "high_freq_factor": 4.0,
              "original_max_position_embeddings": 8192, "rope_type": "llama3"}, 0),
        # Qwen2.5 model cards: the setting added to config.json for contexts past 32768 tokens.
        case("qwen2.5-yarn", 128, 1000000.0, 32768,
             {"type": "yarn", "factor": 4.0, "original_max_position_embeddings": 32768}, 0),
        # YaRN without original_max_position_embeddings (max_position_embeddings is the pre-YaRN length).
        case("yarn-no-original", 64, 10000.0, 2048, {"rope_type": "yarn", "factor": 8.0}, 0),
        # DeepSeek-V3 style: mscale == mscale_all_dim, so the multiplier is 1 (rope head of 64).
        case("yarn-deepseek-mscale", 64, 10000.0, 163840,
             {"type": "yarn", "factor": 40.0, "beta_fast": 32, "beta_slow": 1, "mscale": 1.0,
              "mscale_all_dim": 1.0, "original_max_position_embeddings": 4096}, 0),
        case("yarn-mscale-ratio", 64, 10000.0, 163840,
             {"rope_type": "yarn", "factor": 40.0, "mscale": 0.707, "mscale_all_dim": 1.0,
              "original_max_position_embeddings": 4096}, 0),
        # gpt-oss style: an untruncated correction range.
        case("yarn-untruncated", 64, 150000.0, 131072,
             {"rope_type": "yarn", "factor": 32.0, "beta_fast": 32.0, "beta_slow": 1.0,
              "original_max_position_embeddings": 4096, "truncate": False}, 0),
        case("yarn-attention-factor", 32, 10000.0, 1024,
             {"rope_type": "yarn", "factor": 2.0, "attention_factor": 0.8, "beta_fast": 16.0, "beta_slow": 2.0,
              "original_max_position_embeddings": 512}, 0),
        case("linear-2", 64, 10000.0, 4096, {"type": "linear", "factor": 2.0}, 0),
        case("dynamic-2-short", 64, 10000.0, 2048, {"rope_type": "dynamic", "factor": 2.0}, 1024),
        case("dynamic-2-long", 64, 10000.0, 2048, {"rope_type": "dynamic", "factor": 2.0}, 4096),
    ]
    json.dump({"source": "tests/support/make_rope_fixture.py (plain Python float64): RoPE inverse frequencies and "
                         "attention scaling for linear, dynamic, llama3 and yarn rope_scaling. See the script's "
                         "header for the formulas.",
               "cases": cases}, sys.stdout, indent=1)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
