// The validation matrix (issue 11): one small scenario per failure-mode type and per
// group rule, scenarios/validation/M01-…M21-….json, each with a true value derived
// outside drsim — a closed form, or a small CTMC whose generator is written here by
// hand and solved with Eigen (πQ = 0 with a normalisation row). Nothing here calls
// analysis/ to obtain a truth; analyze_markov is only the thing under test.
//
// For every case:
//  (a) the Monte Carlo (run_monte_carlo, the fast engine, a fixed seed) must hold the
//      truth in its 95 % CI. The truth it is compared with is the mean over one trial
//      [0, T] from all-up: for chains, (1/T) p0 ∫0^T e^{Qt} dt 1_down computed with the
//      matrix exponential of [[Q, I], [0, 0]]; for closed forms, their finite-horizon
//      versions (docs/validation.md, "The matrix").
//      Retry rule (docs/validation.md): the seeds are fixed once (kSeed). A miss at the
//      fixed seed is reported (WARN, with the numbers) and the case is rerun once with
//      an independent seed (kSecondSeed); it passes only if that run's interval, widened
//      to the Bonferroni level 1 − 0.05/kCases (z = 3.04), holds the truth. A correct
//      model then fails a case with probability ≈ 0.05 × 0.0024, the whole matrix with
//      ≈ 0.25 %; a model biased by more than a few half-widths fails both.
//  (b) Markovian cases: analyze_markov must give the steady-state truth to 1e-9
//      relative; the others: analyze must refuse, naming the failure mode's pointer.
//  (c) the file's "expected" map states the truth (6 significant digits).
#include <catch2/catch.hpp>

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include <Eigen/Dense>
#include <unsupported/Eigen/MatrixFunctions>

#include "analysis/markov.h"
#include "models/scenario_parser.h"
#include "sim/runner.h"

