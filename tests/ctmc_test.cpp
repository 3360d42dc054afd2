// Tests for analysis/ctmc: the design.md section 6 validation cases V1-V7 built as
// chains by hand and checked against analysis/closed_forms.h to 1e-9 relative, plus
// stiff chains (rates 1e-5..10) against exact product forms, large q*t, and the error
// messages.
#include "analysis/ctmc.h"

#include <cmath>
#include <limits>
#include <stdexcept>
#include <vector>

#include <catch2/catch.hpp>

#include "analysis/closed_forms.h"

namespace {

using drsim::Ctmc;
namespace cf = drsim::closed_forms;

constexpr double kLambda = 1e-3;  // design.md section 6
constexpr double kMu = 0.1;

// Relative error; absolute when the expected value is 0.
double rel_err(double got, double want) {
  return want == 0 ? std::abs(got) : std::abs(got - want) / std::abs(want);
}

// True if `value` rounds to `printed`, a number given to `digits` significant digits in
// design.md.
bool matches_printed(double value, double printed, int digits = 6) {
  const double last_digit = std::pow(10.0, std::floor(std::log10(std::abs(printed))) - digits + 1);
  return std::abs(value - printed) <= 0.5 * last_digit * (1 + 1e-9);
}

Eigen::VectorXd start_in(std::size_t n, std::size_t state) {
  Eigen::VectorXd p = Eigen::VectorXd::Zero(static_cast<Eigen::Index>(n));
  p[static_cast<Eigen::Index>(state)] = 1;
  return p;
}

// States: 0 = up, 1 = down.
Ctmc one_unit(double lambda, double mu) {
  Ctmc c(2);
  c.add_rate(0, 1, lambda);
  c.add_rate(1, 0, mu);
  return c;
}

// States: number of units up, as index 0 = 2 up, 1 = 1 up, 2 = 0 up.
Ctmc parallel_pair(double lambda, double mu, int crews) {
  Ctmc c(3);
  c.add_rate(0, 1, 2 * lambda);
  c.add_rate(1, 2, lambda);
  c.add_rate(1, 0, mu);
  c.add_rate(2, 1, crews * mu);
  return c;
}

// V5 states: 0 = 2 up, 1 = 1 up, 2 = D (down, waiting for manual switch-over), 3 = 0 up.
Ctmc imperfect_failover(double lambda, double mu, double c, double delta) {
  Ctmc m(4);
  m.add_rate(0, 1, 2 * lambda * c);
  m.add_rate(0, 2, 2 * lambda * (1 - c));
  m.add_rate(2, 1, delta);
  m.add_rate(2, 3, lambda);
  m.add_rate(1, 0, mu);
  m.add_rate(1, 3, lambda);
  m.add_rate(3, 1, mu);
  return m;
}

}  // namespace

TEST_CASE("V1 one repairable unit: steady-state unavailability", "[ctmc][validation]") {
  const Eigen::VectorXd pi = one_unit(kLambda, kMu).steady_state();
  CHECK(rel_err(pi[1], cf::v1_unavailability(kLambda, kMu)) < 1e-9);
  CHECK(rel_err(pi[0] + pi[1], 1.0) < 1e-15);
  CHECK(matches_printed(cf::v1_unavailability(kLambda, kMu), 9.90099e-3));
}

TEST_CASE("One unit: transient availability A(t) and reliability e^-lambda t", "[ctmc]") {
  const Ctmc unit = one_unit(kLambda, kMu);
  for (double t : {0.0, 0.5, 1.0, 10.0, 100.0, 1000.0, 8760.0}) {
    INFO("t = " << t);
    const Eigen::VectorXd p = unit.transient(start_in(2, 0), t);
    CHECK(rel_err(p[0], cf::one_unit_availability(kLambda, kMu, t)) < 1e-9);
    CHECK(rel_err(p[1], 1 - cf::one_unit_availability(kLambda, kMu, t)) < 1e-9);
    const double r = unit.reliability(start_in(2, 0), {false, true}, t);
    CHECK(rel_err(r, cf::one_unit_reliability(kLambda, t)) < 1e-9);
  }
  // From down: the unit's down probability relaxes from 1 to the V1 value.
  const Eigen::VectorXd from_down = unit.transient(start_in(2, 1), 8760);
  CHECK(rel_err(from_down[1], cf::v1_unavailability(kLambda, kMu)) < 1e-9);
}

