// drsim analyze: the CTMC built from each validation scenario reproduces design.md §6
// to ~1e-9 relative (closed forms from analysis/closed_forms.h, computed here), and a
// scenario that is not Markovian is refused — exit 2, the JSON pointer of the part, a hint.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <sstream>

#include <sys/wait.h>
#include <unistd.h>

#include <Eigen/Dense>

#include "analysis/closed_forms.h"
#include "analysis/markov.h"
#include "models/scenario_parser.h"
#include "sim/runner.h"

using namespace drsim;
using namespace drsim::closed_forms;

namespace {

const double lam = 1e-3, mu = 0.1;

MarkovResult solve(const std::string& name) {
  Diagnostics d;
  auto sc = load_scenario(std::string(DRSIM_SOURCE_DIR) + "/scenarios/validation/" + name + ".json", d);
  REQUIRE(sc);
  Diagnostics why(name);
  auto r = analyze_markov(*sc, why);
  INFO(why.format());
  REQUIRE(r);
  return *r;
}

void close(double got, double want) {
  INFO("CTMC " << got << ", closed form " << want);
  CHECK(std::fabs(got - want) <= 1e-9 * std::fabs(want));
}

}  // namespace

TEST_CASE("analyze V1-V5: steady state of repairable designs", "[analytic][analyze][validation]") {
  close(solve("V1").unavailability, v1_unavailability(lam, mu));
  MarkovResult v2 = solve("V2");
  close(v2.unavailability, v2_unavailability(lam, mu));
  close(v2.mttff_hours, v2_mttff(lam, mu));
  close(solve("V3").unavailability, v3_unavailability(lam, mu));
  close(solve("V4").unavailability, v4_unavailability(lam, mu));
  close(solve("V5").unavailability, v5_unavailability(lam, mu, 0.95, 2));
}

TEST_CASE("analyze --at: A(t) and R(t) of one repairable unit", "[analytic][analyze]") {
  Diagnostics d;
  auto sc = load_scenario(std::string(DRSIM_SOURCE_DIR) + "/scenarios/validation/V1.json", d);
  REQUIRE(sc);
  for (double t : {10.0, 100.0, 8760.0}) {
    Diagnostics why;
    auto r = analyze_markov(*sc, why, 1000, t);
    REQUIRE(r);
    close(r->point_availability, one_unit_availability(lam, mu, t));
    close(r->reliability, one_unit_reliability(lam, t));
  }
}

TEST_CASE("analyze V6-V7: mean unavailability over a proof-test interval", "[analytic][analyze][validation]") {
  MarkovResult v6 = solve("V6");
  CHECK(v6.kind == MarkovResult::Kind::proof_test);
  close(v6.unavailability, v6_exact(1e-5, 730));
  close(solve("V7").unavailability, v7_exact(1e-5, 0.1, 730));
}

TEST_CASE("analyze refuses what is not Markovian, naming the part", "[analytic][analyze][cli]") {
  const char* text = R"({"drsim": 1, "components": [{"id": "u", "kind": "generic", "failures": [{"id": "hw", "type": "random",
    "ttf": {"dist": "exponential", "mean": "1000h"}, "recovery": {"repair": {"dist": "lognormal", "median": "4h", "p90": "12h"}}}]}],
    "service": {"requires": "u"}})";
  Diagnostics d("x.json");
  auto sc = parse_scenario(text, "x.json", d);
  REQUIRE(sc);
  Diagnostics why("x.json");
  CHECK_FALSE(analyze_markov(*sc, why));
  CHECK(why.format().find("x.json:/components/0/failures/0/recovery/repair: error: not Markovian: a lognormal repair time") !=
        std::string::npos);
  // Through the program: exit 2, nothing written.
  std::string dir = "/tmp/drsim-analyze-" + std::to_string(::getpid());
  std::system(("mkdir -p " + dir).c_str());
  std::ofstream(dir + "/x.json") << text;
  std::string cmd = std::string(DRSIM_BINARY) + " analyze " + dir + "/x.json --json " + dir + "/out.json 2>" + dir + "/err";
  int st = std::system(cmd.c_str());
  CHECK(WEXITSTATUS(st) == 2);
  std::ifstream err(dir + "/err");
  std::stringstream ss;
  ss << err.rdbuf();
  CHECK(ss.str().find("/components/0/failures/0/recovery/repair") != std::string::npos);
  CHECK_FALSE(std::ifstream(dir + "/out.json").good());
  std::system(("rm -rf " + dir).c_str());
}