namespace {

constexpr std::uint64_t kSeed = 20261202, kSecondSeed = 977;
[[maybe_unused]] constexpr int kCases = 21;  // the family size behind kZBonferroni
constexpr double kZ95 = 1.959964, kZBonferroni = 3.0380;  // two-sided 0.05 / 21

// ---------------------------------------------------------------- hand-written chains
// States are named by strings; a transition function lists (next state, rate). The
// chain is explored from the start state, so only reachable states appear.
struct Chain {
  std::vector<std::string> names;
  std::map<std::string, int> index;
  Eigen::MatrixXd Q;
  int id(const std::string& s) {
    auto it = index.find(s);
    if (it != index.end()) return it->second;
    index[s] = static_cast<int>(names.size());
    names.push_back(s);
    return index[s];
  }
};

using Transitions = std::function<std::vector<std::pair<std::string, double>>(const std::string&)>;

Chain build(const std::string& start, const Transitions& next) {
  Chain c;
  std::vector<std::pair<int, std::pair<int, double>>> edges;
  c.id(start);
  for (std::size_t k = 0; k < c.names.size(); ++k) {
    const std::string s = c.names[k];
    for (const auto& [t, r] : next(s))
      if (r > 0) edges.push_back({static_cast<int>(k), {c.id(t), r}});
  }
  const int n = static_cast<int>(c.names.size());
  c.Q = Eigen::MatrixXd::Zero(n, n);
  for (const auto& [i, jr] : edges) {
    if (i == jr.first) continue;
    c.Q(i, jr.first) += jr.second;
    c.Q(i, i) -= jr.second;
  }
  return c;
}

// πQ = 0, Σπ = 1: the transpose with its last row replaced by ones.
Eigen::VectorXd stationary(const Chain& c) {
  const int n = static_cast<int>(c.Q.rows());
  Eigen::MatrixXd A = c.Q.transpose();
  A.row(n - 1).setOnes();
  Eigen::VectorXd b = Eigen::VectorXd::Zero(n);
  b(n - 1) = 1;
  return A.fullPivLu().solve(b);
}

// (1/T) ∫0^T p(t) dt from the start state: the top-right block of exp([[Q, I], [0, 0]] T).
Eigen::VectorXd horizon_mean(const Chain& c, double T) {
  const int n = static_cast<int>(c.Q.rows());
  Eigen::MatrixXd B = Eigen::MatrixXd::Zero(2 * n, 2 * n);
  B.topLeftCorner(n, n) = c.Q * T;
  B.topRightCorner(n, n) = Eigen::MatrixXd::Identity(n, n) * T;
  Eigen::MatrixXd E = B.exp();
  return E.topRightCorner(n, n).row(0).transpose() / T;  // start state is index 0
}

double sum_where(const Chain& c, const Eigen::VectorXd& p, const std::function<bool(const std::string&)>& down) {
  double s = 0;
  for (std::size_t i = 0; i < c.names.size(); ++i)
    if (down(c.names[i])) s += p(static_cast<Eigen::Index>(i));
  return s;
}

struct Truth {
  double steady = -1;   // the steady-state (or periodic-regime) value analyze must give; -1 = none
  double horizon = 0;   // the mean over one trial from all-up: what the Monte Carlo estimates
};

Truth chain_truth(const Chain& c, double T, const std::function<bool(const std::string&)>& down) {
  return {sum_where(c, stationary(c), down), sum_where(c, horizon_mean(c, T), down)};
}

bool has(const std::string& s, char x) { return s.find(x) != std::string::npos; }

// ---------------------------------------------------------------- drsim under test
std::optional<drsim::Scenario> load(const std::string& name, std::string& problems) {
  drsim::Diagnostics d;
  auto sc = drsim::load_scenario(std::string(DRSIM_SOURCE_DIR) + "/scenarios/validation/" + name + ".json", d);
  problems = d.format();
  if (sc && d.has_errors()) sc.reset();
  return sc;
}

struct Estimate {
  double mean, lo, hi;
  double half() const { return (hi - lo) / 2; }
};

struct McResult {
  Estimate unavailability, degraded;
};

McResult monte_carlo(const drsim::Scenario& sc, std::uint64_t trials, std::uint64_t seed) {
  drsim::RunOptions o;
  o.trials = trials;
  o.seed = seed;
  o.jobs = 1;
  auto out = drsim::run_monte_carlo(sc, o);
  auto j = out.aggregate.to_json(out.cause_names);
  const auto& a = j["availability"];
  const double T = j["horizon_hours"].get<double>() * 60;  // degraded time is in minutes
  const auto& g = j["degraded_minutes"];
  return {{1 - a["mean"].get<double>(), 1 - a["ci95"][1].get<double>(), 1 - a["ci95"][0].get<double>()},
          {g["mean"].get<double>() / T, g["ci95"][0].get<double>() / T, g["ci95"][1].get<double>() / T}};
}

// The retry rule of the header: 95 % at the fixed seed, else Bonferroni at the second seed.
void require_ci(const std::string& what, const std::function<Estimate(std::uint64_t)>& run, double truth) {
  Estimate e = run(kSeed);
  INFO(what << ": Monte Carlo " << e.mean << " 95 % CI [" << e.lo << ", " << e.hi << "], truth " << truth
            << ", z = " << (e.mean - truth) / (e.half() / kZ95));
  if (e.lo <= truth && truth <= e.hi) {
    SUCCEED(what << ": the 95 % CI holds the truth");
    return;
  }
  WARN(what << ": MISS at seed " << kSeed << ": " << e.mean << " [" << e.lo << ", " << e.hi << "] vs " << truth
            << " — rerun at seed " << kSecondSeed << " with the Bonferroni interval");
  Estimate f = run(kSecondSeed);
  const double h = f.half() * kZBonferroni / kZ95;
  INFO("second seed: " << f.mean << " ± " << h << " (Bonferroni), z = " << (f.mean - truth) / (f.half() / kZ95));
  CHECK(std::fabs(f.mean - truth) <= h);
}

struct Case {
  std::string file;
  Truth truth;
  std::uint64_t trials;
  // Non-Markovian cases: the pointer prefix analyze's refusal must name ("" = Markovian).
  std::string refusal_pointer;
  double degraded_horizon = -1;  // machine repair: the DEGRADED fraction (exactly one machine up)
};

double expected_value(const drsim::Scenario& sc, const std::string& key) {
  auto it = sc.expected.find(key);
  return it == sc.expected.end() ? std::nan("") : std::stod(it->second);
}

void run_case(const Case& c) {
  std::string problems;
  auto sc = load(c.file, problems);
  INFO(c.file << "\n" << problems);
  REQUIRE(sc);
  // (c) the file states the truth.
  const double stated = expected_value(*sc, "unavailability");
  const double truth_stated = c.truth.steady >= 0 ? c.truth.steady : c.truth.horizon;
  CHECK(stated == Approx(truth_stated).epsilon(1e-5));
  if (sc->expected.count("unavailability_over_horizon"))
    CHECK(expected_value(*sc, "unavailability_over_horizon") == Approx(c.truth.horizon).epsilon(1e-5));
  // (a) the Monte Carlo.
  std::map<std::uint64_t, McResult> runs;  // one run per seed serves every quantity
  auto at = [&](std::uint64_t seed) -> const McResult& {
    auto it = runs.find(seed);
    if (it == runs.end()) it = runs.emplace(seed, monte_carlo(*sc, c.trials, seed)).first;
    return it->second;
  };
  require_ci(c.file + " unavailability", [&](std::uint64_t seed) { return at(seed).unavailability; }, c.truth.horizon);
  if (c.degraded_horizon >= 0)
    require_ci(c.file + " degraded fraction", [&](std::uint64_t seed) { return at(seed).degraded; }, c.degraded_horizon);
  // (b) analyze.
  drsim::Diagnostics why(c.file + ".json");
  auto r = drsim::analyze_markov(*sc, why);
  INFO("analyze: " << why.format());
  // DRSIM_MATRIX_TABLE=1: one markdown row per case for docs/validation.md.
  if (std::getenv("DRSIM_MATRIX_TABLE")) {
    const Estimate& e = at(kSeed).unavailability;
    char an[160];
    if (r) std::snprintf(an, sizeof an, "%.10e (rel. err. %.1e)", r->unavailability,
                         c.truth.steady > 0 ? std::fabs(r->unavailability - c.truth.steady) / c.truth.steady : -1.0);
    else std::snprintf(an, sizeof an, "refuses: %s", why.items().empty() ? "?" : why.items().front().pointer.c_str());
    std::printf("| %s | %.6e | %s | %.6e | %.5e [%.5e, %.5e] | %+.2f | %s | %llu |\n", c.file.substr(0, 3).c_str(),
                c.truth.steady, an, c.truth.horizon, e.mean, e.lo, e.hi, (e.mean - c.truth.horizon) / (e.half() / kZ95),
                e.lo <= c.truth.horizon && c.truth.horizon <= e.hi ? "yes" : "NO", static_cast<unsigned long long>(c.trials));
  }
  if (c.refusal_pointer.empty()) {
    REQUIRE(r);
    INFO("analyze " << r->unavailability << ", truth " << c.truth.steady << ", relative error "
                    << std::fabs(r->unavailability - c.truth.steady) / c.truth.steady);
    CHECK(std::fabs(r->unavailability - c.truth.steady) <= 1e-9 * c.truth.steady);
  } else {
    CHECK_FALSE(r);
    CHECK(why.format().find(c.file + ".json:" + c.refusal_pointer) != std::string::npos);
    CHECK(why.format().find("not Markovian") != std::string::npos);
  }
}

// ---------------------------------------------------------------- the chains, by case

// Machine repair: two machines, failure rate l, repair rate m, `crews` repair people.
// State = machines down.
Chain machine_repair(double l, double m, int crews) {
  return build("0", [=](const std::string& s) {
    int n = std::stoi(s);
    std::vector<std::pair<std::string, double>> out;
    if (n < 2) out.emplace_back(std::to_string(n + 1), (2 - n) * l);
    if (n > 0) out.emplace_back(std::to_string(n - 1), std::min(n, crews) * m);
    return out;
  });
}

// A two-state chain up -> down at l, down -> up at m.
Chain two_state(double l, double m) {
  return build("up", [=](const std::string& s) {
    return std::vector<std::pair<std::string, double>>{{s == "up" ? "down" : "up", s == "up" ? l : m}};
  });
}

}  // namespace

