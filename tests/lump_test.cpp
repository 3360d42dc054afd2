// drsim analyze lumps its chain (issue 14): faults kept unordered where no crew pool can
// run short, identical members counted rather than told apart, independent parts solved
// one by one. Lumping must be exact: every result equals the unlumped chain's (the same
// model built with lump = false) to solver precision, and the lumped chains reproduce
// closed forms derived here — the binomial of independent units, the machine-repair
// queue, a birth-death first passage.
#include <catch2/catch.hpp>

#include <chrono>
#include <cmath>

#include <fmt/format.h>

#include "analysis/ctmc.h"
#include "analysis/markov.h"
#include "models/scenario_parser.h"
#include "scenario_gen.h"

using namespace drsim;

namespace {

Scenario shipped(const std::string& rel) {
  Diagnostics d;
  auto sc = load_scenario(std::string(DRSIM_SOURCE_DIR) + "/" + rel, d);
  INFO(d.format());
  REQUIRE(sc);
  return *sc;
}

Scenario parse(const std::string& json) {
  Diagnostics d("test.json");
  auto sc = parse_scenario(json, "test.json", d);
  INFO(d.format());
  REQUIRE(sc);
  REQUIRE_FALSE(d.has_errors());
  return *sc;
}

MarkovResult exact(const Scenario& sc, double at = -1, bool lump = true, std::size_t max_states = 200000) {
  Diagnostics why;
  auto r = analyze_markov(sc, why, max_states, at, lump);
  INFO(why.format());
  REQUIRE(r);
  return *r;
}

double binom(int n, int k) { return std::exp(std::lgamma(n + 1.0) - std::lgamma(k + 1.0) - std::lgamma(n - k + 1.0)); }

// P(at least k of n independent units up), each up with probability a.
double at_least(int n, int k, double a) {
  double s = 0;
  for (int j = k; j <= n; ++j) s += binom(n, j) * std::pow(a, j) * std::pow(1 - a, n - j);
  return s;
}
// P(fewer than k of n up): summed directly, not as 1 - at_least (it may be tiny).
double fewer_than(int n, int k, double a) {
  double s = 0;
  for (int j = 0; j < k; ++j) s += binom(n, j) * std::pow(a, j) * std::pow(1 - a, n - j);
  return s;
}

void close(double got, double want, double rel = 1e-9) {
  INFO("got " << got << ", want " << want);
  CHECK(std::fabs(got - want) <= rel * std::fabs(want));
}

// n identical units (lifetime Exp(mean mttf_h), repair Exp(mean mttr_h)) in a need-of-n
// active-active group; `crews` > 0: a shared pool of that many crews (repair_crews).
// `extra`: JSON appended to the top level (after the group), e.g. common causes.
std::string group_json(int n, int need, double mttf_h, double mttr_h, int crews, const std::string& service = "\"g\"",
                       const std::string& group_extra = "", const std::string& extra = "") {
  std::string comps, members;
  for (int i = 0; i < n; ++i) {
    comps += fmt::format(R"({}{{"id": "u{}", "kind": "generic", "failures": [{{"id": "hw", "type": "random",
      "ttf": {{"dist": "exponential", "mean": "{}h"}}, "recovery": {{"repair": {{"dist": "exponential", "mean": "{}h"}}}}}}]}})",
                         i ? "," : "", i, mttf_h, mttr_h);
    members += fmt::format(R"({}"u{}")", i ? "," : "", i);
  }
  std::string crew = crews > 0 ? fmt::format(R"(, "repair_crews": {})", crews) : "";
  return fmt::format(R"({{"drsim": 1, "horizon": "1000h", "components": [{}],
    "groups": [{{"id": "g", "mode": "active-active", "need": {}, "members": [{}]{}{}}}],
    "service": {{"requires": {}}}{}}})",
                     comps, need, members, crew, group_extra, service, extra);
}