TEST_CASE("One unit: interval average of availability", "[ctmc]") {
  // (1/t) integral_0^t A(s) ds = mu/(l+m) + l/(l+m)^2 (1 - e^{-(l+m)t}) / t.
  const Ctmc unit = one_unit(kLambda, kMu);
  for (double t : {1.0, 24.0, 730.0, 8760.0}) {
    INFO("t = " << t);
    const double s = kLambda + kMu;
    const double want = kMu / s - kLambda / (s * s) * std::expm1(-s * t) / t;
    const Eigen::VectorXd avg = unit.interval_average(start_in(2, 0), t);
    CHECK(rel_err(avg[0], want) < 1e-9);
    CHECK(rel_err(avg[1], 1 - want) < 1e-9);
  }
  CHECK(unit.interval_average(start_in(2, 0), 0)[0] == 1.0);
}

TEST_CASE("V2 two units in parallel, one crew: unavailability and MTTFF", "[ctmc][validation]") {
  const Ctmc pair = parallel_pair(kLambda, kMu, 1);
  CHECK(rel_err(pair.steady_state()[2], cf::v2_unavailability(kLambda, kMu)) < 1e-9);
  CHECK(matches_printed(cf::v2_unavailability(kLambda, kMu), 1.96040e-4));
  const double mttff = pair.mean_time_to_absorption(start_in(3, 0), {false, false, true});
  CHECK(rel_err(mttff, cf::v2_mttff(kLambda, kMu)) < 1e-9);
  CHECK(rel_err(mttff, 51500.0) < 1e-9);
}

TEST_CASE("V3 two units in parallel, two crews", "[ctmc][validation]") {
  const Eigen::VectorXd pi = parallel_pair(kLambda, kMu, 2).steady_state();
  CHECK(rel_err(pi[2], cf::v3_unavailability(kLambda, kMu)) < 1e-9);
  CHECK(matches_printed(cf::v3_unavailability(kLambda, kMu), 9.80296e-5));
}

TEST_CASE("V4 cold standby, perfect switch, one crew", "[ctmc][validation]") {
  // 0 = one running + one cold spare, 1 = one running (other in repair), 2 = none.
  Ctmc c(3);
  c.add_rate(0, 1, kLambda);  // the spare does not fail while cold
  c.add_rate(1, 2, kLambda);
  c.add_rate(1, 0, kMu);
  c.add_rate(2, 1, kMu);
  CHECK(rel_err(c.steady_state()[2], cf::v4_unavailability(kLambda, kMu)) < 1e-9);
  CHECK(matches_printed(cf::v4_unavailability(kLambda, kMu), 9.90001e-5));
}

TEST_CASE("V5 imperfect failover coverage", "[ctmc][validation]") {
  const double c = 0.95, delta = 2;
  const Eigen::VectorXd pi = imperfect_failover(kLambda, kMu, c, delta).steady_state();
  const double unavailability = pi[2] + pi[3];
  // The printed values of design.md, to their 6 digits.
  CHECK(matches_printed(unavailability, 2.45503e-4));
  CHECK(matches_printed(pi[2], 4.89831e-5));
  // The independent closed form (balance of states 2, D, 0).
  CHECK(rel_err(unavailability, cf::v5_unavailability(kLambda, kMu, c, delta)) < 1e-9);
  CHECK(rel_err(pi[2], cf::v5_waiting(kLambda, kMu, c, delta)) < 1e-9);
  const cf::V5Probabilities p = cf::v5_probabilities(kLambda, kMu, c, delta);
  CHECK(rel_err(pi[0], p.two_up) < 1e-9);
  CHECK(rel_err(pi[1], p.one_up) < 1e-9);
}