// ================================================================ failure-mode types

TEST_CASE("matrix M01/M02/M19: the machine-repair problem, one and two repair people", "[matrix]") {
  // Two machines up Exp(mean 1 h), repairs Exp(mean 30 min): λ = 1, μ = 2. Birth-death
  // on machines down: one person: π = (0.4, 0.4, 0.2); two: (4/9, 4/9, 1/9). The
  // "fraction up 0.6 / 2/3" of the issue is the expected fraction of machines working,
  // (2π0 + π1)/2 — not P(at least one up), which is 0.8 / 8/9.
  for (int crews : {1, 2}) {
    Chain c = machine_repair(1, 2, crews);
    Eigen::VectorXd pi = stationary(c);
    const double frac = (2 * pi(c.index["0"]) + pi(c.index["1"])) / 2;
    CHECK(frac == Approx(crews == 1 ? 0.6 : 2.0 / 3).epsilon(1e-12));
    CHECK(pi(c.index["2"]) == Approx(crews == 1 ? 0.2 : 1.0 / 9).epsilon(1e-12));
    Truth t = chain_truth(c, 1000, [](const std::string& s) { return s == "2"; });
    const double degraded = sum_where(c, horizon_mean(c, 1000), [](const std::string& s) { return s == "1"; });
    const std::string file = crews == 1 ? "M01-machine-repair-one-crew" : "M02-machine-repair-two-crews";
    run_case({file, t, 1000, "", degraded});
    std::string problems;
    if (auto sc = load(file, problems)) {
      CHECK(expected_value(*sc, "fraction_of_machines_up") == Approx(frac).epsilon(1e-5));
      CHECK(expected_value(*sc, "degraded_fraction") == Approx(pi(c.index["1"])).epsilon(1e-5));
    }
  }
}