// Every result of `a` equals that of `b` (the same design lumped and not).
void same_results(const MarkovResult& a, const MarkovResult& b) {
  close(a.unavailability, b.unavailability);
  if (b.mttff_hours > 0 && std::isfinite(b.mttff_hours)) close(a.mttff_hours, b.mttff_hours);
  else CHECK(a.mttff_hours == b.mttff_hours);
  REQUIRE(a.group_unavailability.size() == b.group_unavailability.size());
  for (std::size_t g = 0; g < a.group_unavailability.size(); ++g) {
    INFO("group " << b.group_unavailability[g].first);
    if (b.group_unavailability[g].second > 1e-280) close(a.group_unavailability[g].second, b.group_unavailability[g].second);
    else CHECK(a.group_unavailability[g].second <= 1e-280);
  }
  // A(t) and R(t) come from uniformisation, exact to 1e-12 absolute.
  CHECK(std::fabs(a.point_availability - b.point_availability) <= 1e-11);
  CHECK(std::fabs(a.reliability - b.reliability) <= 1e-11);
  close(a.test_start_fault_probability + 1, b.test_start_fault_probability + 1, 1e-12);
}

}  // namespace

TEST_CASE("lump: a 12-of-24 group is 25 states and holds the binomial and the birth-death MTTF", "[analyze][lump]") {
  // scenarios/validation/K01: lifetime Exp(mean 50 h), repair Exp(mean 10 h), a crew each.
  const double lam = 1.0 / 50, mu = 1.0 / 10, a = mu / (lam + mu);
  Scenario sc = shipped("scenarios/validation/K01-12-of-24.json");
  auto t0 = std::chrono::steady_clock::now();
  MarkovResult r = exact(sc);
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  CHECK(r.states == 25u);  // 0..24 units down (2^24 unlumped)
  close(r.unavailability, fewer_than(24, 12, a));
  // MTTF from all-up to 13 down: a birth-death chain, j down -> j + 1 at (24 - j) lam,
  // -> j - 1 at j mu. The mean time m_j from j to j + 1 satisfies
  // m_j = 1 / b_j + (d_j / b_j) m_{j-1}, and the MTTF is m_0 + ... + m_12.
  double m = 0, mttf = 0;
  for (int j = 0; j <= 12; ++j) {
    const double b = (24 - j) * lam, d = j * mu;
    m = 1 / b + (d / b) * m;
    mttf += m;
  }
  close(r.mttff_hours, mttf);
  INFO("solved in " << seconds << " s");
  CHECK(seconds < 5);  // goal < 1 s; generous under a loaded test run
}

TEST_CASE("lump: two sites of five 12-of-24 groups each are ten parts, (1 - A^5)^2, and A(t) from the units'", "[analyze][lump]") {
  const double lam = 1.0 / 50, mu = 1.0 / 10, a = mu / (lam + mu);
  Scenario sc = shipped("scenarios/validation/K02-two-sites-ten-groups.json");
  const double t = 5;
  auto t0 = std::chrono::steady_clock::now();
  MarkovResult r = exact(sc, t);
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  REQUIRE(r.part_states.size() == 10u);
  for (auto n : r.part_states) CHECK(n == 25u);
  const double ga = at_least(24, 12, a), site_down = 1 - std::pow(ga, 5);
  close(r.unavailability, site_down * site_down, 1e-8);  // 1 - ga^5 loses ~1e-11 to rounding
  REQUIRE(r.group_unavailability.size() == 10u);
  for (const auto& [id, u] : r.group_unavailability) {
    INFO(id);
    close(u, fewer_than(24, 12, a));
  }
  // A unit up at 0 is up at t with a + (1 - a) e^-(lam + mu) t; units are independent.
  const double at = a + (1 - a) * std::exp(-(lam + mu) * t);
  const double site_down_t = 1 - std::pow(at_least(24, 12, at), 5);
  CHECK(std::fabs(r.point_availability - (1 - site_down_t * site_down_t)) <= 1e-11);
  CHECK(r.mttff_hours == -1);  // a first passage does not factor over parts: not computed
  CHECK(r.reliability == -1);
  INFO("solved in " << seconds << " s");
  CHECK(seconds < 5);  // goal < 1 s
}

