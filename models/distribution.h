// Distributions of times: lifetimes, repair and detection delays, step durations.
// Written in the scenario the way engineers think ("median 32 min, p90 1.5 h") and
// held here in canonical parameters, in hours.
//
//   deterministic  value
//   exponential    rate (per hour)              mean = 1/rate
//   weibull        shape k, scale λ (hours)     mean = λ Γ(1 + 1/k)
//   lognormal      mu, sigma of ln(T in hours)  median = e^mu
//   gamma          shape k, scale θ (hours)     mean = k θ
//   uniform        min, max (hours)
//   empirical      samples (hours), each equally likely
//
// Sampling uses one RandomStream; quantiles and means come from Boost.Math.
//
// Thread-safety: immutable values; sample() mutates only the stream passed in.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "models/diagnostics.h"
#include "models/random.h"

namespace drsim {

class Distribution {
 public:
  enum class Kind { deterministic, exponential, weibull, lognormal, gamma, uniform, empirical };

  static Distribution fixed(double hours);
  static Distribution exponential(double rate_per_hour);
  static Distribution weibull(double shape, double scale_hours);
  static Distribution lognormal(double mu, double sigma);
  static Distribution gamma(double shape, double scale_hours);
  static Distribution uniform(double min_hours, double max_hours);
  static Distribution empirical(std::vector<double> samples_hours);

  Kind kind() const { return kind_; }
  double p1() const { return a_; }  // value, rate, shape, mu, shape, min
  double p2() const { return b_; }  // -, -, scale, sigma, scale, max
  const std::vector<double>& samples() const { return samples_; }
  const std::string& source() const { return source_; }
  void set_source(std::string s) { source_ = std::move(s); }

  /// One draw, in hours (>= 0).
  double sample(RandomStream& rng) const;
  double mean() const;
  double median() const { return quantile(0.5); }
  /// The q-quantile, q in [0, 1] (empirical: the lower sample at that rank).
  double quantile(double q) const;
  /// For humans: "exponential, mean 20y", "lognormal, median 32m, p90 1.5h".
  std::string describe() const;
  /// The canonical JSON form, which parse_distribution reads back to the same value.
  nlohmann::json to_json() const;

 private:
  Kind kind_ = Kind::deterministic;
  double a_ = 0, b_ = 0;
  std::vector<double> samples_;  // empirical, sorted
  std::string source_;
};

/// Reads a distribution at JSON pointer `pointer`: a duration string ("20m") or an
/// object {"dist": ..., parameters}. Reports every problem to `diags` and returns
/// nullopt on error. With allow_zero, a delay may be "0s" (instantaneous); lifetimes
/// must be positive. The accepted forms are documented in docs/scenario-format.md.
std::optional<Distribution> parse_distribution(const nlohmann::json& j, const std::string& pointer, Diagnostics& diags,
                                               bool allow_zero = false);

}  // namespace drsim