TEST_CASE("matrix M19: the machine-repair problem with a crew pool on components", "[matrix][crews]") {
  Chain c = machine_repair(1, 2, 1);
  Truth t = chain_truth(c, 1000, [](const std::string& s) { return s == "2"; });
  const double degraded = sum_where(c, horizon_mean(c, 1000), [](const std::string& s) { return s == "1"; });
  run_case({"M19-crew-pool-machine-repair", t, 1000, "", degraded});
}

TEST_CASE("matrix M03: recurring external event, deterministic duration", "[matrix]") {
  // Alternating renewal: up Exp(1/λ) (arrivals during an event are absorbed, R1), down
  // d = 2 h. Steady state d/(1/λ + d) = 0.02/1.02. Over [0, T] from up: down periods
  // start at a delayed renewal process (first gap Exp(1/λ), then cycles C = Exp + d);
  // E N(T) = T/m + m2/(2m²) − (1/λ)/m + o(1), m = E C, m2 = E C²; the last period is
  // cut at T by d²/(2m) on average.
  const double l = 0.01, d = 2, T = 20000, m = 1 / l + d, m2 = 1 / (l * l) + m * m;
  Truth t{d / m, (d * (T / m + m2 / (2 * m * m) - (1 / l) / m) - d * d / (2 * m)) / T};
  CHECK(t.horizon == Approx(1.96069e-2).epsilon(1e-5));  // the figure is this finite-horizon mean
  run_case({"M03-external-recurring", t, 4000, "/components/0/failures/0"});
}