TEST_CASE("lump: identical units sharing one crew are the machine-repair queue (4-of-7: 8 states, not 13,700)", "[analyze][lump]") {
  // j down: j -> j + 1 at (7 - j) lam, j -> j - 1 at mu (one crew); pi_j ~ 7!/(7-j)! rho^j.
  const double lam = 1.0 / 1000, mu = 1.0 / 10, rho = lam / mu;
  Scenario sc = parse(group_json(7, 4, 1000, 10, 1));
  MarkovResult r = exact(sc);
  CHECK(r.states == 8u);
  double w = 1, total = 0, down = 0;
  for (int j = 0; j <= 7; ++j) {
    if (j > 0) w *= (7 - j + 1) * rho;
    total += w;
    if (j >= 4) down += w;
  }
  close(r.unavailability, down / total);
  same_results(r, exact(sc, -1, false));
}

TEST_CASE("analyze: 14 unlike units (nothing lumps, 16,384 states, BiCGSTAB) hold the Poisson-binomial", "[analyze][lump]") {
  // Unit i: lifetime Exp(mean 50 + i h), repair Exp(mean 10 h), a crew each; the group
  // needs 7 of the 14. The units are independent, so P(fewer than 7 up) is the
  // Poisson-binomial of their availabilities a_i = mu / (lam_i + mu), by the usual
  // recursion over units. A 14-dimensional chain: above kDirectMaxUnknowns, where a
  // sparse LU fills in, so the iterative solver answers.
  std::string units;
  std::vector<double> up;
  for (int i = 0; i < 14; ++i) {
    units += fmt::format(R"({}{{"id": "u{}", "kind": "generic", "failures": [{{"id": "hw", "type": "random",
      "ttf": {{"dist": "exponential", "mean": "{}h"}}, "recovery": {{"repair": {{"dist": "exponential", "mean": "10h"}}}}}}]}})",
                         i ? "," : "", i, 50 + i);
    up.push_back((1.0 / 10) / (1.0 / (50 + i) + 1.0 / 10));
  }
  std::string members;
  for (int i = 0; i < 14; ++i) members += fmt::format("{}\"u{}\"", i ? "," : "", i);
  Scenario sc = parse(fmt::format(R"({{"drsim": 1, "horizon": "1y", "components": [{}],
    "groups": [{{"id": "g", "members": [{}], "need": 7, "mode": "active-active"}}], "service": {{"requires": "g"}}}})",
                                  units, members));
  std::vector<double> p{1.0};  // p[j]: P(j of the units so far up)
  for (double a : up) {
    std::vector<double> q(p.size() + 1, 0.0);
    for (std::size_t j = 0; j < p.size(); ++j) {
      q[j] += p[j] * (1 - a);
      q[j + 1] += p[j] * a;
    }
    p = q;
  }
  double down = 0;
  for (int j = 0; j < 7; ++j) down += p[static_cast<std::size_t>(j)];
  REQUIRE(Ctmc::solver_for(16384 - 1) == LinearSolver::iterative);
  MarkovResult r = exact(sc);
  CHECK(r.states == 16384u);
  close(r.unavailability, down);
  REQUIRE(r.group_unavailability.size() == 1u);
  close(r.group_unavailability.begin()->second, down);
  // Built on three threads (rounds of 2,048 states split three ways), the chain is the
  // same, state for state: every number equal, not only close.
  Diagnostics why;
  auto three = analyze_markov(sc, why, 200000, 720, true, 3);
  REQUIRE(three);
  auto one = analyze_markov(sc, why, 200000, 720, true, 1);
  REQUIRE(one);
  CHECK(three->states == one->states);
  CHECK(three->unavailability == one->unavailability);
  CHECK(three->mttff_hours == one->mttff_hours);
  CHECK(three->point_availability == one->point_availability);
  CHECK(three->reliability == one->reliability);
}

