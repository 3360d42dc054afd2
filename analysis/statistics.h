// Statistics for Monte Carlo results, every estimate with its confidence interval.
//
// RunningStats   mean, variance (Welford), min, max; exact pairwise merge (Chan et al.).
//                Mean CI: Student t on the per-trial values.
// LogHistogram   counts in log-spaced bins (250 per decade, 1e-6 .. 1e7, in the value's
//                unit) plus an exact count of zeros. Integer counts merge exactly, so
//                quantiles do not depend on the number of threads. A quantile is
//                interpolated inside its bin: relative error < 0.93 % (bin ratio 10^0.004).
// Sample         RunningStats + LogHistogram, plus every value while there are at most
//                kExactLimit of them: quantiles are exact order statistics for small
//                runs and histogram estimates beyond. Memory is bounded either way.
//                Quantile CIs are distribution-free (order statistics: the ranks come
//                from the binomial; bounds are those ranks' values, or their bins' edges).
// Proportions    Wilson score and Clopper–Pearson (exact, for rare events) intervals.
//
// All state round-trips through JSON exactly (doubles are printed with 17 digits),
// which is what checkpoints rely on.
//
// Thread-safety: values; one per thread, merged by one thread.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace drsim {

// A count read from an untrusted state file (checkpoint, shard): a whole number >= 0 of
// JSON, else std::invalid_argument naming `what`. (nlohmann's get<std::uint64_t>() casts
// a float such as 1e300 — undefined behaviour — and wraps a negative integer.)
std::uint64_t state_count(const nlohmann::json& v, const char* what);

struct Interval {
  double lo = 0, hi = 0;
};

class RunningStats {
 public:
  void add(double x);
  void merge(const RunningStats& o);
  std::uint64_t count() const { return n_; }
  double mean() const { return n_ ? mean_ : 0; }
  double variance() const;  // sample variance (n-1)
  double sd() const;
  double sem() const;       // standard error of the mean
  double min() const { return min_; }
  double max() const { return max_; }
  double sum() const { return mean_ * static_cast<double>(n_); }
  // Two-sided CI for the mean at `confidence` (Student t, n-1 df). [mean, mean] if n < 2.
  Interval mean_ci(double confidence = 0.95) const;
  double half_width(double confidence = 0.95) const;

  nlohmann::json state() const;
  static RunningStats from_state(const nlohmann::json& j);

 private:
  std::uint64_t n_ = 0;
  double mean_ = 0, m2_ = 0;
  double min_ = 0, max_ = 0;
};

class LogHistogram {
 public:
  static constexpr int kPerDecade = 250;
  static constexpr int kMinExp = -6, kMaxExp = 7;
  static constexpr int kBins = (kMaxExp - kMinExp) * kPerDecade;

  void add(double x);  // x >= 0; values below 1e-6 count as zero, above 1e7 in the top bin
  void merge(const LogHistogram& o);
  std::uint64_t count() const { return n_; }
  std::uint64_t zeros() const { return zeros_; }
  // The value of rank k (1-based) in sorted order: lower and upper edge of its bin.
  Interval rank_bounds(std::uint64_t k) const;
  // The p-quantile, interpolated geometrically within its bin.
  double quantile(double p) const;
  // Fraction of values > x (by bins; exact at bin edges).
  double exceedance(double x) const;
  // For each non-empty bin in increasing order: its lower edge and the number of values
  // in it and above (zeros excluded). The exact tail counts a survival curve reads.
  std::vector<std::pair<double, std::uint64_t>> tail_counts() const;

  nlohmann::json state() const;
  static LogHistogram from_state(const nlohmann::json& j);

 private:
  static int bin_of(double x);
  static double edge(int b);  // lower edge of bin b
  void widen(int first, int last);  // makes bins first..last addressable
  int window_end() const { return lo_ + static_cast<int>(counts_.size()); }
  std::uint64_t n_ = 0, zeros_ = 0;
  // counts_[i] counts bin lo_ + i: only the bins from the lowest to the highest value
  // seen are held (a block of 100 trials holds a few dozen, not all kBins), so a
  // finished block costs no 26 KB clearing per sample (issue 14).
  int lo_ = 0;
  std::vector<std::uint64_t> counts_;
};

class Sample {
 public:
  static constexpr std::size_t kExactLimit = 10000;
  void add(double x);
  void merge(const Sample& o);
  bool exact() const { return exact_ok_; }
  std::uint64_t count() const { return stats_.count(); }
  double mean() const { return stats_.mean(); }
  const RunningStats& stats() const { return stats_; }
  const LogHistogram& histogram() const { return hist_; }
  // The p-quantile: the order statistic of rank ceil(p n) when exact, else the histogram's.
  double quantile(double p) const;
  // Distribution-free CI for the p-quantile.
  Interval quantile_ci(double p, double confidence = 0.95) const;

  // {"n", "mean", "sd", "ci95", "min", "max", "p50", "p90", "p99", "p999",
  //  "quantile_ci95": {"p50": [lo, hi], ...}, "quantiles": "exact" | "histogram"};
  //  values multiplied by `scale` (e.g. 60 for hours -> minutes).
  nlohmann::json summary(double scale = 1) const;
  // The survival curve P(X >= x) for plots: {"n", "p_positive": {"value", "ci95"},
  // "x": [...], "p": [...], "ci95_lo": [...], "ci95_hi": [...]}, x ascending (times
  // `scale`), at most about 150 points chosen so that both the bulk and the tail (each
  // tenth of a decade of P) are drawn. Exact values while the sample is exact, else the
  // histogram's bin edges (where its counts are exact). The band is pointwise:
  // Clopper–Pearson 95 % on the count at each x. A function of the state: checkpointed
  // and merged runs give the same curve.
  nlohmann::json survival(double scale = 1) const;

  nlohmann::json state() const;
  static Sample from_state(const nlohmann::json& j);

 private:
  // The value of rank k (1-based) among the exact values.
  double exact_rank(std::uint64_t k) const;
  RunningStats stats_;
  LogHistogram hist_;
  mutable std::vector<double> values_;  // while exact_ok_; sorted lazily
  mutable bool sorted_ = true;
  bool exact_ok_ = true;
};

// Ranks (1-based) bounding the p-quantile of n values at `confidence`:
// lo = largest r with P(Bin(n,p) < r) <= alpha/2, hi = smallest r with P(Bin(n,p) < r) >= 1 - alpha/2.
void order_statistic_ranks(std::uint64_t n, double p, double confidence, std::uint64_t& lo, std::uint64_t& hi);

// Proportion intervals for k successes in n trials.
Interval wilson(std::uint64_t k, std::uint64_t n, double confidence = 0.95);
Interval clopper_pearson(std::uint64_t k, std::uint64_t n, double confidence = 0.95);

// -log10(1 - availability): 0.999 -> 3 "nines". inf for availability 1.
double nines(double availability);

// The two-sided standard normal quantile for `confidence` (1.959964 for 0.95).
double z_value(double confidence);

}  // namespace drsim