// ----- proof tests that miss faults, and active-standby groups with hidden faults -----

namespace {

// Latent units for the proof-test class: rates per hour, test coverages, a 730 h test
// interval, instant repair; `group` is the JSON of a group over them ("" for none).
std::string latent_scenario(const std::vector<std::pair<double, double>>& units, const std::string& group,
                            const std::string& service) {
  std::string s = R"({"drsim": 1, "horizon": "73000h", "components": [)";
  for (std::size_t i = 0; i < units.size(); ++i)
    s += (i ? "," : "") + std::string(R"({"id": "u)") + std::to_string(i) +
         R"(", "kind": "generic", "failures": [{"id": "hidden", "type": "latent", "ttf": {"dist": "exponential", "rate": ")" +
         std::to_string(units[i].first) + R"(/h"}, "proof_test": {"interval": "730h", "coverage": )" +
         std::to_string(units[i].second) + R"(}, "recovery": {"repair": "0s"}}]})";
  s += "]";
  if (!group.empty()) s += R"(, "groups": [)" + group + "]";
  return s + R"(, "service": {"requires": ")" + service + R"("}})";
}

std::optional<MarkovResult> analyze_text(const std::string& text, Diagnostics& why) {
  Diagnostics d("t.json");
  auto sc = parse_scenario(text, "t.json", d);
  INFO(d.format());
  REQUIRE(sc);
  REQUIRE_FALSE(d.has_errors());
  return analyze_markov(*sc, why);
}

// One unit with hidden faults at rate l, a test every tau finding a present fault with
// probability c (instant repair). Just after a test a fault is present with probability
// q, the fixed point of q = (1 - c)(1 - (1 - q) e^(-l tau)); P(up at t) = (1 - q) e^(-l t).
double missed_fault_probability(double l, double c, double tau) {
  const double e = std::exp(-l * tau);
  return (1 - c) * (1 - e) / (1 - (1 - c) * e);
}
// (1/tau) * integral_0^tau e^(-x t) dt
double mean_exp(double x, double tau) { return (1 - std::exp(-x * tau)) / (x * tau); }

}  // namespace

TEST_CASE("analyze: a proof test that misses faults (coverage < 1), periodic regime", "[analytic][analyze]") {
  const double l = 1e-3, tau = 730;
  for (double c : {0.5, 0.7, 0.9, 1.0}) {
    Diagnostics why("t.json");
    auto r = analyze_text(latent_scenario({{l, c}}, "", "u0"), why);
    INFO("coverage " << c << "\n" << why.format());
    REQUIRE(r);
    const double q = missed_fault_probability(l, c, tau);
    close(r->unavailability, 1 - (1 - q) * mean_exp(l, tau));
    if (c < 1) close(r->test_start_fault_probability, q);
    else CHECK(r->test_start_fault_probability == 0);
  }
}

TEST_CASE("analyze: two unlike units, either suffices, tests of different coverage", "[analytic][analyze]") {
  const double la = 1e-3, ca = 0.8, lb = 3e-3, cb = 0.6, tau = 730;
  Diagnostics why("t.json");
  auto r = analyze_text(latent_scenario({{la, ca}, {lb, cb}}, R"({"id": "pair", "members": ["u0", "u1"], "need": 1})", "pair"),
                        why);
  INFO(why.format());
  REQUIRE(r);
  // Independent units: the mean over the interval of P(a down) P(b down).
  const double qa = missed_fault_probability(la, ca, tau), qb = missed_fault_probability(lb, cb, tau);
  close(r->unavailability, 1 - (1 - qa) * mean_exp(la, tau) - (1 - qb) * mean_exp(lb, tau) +
                               (1 - qa) * (1 - qb) * mean_exp(la + lb, tau));
}

TEST_CASE("analyze: hidden faults trigger no failover, so an active-standby pair is its active unit", "[analytic][analyze]") {
  // The standby is never switched to between tests (nobody sees the active unit fail),
  // so the pair is down whenever its first member is: V6's single unit at 1e-3/h.
  const double l = 1e-3, tau = 730;
  Diagnostics why("t.json");
  auto r = analyze_text(latent_scenario({{l, 1}, {l, 1}},
                                        R"({"id": "pair", "members": ["u0", "u1"], "need": 1, "mode": "active-standby", "standby": "cold"})",
                                        "pair"),
                        why);
  INFO(why.format());
  REQUIRE(r);
  close(r->unavailability, v6_exact(l, tau));
}

TEST_CASE("analyze refuses proof-tested active-standby groups whose roles the chain cannot follow", "[analytic][analyze]") {
  const std::string pair = R"({"id": "pair", "members": ["u0", "u1"], "need": 1, "mode": "active-standby")";
  {
    // Unlike members without failback: after a test the roles depend on event order.
    Diagnostics why("t.json");
    CHECK_FALSE(analyze_text(latent_scenario({{1e-3, 1}, {3e-3, 1}}, pair + "}", "pair"), why));
    CHECK(why.format().find("t.json:/groups/0/failover/failback: error: not Markovian: an active-standby group of unlike "
                            "members without failback") != std::string::npos);
  }
  {
    // The same with failback is accepted; and a missed fault in a member is refused.
    Diagnostics ok("t.json");
    CHECK(analyze_text(latent_scenario({{1e-3, 1}, {3e-3, 1}}, pair + R"(, "failover": {"failback": true}})", "pair"), ok));
    Diagnostics why("t.json");
    CHECK_FALSE(analyze_text(latent_scenario({{1e-3, 1}, {3e-3, 0.5}}, pair + R"(, "failover": {"failback": true}})", "pair"), why));
    CHECK(why.format().find("t.json:/components/1/failures/0/proof_test/coverage: error: not Markovian: a proof test that "
                            "misses faults (coverage < 1) in a member of active-standby group pair") != std::string::npos);
  }
}

TEST_CASE("analyze and the Monte Carlo agree on missed faults with a beta-factor common cause", "[analytic][analyze][mc]") {
  // Exercises what the chain must mirror of the model: a unit with a hidden common-cause
  // fault keeps ageing (its own fault can come too, and a test may find one, not the
  // other), and the common-cause mode takes the first member's test coverage.
  std::string text = latent_scenario({{1e-3, 0.8}, {3e-3, 0.6}}, R"({"id": "pair", "members": ["u0", "u1"], "need": 1})", "pair");
  text.insert(text.rfind(", \"service\""), R"(, "common_causes": [{"id": "ccf", "group": "pair", "mode": "hidden", "beta": 0.1}])");
  text.replace(text.find("73000h"), 6, "730000h");  // 1,000 test intervals: the start from all-up weighs < 1e-4
  Diagnostics d("t.json");
  auto sc = parse_scenario(text, "t.json", d);
  INFO(d.format());
  REQUIRE(sc);
  Diagnostics why("t.json");
  auto r = analyze_markov(*sc, why);
  REQUIRE(r);
  RunOptions o;
  o.trials = 2000;
  o.seed = 2027;
  o.jobs = 2;
  auto out = run_monte_carlo(*sc, o);
  auto j = out.aggregate.to_json(out.cause_names);
  const double mean = 1 - j["availability"]["mean"].get<double>();
  const double h95 = (j["availability"]["ci95"][1].get<double>() - j["availability"]["ci95"][0].get<double>()) / 2;
  INFO("CTMC " << r->unavailability << ", Monte Carlo " << mean << " +- " << h95 << " (95 %)");
  CHECK(std::fabs(mean - r->unavailability) <= h95 * 3.2905 / 1.96 + 2e-4);
  CHECK(h95 < 2e-3);
}

// ----- the repairable class under the rules of issue 11 (docs/model.md R1-R4) -----
//
// Every truth below is a closed form or a small chain whose generator is written here by
// hand and solved with Eigen directly (pi Q = 0, sum pi = 1) — never through analysis/.

namespace {

// Q(i, j) = rate i -> j; the diagonal is filled by stationary().
struct HandChain {
  Eigen::MatrixXd q;
  explicit HandChain(int n) : q(Eigen::MatrixXd::Zero(n, n)) {}
  void rate(int from, int to, double r) { q(from, to) += r; }
  Eigen::VectorXd stationary() const {
    const Eigen::Index n = q.rows();
    Eigen::MatrixXd g = q;
    for (Eigen::Index i = 0; i < n; ++i) g(i, i) = -q.row(i).sum();
    Eigen::MatrixXd a = g.transpose();
    a.row(n - 1).setOnes();
    Eigen::VectorXd b = Eigen::VectorXd::Zero(n);
    b(n - 1) = 1;
    return a.fullPivLu().solve(b);
  }
};

// A component with one random mode: exponential lifetime and repair, means in hours.
std::string unit(const std::string& id, const std::string& ttf, const std::string& repair, const std::string& extra = "",
                 const std::string& more_modes = "") {
  return R"({"id": ")" + id + R"(", "kind": "generic")" + extra +
         R"(, "failures": [{"id": "hw", "type": "random", "ttf": {"dist": "exponential", "mean": ")" + ttf +
         R"("}, "recovery": {"repair": {"dist": "exponential", "mean": ")" + repair + R"("}}})" + more_modes + "]}";
}