TEST_CASE("V6 proof-tested standby: mean unavailability over the test interval",
          "[ctmc][validation]") {
  const double lambda = 1e-5, tau = 730;
  Ctmc c(2);  // 0 = up, 1 = failed latent (found only at the proof test)
  c.add_rate(0, 1, lambda);
  const Eigen::VectorXd avg = c.interval_average(start_in(2, 0), tau);
  const double want = 1 - (1 - std::exp(-lambda * tau)) / (lambda * tau);
  CHECK(rel_err(avg[1], want) < 1e-9);
  CHECK(rel_err(avg[1], cf::v6_exact(lambda, tau)) < 1e-9);
  CHECK(matches_printed(cf::v6_exact(lambda, tau), 3.64113e-3));
  CHECK(cf::v6_approx(lambda, tau) == Approx(3.65e-3).epsilon(1e-12));
}

TEST_CASE("V7 two proof-tested units with a common cause (beta factor)",
          "[ctmc][validation]") {
  const double lambda = 1e-5, tau = 730, beta = 0.1;
  const double a = (1 - beta) * lambda, b = beta * lambda;
  // States (unit 1, unit 2): 0 = both up, 1 = 1 failed, 2 = 2 failed, 3 = both failed.
  Ctmc c(4);
  c.add_rate(0, 1, a);
  c.add_rate(0, 2, a);
  c.add_rate(0, 3, b);  // common cause
  c.add_rate(1, 3, a);
  c.add_rate(1, 3, b);  // accumulates: own failure plus common cause
  c.add_rate(2, 3, a);
  c.add_rate(2, 3, b);
  const double both_failed = c.interval_average(start_in(4, 0), tau)[3];
  // The exact form as design.md's brief writes it, then the library's stable form.
  const double literal =
      1 - (2 * (1 - std::exp(-(a + b) * tau)) / (a + b) -
           (1 - std::exp(-(2 * a + b) * tau)) / (2 * a + b)) / tau;
  CHECK(rel_err(both_failed, literal) < 1e-9);
  CHECK(rel_err(both_failed, cf::v7_exact(lambda, beta, tau)) < 1e-9);
  CHECK(rel_err(both_failed, cf::v7_approx(lambda, beta, tau)) < 1e-3);
  CHECK(matches_printed(cf::v7_approx(lambda, beta, tau), 3.79388e-4));
}

TEST_CASE("Steady state of a stiff chain is accurate on tiny probabilities", "[ctmc]") {
  // k-of-n birth-death: 6 units failing at 1e-5/h, one crew repairing at 10/h. The
  // product form pi_i / pi_0 = prod_{j<i} (n-j) lambda / mu reaches ~1e-27.
  const int units = 6;
  const double lambda = 1e-5, mu = 10;
  Ctmc c(units + 1);
  for (int i = 0; i < units; ++i) {
    c.add_rate(static_cast<std::size_t>(i), static_cast<std::size_t>(i + 1), (units - i) * lambda);
    c.add_rate(static_cast<std::size_t>(i + 1), static_cast<std::size_t>(i), mu);
  }
  std::vector<long double> exact(units + 1, 1.0L);
  long double sum = 1;
  for (int i = 1; i <= units; ++i) {
    exact[static_cast<std::size_t>(i)] =
        exact[static_cast<std::size_t>(i - 1)] * (units - i + 1) * lambda / mu;
    sum += exact[static_cast<std::size_t>(i)];
  }
  const Eigen::VectorXd pi = c.steady_state();
  for (int i = 0; i <= units; ++i) {
    INFO("state " << i);
    const double want = static_cast<double>(exact[static_cast<std::size_t>(i)] / sum);
    CHECK(rel_err(pi[i], want) < 1e-12);
  }
}

