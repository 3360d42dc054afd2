// Distributions: each written form parses to the intended parameters, sample means
// agree with mean() within a confidence interval, quantiles invert, and units convert.
#include <catch2/catch.hpp>

#include <cmath>

#include "analysis/statistics.h"
#include "models/distribution.h"
#include "models/units.h"

using namespace drsim;

namespace {

Distribution parse(const char* text, bool zero = false) {
  Diagnostics d("t.json");
  auto r = parse_distribution(nlohmann::json::parse(text), "/x", d, zero);
  INFO(d.format());
  REQUIRE(r);
  return *r;
}

std::string error_of(const char* text) {
  Diagnostics d("t.json");
  auto r = parse_distribution(nlohmann::json::parse(text), "/x", d, false);
  CHECK_FALSE(r);
  return d.format();
}

}  // namespace

TEST_CASE("durations and rates in human units", "[units]") {
  CHECK(*parse_duration("90s") == Approx(0.025));
  CHECK(*parse_duration("20m") == Approx(1.0 / 3));
  CHECK(*parse_duration("3h") == 3);
  CHECK(*parse_duration("14d") == 336);
  CHECK(*parse_duration("1y") == 8760);
  CHECK(*parse_duration("2 weeks") == 336);
  CHECK_FALSE(parse_duration("20"));
  CHECK_FALSE(parse_duration("-3h"));
  CHECK_FALSE(parse_duration("3 fortnights"));
  CHECK(*parse_rate("1/y") == Approx(1 / 8760.0));
  CHECK(*parse_rate("2 per week") == Approx(2 / 168.0));
  CHECK(*parse_rate("1e-3/h") == Approx(1e-3));
  CHECK_FALSE(parse_rate("1y"));
  CHECK(format_duration(0.5) == "30m");
  CHECK(format_duration(336) == "14d");
  CHECK(format_duration(8760 * 20) == "20y");
}

TEST_CASE("every written form of a distribution", "[distribution]") {
  CHECK(parse(R"("20m")").mean() == Approx(1.0 / 3));
  CHECK(parse(R"({"dist": "exponential", "mean": "1000h"})").p1() == Approx(1e-3));
  CHECK(parse(R"({"dist": "exponential", "rate": "1e-3/h"})").mean() == Approx(1000));
  Distribution w = parse(R"({"dist": "weibull", "shape": 2, "mean": "100h"})");
  CHECK(w.mean() == Approx(100));
  Distribution l = parse(R"({"dist": "lognormal", "median": "32m", "p90": "1.5h"})");
  CHECK(l.median() * 60 == Approx(32));
  CHECK(l.quantile(0.9) == Approx(1.5));
  Distribution ls = parse(R"({"dist": "lognormal", "mean": "10h", "sd": "5h"})");
  CHECK(ls.mean() == Approx(10));
  CHECK(parse(R"({"dist": "gamma", "shape": 2, "mean": "10h"})").p2() == Approx(5));
  Distribution u = parse(R"({"dist": "uniform", "min": "10m", "max": "30m"})");
  CHECK(u.median() * 60 == Approx(20));
  Distribution e = parse(R"({"dist": "empirical", "samples": ["12m", "25m", "40m"]})");
  CHECK(e.median() * 60 == Approx(25));
  CHECK(parse(R"("0s")", true).mean() == 0);
}

TEST_CASE("sample means agree with the distribution's mean", "[distribution]") {
  const char* forms[] = {R"({"dist": "exponential", "mean": "10h"})", R"({"dist": "weibull", "shape": 0.7, "scale": "10h"})",
                         R"({"dist": "weibull", "shape": 3, "scale": "10h"})", R"({"dist": "lognormal", "median": "1h", "sigma": 0.9})",
                         R"({"dist": "gamma", "shape": 0.5, "mean": "4h"})", R"({"dist": "gamma", "shape": 4, "mean": "4h"})",
                         R"({"dist": "uniform", "min": "1h", "max": "3h"})", R"({"dist": "empirical", "samples": ["1h", "2h", "6h"]})"};
  for (const char* f : forms) {
    Distribution d = parse(f);
    RandomStream rng(1, 2, 3);
    RunningStats s;
    std::uint64_t below_median = 0;
    for (int i = 0; i < 40000; ++i) {
      double x = d.sample(rng);
      s.add(x);
      if (x < d.median()) ++below_median;
    }
    INFO(f);
    Interval ci = s.mean_ci(0.999);
    CHECK(ci.lo <= d.mean());
    CHECK(d.mean() <= ci.hi);
    if (d.kind() != Distribution::Kind::empirical) CHECK(std::fabs(below_median / 40000.0 - 0.5) < 0.015);
  }
}

TEST_CASE("bad distributions are refused with a pointer and a hint", "[distribution]") {
  CHECK(error_of(R"({"dist": "exponental", "mean": "1h"})") ==
        "t.json:/x/dist: error: unknown distribution \"exponental\" (hint: did you mean \"exponential\"?)\n");
  CHECK(error_of(R"({"dist": "lognormal", "median": "1h", "p90": "30m"})").find("/x/p90") != std::string::npos);
  CHECK(error_of(R"({"dist": "uniform", "min": "3h", "max": "1h"})").find("below") != std::string::npos);
  CHECK(error_of(R"({"dist": "exponential", "mean": 10})").find("write the unit") != std::string::npos);
  CHECK(error_of(R"({"dist": "weibull", "shape": -1, "scale": "1h"})").find("/x/shape") != std::string::npos);
  CHECK(error_of(R"({"dist": "exponential", "mean": "1h", "mode": 2})").find("unknown key \"mode\"") != std::string::npos);
  CHECK(error_of(R"("0h")").find("must be positive") != std::string::npos);
}

TEST_CASE("random streams depend only on (seed, trial, stream)", "[random]") {
  RandomStream a(1, 5, fnv1a("x")), b(1, 5, fnv1a("x")), c(1, 6, fnv1a("x")), d(1, 5, fnv1a("y"));
  double a1 = a.uniform(), b1 = b.uniform();
  CHECK(a1 == b1);
  CHECK(a1 != c.uniform());
  CHECK(a1 != d.uniform());
  for (int i = 0; i < 1000; ++i) {
    double u = a.uniform();
    REQUIRE(u > 0);
    REQUIRE(u < 1);
  }
}