std::string scenario(const std::vector<std::string>& comps, const std::string& groups, const std::string& service,
                     const std::string& top = "") {
  std::string s = R"({"drsim": 1, "horizon": "10y")" + top + R"(, "components": [)";
  for (std::size_t i = 0; i < comps.size(); ++i) s += (i ? ", " : "") + comps[i];
  s += "]";
  if (!groups.empty()) s += R"(, "groups": [)" + groups + "]";
  return s + R"(, "service": {"requires": )" + service + "}}";
}

MarkovResult analyze_ok(const std::string& text) {
  Diagnostics why("t.json");
  auto r = analyze_text(text, why);
  INFO(text << "\n" << why.format());
  REQUIRE(r);
  return *r;
}

}  // namespace

TEST_CASE("analyze: active-standby pair of unlike members, with and without failback", "[analytic][analyze]") {
  // a: lambda 1e-3, mu 0.1; b: lambda 5e-3, mu 0.05; cold standby, a crew per member.
  // States: 0 both up a active, 1 both up b active, 2 a down (b active), 3 b down (a
  // active), 4 both down. Without failback a returns as the standby (2 -> 1); with it a
  // takes over again (2 -> 0), and state 1 is never reached.
  const double la = 1e-3, ma = 0.1, lb = 5e-3, mb = 0.05;
  auto truth = [&](bool failback) {
    HandChain h(5);
    h.rate(0, 2, la);
    h.rate(1, 3, lb);
    h.rate(2, failback ? 0 : 1, ma);
    h.rate(2, 4, lb);
    h.rate(3, 0, mb);
    h.rate(3, 4, la);
    h.rate(4, 3, ma);  // a back first: it is the only one, so active
    h.rate(4, 2, mb);
    return h.stationary()(4);
  };
  for (bool failback : {false, true}) {
    std::string g = R"({"id": "pair", "members": ["a", "b"], "need": 1, "mode": "active-standby", "standby": "cold", "failover": {"failback": )" +
                    std::string(failback ? "true" : "false") + "}}";
    auto r = analyze_ok(scenario({unit("a", "1000h", "10h"), unit("b", "200h", "20h")}, g, R"("pair")"));
    INFO("failback " << failback);
    close(r.unavailability, truth(failback));
  }
  CHECK(std::fabs(truth(false) - truth(true)) > 1e-2 * truth(true));  // the roles matter here
}