TEST_CASE("Steady state of stiff V5 matches the closed form on every state", "[ctmc]") {
  // Rates from 1e-5 to 10; pi_0 ~ 1e-11.
  const double lambda = 1e-5, mu = 10, c = 0.99, delta = 0.5;
  const Eigen::VectorXd pi = imperfect_failover(lambda, mu, c, delta).steady_state();
  const cf::V5Probabilities p = cf::v5_probabilities(lambda, mu, c, delta);
  CHECK(rel_err(pi[0], p.two_up) < 1e-12);
  CHECK(rel_err(pi[1], p.one_up) < 1e-12);
  CHECK(rel_err(pi[2], p.waiting) < 1e-12);
  CHECK(rel_err(pi[3], p.zero_up) < 1e-12);
}

TEST_CASE("Large q*t: interval average of a pure-death chain over 1e6 jumps", "[ctmc]") {
  // Reducible, so all ~1e6 Poisson terms are summed; the weights must stay stable.
  const double rate = 10, t = 1e5;
  Ctmc c(2);
  c.add_rate(0, 1, rate);
  const Eigen::VectorXd avg = c.interval_average(start_in(2, 0), t);
  CHECK(rel_err(avg[0], (1 - std::exp(-rate * t)) / (rate * t)) < 1e-9);
}

TEST_CASE("Large q*t: one unit with fast repair stops at the steady state", "[ctmc]") {
  const double lambda = 1e-3, mu = 10, t = 1e5;  // q*t ~ 1e6
  const Ctmc unit = one_unit(lambda, mu);
  const Eigen::VectorXd p = unit.transient(start_in(2, 0), t);
  CHECK(rel_err(p[1], cf::v1_unavailability(lambda, mu)) < 1e-9);
  const double s = lambda + mu;
  const double avg_down = lambda / s + lambda / (s * s) * std::expm1(-s * t) / t;
  CHECK(rel_err(unit.interval_average(start_in(2, 0), t)[1], avg_down) < 1e-9);
}

TEST_CASE("Large q*t: reliability with a fast inner loop", "[ctmc]") {
  // 0 <-> 1 at 10/h each way, 1 -> 2 (absorbing) at 1e-3/h; R(t) = [1 0] e^{M t} [1 1]^T
  // with M the 2x2 generator block, by Putzer's formula.
  const double f = 10, d = 1e-3, t = 1e4;
  Ctmc c(3);
  c.add_rate(0, 1, f);
  c.add_rate(1, 0, f);
  c.add_rate(1, 2, d);
  const double m00 = -f, m01 = f, m10 = f, m11 = -(f + d);
  const double half_trace = (m00 + m11) / 2, det = m00 * m11 - m01 * m10;
  const double r2 = half_trace - std::sqrt(half_trace * half_trace - det);
  const double r1 = det / r2;  // the slow eigenvalue, without cancellation
  const double e1 = std::exp(r1 * t), e2 = std::exp(r2 * t), k = (e1 - e2) / (r1 - r2);
  // e^{Mt} = e1 I + k (M - r1 I); first row times [1 1]^T.
  const double want = e1 + k * ((m00 - r1) + m01);
  const double r = c.reliability(start_in(3, 0), {false, false, true}, t);
  CHECK(rel_err(r, want) < 1e-9);
}

TEST_CASE("Transient converges to the steady state on a 2-D repair chain", "[ctmc]") {
  // Two pools of 19 units, one crew each; state (i, j) = failed units per pool.
  const int side = 20;
  const auto id = [](int i, int j) { return static_cast<std::size_t>(i * side + j); };
  Ctmc c(side * side);
  for (int i = 0; i < side; ++i) {
    for (int j = 0; j < side; ++j) {
      if (i + 1 < side) c.add_rate(id(i, j), id(i + 1, j), (side - 1 - i) * 2e-3);
      if (j + 1 < side) c.add_rate(id(i, j), id(i, j + 1), (side - 1 - j) * 1e-3);
      if (i > 0) c.add_rate(id(i, j), id(i - 1, j), 0.5);
      if (j > 0) c.add_rate(id(i, j), id(i, j - 1), 0.25);
    }
  }
  const Eigen::VectorXd pi = c.steady_state();
  CHECK(std::abs(pi.sum() - 1) < 1e-14);
  const Eigen::VectorXd p = c.transient(start_in(c.size(), 0), 8760);
  CHECK((p - pi).lpNorm<1>() < 1e-11);
  CHECK(std::abs(p.sum() - 1) < 1e-13);
}

