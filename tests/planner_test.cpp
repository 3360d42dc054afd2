// Issue 16, the planner's toolkit: drsim sweep, importance and sensitivity, run as a
// user runs them. Truths are derived here by hand — unavailabilities of exponential
// units q = λ/(λ+μ) = MTTR/(MTTF+MTTR), combined in series and parallel — or are the
// numbers of separate `drsim compare` and `drsim run` invocations on the same patched
// scenarios with the same seed (common random numbers make them the same trials).
#include <catch2/catch.hpp>

#include <cmath>
#include <filesystem>
#include <sstream>

#include <fmt/format.h>

#include "tests/cli_harness.h"

using namespace cli_harness;
using json = nlohmann::json;

namespace {

constexpr double kMinPerYear = 525600;

// A pair in active-standby behind a failover with coverage 0.9 (an RTO of 30 min):
// what the sweeps vary. Its variants are the sweep's grid written by hand.
const char* kPair = R"({"drsim": 1, "title": "pair", "horizon": "1y",
  "components": [
    {"id": "a", "kind": "generic", "failures": [{"id": "hw", "type": "random", "ttf": {"dist": "exponential", "mean": "500h"},
      "recovery": {"repair": {"dist": "exponential", "mean": "10h"}}}]},
    {"id": "b", "kind": "generic", "failures": [{"id": "hw", "type": "random", "ttf": {"dist": "exponential", "mean": "500h"},
      "recovery": {"repair": {"dist": "exponential", "mean": "10h"}}}]}],
  "groups": [{"id": "pair", "members": ["a", "b"], "mode": "active-standby",
    "failover": {"detection": "1m", "switchover": "5m", "coverage": 0.9, "manual": "1h"}}],
  "service": {"requires": "pair"},
  "objectives": {"rto": "30m"},
  "variants": {
    "p0": {"patch": [{"op": "set", "path": "/groups/pair/failover/coverage", "value": 0.5},
                     {"op": "set", "path": "/components/a/failures/hw/ttf/mean", "value": "250h"}]},
    "p1": {"patch": [{"op": "set", "path": "/groups/pair/failover/coverage", "value": 0.5},
                     {"op": "set", "path": "/components/a/failures/hw/ttf/mean", "value": "1000h"}]},
    "p2": {"patch": [{"op": "set", "path": "/groups/pair/failover/coverage", "value": 0.99},
                     {"op": "set", "path": "/components/a/failures/hw/ttf/mean", "value": "250h"}]},
    "p3": {"patch": [{"op": "set", "path": "/groups/pair/failover/coverage", "value": 0.99},
                     {"op": "set", "path": "/components/a/failures/hw/ttf/mean", "value": "1000h"}]}}})";

std::string unit(const std::string& id, const std::string& mttf, const std::string& mttr) {
  return fmt::format(R"({{"id": "{}", "kind": "generic", "failures": [{{"id": "hw", "type": "random",
    "ttf": {{"dist": "exponential", "mean": "{}"}}, "recovery": {{"repair": {{"dist": "exponential", "mean": "{}"}}}}}}]}})", id, mttf, mttr);
}

// |estimate − truth| within k half-widths of its 95 % CI (k = 2.5: about 5 σ), and the
// CI tight enough (half-width under `rel` of the truth) that a wrong number shows.
void near_truth(const json& est, double truth, double rel, const std::string& what) {
  INFO(what << ": estimate " << est.dump() << ", truth " << truth);
  const double m = est["mean"].get<double>(), lo = est["ci95"][0].get<double>(), hi = est["ci95"][1].get<double>();
  const double hw = (hi - lo) / 2;
  CHECK(lo <= m);
  CHECK(m <= hi);
  CHECK(std::fabs(m - truth) <= 2.5 * hw);
  CHECK(hw <= rel * std::fabs(truth));
}

}  // namespace