TEST_CASE("analyze: cold standby with coverage 0.8 waits cold for the manual switch-over", "[analytic][analyze]") {
  // Two units, lambda 0.01, mu 0.1, one crew, cold standby, coverage c = 0.8, manual
  // switch-over delta = 0.2/h. States: U2 both up, U1 one down (in repair), W waiting
  // for the switch-over (the standby stays cold; the crew does the switch-over first),
  // D both down. Balance with pi_U2 = 1: pi_W = lambda (1-c)/delta, pi_U1 = lambda/mu,
  // pi_D = (lambda/mu)^2; U = (pi_W + pi_D) / sum = 0.02 / 1.12 = 1/56.
  const double l = 0.01, m = 0.1, c = 0.8, d = 0.2;
  const double pw = l * (1 - c) / d, p1 = l / m, pd = p1 * p1;
  const double truth = (pw + pd) / (1 + pw + p1 + pd);
  CHECK(std::fabs(truth - 1.0 / 56) < 1e-15);
  const std::string units[] = {unit("a", "100h", "10h"), unit("b", "100h", "10h")};
  auto group = [&](const std::string& crews) {
    return R"({"id": "pair", "members": ["a", "b"], "need": 1, "mode": "active-standby", "standby": "cold")" + crews +
           R"(, "failover": {"coverage": 0.8, "manual": {"dist": "exponential", "mean": "5h"}}})";
  };
  close(analyze_ok(scenario({units[0], units[1]}, group(R"(, "repair_crews": 1)"), R"("pair")")).unavailability, truth);
  // A crew per member: the failed unit's repair races the switch-over; if it wins, the
  // window ends (R2) and it is active again. W -> U2 at mu, D -> U1 at 2 mu.
  HandChain h(4);  // 0 U2, 1 U1, 2 W, 3 D
  h.rate(0, 1, l * c);
  h.rate(0, 2, l * (1 - c));
  h.rate(2, 1, d);
  h.rate(2, 0, m);
  h.rate(1, 0, m);
  h.rate(1, 3, l);
  h.rate(3, 1, 2 * m);
  Eigen::VectorXd pi = h.stationary();
  close(analyze_ok(scenario({units[0], units[1]}, group(""), R"("pair")")).unavailability, pi(2) + pi(3));
}