TEST_CASE("Mean time to absorption: zero and infinite cases", "[ctmc]") {
  const Ctmc pair = parallel_pair(kLambda, kMu, 1);
  CHECK(pair.mean_time_to_absorption(start_in(3, 2), {false, false, true}) == 0);
  CHECK(pair.mean_time_to_absorption(start_in(3, 0), {false, false, false}) ==
        std::numeric_limits<double>::infinity());
  // Half the mass starts absorbed: the mean halves.
  Eigen::VectorXd half(3);
  half << 0.5, 0, 0.5;
  CHECK(rel_err(pair.mean_time_to_absorption(half, {false, false, true}),
                cf::v2_mttff(kLambda, kMu) / 2) < 1e-9);
}

TEST_CASE("Ctmc given whole as a rate matrix solves as the one built rate by rate", "[ctmc]") {
  // The parallel pair with one crew: closed forms cf::v1/v2 (analysis/closed_forms.h).
  std::vector<Eigen::Triplet<double, int>> t{{0, 1, 2 * kLambda}, {1, 2, kLambda}, {1, 0, kMu}, {2, 1, kMu}};
  Ctmc::RateMatrix r(3, 3);
  r.setFromTriplets(t.begin(), t.end());
  r.makeCompressed();
  const Ctmc whole(std::move(r));
  CHECK(r.nonZeros() == 0);  // taken over, not copied
  const Ctmc pair = parallel_pair(kLambda, kMu, 1);
  const Eigen::VectorXd a = whole.steady_state(), b = pair.steady_state();
  for (int i = 0; i < 3; ++i) CHECK(a[i] == b[i]);
  CHECK(whole.mean_time_to_absorption(start_in(3, 0), {false, false, true}) ==
        pair.mean_time_to_absorption(start_in(3, 0), {false, false, true}));
  CHECK(rel_err(whole.mean_time_to_absorption(start_in(3, 0), {false, false, true}), cf::v2_mttff(kLambda, kMu)) < 1e-9);
  CHECK(whole.reliability(start_in(3, 0), {false, false, true}, 100) == pair.reliability(start_in(3, 0), {false, false, true}, 100));
  // A second solve reuses the generator built by the first: the same numbers again.
  const Eigen::VectorXd again = pair.steady_state();
  for (int i = 0; i < 3; ++i) CHECK(again[i] == b[i]);

  auto matrix = [](int rows, int cols, const std::vector<Eigen::Triplet<double, int>>& entries) {
    Ctmc::RateMatrix m(rows, cols);
    m.setFromTriplets(entries.begin(), entries.end());
    m.makeCompressed();
    return m;
  };
  REQUIRE_THROWS_WITH(Ctmc(matrix(2, 3, {{0, 1, 1.0}})), "Ctmc: the rate matrix is 2 x 3, not square");
  REQUIRE_THROWS_WITH(Ctmc(matrix(2, 2, {{1, 1, 1.0}})), "Ctmc: self-transition 1 -> 1 (a CTMC has none)");
  REQUIRE_THROWS_WITH(Ctmc(matrix(2, 2, {{0, 1, -2.0}})), "Ctmc: rate -2 for 0 -> 1 must be finite and > 0");
  REQUIRE_THROWS_WITH(Ctmc(matrix(2, 2, {{0, 1, 0.0}})), "Ctmc: rate 0 for 0 -> 1 must be finite and > 0");
  Ctmc::RateMatrix loose(2, 2);
  loose.insert(0, 1) = 1.0;  // not compressed
  REQUIRE_THROWS_WITH(Ctmc(std::move(loose)), "Ctmc: the rate matrix is not compressed (call makeCompressed())");
}