TEST_CASE("sweep: every point equals drsim compare and drsim run of the same patched scenario, same seed", "[sweep]") {
  TempDir tmp("sweep");
  const std::string f = write(tmp, "pair.json", kPair);
  auto s = run_drsim(fmt::format("sweep {} --set /groups/pair/failover/coverage=0.5,0.99 --set /components/a/failures/hw/ttf/mean=250h,1000h "
                                 "--trials 400 --seed 7 --out {} --csv {}", f, tmp / "sweep.json", tmp / "sweep.csv"), tmp);
  INFO(s.err);
  REQUIRE(s.code == 0);
  auto c = run_drsim(fmt::format("compare {} --variant p0 --variant p1 --variant p2 --variant p3 --trials 400 --seed 7 --json {}", f, tmp / "cmp.json"), tmp);
  REQUIRE(c.code == 0);
  const json sw = json::parse(slurp(tmp / "sweep.json")), cmp = json::parse(slurp(tmp / "cmp.json"));
  REQUIRE(sw["points"].size() == 4);
  // The grid: the last --set varies fastest.
  CHECK(sw["points"][1]["values"] == json({{"/groups/pair/failover/coverage", 0.5}, {"/components/a/failures/hw/ttf/mean", "1000h"}}));
  CHECK(sw["points"][2]["values"] == json({{"/groups/pair/failover/coverage", 0.99}, {"/components/a/failures/hw/ttf/mean", "250h"}}));
  // Horizon 1 y: minutes per year are minutes per trial. The same trials: the same numbers.
  CHECK(sw["base"]["downtime_min_per_year"] == cmp["alternatives"][0]["full_minutes"]);
  for (int k = 0; k < 4; ++k) {
    INFO("point " << k);
    const auto& p = sw["points"][k];
    const auto& a = cmp["alternatives"][k + 1];
    CHECK(p["downtime_min_per_year"] == a["full_minutes"]);
    CHECK(p["delta_min_per_year"] == a["delta_full_minutes"]);
    CHECK(p["availability"] == a["availability"]);
    CHECK(p["p_rto_breach"] == a["p_rto_breach"]);
    CHECK(p["delta_p_rto_breach"] == a["delta_p_rto_breach"]);
    CHECK(p["nines"]["mean"].get<double>() == Approx(a["nines"].get<double>()).epsilon(1e-12));
  }
  // A separate Monte Carlo run of one point's scenario: the same mean (summed in another order).
  auto r = run_drsim(fmt::format("run {} --variant p1 --trials 400 --seed 7 --out {}", f, tmp / "run.json"), tmp);
  REQUIRE(r.code == 0);
  const json run = json::parse(slurp(tmp / "run.json"));
  CHECK(sw["points"][1]["downtime_min_per_year"]["mean"].get<double>() == Approx(run["downtime_minutes"]["mean"].get<double>()).epsilon(1e-9));
  CHECK(sw["points"][1]["availability"]["mean"].get<double>() == Approx(run["availability"]["mean"].get<double>()).epsilon(1e-12));
  // Worse coverage and a shorter lifetime cost downtime: point 0 is worse than point 3.
  CHECK(sw["points"][0]["delta_min_per_year"]["ci95"][0].get<double>() > 0);
  CHECK(sw["points"][3]["delta_min_per_year"]["ci95"][1].get<double>() < 0);
  // The CSV: stable columns, the base and one row per point.
  std::istringstream csv(slurp(tmp / "sweep.csv"));
  std::string header, line;
  std::getline(csv, header);
  CHECK(header ==
        "/groups/pair/failover/coverage,/components/a/failures/hw/ttf/mean,downtime_min_per_year,downtime_lo,downtime_hi,availability,"
        "availability_lo,availability_hi,nines,nines_lo,nines_hi,p_rto_breach,p_rto_breach_lo,p_rto_breach_hi,delta_min_per_year,delta_lo,"
        "delta_hi,delta_p_rto_breach,delta_p_rto_breach_lo,delta_p_rto_breach_hi");
  int rows = 0;
  while (std::getline(csv, line)) ++rows;
  CHECK(rows == 5);
  // The terminal table: one unit per column, durations as spans.
  CHECK(s.out.find("downtime min/y [95 % CI]") != std::string::npos);
  CHECK(s.out.find("41 d 16 h") != std::string::npos);  // 1000h as a span
}