TEST_CASE("matrix M04: recurring external event, exponential duration", "[matrix]") {
  Chain c = two_state(0.01, 0.5);
  Truth t = chain_truth(c, 20000, [](const std::string& s) { return s == "down"; });
  CHECK(t.steady == Approx(0.02 / 1.02).epsilon(1e-12));
  run_case({"M04-external-exponential", t, 4000, ""});
}

TEST_CASE("matrix M05: bad changes through QA, rolled back", "[matrix]") {
  // Bad changes ship at rate × p_bad × (1 − qa) = 0.1 × 0.2 × 0.5 = 0.01/h; rollback Exp(1 h).
  Chain c = two_state(0.1 * 0.2 * 0.5, 1);
  Truth t = chain_truth(c, 20000, [](const std::string& s) { return s == "down"; });
  CHECK(t.steady == Approx(0.01 / 1.01).epsilon(1e-12));
  run_case({"M05-change-qa-rollback", t, 6000, ""});
}

TEST_CASE("matrix M06: on_demand failure of a cold standby, failback", "[matrix]") {
  // 0: a active, b cold standby; 1: a down, b active; 2: both down; 3: a active, b down.
  // a's loss demands b: it starts w.p. 1 − p. With failback a takes over when it returns;
  // a returning unit is not demanded (R3), so only a failover draws p.
  const double l = 0.01, m = 0.1, p = 0.1;
  Chain c = build("0", [=](const std::string& s) -> std::vector<std::pair<std::string, double>> {
    if (s == "0") return {{"1", l * (1 - p)}, {"2", l * p}};
    if (s == "1") return {{"0", m}, {"2", l}};
    if (s == "2") return {{"3", m}, {"1", m}};
    return {{"2", l}, {"0", m}};
  });
  run_case({"M06-on-demand-cold-standby", chain_truth(c, 20000, [](const std::string& s) { return s == "2"; }), 4000, ""});
}

TEST_CASE("matrix M07: time bomb, renewals every T with p_wrong, audit, fuse", "[matrix]") {
  // Renewals at U + kT, U ~ uniform[0, T): exactly N = 10 in a 10 T horizon. Each leaves
  // a wrong key w.p. p(1 − c) = 0.25, which expires after the fuse (100 h) and is down for
  // the fixed 10 h rekey, well before the next renewal. Only the last renewal's outage
  // can be cut by the horizon: E min(R, (T − fuse − U)+) = R (T − fuse − R/2)/T.
  const double p = 0.5, cov = 0.5, R = 10, T = 1000, fuse = 100, N = 10;
  const double u = p * (1 - cov) * R * ((N - 1) + (T - fuse - R / 2) / T) / (N * T);
  run_case({"M07-time-bomb-renewal", {-1, u}, 80000, "/components/0/failures/0"});
}

TEST_CASE("matrix M08: latent faults, proof tests that miss 30 %", "[matrix]") {
  // Just after the n-th test a fault is present w.p. q_n: q_0 = 0,
  // q_{n+1} = (1 − c)(1 − (1 − q_n) e^{−λτ}); the mean unavailability over interval n is
  // 1 − (1 − q_n)(1 − e^{−λτ})/(λτ). Periodic regime: the fixed point q.
  const double l = 1e-3, tau = 730, cv = 0.7;
  const double e = std::exp(-l * tau), me = (1 - e) / (l * tau);
  const double q = (1 - cv) * (1 - e) / (1 - (1 - cv) * e);
  double qn = 0, acc = 0;
  for (int n = 0; n < 100; ++n) {
    acc += 1 - (1 - qn) * me;
    qn = (1 - cv) * (1 - (1 - qn) * e);
  }
  run_case({"M08-latent-missed-by-test", {1 - (1 - q) * me, acc / 100}, 8000, ""});
}