TEST_CASE("analyze: the machine-repair problem with a crew pool", "[analytic][analyze]") {
  // Two machines up Exp(mean 1), repair Exp(mean 0.5): lambda 1, mu 2; one repair person.
  // n down: 0 -> 1 at 2 lambda, 1 -> 2 at lambda, 1 -> 0 and 2 -> 1 at mu: pi = (0.4, 0.4,
  // 0.2); a given machine is down with probability pi_1/2 + pi_2 = 0.4, so the fraction
  // up is 0.6. Two repair people: 2 -> 1 at 2 mu, pi = (4/9, 4/9, 1/9), fraction up 2/3.
  for (int size : {1, 2}) {
    const std::string pool = R"(, "crews": [{"id": "fixer", "size": )" + std::to_string(size) + "}]";
    const std::vector<std::string> m = {unit("m1", "1h", "30m", R"(, "crew": "fixer")"), unit("m2", "1h", "30m", R"(, "crew": "fixer")")};
    INFO("repair people " << size);
    close(1 - analyze_ok(scenario(m, "", R"("m1")", pool)).unavailability, size == 1 ? 0.6 : 2.0 / 3);
    close(analyze_ok(scenario(m, "", R"({"any": ["m1", "m2"]})", pool)).unavailability, size == 1 ? 0.2 : 1.0 / 9);
  }
}

TEST_CASE("analyze: 2-of-3 active-active with coverage < 1 (R2)", "[analytic][analyze]") {
  // lambda 0.01, mu 0.1, c 0.9, manual delta 0.5/h. States: 0 all up, 1 one down, W one
  // down waiting for the switch-over, 2 two down, 3 three down. Only a loss from all-up
  // reconfigures (after it 2 still work). In W a second loss leaves fewer than 2 members
  // that can work: the window is abandoned (W -> 2). With a crew per member the lost one
  // may come back during the window: the switch-over is called off (W -> 0). With one
  // crew the window holds it, so the lost member waits.
  const double l = 0.01, m = 0.1, c = 0.9, d = 0.5;
  for (bool one_crew : {false, true}) {
    HandChain h(5);  // 0 all up, 1 one down, 2 W, 3 two down, 4 three down
    h.rate(0, 1, 3 * l * c);
    h.rate(0, 2, 3 * l * (1 - c));
    h.rate(2, 1, d);
    h.rate(2, 3, 2 * l);
    if (!one_crew) h.rate(2, 0, m);
    h.rate(1, 0, m);
    h.rate(1, 3, 2 * l);
    h.rate(3, 1, (one_crew ? 1 : 2) * m);
    h.rate(3, 4, l);
    h.rate(4, 3, (one_crew ? 1 : 3) * m);
    Eigen::VectorXd pi = h.stationary();
    const std::string g = R"({"id": "trio", "members": ["a", "b", "c"], "need": 2)" + std::string(one_crew ? R"(, "repair_crews": 1)" : "") +
                          R"(, "failover": {"coverage": 0.9, "manual": {"dist": "exponential", "mean": "2h"}}})";
    INFO("one crew " << one_crew);
    close(analyze_ok(scenario({unit("a", "100h", "10h"), unit("b", "100h", "10h"), unit("c", "100h", "10h")}, g, R"("trio")"))
              .unavailability,
          pi(2) + pi(3) + pi(4));
  }
}