TEST_CASE("sweep: a repair time swept on one exponential unit gives q = MTTR/(MTTF+MTTR) at every point", "[sweep]") {
  TempDir tmp("sweep-q");
  const std::string f = write(tmp, "u.json", std::string(R"({"drsim": 1, "horizon": "10y", "components": [)") + unit("u", "1000h", "10h") +
                                                 R"(], "service": {"requires": "u"}})");
  auto s = run_drsim(fmt::format("sweep {} --set /components/u/failures/hw/recovery/repair/mean=5h,20h,50h --trials 300 --out {}", f, tmp / "s.json"), tmp);
  INFO(s.err);
  REQUIRE(s.code == 0);
  const json sw = json::parse(slurp(tmp / "s.json"));
  const double mttr[] = {5, 20, 50};
  for (int k = 0; k < 3; ++k) {
    const double q = mttr[k] / (1000 + mttr[k]);
    near_truth(sw["points"][k]["downtime_min_per_year"], q * kMinPerYear, 0.06, fmt::format("MTTR {} h", mttr[k]));
    near_truth(sw["points"][k]["delta_min_per_year"], (q - 10.0 / 1010) * kMinPerYear, 0.25, fmt::format("Δ at MTTR {} h", mttr[k]));
  }
  // Values as JSON: whole distributions. An alternating renewal process's unavailability
  // depends on the means only: a fixed 20 h repair and a gamma one of mean 20 h both give 20/1020.
  s = run_drsim(fmt::format("sweep {} --set '/components/u/failures/hw/recovery/repair={{\"dist\": \"deterministic\", \"value\": \"20h\"}},"
                            "{{\"dist\": \"gamma\", \"shape\": 3, \"mean\": \"20h\"}}' --trials 300 --out {}", f, tmp / "d.json"), tmp);
  INFO(s.err);
  REQUIRE(s.code == 0);
  const json dj = json::parse(slurp(tmp / "d.json"));
  REQUIRE(dj["points"].size() == 2);
  CHECK(dj["points"][1]["values"]["/components/u/failures/hw/recovery/repair"]["dist"] == "gamma");
  for (int k = 0; k < 2; ++k) near_truth(dj["points"][k]["downtime_min_per_year"], 20.0 / 1020 * kMinPerYear, 0.06, fmt::format("distribution {}", k));
}

TEST_CASE("sweep --warm-up: measured from a unit's steady state instead of its all-new start", "[sweep]") {
  // One unit, MTTF = MTTR = 100 h (λ = μ = 0.01/h), up at t = 0: P(down at t) = q (1 − e^−(λ+μ)t), q = 1/2.
  // Mean over [W, W + H]: q (1 − e^−(λ+μ)W (1 − e^−(λ+μ)H) / ((λ+μ)H)). H = 100 h: W = 0 gives 0.2838;
  // W = 1000 h gives q (e^−20 ≈ 0). With MTTR 50 h: q = 1/3, λ+μ = 0.03/h.
  TempDir tmp("warm-up");
  const std::string f = write(tmp, "u.json", std::string(R"({"drsim": 1, "horizon": "100h", "components": [)") + unit("u", "100h", "100h") +
                                                 R"(], "service": {"requires": "u"}})");
  auto mean_q = [](double mttr, double w) {
    const double l = 0.01, m = 1 / mttr, q = l / (l + m), s = l + m, h = 100;
    return q * (1 - std::exp(-s * w) * (1 - std::exp(-s * h)) / (s * h));
  };
  for (double w : {0.0, 1000.0}) {
    INFO("warm-up " << w << " h");
    auto r = run_drsim(fmt::format("sweep {} --set /components/u/failures/hw/recovery/repair/mean=50h --trials 3000 {} --out {}", f,
                                   w > 0 ? "--warm-up 1000h" : "", tmp / "w.json"), tmp);
    REQUIRE(r.code == 0);
    const json j = json::parse(slurp(tmp / "w.json"));
    CHECK(j["warm_up_hours"] == w);
    json base_u = j["base"]["availability"], point_u = j["points"][0]["availability"];
    for (json* a : {&base_u, &point_u}) (*a) = {{"mean", 1 - (*a)["mean"].get<double>()}, {"ci95", {1 - (*a)["ci95"][1].get<double>(), 1 - (*a)["ci95"][0].get<double>()}}};
    near_truth(base_u, mean_q(100, w), 0.05, "unavailability, MTTR 100 h");
    near_truth(point_u, mean_q(50, w), 0.06, "unavailability, MTTR 50 h");
  }
}