TEST_CASE("matrix M09: beta-factor common cause on repairable units", "[matrix]") {
  // State "abc": which of a's own fault, b's own fault, the shared fault are present.
  // Own modes at (1 − β)λ age only while their unit holds no fault; the shared one at βλ
  // ages always; each fault is repaired at μ (unlimited crews).
  const double l = 0.01, b = 0.1, m = 0.1;
  Chain c = build("000", [=](const std::string& s) {
    std::vector<std::pair<std::string, double>> out;
    auto flip = [&](int i) {
      std::string t = s;
      t[i] = t[i] == '0' ? '1' : '0';
      return t;
    };
    if (s[0] == '0' && s[2] == '0') out.emplace_back(flip(0), (1 - b) * l);
    if (s[1] == '0' && s[2] == '0') out.emplace_back(flip(1), (1 - b) * l);
    if (s[2] == '0') out.emplace_back(flip(2), b * l);
    for (int i = 0; i < 3; ++i)
      if (s[i] == '1') out.emplace_back(flip(i), m);
    return out;
  });
  auto down = [](const std::string& s) { return (s[0] == '1' || s[2] == '1') && (s[1] == '1' || s[2] == '1'); };
  run_case({"M09-beta-common-cause", chain_truth(c, 20000, down), 4000, ""});
}

TEST_CASE("matrix M10: also_fails", "[matrix]") {
  // State "ab": a's fault (which also takes b down), b's own fault. b's mode does not age
  // while b is down for a's fault.
  const double la = 0.01, ma = 0.1, lb = 0.02, mb = 0.2;
  Chain c = build("00", [=](const std::string& s) {
    std::vector<std::pair<std::string, double>> out;
    if (s[0] == '0') out.emplace_back(std::string("1") + s[1], la);
    if (s == "00") out.emplace_back("01", lb);
    if (s[0] == '1') out.emplace_back(std::string("0") + s[1], ma);
    if (s[1] == '1') out.emplace_back(std::string(1, s[0]) + "0", mb);
    return out;
  });
  run_case({"M10-also-fails", chain_truth(c, 20000, [](const std::string& s) { return s != "00"; }), 4000, ""});
}

TEST_CASE("matrix M11: escalation from the third failure on", "[matrix]") {
  // State "k d": occurrences so far (3 = three or more), down or up. The steady state is
  // the escalated unit alone (1/3); the truth is the mean over the 1000 h horizon.
  const double l = 0.01, m1 = 0.1, m2 = 0.02;
  Chain c = build("0u", [=](const std::string& s) -> std::vector<std::pair<std::string, double>> {
    int k = s[0] - '0';
    if (s[1] == 'u') return {{std::to_string(std::min(k + 1, 3)) + "d", l}};
    return {{std::to_string(k) + "u", k <= 2 ? m1 : m2}};
  });
  Truth t = chain_truth(c, 1000, [](const std::string& s) { return s[1] == 'd'; });
  CHECK(t.steady == Approx(1.0 / 3).epsilon(1e-9));
  run_case({"M11-escalation", {-1, t.horizon}, 120000, "/components/0/failures/0/escalate"});
}

TEST_CASE("matrix M20: Weibull lifetimes, fixed repairs (alternating renewal)", "[matrix]") {
  // U = E[repair]/(E[life] + E[repair]) for any distributions; over [0, T] from new the
  // delayed-renewal correction as in M03 (first gap: a lifetime; cycles: lifetime + d).
  const double mx = 100, d = 5, T = 20000;
  const double g = std::tgamma(1.5), var = std::pow(mx / g, 2) * (1 - g * g);
  const double m = mx + d, m2 = var + m * m;
  Truth t{d / m, (d * (T / m + m2 / (2 * m * m) - mx / m) - d * d / (2 * m)) / T};
  run_case({"M20-weibull-fixed-repair", t, 2400, "/components/0/failures/0"});
}

// ================================================================ group rules

