// Small float32 building blocks for the hand-written CPU kernels (fused_ops.cpp, train_kernels.cpp,
// causal_attention_kernel.cpp): scalar loops written so that GCC vectorizes them, eight-float vectors (GCC
// vector extensions: one AVX register, two SSE registers on the baseline), plus R1_CPU_CLONES: compile a hot
// kernel twice (AVX2/FMA-class x86-64-v3 and the baseline) and pick one at load time, so one binary runs
// everywhere and uses the wider vectors where the CPU has them.
#pragma once
#include <cmath>
#include <cstdint>
#include <cstring>

#if defined(__GNUC__) && !defined(__clang__) && defined(__x86_64__) && defined(__linux__)
#define R1_CPU_CLONES __attribute__((target_clones("arch=x86-64-v3", "default")))
#else
#define R1_CPU_CLONES
#endif

namespace r1::model::cpu {

// a . b over n floats with eight independent partial sums (one 8-wide vector on AVX2).
inline float dot(const float* a, const float* b, int64_t n) {
  float acc[8] = {0, 0, 0, 0, 0, 0, 0, 0};
  int64_t i = 0;
  for (; i + 8 <= n; i += 8)
    for (int l = 0; l < 8; ++l) acc[l] += a[i + l] * b[i + l];
  float tail = 0;
  for (; i < n; ++i) tail += a[i] * b[i];
  return tail + ((acc[0] + acc[4]) + (acc[1] + acc[5])) + ((acc[2] + acc[6]) + (acc[3] + acc[7]));
}

// RMSNorm's factor for one row of n floats: 1 / sqrt(mean(x^2) + eps).
inline float rms_factor(const float* x, int64_t n, float eps) {
  return 1.0f / std::sqrt(dot(x, x, n) / static_cast<float>(n) + eps);
}

// exp(x) for x in [-87, 88] (clamped outside), relative error below 2e-7: Cody-Waite range reduction
// x = n ln2 + r and a degree-6 polynomial for exp(r) (the Cephes expf coefficients), scaled by 2^n through the
// exponent bits. Branch-free, so a loop over it vectorizes (std::exp does not).
inline float exp_approx(float x) {
  x = x < -87.0f ? -87.0f : (x > 88.0f ? 88.0f : x);
  const float shifter = 12582912.0f;  // 1.5 * 2^23: adding and subtracting it rounds to the nearest integer
  const float n = (x * 1.44269504088896341f + shifter) - shifter;
  float r = x - n * 0.693359375f;
  r = r - n * -2.12194440e-4f;
  float y = 1.9875691500e-4f;
  y = y * r + 1.3981999507e-3f;
  y = y * r + 8.3334519073e-3f;
  y = y * r + 4.1665795894e-2f;
  y = y * r + 1.6666665459e-1f;
  y = y * r + 5.0000001201e-1f;
  y = y * r * r + r + 1.0f;
  const std::int32_t bits = (static_cast<std::int32_t>(n) + 127) << 23;
  float scale;
  std::memcpy(&scale, &bits, sizeof scale);
  return y * scale;
}

// Eight floats as one value; loads and stores need no alignment. These helpers are only ever inlined into one
// kernel (compiled per R1_CPU_CLONES target), so passing Float8 by value is not an ABI concern.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wpsabi"
typedef float Float8 __attribute__((vector_size(8 * sizeof(float))));
typedef std::int32_t Int8 __attribute__((vector_size(8 * sizeof(std::int32_t))));

inline Float8 load8(const float* p) {
  Float8 v;
  std::memcpy(&v, p, sizeof v);
  return v;
}
inline void store8(float* p, Float8 v) { std::memcpy(p, &v, sizeof v); }
// Eight bfloat16 values (the upper halves of float32 bit patterns, as the KV cache stores them when asked to)
// widened to float32: exact, a zero-extension and a shift.
typedef std::uint16_t Bf16x8 __attribute__((vector_size(8 * sizeof(std::uint16_t))));
inline Float8 load8(const std::uint16_t* p) {
  Bf16x8 h;
  std::memcpy(&h, p, sizeof h);
  const Int8 bits = __builtin_convertvector(h, Int8) << 16;
  return (Float8)bits;  // same-size vector cast: reinterprets the bits
}
inline float to_float(float x) { return x; }
inline float to_float(std::uint16_t bf16) {
  const std::uint32_t bits = static_cast<std::uint32_t>(bf16) << 16;
  float f;
  std::memcpy(&f, &bits, sizeof f);
  return f;
}
// Lane 0 shuffled into every lane: GCC emits one broadcast for this (an eight-value initializer list becomes a
// chain of lane inserts).
inline Float8 splat8(float x) { return __builtin_shuffle(Float8{x}, Int8{0, 0, 0, 0, 0, 0, 0, 0}); }

// exp_approx on eight lanes: the same operations in the same order as the scalar version above. always_inline:
// inside a large kernel GCC may otherwise keep one out-of-line copy, built for the baseline CPU only.
__attribute__((always_inline)) inline Float8 exp_approx8(Float8 x) {
  const Float8 lo = splat8(-87.0f), hi = splat8(88.0f), shifter = splat8(12582912.0f);
  x = x < lo ? lo : (x > hi ? hi : x);
  const Float8 n = (x * 1.44269504088896341f + shifter) - shifter;
  Float8 r = x - n * 0.693359375f;
  r = r - n * -2.12194440e-4f;
  Float8 y = splat8(1.9875691500e-4f);
  y = y * r + 1.3981999507e-3f;
  y = y * r + 8.3334519073e-3f;
  y = y * r + 4.1665795894e-2f;
  y = y * r + 1.6666665459e-1f;
  y = y * r + 5.0000001201e-1f;
  y = y * r * r + r + 1.0f;
  const Int8 bits = (__builtin_convertvector(n, Int8) + 127) << 23;
  return y * (Float8)bits;  // same-size vector cast: reinterprets the bits
}

// max of p[0..n) (-inf when every entry is -inf).
inline float max_of(const float* p, int64_t n) {
  float mx = -__builtin_huge_valf();
  int64_t j = 0;
  if (n >= 8) {
    Float8 m8 = load8(p);
    for (j = 8; j + 8 <= n; j += 8) {
      const Float8 v = load8(p + j);
      m8 = v > m8 ? v : m8;
    }
    for (int l = 0; l < 8; ++l) mx = m8[l] > mx ? m8[l] : mx;
  }
  for (; j < n; ++j) mx = p[j] > mx ? p[j] : mx;
  return mx;
}

// In place: p[j] = exp(p[j] - shift) (0 where p[j] is -inf); returns the sum of the new values.
inline float exp_minus_inplace(float* p, int64_t n, float shift) {
  const float neg_inf = -__builtin_huge_valf();
  Float8 sum8 = splat8(0.0f), shift8 = splat8(shift), ninf8 = splat8(neg_inf), zero8 = splat8(0.0f);
  int64_t j = 0;
  for (; j + 8 <= n; j += 8) {
    const Float8 v = load8(p + j);
    const Float8 e = v == ninf8 ? zero8 : exp_approx8(v - shift8);
    store8(p + j, e);
    sum8 += e;
  }
  float total = 0;
  for (; j < n; ++j) {
    p[j] = p[j] == neg_inf ? 0.0f : exp_approx(p[j] - shift);
    total += p[j];
  }
  return total + ((sum8[0] + sum8[4]) + (sum8[1] + sum8[5])) + ((sum8[2] + sum8[6]) + (sum8[3] + sum8[7]));
}

// In place: p[j] = exp(p[j] - max p) (0 where p[j] is -inf); returns the sum of the new values.
inline float exp_shifted_inplace(float* p, int64_t n) { return exp_minus_inplace(p, n, max_of(p, n)); }

#pragma GCC diagnostic pop

}  // namespace r1::model::cpu