TEST_CASE("sweep: bad input exits 2 with the pointer and a hint, and writes nothing", "[sweep]") {
  TempDir tmp("sweep-bad");
  const std::string f = write(tmp, "pair.json", kPair);
  const std::string out = tmp / "out.json";
  auto r = run_drsim(fmt::format("sweep {} --set /groups/pair/failover/coverag=0.5 --trials 10 --out {}", f, out), tmp);
  CHECK(r.code == 2);
  CHECK(r.err == f + ":/groups/pair/failover/coverag: error: --set /groups/pair/failover/coverag=0.5: no key \"coverag\" at /groups/0/failover "
                     "(hint: did you mean \"coverage\"?)\n"
                     "drsim sweep: error: 1 of 1 sweep points do not make a valid scenario; nothing was run\n");
  CHECK_FALSE(std::filesystem::exists(out));
  r = run_drsim(fmt::format("sweep {} --set /groups/pairs/failover/coverage=0.5 --trials 10 --out {}", f, out), tmp);
  CHECK(r.code == 2);
  CHECK(r.err.find("no element with id \"pairs\" in /groups (hint: did you mean \"pair\"?)") != std::string::npos);
  r = run_drsim(fmt::format("sweep {} --set /groups/pair/failover/coverage=0.5,1.5 --trials 10 --out {}", f, out), tmp);
  CHECK(r.code == 2);
  CHECK(r.err.find(":/groups/0/failover/coverage (pair): error: \"coverage\" must be in [0, 1], got 1.5") != std::string::npos);
  CHECK(r.err.find("the value comes from --set /groups/pair/failover/coverage=1.5)") != std::string::npos);
  CHECK(r.err.find("1 of 2 sweep points") != std::string::npos);
  CHECK_FALSE(std::filesystem::exists(out));
  r = run_drsim(fmt::format("sweep {} --set /groups/pair/failover/coverage=0.5,0.9 --set /horizon=2y --zip --trials 10", f), tmp);
  CHECK(r.code == 2);
  CHECK(r.err.find("--zip: --set /horizon has 1 values but --set /groups/pair/failover/coverage has 2") != std::string::npos);
  r = run_drsim(fmt::format("sweep {} --set /horizon=2y --trials 10 --out {}", f, out), tmp);
  CHECK(r.code == 2);
  CHECK(r.err == "drsim sweep: error: a point changes the horizon (2y instead of 1y): every point runs on the base's trials, of one length "
                 "(hint: --horizon sets it for all; nothing was run)\n");
  CHECK_FALSE(std::filesystem::exists(out));
  r = run_drsim(fmt::format("sweep {} --set coverage=0.5", f), tmp);
  CHECK(r.code == 2);
  CHECK(r.err.find("the pointer must start with \"/\"") != std::string::npos);
  // A proof-test interval longer than half the horizon: warned, still run.
  r = run_drsim("sweep " + kSource + "/scenarios/validation/M08-latent-missed-by-test.json --set /components/standby/failures/hidden/proof_test/interval=730h,40000h --trials 20", tmp);
  CHECK(r.code == 0);
  CHECK(r.err.find("warning: --set /components/standby/failures/hidden/proof_test/interval=40000h: an interval longer than half the horizon") != std::string::npos);
  CHECK(r.err.find("interval=730h:") == std::string::npos);
  CHECK(r.err.find("(hint: --warm-up 10y to measure from its steady state, or --horizon 46y)") != std::string::npos);
  r = run_drsim("sweep " + kSource + "/scenarios/validation/M08-latent-missed-by-test.json --set /components/standby/failures/hidden/proof_test/interval=40000h --warm-up 10y --trials 20", tmp);
  CHECK(r.code == 0);
  CHECK(r.err.find("warning") == std::string::npos);
}