TEST_CASE("matrix M12: 2-of-3 active-active, one crew", "[matrix]") {
  const double l = 0.01, m = 0.1;
  Chain c = build("0", [=](const std::string& s) {
    int n = std::stoi(s);
    std::vector<std::pair<std::string, double>> out;
    if (n < 3) out.emplace_back(std::to_string(n + 1), (3 - n) * l);
    if (n > 0) out.emplace_back(std::to_string(n - 1), m);
    return out;
  });
  Truth t = chain_truth(c, 20000, [](const std::string& s) { return s == "2" || s == "3"; });
  const double rho = l / m;
  CHECK(t.steady == Approx((6 * rho * rho + 6 * rho * rho * rho) / (1 + 3 * rho + 6 * rho * rho + 6 * rho * rho * rho)).epsilon(1e-12));
  run_case({"M12-k-of-n-2-of-3", t, 4000, ""});
}

TEST_CASE("matrix M13: 2-of-3 with coverage 0.9 and a manual switch-over (R2)", "[matrix]") {
  // 0, 1, 2, 3 members down; W: one down and the manual window open. The window holds
  // the only crew (switch-over before repair), ends at δ, and is abandoned when a second
  // member fails (fewer than `need` can work: R2). A return to a 2-down group needs no
  // reconfiguration (active-active members serve again).
  const double l = 0.01, m = 0.1, c = 0.9, d = 1;
  Chain ch = build("0", [=](const std::string& s) -> std::vector<std::pair<std::string, double>> {
    if (s == "0") return {{"1", 3 * l * c}, {"W", 3 * l * (1 - c)}};
    if (s == "1") return {{"0", m}, {"2", 2 * l}};
    if (s == "W") return {{"1", d}, {"2", 2 * l}};
    if (s == "2") return {{"1", m}, {"3", l}};
    return {{"2", m}};
  });
  run_case({"M13-k-of-n-coverage-manual", chain_truth(ch, 20000, [](const std::string& s) { return s == "W" || s == "2" || s == "3"; }),
            4000, ""});
}

TEST_CASE("matrix M14: hot standby of unlike units, one crew", "[matrix]") {
  // Hot: both age at full rate whatever the role, so roles do not matter; the state is
  // the ordered list of failed units (the crew repairs the first).
  const double la = 0.01, lb = 0.02, m = 0.1;
  Chain c = build("-", [=](const std::string& s) {
    std::string f = s == "-" ? "" : s;
    std::vector<std::pair<std::string, double>> out;
    if (!has(f, 'a')) out.emplace_back(f + "a", la);
    if (!has(f, 'b')) out.emplace_back(f + "b", lb);
    if (!f.empty()) out.emplace_back(f.size() == 1 ? "-" : f.substr(1), m);
    return out;
  });
  run_case({"M14-hot-standby-unlike", chain_truth(c, 20000, [](const std::string& s) { return s.size() == 2; }), 4000, ""});
}

TEST_CASE("matrix M15/M16: warm standby of unlike units, failback on and off", "[matrix]") {
  // AS: a active, b standby; DA: a down, b active; DD; AD: a active, b down;
  // SA (no failback only): a standby, b active. The standby ages at w = 0.5.
  const double la = 0.01, lb = 0.02, m = 0.1, w = 0.5;
  for (bool failback : {true, false}) {
    Chain c = build("AS", [=](const std::string& s) -> std::vector<std::pair<std::string, double>> {
      if (s == "AS") return {{"DA", la}, {"AD", w * lb}};
      if (s == "DA") return {{"DD", lb}, {failback ? "AS" : "SA", m}};
      if (s == "DD") return {{"AD", m}, {"DA", m}};
      if (s == "AD") return {{"DD", la}, {"AS", m}};
      return {{"AD", lb}, {"DA", w * la}};  // SA: b's loss demands a, which takes over
    });
    CHECK(c.names.size() == (failback ? 4u : 5u));
    run_case({failback ? "M15-warm-standby-failback" : "M16-warm-standby-no-failback",
              chain_truth(c, 20000, [](const std::string& s) { return s == "DD"; }), 4000, ""});
  }
}

