#include "analysis/statistics.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>

#include <boost/math/distributions/beta.hpp>
#include <boost/math/distributions/binomial.hpp>
#include <boost/math/distributions/normal.hpp>
#include <boost/math/distributions/students_t.hpp>

namespace drsim {

// ---------------------------------------------------------------- RunningStats

void RunningStats::add(double x) {
  if (n_ == 0) min_ = max_ = x;
  min_ = std::min(min_, x);
  max_ = std::max(max_, x);
  ++n_;
  double d = x - mean_;
  mean_ += d / static_cast<double>(n_);
  m2_ += d * (x - mean_);
}

void RunningStats::merge(const RunningStats& o) {
  if (o.n_ == 0) return;
  if (n_ == 0) {
    *this = o;
    return;
  }
  double na = static_cast<double>(n_), nb = static_cast<double>(o.n_), n = na + nb;
  double d = o.mean_ - mean_;
  mean_ += d * nb / n;
  m2_ += o.m2_ + d * d * na * nb / n;
  n_ += o.n_;
  min_ = std::min(min_, o.min_);
  max_ = std::max(max_, o.max_);
}

double RunningStats::variance() const { return n_ > 1 ? std::max(0.0, m2_ / static_cast<double>(n_ - 1)) : 0; }
double RunningStats::sd() const { return std::sqrt(variance()); }
double RunningStats::sem() const { return n_ ? sd() / std::sqrt(static_cast<double>(n_)) : 0; }

double RunningStats::half_width(double confidence) const {
  if (n_ < 2) return 0;
  boost::math::students_t t(static_cast<double>(n_ - 1));
  return boost::math::quantile(t, 0.5 + confidence / 2) * sem();
}

Interval RunningStats::mean_ci(double confidence) const {
  double h = half_width(confidence);
  return {mean() - h, mean() + h};
}

nlohmann::json RunningStats::state() const { return {n_, mean_, m2_, min_, max_}; }

namespace {
// State files are untrusted: every field is checked before use (std::invalid_argument).
void require(bool ok, const char* what) {
  if (!ok) throw std::invalid_argument(what);
}
double finite_at(const nlohmann::json& j, std::size_t i) {
  double x = j.at(i).get<double>();
  require(std::isfinite(x), "a statistic is not a finite number");
  return x;
}
}  // namespace

std::uint64_t state_count(const nlohmann::json& v, const char* what) {
  if (v.is_number_unsigned()) return v.get<std::uint64_t>();
  if (v.is_number_integer() && v.get<std::int64_t>() >= 0) return static_cast<std::uint64_t>(v.get<std::int64_t>());
  throw std::invalid_argument(std::string(what) + ": a whole number >= 0 expected, got " + v.dump());
}

RunningStats RunningStats::from_state(const nlohmann::json& j) {
  require(j.is_array() && j.size() == 5, "running statistics: 5 numbers expected");
  RunningStats s;
  s.n_ = state_count(j.at(0), "running statistics: count");
  s.mean_ = finite_at(j, 1);
  s.m2_ = finite_at(j, 2);
  s.min_ = finite_at(j, 3);
  s.max_ = finite_at(j, 4);
  require(s.m2_ >= 0, "running statistics: negative sum of squares");
  require(s.n_ == 0 || s.min_ <= s.max_, "running statistics: min above max");
  require(s.n_ > 0 || (s.mean_ == 0 && s.m2_ == 0), "running statistics: values without a count");
  return s;
}

// ---------------------------------------------------------------- LogHistogram

int LogHistogram::bin_of(double x) {
  double b = std::floor((std::log10(x) - kMinExp) * kPerDecade);
  if (b < 0) return 0;
  if (b >= kBins) return kBins - 1;
  return static_cast<int>(b);
}

double LogHistogram::edge(int b) { return std::pow(10.0, kMinExp + static_cast<double>(b) / kPerDecade); }

void LogHistogram::widen(int first, int last) {
  if (counts_.empty()) {
    lo_ = first;
    counts_.assign(static_cast<std::size_t>(last - first + 1), 0);
    return;
  }
  if (first < lo_) {
    counts_.insert(counts_.begin(), static_cast<std::size_t>(lo_ - first), 0);
    lo_ = first;
  }
  if (last >= window_end()) counts_.resize(static_cast<std::size_t>(last - lo_ + 1), 0);
}

void LogHistogram::add(double x) {
  ++n_;
  if (!(x >= std::pow(10.0, kMinExp))) {  // zero, tiny, negative or NaN
    ++zeros_;
    return;
  }
  const int b = bin_of(x);
  if (b < lo_ || b >= window_end()) widen(b, b);
  ++counts_[static_cast<std::size_t>(b - lo_)];
}

void LogHistogram::merge(const LogHistogram& o) {
  n_ += o.n_;
  zeros_ += o.zeros_;
  if (o.counts_.empty()) return;
  widen(o.lo_, o.window_end() - 1);
  const std::size_t off = static_cast<std::size_t>(o.lo_ - lo_);
  for (std::size_t i = 0; i < o.counts_.size(); ++i) counts_[off + i] += o.counts_[i];
}

Interval LogHistogram::rank_bounds(std::uint64_t k) const {
  if (k == 0 || n_ == 0) return {0, 0};
  if (k <= zeros_) return {0, 0};
  std::uint64_t c = zeros_;
  for (std::size_t i = 0; i < counts_.size(); ++i) {
    c += counts_[i];
    const int b = lo_ + static_cast<int>(i);
    if (c >= k) return {edge(b), edge(b + 1)};
  }
  return {edge(kBins), edge(kBins)};
}

double LogHistogram::quantile(double p) const {
  if (n_ == 0) return 0;
  double target = std::clamp(p, 0.0, 1.0) * static_cast<double>(n_);
  if (target <= static_cast<double>(zeros_)) return 0;
  double c = static_cast<double>(zeros_);
  for (std::size_t i = 0; i < counts_.size(); ++i) {
    double k = static_cast<double>(counts_[i]);
    if (k > 0 && c + k >= target) {
      double f = (target - c) / k;
      return edge(lo_ + static_cast<int>(i)) * std::pow(10.0, f / kPerDecade);
    }
    c += k;
  }
  return edge(kBins);
}

double LogHistogram::exceedance(double x) const {
  if (n_ == 0) return 0;
  if (x <= 0) return static_cast<double>(n_ - zeros_) / static_cast<double>(n_);
  if (counts_.empty()) return 0;
  std::uint64_t above = 0;
  for (int b = std::max(bin_of(x), lo_); b < window_end(); ++b) above += counts_[static_cast<std::size_t>(b - lo_)];
  return static_cast<double>(above) / static_cast<double>(n_);
}

std::vector<std::pair<double, std::uint64_t>> LogHistogram::tail_counts() const {
  std::vector<std::pair<double, std::uint64_t>> out;
  std::uint64_t above = n_ - zeros_;
  for (std::size_t i = 0; i < counts_.size() && above > 0; ++i) {
    if (!counts_[i]) continue;
    out.emplace_back(edge(lo_ + static_cast<int>(i)), above);
    above -= counts_[i];
  }
  return out;
}

nlohmann::json LogHistogram::state() const {
  nlohmann::json bins = nlohmann::json::array();
  for (std::size_t i = 0; i < counts_.size(); ++i)
    if (counts_[i]) bins.push_back({static_cast<std::size_t>(lo_) + i, counts_[i]});
  return {{"n", n_}, {"zeros", zeros_}, {"bins", bins}};
}

LogHistogram LogHistogram::from_state(const nlohmann::json& j) {
  require(j.is_object(), "histogram: an object expected");
  LogHistogram h;
  h.n_ = state_count(j.at("n"), "histogram: n");
  h.zeros_ = state_count(j.at("zeros"), "histogram: zeros");
  const auto& bins = j.at("bins");
  require(bins.is_array(), "histogram: bins must be an array");
  std::uint64_t total = h.zeros_;
  for (const auto& b : bins) {
    require(b.is_array() && b.size() == 2, "histogram: a bin is [index, count]");
    const std::uint64_t i = state_count(b.at(0), "histogram: bin index");
    if (i >= static_cast<std::uint64_t>(kBins)) throw std::out_of_range("histogram bin out of range");
    const auto c = state_count(b.at(1), "histogram: bin count");
    const int bin = static_cast<int>(i);
    if (bin < h.lo_ || bin >= h.window_end()) h.widen(bin, bin);
    auto& slot = h.counts_[static_cast<std::size_t>(bin - h.lo_)];
    require(c > 0 && slot == 0, "histogram: an empty or repeated bin");
    require(total + c >= total, "histogram: counts overflow");
    slot = c;
    total += c;
  }
  require(total == h.n_, "histogram: the bin counts do not add up to its count");
  return h;
}

// ---------------------------------------------------------------- Sample

void order_statistic_ranks(std::uint64_t n, double p, double confidence, std::uint64_t& lo, std::uint64_t& hi) {
  if (n == 0) {
    lo = hi = 0;
    return;
  }
  double alpha = 1 - confidence;
  boost::math::binomial_distribution<double> bin(static_cast<double>(n), std::clamp(p, 0.0, 1.0));
  // P(X <= r-1) = cdf(r-1): the probability that fewer than r values fall below the quantile.
  double l = boost::math::quantile(bin, alpha / 2);
  double h = boost::math::quantile(boost::math::complement(bin, alpha / 2));
  lo = static_cast<std::uint64_t>(std::clamp(std::floor(l), 1.0, static_cast<double>(n)));
  hi = static_cast<std::uint64_t>(std::clamp(std::ceil(h) + 1, 1.0, static_cast<double>(n)));
}

void Sample::add(double x) {
  stats_.add(x);
  hist_.add(x);
  if (!exact_ok_) return;
  if (values_.size() >= kExactLimit) {
    exact_ok_ = false;
    std::vector<double>().swap(values_);
    return;
  }
  values_.push_back(x);
  sorted_ = false;
}

void Sample::merge(const Sample& o) {
  stats_.merge(o.stats_);
  hist_.merge(o.hist_);
  if (!exact_ok_) return;
  if (!o.exact_ok_ || values_.size() + o.values_.size() > kExactLimit) {
    exact_ok_ = false;
    std::vector<double>().swap(values_);
    return;
  }
  values_.insert(values_.end(), o.values_.begin(), o.values_.end());
  sorted_ = false;
}

double Sample::exact_rank(std::uint64_t k) const {
  if (!sorted_) {
    std::sort(values_.begin(), values_.end());
    sorted_ = true;
  }
  if (values_.empty()) return 0;
  k = std::clamp<std::uint64_t>(k, 1, values_.size());
  return values_[k - 1];
}

double Sample::quantile(double p) const {
  if (count() == 0) return 0;
  if (exact_ok_) {
    auto k = static_cast<std::uint64_t>(std::ceil(std::clamp(p, 0.0, 1.0) * static_cast<double>(count())));
    return exact_rank(std::max<std::uint64_t>(k, 1));
  }
  return std::clamp(hist_.quantile(p), stats_.min(), stats_.max());
}

Interval Sample::quantile_ci(double p, double confidence) const {
  std::uint64_t lo = 0, hi = 0;
  order_statistic_ranks(count(), p, confidence, lo, hi);
  if (lo == 0) return {0, 0};
  if (exact_ok_) return {exact_rank(lo), exact_rank(hi)};
  Interval a = hist_.rank_bounds(lo), b = hist_.rank_bounds(hi);
  return {std::max(a.lo, std::min(stats_.min(), a.hi)), std::min(b.hi, stats_.max())};
}

nlohmann::json Sample::summary(double scale) const {
  Interval m = stats_.mean_ci();
  nlohmann::json j = {{"n", count()},
                      {"mean", mean() * scale},
                      {"sd", stats_.sd() * scale},
                      {"ci95", {m.lo * scale, m.hi * scale}},
                      {"min", stats_.min() * scale},
                      {"max", stats_.max() * scale}};
  nlohmann::json qci;
  for (auto [name, p] : {std::pair{"p50", 0.5}, {"p90", 0.9}, {"p99", 0.99}, {"p999", 0.999}}) {
    Interval ci = quantile_ci(p);
    j[name] = quantile(p) * scale;
    qci[name] = {ci.lo * scale, ci.hi * scale};
  }
  j["quantile_ci95"] = qci;
  j["quantiles"] = exact_ok_ ? "exact" : "histogram";
  return j;
}

nlohmann::json Sample::survival(double scale) const {
  const std::uint64_t n = count();
  // (x, number of values >= x), x ascending, zeros left out (a log axis cannot show them).
  std::vector<std::pair<double, std::uint64_t>> tail;
  std::uint64_t positive = 0;
  if (exact_ok_) {
    exact_rank(1);  // sorts
    for (std::size_t i = 0; i < values_.size(); ++i)
      if (values_[i] > 0 && (i == 0 || values_[i] != values_[i - 1])) tail.emplace_back(values_[i], values_.size() - i);
    positive = tail.empty() ? 0 : tail.front().second;
  } else {
    tail = hist_.tail_counts();
    positive = n - hist_.zeros();
  }
  // A point is kept where its count enters a new sixtieth of n (the bulk) or a new tenth
  // of a decade (the tail); the last point (the largest value) always.
  nlohmann::json xs = nlohmann::json::array(), ps = nlohmann::json::array(), los = nlohmann::json::array(),
                 his = nlohmann::json::array();
  long long last_lin = -1, last_log = -1;
  const double dn = static_cast<double>(n);
  for (std::size_t i = 0; i < tail.size(); ++i) {
    const auto [x, k] = tail[i];
    const auto lin = static_cast<long long>(std::floor(static_cast<double>(k) * 60 / dn));
    const auto lg = static_cast<long long>(std::floor(10 * std::log10(static_cast<double>(k))));
    if (lin == last_lin && lg == last_log && i + 1 != tail.size()) continue;
    last_lin = lin, last_log = lg;
    const Interval ci = clopper_pearson(k, n);
    xs.push_back(x * scale);
    ps.push_back(static_cast<double>(k) / dn);
    los.push_back(ci.lo);
    his.push_back(ci.hi);
  }
  const Interval pp = clopper_pearson(positive, n);
  return {{"n", n},
          {"p_positive", {{"value", n ? static_cast<double>(positive) / dn : 0.0}, {"ci95", {pp.lo, pp.hi}}}},
          {"of", exact_ok_ ? "exact values" : "histogram bin edges"},
          {"x", xs},
          {"p", ps},
          {"ci95_lo", los},
          {"ci95_hi", his}};
}

nlohmann::json Sample::state() const {
  nlohmann::json j = {{"stats", stats_.state()}, {"hist", hist_.state()}};
  if (exact_ok_) j["values"] = values_;
  return j;
}

Sample Sample::from_state(const nlohmann::json& j) {
  require(j.is_object(), "sample: an object expected");
  Sample s;
  s.stats_ = RunningStats::from_state(j.at("stats"));
  s.hist_ = LogHistogram::from_state(j.at("hist"));
  require(s.stats_.count() == s.hist_.count(), "sample: statistics and histogram counts differ");
  s.exact_ok_ = j.contains("values");
  if (s.exact_ok_) {
    const auto& v = j.at("values");
    require(v.is_array() && v.size() == s.stats_.count() && v.size() <= kExactLimit,
            "sample: the number of values differs from its count");
    s.values_ = v.get<std::vector<double>>();
    for (double x : s.values_) require(std::isfinite(x) && x >= s.stats_.min() && x <= s.stats_.max(), "sample: a value outside [min, max]");
    s.sorted_ = false;
  } else {
    require(s.stats_.count() > kExactLimit, "sample: values missing");
  }
  return s;
}

// ---------------------------------------------------------------- proportions

double z_value(double confidence) {
  return boost::math::quantile(boost::math::normal_distribution<double>(), 0.5 + confidence / 2);
}

Interval wilson(std::uint64_t k, std::uint64_t n, double confidence) {
  if (n == 0) return {0, 1};
  double z = z_value(confidence), nn = static_cast<double>(n), ph = static_cast<double>(k) / nn;
  double den = 1 + z * z / nn;
  double mid = (ph + z * z / (2 * nn)) / den;
  double half = z * std::sqrt(ph * (1 - ph) / nn + z * z / (4 * nn * nn)) / den;
  return {k == 0 ? 0.0 : std::max(0.0, mid - half), k == n ? 1.0 : std::min(1.0, mid + half)};
}

Interval clopper_pearson(std::uint64_t k, std::uint64_t n, double confidence) {
  if (n == 0) return {0, 1};
  double a = 1 - confidence, kk = static_cast<double>(k), nn = static_cast<double>(n);
  double lo = k == 0 ? 0 : boost::math::ibeta_inv(kk, nn - kk + 1, a / 2);
  double hi = k == n ? 1 : boost::math::ibeta_inv(kk + 1, nn - kk, 1 - a / 2);
  return {lo, hi};
}

double nines(double availability) {
  if (availability >= 1) return std::numeric_limits<double>::infinity();
  return -std::log10(1 - availability);
}

}  // namespace drsim