TEST_CASE("importance: A in series with (B parallel C) — FV, Birnbaum, RAW, RRW against their closed forms", "[importance]") {
  // qA = 2/(98+2) = 0.02, qB = qC = 10/(90+10) = 0.1, independent repairs (no crews).
  // Q = 1 − (1 − qA)(1 − qB qC) = 1 − 0.98 · 0.99 = 0.0298.
  // A: Q0 = qB qC = 0.01, Q1 = 1.          B: Q0 = qA = 0.02, Q1 = 1 − (1 − qA)(1 − qC) = 0.118.
  //   FV = (Q − Q0)/Q, Birnbaum = Q1 − Q0, RAW = Q1/Q, RRW = Q/Q0, fix = (Q − Q0) · 525,600 min/y.
  TempDir tmp("importance");
  const std::string f = write(tmp, "sp.json", std::string(R"({"drsim": 1, "title": "A in series with B parallel C", "horizon": "1y", "components": [)") +
                                                  unit("a", "98h", "2h") + "," + unit("b", "90h", "10h") + "," + unit("c", "90h", "10h") +
                                                  R"(], "service": {"requires": {"all": ["a", {"any": ["b", "c"]}]}}})");
  auto r = run_drsim(fmt::format("importance {} --trials 1500 --seed 3 --out {}", f, tmp / "imp.json"), tmp);
  INFO(r.err);
  REQUIRE(r.code == 0);
  const json j = json::parse(slurp(tmp / "imp.json"));
  const double qa = 0.02, qb = 0.1, Q = 1 - (1 - qa) * (1 - qb * qb);
  near_truth(j["base"]["unavailability"], Q, 0.03, "Q");
  REQUIRE(j["subjects"].size() == 3);
  // Ranked by what a fix buys: A (0.0198) before B and C (0.0098 each).
  CHECK(j["subjects"][0]["id"] == "a");
  CHECK(j["subjects"][0]["rank"] == 1);
  for (const auto& s : j["subjects"]) {
    const bool a = s["id"] == "a";
    const double q0 = a ? qb * qb : qa, q1 = a ? 1.0 : 1 - (1 - qa) * (1 - qb);
    const std::string id = s["id"];
    near_truth(s["fussell_vesely"], (Q - q0) / Q, 0.1, id + " FV");
    near_truth(s["birnbaum"], q1 - q0, 0.1, id + " Birnbaum");
    near_truth(s["raw"], q1 / Q, 0.1, id + " RAW");
    near_truth(s["rrw"], Q / q0, 0.1, id + " RRW");
    near_truth(s["fix_min_per_year"], (Q - q0) * kMinPerYear, 0.1, id + " fix buys");
  }
  CHECK(r.out.find("ranked by what a perfect fix buys") != std::string::npos);
}

TEST_CASE("sensitivity: ranges in the file on one exponential unit, Δ at low and high against q = MTTR/(MTTF+MTTR), sorted by swing", "[sensitivity]") {
  // Base MTTF 1000 h, MTTR 10 h: q = 10/1010. Repair range 5 h – 15 h: q = 5/1005, 15/1015.
  // Lifetime range 800 h – 2000 h: q = 10/810, 10/2010. Swings (min/y): repair 5169, lifetime 3891.
  TempDir tmp("sensitivity");
  const std::string f = write(tmp, "u.json", R"({"drsim": 1, "horizon": "10y", "components": [{"id": "u", "kind": "generic", "failures": [
    {"id": "hw", "type": "random", "ttf": {"dist": "exponential", "mean": "1000h", "range": {"mean": {"low": "800h", "high": "2000h"}}},
     "recovery": {"repair": {"dist": "exponential", "mean": "10h", "range": {"mean": {"low": "5h", "high": "15h", "source": "vendor"}}}}}]}],
    "service": {"requires": "u"}})");
  auto v = run_drsim("validate " + f, tmp);
  CHECK(v.code == 0);
  auto r = run_drsim(fmt::format("sensitivity {} --trials 400 --out {}", f, tmp / "t.json"), tmp);
  INFO(r.err);
  REQUIRE(r.code == 0);
  const json j = json::parse(slurp(tmp / "t.json"));
  REQUIRE(j["parameters"].size() == 2);
  const double q = 10.0 / 1010;
  const auto& rep = j["parameters"][0];
  const auto& ttf = j["parameters"][1];
  CHECK(rep["path"] == "/components/u/failures/hw/recovery/repair/mean");
  CHECK(ttf["path"] == "/components/u/failures/hw/ttf/mean");
  near_truth(rep["delta_low_min_per_year"], (5.0 / 1005 - q) * kMinPerYear, 0.25, "repair low");
  near_truth(rep["delta_high_min_per_year"], (15.0 / 1015 - q) * kMinPerYear, 0.25, "repair high");
  near_truth(ttf["delta_low_min_per_year"], (10.0 / 810 - q) * kMinPerYear, 0.25, "lifetime low");
  near_truth(ttf["delta_high_min_per_year"], (10.0 / 2010 - q) * kMinPerYear, 0.25, "lifetime high");
  CHECK(rep["swing_min_per_year"].get<double>() > ttf["swing_min_per_year"].get<double>());
  // --default-range adds the parameters without a range (none here: both have one).
  auto d = run_drsim(fmt::format("sensitivity {} --default-range 0.5 --trials 50 --out {}", f, tmp / "d.json"), tmp);
  REQUIRE(d.code == 0);
  CHECK(json::parse(slurp(tmp / "d.json"))["parameters"].size() == 2);
}