TEST_CASE("matrix M17: cold standby, coverage 0.8, manual switch-over, one crew", "[matrix]") {
  // 0: one active, one cold standby; W: the active lost, the failover failed, the manual
  // switch-over holds the crew and the pending standby stays cold (R3); 1: one down; 2.
  const double l = 0.01, m = 0.1, c = 0.8, d = 0.2;
  Chain ch = build("0", [=](const std::string& s) -> std::vector<std::pair<std::string, double>> {
    if (s == "0") return {{"1", l * c}, {"W", l * (1 - c)}};
    if (s == "W") return {{"1", d}};
    if (s == "1") return {{"2", l}, {"0", m}};
    return {{"1", m}};
  });
  Truth t = chain_truth(ch, 20000, [](const std::string& s) { return s == "W" || s == "2"; });
  CHECK(t.steady == Approx(0.02 / 1.12).epsilon(1e-12));
  CHECK(t.steady == Approx(1.78571e-2).epsilon(1e-5));
  run_case({"M17-cold-standby-coverage-manual", t, 4000, ""});
}

// ================================================================ crew pools (R4)

TEST_CASE("matrix M18: one technician shared by two pairs", "[matrix][crews]") {
  // Four units a1 a2 b1 b2 (failure 0.02/h each), one pool of size 1: the state is the
  // ordered list of failed units; the first is under repair (μ = 0.1). 65 states.
  const double l = 0.02, m = 0.1;
  Chain c = build("-", [=](const std::string& s) {
    std::string f = s == "-" ? "" : s;
    std::vector<std::pair<std::string, double>> out;
    for (char u : std::string("wxyz"))  // w, x: pair a; y, z: pair b
      if (!has(f, u)) out.emplace_back(f + u, l);
    if (!f.empty()) out.emplace_back(f.size() == 1 ? "-" : f.substr(1), m);
    return out;
  });
  CHECK(c.names.size() == 65u);
  auto down = [](const std::string& s) { return (has(s, 'w') && has(s, 'x')) || (has(s, 'y') && has(s, 'z')); };
  run_case({"M18-crew-pool-two-groups", chain_truth(c, 20000, down), 1200, ""});
}

TEST_CASE("matrix M21: a manual switch-over preempts a repair in a shared pool", "[matrix][crews]") {
  // A cold pair (coverage 0.8, manual Exp(5 h)) and a unit c share one technician. State:
  // "W|" when a window is open, then the ordered faults ('p' a pair unit, 'c'). Claims on
  // the crew: the window first, then the faults in order (R4) — a window opened while
  // c is being repaired takes the crew from it. During the window the pair has no
  // running member (the active is down, the pending standby is cold).
  const double l = 0.01, m = 0.1, c = 0.8, d = 0.2;
  Chain ch = build("-", [=](const std::string& s) {
    bool W = s[0] == 'W';
    std::string f = s == "-" ? "" : (W ? s.substr(2) : s);
    auto name = [](bool w, const std::string& g) { return w ? "W|" + g : (g.empty() ? std::string("-") : g); };
    std::vector<std::pair<std::string, double>> out;
    const auto np = std::count(f.begin(), f.end(), 'p');
    if (!W && np == 0) {
      out.emplace_back(name(false, f + "p"), l * c);
      out.emplace_back(name(true, f + "p"), l * (1 - c));
    } else if (!W && np == 1) {
      out.emplace_back(name(false, f + "p"), l);
    }
    if (!has(f, 'c')) out.emplace_back(name(W, f + "c"), l);
    if (W) out.emplace_back(name(false, f), d);
    else if (!f.empty()) out.emplace_back(name(false, f.substr(1)), m);
    return out;
  });
  auto down = [](const std::string& s) { return s[0] == 'W' || has(s, 'c') || std::count(s.begin(), s.end(), 'p') == 2; };
  run_case({"M21-crew-pool-switchover-preempts", chain_truth(ch, 20000, down), 4000, ""});
}