TEST_CASE("analyze: external events and changes are recurring (R1)", "[analytic][analyze]") {
  // One external mode: an alternating renewal process, U = d / (1/lambda + d);
  // lambda 0.01/h, d 2 h: U = 2/102.
  const std::string ext = R"({"id": "grid", "type": "external", "rate": "0.01/h", "duration": {"dist": "exponential", "mean": "2h"}})";
  const std::string comp = R"({"id": "u", "kind": "utility", "failures": [)" + ext + "]}";
  close(analyze_ok(scenario({comp}, "", R"("u")")).unavailability, 2.0 / 102);
  // Add a change mode: 0.05 deploys/h, p_bad 0.2, QA stops half of the bad ones: bad
  // changes at 0.005/h, rolled back in Exp(mean 4 h): U = 0.02/1.02 alone. Both
  // processes run whatever the state, so the unit is up when neither event is on.
  const std::string chg = R"({"id": "deploy", "type": "change", "rate": "0.05/h", "p_bad": 0.2, "qa": {"coverage": 0.5},
      "recovery": {"repair": {"dist": "exponential", "mean": "4h"}}})";
  const std::string both = R"({"id": "u", "kind": "utility", "failures": [)" + ext + ", " + chg + "]}";
  close(analyze_ok(scenario({both}, "", R"("u")")).unavailability, 1 - (1 / 1.02) * (1 / 1.02));
}

TEST_CASE("analyze: one crew pool shared by two groups (R4)", "[analytic][analyze]") {
  // Group A (a1, a2: lambda 0.01, mu 0.1) and group B (b1, b2: lambda 0.02, mu 0.25),
  // each 1 of 2 active-active; one technician for all four; the service needs both.
  // The state is the repair queue as a word over {A, B} (at most two of each): a failure
  // in group X appends X at (2 - #X) lambda_X, the technician repairs the head at mu_X.
  const double lA = 0.01, mA = 0.1, lB = 0.02, mB = 0.25;
  std::vector<std::string> words = {""};
  for (std::size_t i = 0; i < words.size(); ++i)
    for (char x : {'A', 'B'})
      if (std::count(words[i].begin(), words[i].end(), x) < 2) {
        std::string w = words[i] + x;
        if (std::find(words.begin(), words.end(), w) == words.end()) words.push_back(w);
      }
  auto id = [&](const std::string& w) { return static_cast<int>(std::find(words.begin(), words.end(), w) - words.begin()); };
  HandChain h(static_cast<int>(words.size()));
  for (const auto& w : words) {
    for (char x : {'A', 'B'}) {
      long n = std::count(w.begin(), w.end(), x);
      if (n < 2) h.rate(id(w), id(w + x), static_cast<double>(2 - n) * (x == 'A' ? lA : lB));
    }
    if (!w.empty()) h.rate(id(w), id(w.substr(1)), w[0] == 'A' ? mA : mB);
  }
  Eigen::VectorXd pi = h.stationary();
  double truth = 0;
  for (const auto& w : words)
    if (std::count(w.begin(), w.end(), 'A') == 2 || std::count(w.begin(), w.end(), 'B') == 2) truth += pi(id(w));
  const std::string gA = R"({"id": "A", "members": ["a1", "a2"], "need": 1, "crew": "tech"})";
  const std::string gB = R"({"id": "B", "members": ["b1", "b2"], "need": 1, "crew": "tech"})";
  auto r = analyze_ok(scenario({unit("a1", "100h", "10h"), unit("a2", "100h", "10h"), unit("b1", "50h", "4h"), unit("b2", "50h", "4h")},
                               gA + ", " + gB, R"({"all": ["A", "B"]})", R"(, "crews": [{"id": "tech", "size": 1}])"));
  close(r.unavailability, truth);
  // Private crews (one each) are independent V2 pairs: sharing must cost something.
  const double uA = v2_unavailability(lA, mA), uB = v2_unavailability(lB, mB);
  CHECK(truth > 1 - (1 - uA) * (1 - uB));
}