TEST_CASE("sensitivity: --default-range scales every rate, duration and distribution; bad ranges are refused at their pointer", "[sensitivity]") {
  TempDir tmp("sensitivity-bad");
  const std::string u = std::string(R"({"drsim": 1, "horizon": "10y", "components": [)") + unit("u", "1000h", "10h") + R"(], "service": {"requires": "u"}})";
  const std::string f = write(tmp, "u.json", u);
  auto r = run_drsim(fmt::format("sensitivity {} --default-range 0.5 --trials 300 --out {}", f, tmp / "t.json"), tmp);
  REQUIRE(r.code == 0);
  const json j = json::parse(slurp(tmp / "t.json"));
  REQUIRE(j["parameters"].size() == 2);  // the lifetime and the repair distributions
  // ×1.5 on the repair: q = 15/1015; ×0.5 on the lifetime: q = 10/510.
  for (const auto& p : j["parameters"]) {
    const bool repair = p["path"] == "/components/u/failures/hw/recovery/repair";
    near_truth(p["delta_high_min_per_year"], ((repair ? 15.0 / 1015 : 10.0 / 1510) - 10.0 / 1010) * kMinPerYear, 0.3, p["path"].get<std::string>());
    CHECK(p["high"]["mean"] == (repair ? "15h" : "1500h"));
  }
  CHECK(j["parameters"][0]["path"] == "/components/u/failures/hw/ttf");  // ×0.5 doubles q: the larger swing
  r = run_drsim("sensitivity " + f, tmp);
  CHECK(r.code == 2);
  CHECK(r.err.find("no parameter has a range, nothing to vary") != std::string::npos);
  // Bad ranges: at their pointer, with a hint.
  const std::string bad = write(tmp, "bad.json", R"({"drsim": 1, "horizon": "10y", "components": [{"id": "u", "kind": "generic", "failures": [
    {"id": "hw", "type": "random", "ttf": {"dist": "exponential", "mean": "1000h", "range": {"mean": {"low": 800, "high": "2000h"}, "meen": {"low": "1h", "high": "2h"}}},
     "recovery": {"repair": {"dist": "exponential", "mean": "10h", "range": {"mean": {"low": "20h", "high": "30h"}}}}}]}],
    "service": {"requires": "u"}})");
  r = run_drsim("validate " + bad, tmp);
  CHECK(r.code == 2);
  CHECK(r.err.find(bad + ":/components/0/failures/0/ttf/range/mean/low (u): error: expected a duration, like \"30m\", got 800 (hint: the same kind as \"mean\")") !=
        std::string::npos);
  CHECK(r.err.find(bad + ":/components/0/failures/0/ttf/range/meen (u): error: a range for \"meen\", which is not beside it (hint: did you mean \"mean\"?)") !=
        std::string::npos);
  CHECK(r.err.find(bad + ":/components/0/failures/0/recovery/repair/range/mean (u): error: the value \"10h\" lies outside its range [\"20h\", \"30h\"] (hint: low <= value <= high)") !=
        std::string::npos);
}

