// Statistics: streaming moments merge exactly like one pass, quantiles stay within
// their documented error, intervals mean what they say, proportions at zero give a
// positive upper bound, and checkpoint state round-trips exactly.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <vector>

#include "analysis/statistics.h"
#include "models/random.h"

using namespace drsim;

TEST_CASE("merging running statistics in blocks equals one pass", "[statistics]") {
  RandomStream rng(7, 0, 0);
  std::vector<double> xs;
  for (int i = 0; i < 10000; ++i) xs.push_back(rng.exponential(0.1));
  RunningStats one;
  for (double x : xs) one.add(x);
  RunningStats merged;
  for (std::size_t b = 0; b < xs.size(); b += 137) {
    RunningStats part;
    for (std::size_t i = b; i < std::min(xs.size(), b + 137); ++i) part.add(xs[i]);
    merged.merge(part);
  }
  CHECK(merged.count() == one.count());
  CHECK(merged.mean() == Approx(one.mean()).epsilon(1e-12));
  CHECK(merged.variance() == Approx(one.variance()).epsilon(1e-10));
  CHECK(merged.min() == one.min());
  CHECK(merged.max() == one.max());
  // Direct two-pass variance as the reference.
  double m = 0, v = 0;
  for (double x : xs) m += x;
  m /= static_cast<double>(xs.size());
  for (double x : xs) v += (x - m) * (x - m);
  v /= static_cast<double>(xs.size() - 1);
  CHECK(one.mean() == Approx(m).epsilon(1e-12));
  CHECK(one.variance() == Approx(v).epsilon(1e-10));
}

TEST_CASE("exact quantiles for small samples, histogram within 1 % for large", "[statistics]") {
  RandomStream rng(11, 0, 0);
  std::vector<double> xs;
  Sample small, large;
  for (int i = 0; i < 200000; ++i) {
    double x = std::exp(2 + 1.5 * rng.normal());
    xs.push_back(x);
    if (i < 5000) small.add(x);
    large.add(x);
  }
  CHECK(small.exact());
  CHECK_FALSE(large.exact());
  std::vector<double> first(xs.begin(), xs.begin() + 5000);
  std::sort(first.begin(), first.end());
  std::sort(xs.begin(), xs.end());
  for (double p : {0.5, 0.9, 0.99, 0.999}) {
    auto k = static_cast<std::size_t>(std::ceil(p * 5000));
    CHECK(small.quantile(p) == first[k - 1]);
    double exact = xs[static_cast<std::size_t>(std::ceil(p * 200000)) - 1];
    CHECK(std::fabs(large.quantile(p) / exact - 1) < 0.01);
  }
}

TEST_CASE("the quantile interval covers the true quantile about 95 % of the time", "[statistics]") {
  // Exponential(1): true median ln 2. 400 samples of 300 values.
  int covered = 0;
  const int reps = 400;
  for (int r = 0; r < reps; ++r) {
    RandomStream rng(3, static_cast<std::uint64_t>(r), 0);
    Sample s;
    for (int i = 0; i < 300; ++i) s.add(rng.exponential(1));
    Interval ci = s.quantile_ci(0.5);
    if (ci.lo <= std::log(2.0) && std::log(2.0) <= ci.hi) ++covered;
  }
  double share = static_cast<double>(covered) / reps;
  CHECK(share > 0.92);
  CHECK(share < 0.99);
}

TEST_CASE("proportions: intervals at zero and at all give a bound, not 0 ± 0", "[statistics]") {
  Interval w = wilson(0, 1000), c = clopper_pearson(0, 1000);
  CHECK(w.lo == 0);
  CHECK(c.lo == 0);
  CHECK(w.hi > 0);
  CHECK(c.hi == Approx(1 - std::pow(0.025, 1.0 / 1000)).epsilon(1e-9));  // the exact one-sided bound
  Interval all = clopper_pearson(1000, 1000);
  CHECK(all.hi == 1);
  CHECK(all.lo < 1);
  // A textbook value: 5 of 20 -> Clopper-Pearson [0.0866, 0.4910].
  Interval t = clopper_pearson(5, 20);
  CHECK(t.lo == Approx(0.0866).margin(1e-4));
  CHECK(t.hi == Approx(0.4910).margin(1e-4));
}