TEST_CASE("analyze: a warm standby that may fail on demand (on_demand p)", "[analytic][analyze]") {
  // a active (lambda 0.01, mu 0.1); b warm standby (lambda 0.02 when active, half in
  // standby; mu 0.1) failing with p = 0.1 when asked to take over (that fault repaired at
  // 0.2/h); failback, a crew per fault. States: 0 both up; 1 a down, b active; 2 b down,
  // a active; 3 both down (random faults); 4 a down and b failed on demand; 5 b failed on
  // demand, a active.
  const double la = 0.01, ma = 0.1, lb = 0.02, mb = 0.1, p = 0.1, md = 0.2;
  HandChain h(6);
  h.rate(0, 1, la * (1 - p));
  h.rate(0, 4, la * p);
  h.rate(0, 2, lb * 0.5);
  h.rate(1, 0, ma);  // failback
  h.rate(1, 3, lb);
  h.rate(2, 0, mb);
  h.rate(2, 3, la);
  h.rate(3, 2, ma);
  h.rate(3, 1, mb);
  h.rate(4, 5, ma);
  h.rate(4, 1, md);
  h.rate(5, 0, md);
  h.rate(5, 4, la);
  Eigen::VectorXd pi = h.stationary();
  const std::string start = R"(, {"id": "start", "type": "on_demand", "p": 0.1, "recovery": {"repair": {"dist": "exponential", "mean": "5h"}}})";
  const std::string g =
      R"({"id": "pair", "members": ["a", "b"], "need": 1, "mode": "active-standby", "standby": "warm", "warm_factor": 0.5, "failover": {"failback": true}})";
  close(analyze_ok(scenario({unit("a", "100h", "10h"), unit("b", "50h", "10h", "", start)}, g, R"("pair")")).unavailability,
        pi(3) + pi(4));
}

TEST_CASE("analyze refuses the non-Markovian modes with their pointers", "[analytic][analyze]") {
  auto refused = [](const std::string& text, const std::string& where) {
    Diagnostics why("t.json");
    CHECK_FALSE(analyze_text(text, why));
    INFO(why.format());
    CHECK(why.format().find("t.json:" + where + ": error: not Markovian") != std::string::npos);
  };
  auto one = [](const std::string& mode) { return scenario({R"({"id": "u", "kind": "generic", "failures": [)" + mode + "]}"}, "", R"("u")"); };
  refused(one(R"({"id": "e", "type": "external", "rate": "0.01/h", "duration": "2h"})"), "/components/0/failures/0/duration");
  refused(one(R"({"id": "e", "type": "external", "rate": "0.01/h", "duration": {"dist": "exponential", "mean": "2h"}, "recovery": {"repair": "1h"}})"),
          "/components/0/failures/0/recovery");
  refused(one(R"({"id": "c", "type": "change", "rate": "0.01/h", "p_bad": 0.1, "recovery": {"detect": "1h", "repair": {"dist": "exponential", "mean": "1h"}}})"),
          "/components/0/failures/0/recovery/detect");
  refused(one(R"({"id": "k", "type": "time_bomb", "fuse": "30d", "renewal": {"every": "1y", "p_wrong": 0.1}, "recovery": {"repair": "1h"}})"),
          "/components/0/failures/0/type");
  refused(one(R"({"id": "hw", "type": "random", "ttf": {"dist": "weibull", "shape": 2, "scale": "100h"}, "recovery": {"repair": {"dist": "exponential", "mean": "1h"}}})"),
          "/components/0/failures/0/ttf");
  refused(one(R"({"id": "hw", "type": "random", "ttf": {"dist": "exponential", "mean": "100h"}, "recovery": {"repair": {"dist": "exponential", "mean": "1h"}},
      "escalate": {"after": 1, "recovery": {"repair": "2h"}}})"),
          "/components/0/failures/0/escalate");
}