TEST_CASE("sensitivity: a range and the values of the file a scenario extends are parameters like its own", "[sensitivity]") {
  // The base: one unit, MTTF 1000 h, MTTR 10 h with a range 5 h - 15 h. The scenario that
  // extends it halves the MTTF: q = 10/510; at the repair's low and high 5/505, 15/515.
  TempDir tmp("sensitivity-extends");
  write(tmp, "base.json", R"({"drsim": 1, "horizon": "10y", "components": [{"id": "u", "kind": "generic", "failures": [
    {"id": "hw", "type": "random", "ttf": {"dist": "exponential", "mean": "1000h"},
     "recovery": {"repair": {"dist": "exponential", "mean": "10h", "range": {"mean": {"low": "5h", "high": "15h"}}}}}]}],
    "service": {"requires": "u"}})");
  const std::string f = write(tmp, "ext.json", R"({"drsim": 1, "extends": "base.json", "title": "half the lifetime",
    "patch": [{"op": "set", "path": "/components/u/failures/hw/ttf/mean", "value": "500h"}]})");
  auto r = run_drsim(fmt::format("sensitivity {} --trials 400 --out {}", f, tmp / "t.json"), tmp);
  INFO(r.err);
  REQUIRE(r.code == 0);
  json j = json::parse(slurp(tmp / "t.json"));
  REQUIRE(j["parameters"].size() == 1);
  const auto& rep = j["parameters"][0];
  CHECK(rep["path"] == "/components/u/failures/hw/recovery/repair/mean");
  CHECK(rep["value"] == "10h");  // read from the base, where it is written
  const double q = 10.0 / 510;
  near_truth(rep["delta_low_min_per_year"], (5.0 / 505 - q) * kMinPerYear, 0.25, "repair low");
  near_truth(rep["delta_high_min_per_year"], (15.0 / 515 - q) * kMinPerYear, 0.25, "repair high");
  // --default-range: the patched lifetime (500 h, not the base's 1000 h) is scaled too.
  auto d = run_drsim(fmt::format("sensitivity {} --default-range 0.5 --trials 300 --out {}", f, tmp / "d.json"), tmp);
  INFO(d.err);
  REQUIRE(d.code == 0);
  j = json::parse(slurp(tmp / "d.json"));
  REQUIRE(j["parameters"].size() == 2);
  bool saw_ttf = false;
  for (const auto& p : j["parameters"])
    if (p["path"] == "/components/u/failures/hw/ttf") {
      saw_ttf = true;
      CHECK(p["value"]["mean"] == "500h");
      CHECK(p["high"]["mean"] == "750h");
      // ×1.5 on the lifetime: q = 10/760.
      near_truth(p["delta_high_min_per_year"], (10.0 / 760 - q) * kMinPerYear, 0.3, "lifetime high");
    }
  CHECK(saw_ttf);
}

TEST_CASE("extends: a scenario built on another by a patch runs as the patched base; errors where they are written", "[extend]") {
  TempDir tmp("extend");
  const std::string base = write(tmp, "base.json", std::string(R"({"drsim": 1, "title": "base", "horizon": "10y", "components": [)") +
                                                       unit("u", "1000h", "10h") + R"(], "service": {"requires": "u"},
    "variants": {"slow": {"patch": [{"op": "set", "path": "/components/u/failures/hw/recovery/repair/mean", "value": "20h"}]}}})");
  const std::string ext = write(tmp, "ext.json", R"(// slower repairs
    {"drsim": 1, "extends": "base.json", "title": "slow repairs",
     "patch": [{"op": "set", "path": "/components/u/failures/hw/recovery/repair/mean", "value": "20h"}]})");
  auto v = run_drsim("validate " + ext, tmp);
  CHECK(v.code == 0);
  // The same trials as the base with the same change as a variant: the same numbers.
  auto a = run_drsim(fmt::format("run {} --trials 200 --seed 3 --out {}", ext, tmp / "a.json"), tmp);
  auto b = run_drsim(fmt::format("run {} --variant slow --trials 200 --seed 3 --out {}", base, tmp / "b.json"), tmp);
  REQUIRE(a.code == 0);
  REQUIRE(b.code == 0);
  const json ja = json::parse(slurp(tmp / "a.json")), jb = json::parse(slurp(tmp / "b.json"));
  CHECK(ja["downtime_minutes"] == jb["downtime_minutes"]);
  CHECK(ja["title"] == "slow repairs");

  auto bad = [&](const std::string& name, const std::string& text) {
    write(tmp, name, text);
    return run_drsim("validate " + (tmp / name), tmp).err;
  };
  // A patch path to nothing, a value the patch writes that is wrong: at the patch.
  CHECK(bad("p1.json", R"({"drsim": 1, "extends": "base.json", "patch": [{"op": "remove", "path": "/components/v"}]})") ==
        tmp / "p1.json" + ":/patch/0/path: error: no element with id \"v\" in /components (hint: did you mean \"u\"?)\n");
  CHECK(bad("p2.json", R"({"drsim": 1, "extends": "base.json", "patch": [{"op": "set", "path": "/components/u/failures/hw/recovery/repair/mean", "value": "-3h"}]})") ==
        tmp / "p2.json" + ":/patch/0/value: error: \"mean\" must not be negative, got \"-3h\" (hint: write a positive duration, like \"3h\")\n");
  // A key the file writes itself: at that key.
  CHECK(bad("p3.json", R"({"drsim": 1, "extends": "base.json", "service": {"requires": "v"}})") ==
        tmp / "p3.json" + ":/service/requires: error: unknown id \"v\" (hint: did you mean \"u\"?)\n");
  // Written in the base, broken by the patch: said so.
  const std::string e4 = bad("p4.json", R"({"drsim": 1, "extends": "base.json", "patch": [{"op": "set", "path": "/components/u/id", "value": "w"}]})");
  CHECK(e4.find(tmp / "p4.json" + ":/service/requires: error: unknown id \"u\"") != std::string::npos);
  CHECK(e4.find("at /service/requires of " + base + " as this file extends it") != std::string::npos);
  // A broken base: its own problems in it, then the file that extends it.
  bad("p5.json", R"({"drsim": 1, "extends": "base.json", "patch": [{"op": "set", "path": "/horizon", "value": "2h"}, {"op": "set", "path": "/service/requires", "value": "z"}]})");
  CHECK(bad("p6.json", R"({"drsim": 1, "extends": "p5.json"})") ==
        tmp / "p5.json" + ":/patch/1/value: error: unknown id \"z\" (hint: did you mean \"u\"?)\n" + tmp / "p6.json" +
            ":/extends: error: the scenario it extends, " + tmp / "p5.json" + ", has 1 error (hint: a scenario extends a valid one; fix that file first)\n");
  write(tmp, "p7.json", R"({"drsim": 1, "extends": "p8.json"})");
  write(tmp, "p8.json", R"({"drsim": 1, "extends": "p7.json"})");
  const std::string e7 = run_drsim("validate " + (tmp / "p7.json"), tmp).err;
  CHECK(e7.find(":/extends: error: extends \"" + tmp / "p7.json" + "\", which extends this file: a cycle") != std::string::npos);
  CHECK(bad("p9.json", R"({"drsim": 1, "extends": 3})") ==
        tmp / "p9.json" + ":/extends: error: expected a file name, got number (hint: the scenario this one builds on, relative to this file, e.g. \"two-site-baseline.json\")\n");
}