TEST_CASE("lump: lumped and unlumped chains give the same results on hand-made designs", "[analyze][lump]") {
  struct Case {
    std::string name, json;
  };
  const std::string beta = R"(, "common_causes": [{"id": "ccf", "group": "g", "mode": "hw", "beta": 0.1}])";
  const std::string manual = R"(, "failover": {"coverage": 0.9, "manual": {"dist": "exponential", "mean": "2h"}})";
  const std::vector<Case> cases = {
      {"2-of-4, two crews, beta 0.1, coverage 0.9", group_json(4, 2, 200, 10, 2, "\"g\"", manual, beta)},
      {"3-of-5, one crew, coverage 0.9", group_json(5, 3, 300, 10, 1, "\"g\"", manual)},
      {"2-of-3, a crew each, u0 also read by the service (not lumped)", group_json(3, 2, 100, 10, 0, R"({"all": ["g", "u0"]})")},
      {"2-of-4, three crews (never short)", group_json(4, 2, 100, 10, 3)},
      {"2-of-4, four crews (never short)", group_json(4, 2, 100, 10, 4)},
  };
  for (const auto& c : cases) {
    INFO(c.name);
    Scenario sc = parse(c.json);
    MarkovResult lumped = exact(sc, 720), plain = exact(sc, 720, false);
    INFO("states " << lumped.states << " lumped, " << plain.states << " unlumped");
    CHECK(lumped.states <= plain.states);
    same_results(lumped, plain);
  }
  // Lumping did something where it may: the service reading u0 keeps u0 apart.
  CHECK(exact(parse(cases[0].json)).states < exact(parse(cases[0].json), -1, false).states);
  CHECK(exact(parse(cases[2].json)).states == 6u);  // u0 (2) x the other two counted (3)
}

TEST_CASE("lump: lumped and unlumped chains give the same results on 200 generated designs", "[analyze][lump]") {
  // The differential tests' random Markovian designs (tests/scenario_gen.h): standby,
  // coverage, on-demand, crew pools, common causes, outside events, proof tests. The
  // unlumped chain is the reference; both solved with A(t), R(t) at 30 days.
  int compared = 0, smaller = 0;
  for (std::uint64_t seed = 1; seed <= 200; ++seed) {
    testgen::GenOptions g;
    g.crew_pools = seed % 2 == 0;
    testgen::Generated gen = testgen::generate(seed, g);
    Diagnostics d("gen.json");
    auto sc = parse_scenario(gen.json, "gen.json", d);
    if (!sc || d.has_errors()) continue;
    Diagnostics why;
    auto plain = analyze_markov(*sc, why, 20000, 720, false);
    if (!plain) continue;
    INFO("seed " << seed << " (" << gen.summary() << ")");
    auto lumped = analyze_markov(*sc, why, 20000, 720, true);
    INFO(why.format());
    REQUIRE(lumped);
    // Two threads build the same chain (proof tests and parts included): equal results.
    auto two = analyze_markov(*sc, why, 20000, 720, true, 2);
    REQUIRE(two);
    CHECK(two->states == lumped->states);
    CHECK(two->unavailability == lumped->unavailability);
    CHECK(two->mttff_hours == lumped->mttff_hours);
    CHECK(two->reliability == lumped->reliability);
    CHECK(lumped->states <= plain->states);
    smaller += lumped->states < plain->states ? 1 : 0;
    same_results(*lumped, *plain);
    ++compared;
  }
  INFO(compared << " compared, " << smaller << " with fewer states lumped");
  CHECK(compared >= 100);
  CHECK(smaller >= 20);
}