TEST_CASE("Ctmc reports misuse with exact messages", "[ctmc]") {
  Ctmc c(3);
  REQUIRE_THROWS_WITH(c.add_rate(1, 1, 1.0),
                      "Ctmc::add_rate: self-transition 1 -> 1 (a CTMC has none)");
  REQUIRE_THROWS_WITH(c.add_rate(0, 3, 1.0),
                      "Ctmc::add_rate: transition 0 -> 3 is outside states 0..2");
  REQUIRE_THROWS_WITH(c.add_rate(0, 1, -1.0),
                      "Ctmc::add_rate: rate -1 for 0 -> 1 must be finite and >= 0");
  c.add_rate(0, 1, 1.0);
  c.add_rate(1, 0, 1.0);
  c.add_rate(1, 2, 1.0);
  REQUIRE_THROWS_AS(c.steady_state(), std::runtime_error);
  REQUIRE_THROWS_WITH(c.steady_state(),
                      "Ctmc::steady_state: the chain is not irreducible (state 0 cannot be "
                      "reached from state 2); a unique steady state needs every state to "
                      "reach every other");
  Eigen::VectorXd bad(3);
  bad << 0.5, 0.2, 0.2;
  REQUIRE_THROWS_WITH(c.transient(bad, 1), "Ctmc::transient: p0 sums to 0.9, not 1");
  REQUIRE_THROWS_WITH(c.transient(start_in(3, 0), -1),
                      "Ctmc::transient: t = -1 must be finite and >= 0");
  REQUIRE_THROWS_WITH(c.reliability(start_in(3, 0), {true}, 1),
                      "Ctmc::reliability: absorbing has 1 entries, the chain has 3 states");
}

namespace {

// Three independent pools of (side - 1) units, one crew each: state (i, j, k) = failed
// units per pool; pool p fails at (side - 1 - i) lambda[p], is repaired at mu[p]. Its
// stationary distribution is the product of the pools' birth-death forms, the truth.
struct Grid3 {
  int side;
  double lambda[3], mu[3];
  std::size_t id(int i, int j, int k) const { return static_cast<std::size_t>((i * side + j) * side + k); }
  Ctmc chain() const {
    Ctmc c(static_cast<std::size_t>(side) * side * side);
    for (int i = 0; i < side; ++i)
      for (int j = 0; j < side; ++j)
        for (int k = 0; k < side; ++k) {
          const int x[3] = {i, j, k};
          for (int p = 0; p < 3; ++p) {
            int up[3] = {i, j, k}, down[3] = {i, j, k};
            ++up[p];
            --down[p];
            if (x[p] + 1 < side) c.add_rate(id(i, j, k), id(up[0], up[1], up[2]), (side - 1 - x[p]) * lambda[p]);
            if (x[p] > 0) c.add_rate(id(i, j, k), id(down[0], down[1], down[2]), mu[p]);
          }
        }
    return c;
  }
  // Per pool, pi(i) of its own birth-death chain, in long double.
  std::vector<long double> pool(int p) const {
    std::vector<long double> w(static_cast<std::size_t>(side), 1.0L);
    long double sum = 1;
    for (int i = 1; i < side; ++i) {
      w[static_cast<std::size_t>(i)] = w[static_cast<std::size_t>(i - 1)] * (side - i) * lambda[p] / mu[p];
      sum += w[static_cast<std::size_t>(i)];
    }
    for (auto& x : w) x /= sum;
    return w;
  }
};

// Worst relative error of pi against the product form over states above 1e-280.
double worst_error(const Grid3& g, const Eigen::VectorXd& pi) {
  const auto a = g.pool(0), b = g.pool(1), c = g.pool(2);
  double worst = 0;
  for (int i = 0; i < g.side; ++i)
    for (int j = 0; j < g.side; ++j)
      for (int k = 0; k < g.side; ++k) {
        const double want = static_cast<double>(a[static_cast<std::size_t>(i)] * b[static_cast<std::size_t>(j)] * c[static_cast<std::size_t>(k)]);
        if (want > 1e-280) worst = std::max(worst, rel_err(pi[static_cast<Eigen::Index>(g.id(i, j, k))], want));
      }
  return worst;
}

}  // namespace