TEST_CASE("importance: a common cause never happening buys what drsim compare says removing it buys, on the same trials", "[importance]") {
  TempDir tmp("importance-cc");
  std::string text = kPair;
  // A power cut shared by both units, and a variant without it.
  text.replace(text.find(R"("objectives")"), 0, R"("common_causes": [{"id": "power", "targets": ["a", "b"],
      "failure": {"id": "cut", "type": "external", "rate": "4/y", "duration": {"dist": "exponential", "mean": "3h"}}}],
    )");
  text.replace(text.find(R"("p0": )"), 0, R"("no-power": {"patch": [{"op": "remove", "path": "/common_causes/power"}]},
    )");
  const std::string f = write(tmp, "pair-cc.json", text);
  auto i = run_drsim(fmt::format("importance {} --trials 400 --seed 5 --out {}", f, tmp / "imp.json"), tmp);
  INFO(i.err);
  REQUIRE(i.code == 0);
  auto c = run_drsim(fmt::format("compare {} --variant no-power --trials 400 --seed 5 --json {}", f, tmp / "cmp.json"), tmp);
  REQUIRE(c.code == 0);
  const json imp = json::parse(slurp(tmp / "imp.json")), cmp = json::parse(slurp(tmp / "cmp.json"));
  CHECK(imp["base"]["downtime_min_per_year"] == cmp["alternatives"][0]["full_minutes"]);
  const json* power = nullptr;
  for (const auto& s : imp["subjects"])
    if (s["id"] == "power") power = &s;
  REQUIRE(power);
  CHECK((*power)["type"] == "common_cause");
  CHECK((*power)["never_fails_min_per_year"] == cmp["alternatives"][1]["full_minutes"]);
  const auto& d = cmp["alternatives"][1]["delta_full_minutes"];
  CHECK((*power)["fix_min_per_year"]["mean"].get<double>() == Approx(-d["mean"].get<double>()).epsilon(1e-9));
  CHECK((*power)["fix_min_per_year"]["ci95"][0].get<double>() == Approx(-d["ci95"][1].get<double>()).epsilon(1e-9));
  // The cut takes both units: the service is down through each one (4 a year of 3 h: ~720 min/y).
  CHECK((*power)["fix_min_per_year"]["ci95"][0].get<double>() > 400);
  // Always present: both units down for the whole trial, Birnbaum = 1 − Q0 (Q0 small).
  CHECK((*power)["always_failed_min_per_year"]["mean"].get<double>() == Approx(kMinPerYear).epsilon(1e-3));
}
