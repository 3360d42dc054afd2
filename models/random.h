// Random streams: counter-based (Random123 Philox4x64-10), keyed by
// (seed, trial, stream). A trial's draws for one entity (a failure mode, a group, a
// runbook) depend only on those three numbers — not on the thread that runs the
// trial, the order trials run in, or how many draws other entities made. That is what
// makes results identical on 1 or 64 threads, on one machine or split into shards,
// and what gives common random numbers when two variants of a scenario are compared:
// the same failure mode draws the same lifetimes in both.
//
// Thread-safety: a RandomStream is a small value; each trial owns its own.
#pragma once

#include <cmath>
#include <cstdint>
#include <string_view>

#include <Random123/philox.h>
#include <Random123/uniform.hpp>

namespace drsim {

class RandomStream {
 public:
  RandomStream() : RandomStream(0, 0, 0) {}
  RandomStream(std::uint64_t seed, std::uint64_t trial, std::uint64_t stream) {
    key_ = {{seed, stream}};
    ctr_ = {{trial, 0, 0, 0}};
  }

  /// A uniform double in (0, 1): never 0 or 1, so log(u) is finite.
  double uniform() {
    if (used_ == 4) refill();
    return r123::u01<double>(out_.v[used_++]);
  }
  /// true with probability p.
  bool bernoulli(double p) { return p >= 1 ? true : p <= 0 ? false : uniform() < p; }
  /// A standard normal (Box–Muller; both values used in turn).
  double normal() {
    if (has_spare_) {
      has_spare_ = false;
      return spare_;
    }
    double u1 = uniform(), u2 = uniform();
    double r = std::sqrt(-2 * std::log(u1));
    spare_ = r * std::sin(6.283185307179586 * u2);
    has_spare_ = true;
    return r * std::cos(6.283185307179586 * u2);
  }
  /// Exponential with the given rate (> 0).
  double exponential(double rate) { return -std::log(uniform()) / rate; }

 private:
  void refill() {
    out_ = r123::Philox4x64()(ctr_, key_);
    ++ctr_.v[1];
    used_ = 0;
  }
  r123::Philox4x64::key_type key_;
  r123::Philox4x64::ctr_type ctr_;
  r123::Philox4x64::ctr_type out_{};
  int used_ = 4;
  bool has_spare_ = false;
  double spare_ = 0;
};

/// FNV-1a of a name: the stable stream number of an entity ("dc1/lb-a#hw").
constexpr std::uint64_t fnv1a(std::string_view s) {
  std::uint64_t h = 1469598103934665603ull;
  for (char c : s) {
    h ^= static_cast<unsigned char>(c);
    h *= 1099511628211ull;
  }
  return h;
}

}  // namespace drsim
