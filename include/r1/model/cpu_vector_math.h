// Small float32 building blocks for the hand-written CPU kernels (fused_ops.cpp), written so that GCC
// vectorizes them, plus R1_CPU_CLONES: compile a hot kernel twice (AVX2/FMA-class x86-64-v3 and the baseline)
// and pick one at load time, so one binary runs everywhere and uses the wider vectors where the CPU has them.
#pragma once
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

// The sum of n floats with eight independent partial sums.
inline float sum(const float* a, int64_t n) {
  float acc[8] = {0, 0, 0, 0, 0, 0, 0, 0};
  int64_t i = 0;
  for (; i + 8 <= n; i += 8)
    for (int l = 0; l < 8; ++l) acc[l] += a[i + l];
  float tail = 0;
  for (; i < n; ++i) tail += a[i];
  return tail + ((acc[0] + acc[4]) + (acc[1] + acc[5])) + ((acc[2] + acc[6]) + (acc[3] + acc[7]));
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

}  // namespace r1::model::cpu