TEST_CASE("sample state round-trips exactly through JSON", "[statistics]") {
  RandomStream rng(5, 0, 0);
  Sample a, b;
  for (int i = 0; i < 20000; ++i) {
    double x = i % 3 == 0 ? 0 : rng.exponential(0.3);
    (i < 8000 ? a : b).add(x);
  }
  Sample a2 = Sample::from_state(nlohmann::json::parse(a.state().dump()));
  CHECK(a2.summary(60) == a.summary(60));
  a.merge(b);
  a2.merge(b);
  CHECK(a2.summary(60) == a.summary(60));
  CHECK(a.histogram().zeros() == a.histogram().count() - (a.count() - a.histogram().zeros()));
}

TEST_CASE("nines", "[statistics]") {
  CHECK(nines(0.999) == Approx(3));
  CHECK(nines(0.99995) == Approx(4.30103).epsilon(1e-5));
  CHECK(std::isinf(nines(1)));
}

// The histogram holds only the bins between the lowest and highest value seen, widened
// as values or merged parts arrive on either side. Its answers must not depend on that:
// checked against counts made here by hand over all bins, for parts merged in either
// order, values at both ends of the range (1e-6 and above 1e7), and through its state.
TEST_CASE("the histogram's window of bins answers as a full histogram would", "[statistics]") {
  auto bin = [](double x) {
    const double b = std::floor((std::log10(x) - LogHistogram::kMinExp) * LogHistogram::kPerDecade);
    return static_cast<int>(std::clamp(b, 0.0, LogHistogram::kBins - 1.0));
  };
  RandomStream rng(3, 0, 0);
  std::vector<double> xs;
  for (int i = 0; i < 3000; ++i) xs.push_back(std::exp(4 * rng.normal()));
  xs.insert(xs.end(), {1e-6, 2e-6, 5e7, 0.0, 1e9});
  std::vector<std::uint64_t> full(LogHistogram::kBins, 0);
  std::uint64_t zeros = 0;
  for (double x : xs) {
    if (x < 1e-6) ++zeros;
    else ++full[static_cast<std::size_t>(bin(x))];
  }
  LogHistogram low, high, one;
  for (double x : xs) {
    one.add(x);
    (x < 1 ? low : high).add(x);
  }
  LogHistogram hl = high, lh = low;
  hl.merge(low);  // widens downwards
  lh.merge(high);  // widens upwards
  const LogHistogram back = LogHistogram::from_state(nlohmann::json::parse(one.state().dump()));
  for (const LogHistogram* h : std::array<const LogHistogram*, 4>{&one, &hl, &lh, &back}) {
    CHECK(h->count() == xs.size());
    CHECK(h->zeros() == zeros);
    CHECK(h->state() == one.state());
    // tail_counts: every non-empty bin with the values in it and above, as counted here.
    auto tail = h->tail_counts();
    std::size_t k = 0;
    std::uint64_t above = xs.size() - zeros;
    for (int b = 0; b < LogHistogram::kBins; ++b) {
      if (!full[static_cast<std::size_t>(b)]) continue;
      REQUIRE(k < tail.size());
      CHECK(tail[k].first == Approx(std::pow(10.0, LogHistogram::kMinExp + static_cast<double>(b) / LogHistogram::kPerDecade)));
      CHECK(tail[k].second == above);
      above -= full[static_cast<std::size_t>(b)];
      ++k;
    }
    CHECK(k == tail.size());
    // exceedance at a bin edge: exactly the values in bins at and above it.
    for (double x : {1e-5, 0.5, 3.0, 1e5}) {
      std::uint64_t n = 0;
      for (int b = bin(x); b < LogHistogram::kBins; ++b) n += full[static_cast<std::size_t>(b)];
      CHECK(h->exceedance(x) == Approx(static_cast<double>(n) / static_cast<double>(xs.size())));
    }
    CHECK(h->rank_bounds(zeros).hi == 0);  // the highest of the values counted as zero
    CHECK(h->rank_bounds(zeros + 1).lo == Approx(1e-6));  // then 1e-6, in the lowest bin
    CHECK(h->quantile(1.0) == Approx(std::pow(10.0, LogHistogram::kMaxExp)));
  }
}