TEST_CASE("Iterative and direct linear solves agree with the product form on a stiff 3-D chain", "[ctmc]") {
  // 20^3 = 8,000 states, rates 1e-4..5, probabilities down to ~1e-150.
  const Grid3 g{20, {1e-4, 3e-4, 1e-3}, {0.5, 1, 5}};
  Ctmc c = g.chain();
  c.set_linear_solver(drsim::LinearSolver::direct);
  const Eigen::VectorXd direct = c.steady_state();
  c.set_linear_solver(drsim::LinearSolver::iterative);
  const Eigen::VectorXd iterative = c.steady_state();
  CHECK(worst_error(g, direct) < 1e-11);
  CHECK(worst_error(g, iterative) < 1e-11);
  // Mean time until pool 0 has 3 units down, both ways.
  std::vector<bool> absorbing(c.size(), false);
  for (int j = 0; j < g.side; ++j)
    for (int k = 0; k < g.side; ++k)
      for (int i = 3; i < g.side; ++i) absorbing[g.id(i, j, k)] = true;
  const double t_iter = c.mean_time_to_absorption(start_in(c.size(), 0), absorbing);
  // On two and three threads (the sparse products split by rows, where drsim is built
  // with OpenMP) the iterative results are the same bit for bit.
  for (int threads : {2, 3}) {
    c.set_threads(threads);
    const Eigen::VectorXd again = c.steady_state();
    CHECK((again.array() == iterative.array()).all());
    CHECK(c.mean_time_to_absorption(start_in(c.size(), 0), absorbing) == t_iter);
  }
  c.set_threads(1);
  c.set_linear_solver(drsim::LinearSolver::direct);
  const double t_direct = c.mean_time_to_absorption(start_in(c.size(), 0), absorbing);
  CHECK(rel_err(t_iter, t_direct) < 1e-11);
}

TEST_CASE("BiCGSTAB's refinements keep every probability of a 103,823-state 3-D grid to 1e-13 of the product form", "[ctmc]") {
  // bench/ctmc_bench.sh's three pools at side 47: 46 units a pool, lifetimes 460, 920 and
  // 2,300 h a unit, repairs 5, 10 and 20 h. Corrections solved only to the residual
  // check's own target agreed with the LU to 6.8e-13 here; with each aimed at a backward
  // error of 1e-16 they agree to ~4e-16.
  const Grid3 g{47, {0.1 / 46, 0.05 / 46, 0.02 / 46}, {0.2, 0.1, 0.05}};
  const Eigen::VectorXd pi = g.chain().steady_state();
  const double worst = worst_error(g, pi);
  INFO("worst relative error against the product form: " << worst);
  CHECK(worst < 1e-13);
}

TEST_CASE("The automatic rule: sparse LU up to kDirectMaxUnknowns unknowns, BiCGSTAB above, and both hold the product form", "[ctmc]") {
  CHECK(Ctmc::solver_for(Ctmc::kDirectMaxUnknowns) == drsim::LinearSolver::direct);
  CHECK(Ctmc::solver_for(Ctmc::kDirectMaxUnknowns + 1) == drsim::LinearSolver::iterative);
  // 60^3 = 216,000 states: above the rule's bound, so iterative; where the LU fills in.
  const Grid3 g{60, {2e-4, 1e-4, 5e-5}, {1, 0.5, 0.25}};
  REQUIRE(Ctmc::solver_for(static_cast<std::size_t>(g.side) * g.side * g.side - 1) == drsim::LinearSolver::iterative);
  const Eigen::VectorXd pi = g.chain().steady_state();
  // Each probability to ~1e-13 relative or better (ctmc.h promises ~1e-12): refinements
  // solved too loosely showed here first (6.8e-13 on a grid of 103,823 states).
  const double worst = worst_error(g, pi);
  INFO("worst relative error against the product form: " << worst);
  CHECK(worst < 1e-13);
}
