// The Monte Carlo engine reproduces design.md §6 V1–V7: for each shipped validation
// scenario the estimate of mean unavailability agrees with the closed form (computed
// here from λ, μ, c, δ, τ, β — not read back from the file), and the interval is tight
// enough (95 % half-width below 10 % of the value) that a wrong model would fail.
//
// Seven 95 % intervals miss at least once in 30 % of seeds by chance alone, so the
// assertion widens each to 99.9 % (×3.29/1.96); docs/validation.md reports the 95 %
// intervals of larger runs, and coverage_test.cpp checks that 95 % means 95 %.
#include <catch2/catch.hpp>

#include <cmath>

#include <Eigen/Dense>

#include "models/scenario_parser.h"
#include "sim/runner.h"

namespace {

const double lam = 1e-3, mu = 0.1;

struct Estimate {
  double mean, lo, hi;
};

Estimate unavailability(const std::string& name, std::uint64_t trials) {
  drsim::Diagnostics d;
  auto sc = drsim::load_scenario(std::string(DRSIM_SOURCE_DIR) + "/scenarios/validation/" + name + ".json", d);
  INFO(d.format());
  REQUIRE(sc);
  drsim::RunOptions o;
  o.trials = trials;
  o.seed = 2026;
  o.jobs = 2;
  auto out = drsim::run_monte_carlo(*sc, o);
  auto j = out.aggregate.to_json(out.cause_names);
  const auto& a = j["availability"];
  return {1 - a["mean"].get<double>(), 1 - a["ci95"][1].get<double>(), 1 - a["ci95"][0].get<double>()};
}

// Mean unavailability over [0, T] from the all-up state is below the steady state by
// the transient; for these chains (relaxation time ~10 h against T = 87,600 h) the
// difference is < 1e-4 relative, far inside the CI.
void check(const std::string& name, const Estimate& e, double truth) {
  const double h95 = (e.hi - e.lo) / 2, h999 = h95 * 3.2905 / 1.9600;
  INFO(name << ": MC " << e.mean << " 95 % CI [" << e.lo << ", " << e.hi << "], closed form " << truth);
  CHECK(std::fabs(e.mean - truth) <= h999);
  CHECK(h95 < 0.10 * truth);
}

}  // namespace

TEST_CASE("MC V1: one repairable unit", "[validation][mc]") {
  check("V1", unavailability("V1", 4000), lam / (lam + mu));
}

TEST_CASE("MC V2: two units in parallel, one crew", "[validation][mc]") {
  check("V2", unavailability("V2", 20000), 2 * lam * lam / (mu * mu + 2 * lam * mu + 2 * lam * lam));
}

TEST_CASE("MC V3: two units in parallel, two crews", "[validation][mc]") {
  check("V3", unavailability("V3", 20000), std::pow(lam / (lam + mu), 2));
}

TEST_CASE("MC V4: cold standby, one crew", "[validation][mc]") {
  check("V4", unavailability("V4", 20000), lam * lam / (mu * mu + lam * mu + lam * lam));
}

TEST_CASE("MC V5: imperfect failover with manual switch-over", "[validation][mc]") {
  // Solve the 4-state chain {2, 1, D, 0} of design.md §6 for its stationary law.
  const double c = 0.95, delta = 2;
  Eigen::Matrix4d Q = Eigen::Matrix4d::Zero();
  auto rate = [&](int i, int j, double r) {
    Q(i, j) += r;
    Q(i, i) -= r;
  };
  rate(0, 1, 2 * lam * c);
  rate(0, 2, 2 * lam * (1 - c));
  rate(2, 1, delta);
  rate(2, 3, lam);
  rate(1, 0, mu);
  rate(1, 3, lam);
  rate(3, 1, mu);
  Eigen::Matrix4d A = Q.transpose();
  A.row(3).setOnes();
  Eigen::Vector4d b(0, 0, 0, 1);
  Eigen::Vector4d pi = A.fullPivLu().solve(b);
  REQUIRE(pi(2) + pi(3) == Approx(2.45503e-4).epsilon(1e-5));
  check("V5", unavailability("V5", 20000), pi(2) + pi(3));
}

TEST_CASE("MC V6: hidden failures found by proof tests", "[validation][mc]") {
  const double l = 1e-5, tau = 730;
  check("V6", unavailability("V6", 40000), 1 - (1 - std::exp(-l * tau)) / (l * tau));
}

TEST_CASE("MC V7: two proof-tested units with a beta-factor common cause", "[validation][mc]") {
  // Exact mean over a test interval for exponential hidden faults: the pair is down when
  // the common cause struck, or both independent faults did.
  const double l = 1e-5, tau = 730, beta = 0.1;
  const double li = (1 - beta) * l, lc = beta * l;
  // (1/τ) ∫0^τ [1 - e^{-lc t} (1 - (1 - e^{-li t})²)] dt, by Simpson's rule.
  auto down = [&](double t) { return 1 - std::exp(-lc * t) * (1 - std::pow(1 - std::exp(-li * t), 2)); };
  const int n = 2000;
  double s = down(0) + down(tau);
  for (int i = 1; i < n; ++i) s += (i % 2 ? 4 : 2) * down(tau * i / n);
  const double exact = s * (tau / n) / 3 / tau;
  CHECK(exact == Approx(((1 - beta) * l * tau) * ((1 - beta) * l * tau) / 3 + beta * l * tau / 2).epsilon(0.01));
  check("V7", unavailability("V7", 200000), exact);
}

TEST_CASE("MC V1 with non-exponential lifetime and repair of the same means: unavailability unchanged", "[validation][mc]") {
  // Weibull wear-out lifetimes (shape 2, mean 1000 h) and lognormal repairs (mean 10 h,
  // sd 15 h): the long-run unavailability of one unit is MTTR/(MTTF+MTTR) whatever the
  // distributions (renewal-reward theorem).
  const char* text = R"({"drsim": 1, "horizon": "10y",
    "components": [{"id": "unit", "kind": "generic", "failures": [{"id": "hw", "type": "random",
      "ttf": {"dist": "weibull", "shape": 2, "mean": "1000h"},
      "recovery": {"repair": {"dist": "lognormal", "mean": "10h", "sd": "15h"}}}]}],
    "service": {"requires": "unit"}})";
  drsim::Diagnostics d("v1-weibull");
  auto sc = drsim::parse_scenario(text, "v1-weibull", d);
  INFO(d.format());
  REQUIRE(sc);
  drsim::RunOptions o;
  o.trials = 4000;
  o.seed = 2026;
  o.jobs = 2;
  auto out = drsim::run_monte_carlo(*sc, o);
  auto j = out.aggregate.to_json(out.cause_names);
  const auto& a = j["availability"];
  check("V1 (Weibull/lognormal)", {1 - a["mean"].get<double>(), 1 - a["ci95"][1].get<double>(), 1 - a["ci95"][0].get<double>()},
        lam / (lam + mu));
}