TEST_CASE("analyze: a beta-factor common cause in a repairable pair", "[analytic][analyze]") {
  // Two units, lambda 0.01 each, beta 0.2: own modes at 0.8 lambda, the shared one at
  // 0.2 lambda; every repair Exp(mu 0.1), a crew per fault. A unit under any fault (its
  // own or the shared one) does not age; the shared mode runs always. State: the set of
  // present faults {a, b, s} as a bit mask; the pair is down when neither unit is clear.
  const double l = 0.01, beta = 0.2, m = 0.1;
  HandChain h(8);
  for (int s = 0; s < 8; ++s) {
    const bool a = s & 1, b = s & 2, c = s & 4;
    if (!a && !c) h.rate(s, s | 1, (1 - beta) * l);
    if (!b && !c) h.rate(s, s | 2, (1 - beta) * l);
    if (!c) h.rate(s, s | 4, beta * l);
    for (int bit : {1, 2, 4})
      if (s & bit) h.rate(s, s & ~bit, m);
  }
  Eigen::VectorXd pi = h.stationary();
  double truth = 0;
  for (int s = 0; s < 8; ++s)
    if (((s & 1) || (s & 4)) && ((s & 2) || (s & 4))) truth += pi(s);
  std::string text = scenario({unit("a", "100h", "10h"), unit("b", "100h", "10h")}, R"({"id": "pair", "members": ["a", "b"], "need": 1})",
                              R"("pair")");
  text.insert(text.rfind(", \"service\""), R"(, "common_causes": [{"id": "ccf", "group": "pair", "mode": "hw", "beta": 0.2}])");
  close(analyze_ok(text).unavailability, truth);
}

TEST_CASE("analyze: a manual switch-over preempts the repair in progress (R4)", "[analytic][analyze]") {
  // 1 of 3 active-active, lambda 0.01, mu 0.1, c 0.7, delta 0.5/h, one crew. A loss that
  // leaves a member working reconfigures; when it fails the switch-over takes the crew,
  // even from a repair already running (that repair waits: exponential, so the same as
  // restarting it). States: 0 all up; 1 one down; 1W one down, window; 2 two down; 2W two
  // down, window (the crew on it); 3 all down (the window abandoned: nothing works).
  const double l = 0.01, m = 0.1, c = 0.7, d = 0.5;
  HandChain h(6);  // 0, 1, 2 = 1W, 3 = 2, 4 = 2W, 5 = 3
  h.rate(0, 1, 3 * l * c);
  h.rate(0, 2, 3 * l * (1 - c));
  h.rate(1, 0, m);
  h.rate(1, 3, 2 * l * c);
  h.rate(1, 4, 2 * l * (1 - c));
  h.rate(2, 1, d);
  h.rate(2, 4, 2 * l);  // a second loss during the window: one still works, it goes on
  h.rate(3, 1, m);
  h.rate(3, 5, l);
  h.rate(4, 3, d);
  h.rate(4, 5, l);
  h.rate(5, 3, m);
  Eigen::VectorXd pi = h.stationary();
  const std::string g = R"({"id": "trio", "members": ["a", "b", "c"], "need": 1, "repair_crews": 1,
      "failover": {"coverage": 0.7, "manual": {"dist": "exponential", "mean": "2h"}}})";
  close(analyze_ok(scenario({unit("a", "100h", "10h"), unit("b", "100h", "10h"), unit("c", "100h", "10h")}, g, R"("trio")")).unavailability,
        pi(2) + pi(4) + pi(5));
}

TEST_CASE("analyze: hot standby groups are their units' binomial", "[analytic][analyze]") {
  // Hot standbys age as if active and failover is perfect, with a crew per member: the
  // units are independent, and the group works while `need` of them do, whatever the roles.
  // Pair of unlike units (u = lambda/(lambda+mu)): U = ua ub. 2 of 3 alike: U = 3u^2(1-u) + u^3.
  const double ua = 1e-3 / (1e-3 + 0.1), ub = 5e-3 / (5e-3 + 0.05);
  close(analyze_ok(scenario({unit("a", "1000h", "10h"), unit("b", "200h", "20h")},
                            R"({"id": "pair", "members": ["a", "b"], "need": 1, "mode": "active-standby", "standby": "hot"})", R"("pair")"))
            .unavailability,
        ua * ub);
  const double u = 0.01 / 0.11;
  close(analyze_ok(scenario({unit("a", "100h", "10h"), unit("b", "100h", "10h"), unit("c", "100h", "10h")},
                            R"({"id": "trio", "members": ["a", "b", "c"], "need": 2, "mode": "active-standby", "standby": "hot"})",
                            R"("trio")"))
            .unavailability,
        3 * u * u * (1 - u) + u * u * u);
}
