// Issue 13: RTO and RPO judged (run, drill, compare), the drill's critical path and
// waits, drill runs that read as drills, SLO figures that say what they count, and the
// small things (help examples run, durations, ids in CSV and messages).
// Truths are derived here by hand: a drill whose recovery is known step by step, an
// exponential repair's tail e^-1 beyond its mean, an outage list judged on paper.
#include <catch2/catch.hpp>

#include <cmath>
#include <map>
#include <regex>
#include <sstream>

#include <fmt/format.h>

#include "analysis/aggregate.h"
#include "analysis/critical_path.h"
#include "analysis/report.h"
#include "analysis/statistics.h"
#include "models/model.h"
#include "models/objectives.h"
#include "models/scenario_parser.h"
#include "sim/fast_engine.h"
#include "sim/runner.h"
#include "tests/cli_harness.h"

using namespace cli_harness;

namespace {

drsim::Outage outage(double s, double e, bool full, std::vector<int> f = {}) {
  drsim::Outage o;
  o.start = s;
  o.end = e;
  o.full = full;
  o.features = std::move(f);
  return o;
}

// One web server, failed at 10 min by an injection, recovered by a runbook whose steps
// are fixed: detect 15 min, then "fix" 75 min that waits for the vendor; the vendor (an
// outside provider) is down from 10 min for 2 h. Service down 10 min → ?
//   runbook starts at 10 min (the fault); detect 10→25 min; fix is ready at 25 min but
//   waits for the vendor, back at 130 min; fix 130→205 min. Recovery 195 min = 3 h 15 min.
//   RTO 1 h: missed by 2 h 15 min.  Critical path: detect 15 min → fix waited 1 h 45 min
//   for vendor (vendor) → fix 1 h 15 min.
const char* kDrill = R"({"drsim": 1, "title": "vendor wait", "horizon": "1y",
  "components": [
    {"id": "vendor", "kind": "vendor", "failures": [{"id": "away", "type": "external", "rate": "1/y", "duration": "2h"}]},
    {"id": "web", "kind": "app_server", "failures": [{"id": "crash", "type": "random", "ttf": {"dist": "exponential", "mean": "10y"},
      "recovery": {"runbook": "fix-web"}}]}],
  "service": {"requires": "web"},
  "runbooks": [{"id": "fix-web", "steps": [
    {"id": "detect", "kind": "detect", "duration": "15m"},
    {"id": "fix", "kind": "repair", "after": ["detect"], "waits_for": ["vendor"], "restores": ["$targets"], "duration": "75m"}]}],
  "objectives": {"rto": "1h", "rpo": "5m"},
  "injections": [{"at": "10m", "action": "fail", "target": "vendor"}, {"at": "10m", "action": "fail", "target": "web"}]})";

}  // namespace

TEST_CASE("objectives: outages judged on paper — service RTO, feature RTO over touching segments, RPO per event", "[objectives]") {
  drsim::TrialResult r;
  // full 0-2 h; degraded without feature 0 from 3 h to 4 h, then full 4-5 h (touching: one
  // feature recovery of 2 h); degraded without feature 1 from 6 h to 6.5 h.
  r.outages = {outage(0, 2, true), outage(3, 4, false, {0}), outage(4, 5, true), outage(6, 6.5, false, {1})};
  r.data_losses = {0.05, 0.1};  // 3 min and 6 min
  std::vector<drsim::ObjectiveSpec> specs = {{drsim::ObjectiveSpec::Kind::rto, "service", -1, 1.5},
                                             {drsim::ObjectiveSpec::Kind::rto, "reports", 0, 1.0},
                                             {drsim::ObjectiveSpec::Kind::rto, "sms", 1, 1.0},
                                             {drsim::ObjectiveSpec::Kind::rpo, "service", -1, 5.0 / 60}};
  drsim::judge_objectives(specs, r);
  REQUIRE(r.objectives.size() == 4);
  CHECK(r.objectives[0].values == std::vector<double>{2, 1});
  CHECK(r.objectives[0].breached == 1);
  CHECK(r.objectives[0].beyond == Approx(0.5));
  // feature 0: 0-2 h (full) and 3-5 h (degraded + full, touching): both 2 h > 1 h.
  CHECK(r.objectives[1].values == std::vector<double>{2, 2});
  CHECK(r.objectives[1].breached == 2);
  CHECK(r.objectives[1].beyond == Approx(2));
  // feature 1: 0-2, 4-5, 6-6.5.
  CHECK(r.objectives[2].values == std::vector<double>{2, 1, 0.5});
  CHECK(r.objectives[2].breached == 1);
  CHECK(r.objectives[3].breached == 1);
  CHECK(r.objectives[3].beyond == Approx(0.1 - 5.0 / 60));
  CHECK(specs[1].key() == "feature:reports");
}

TEST_CASE("objectives: a site's RTO judges each interval its required node was down, on paper", "[objectives][sites]") {
  drsim::TrialResult r;
  r.outages = {outage(0, 2, true)};          // the service's own outage does not count for the site
  r.site_down = {{{1, 3}, {5, 5.5}}, {}};    // site 0 down 1-3 h and 5-5.5 h; site 1 never
  std::vector<drsim::ObjectiveSpec> specs = {{drsim::ObjectiveSpec::Kind::rto, "dc1", -1, 1.0, 0},
                                             {drsim::ObjectiveSpec::Kind::rto, "dc2", -1, 1.0, 1}};
  drsim::judge_objectives(specs, r);
  REQUIRE(r.objectives.size() == 2);
  CHECK(r.objectives[0].values == std::vector<double>{2, 0.5});
  CHECK(r.objectives[0].breached == 1);
  CHECK(r.objectives[0].beyond == Approx(1));
  CHECK(r.objectives[1].values.empty());
  CHECK(specs[0].key() == "site:dc1");
  CHECK(specs[0].who() == "site dc1");
  CHECK(std::string(specs[0].scope_kind()) == "site");
}

TEST_CASE("objectives: durations print as spans, not seconds", "[objectives]") {
  CHECK(drsim::format_span(154) == "2 h 34 min");
  CHECK(drsim::format_span(12) == "12 min");
  CHECK(drsim::format_span(0.5) == "30 s");
  CHECK(drsim::format_span(16920.0 / 60) == "4 h 42 min");
  CHECK(drsim::format_span(3 * 1440 + 240) == "3 d 4 h");
  CHECK(drsim::format_span(60) == "1 h");
}

TEST_CASE("objectives: a feature RTO naming no feature is refused with the nearest id", "[objectives]") {
  TempDir tmp("obj");
  std::string f = write(tmp, "s.json", R"({"drsim": 1, "components": [{"id": "u", "kind": "generic"}],
    "service": {"requires": "u", "features": [{"id": "reports", "requires": "u"}]},
    "objectives": {"rto": "1h", "features": {"report": {"rto": "4h"}}}})");
  auto r = run_drsim("validate " + f, tmp);
  CHECK(r.code == 2);
  CHECK(r.err.find("/objectives/features/report") != std::string::npos);
  CHECK(r.err.find("did you mean \"reports\"") != std::string::npos);
}

TEST_CASE("drill: RTO verdict, step waits and the critical path of a recovery known by hand", "[objectives][critical-path]") {
  TempDir tmp("obj");
  std::string f = write(tmp, "d.json", kDrill);
  auto r = run_drsim("drill " + f + " --point --engine fast --json - --events " + tmp / "ev.csv", tmp);
  REQUIRE(r.code == 0);
  // Pure JSON on stdout; the text on stderr.
  auto j = nlohmann::json::parse(r.out);
  CHECK(r.err.find("outages") != std::string::npos);
  REQUIRE(j["outages"].size() == 1);
  const auto& o = j["outages"][0];
  CHECK(o["minutes"].get<double>() == Approx(195));
  CHECK(o["rto"]["verdict"] == "RTO 1 h: missed by 2 h 15 min");
  CHECK(o["rto"]["met"] == false);
  const auto& cp = o["critical_path"];
  REQUIRE(cp.size() == 3);
  CHECK(cp[0]["what"] == "detect");
  CHECK(cp[0]["minutes"].get<double>() == Approx(15));
  CHECK(cp[1]["wait"] == true);
  CHECK(cp[1]["minutes"].get<double>() == Approx(105));
  CHECK(cp[1]["what"].get<std::string>().find("vendor (vendor)") != std::string::npos);
  CHECK(cp[2]["minutes"].get<double>() == Approx(75));
  CHECK(r.err.find("recovery 3 h 15 min: detect 15 min → fix waited 1 h 45 min for vendor (vendor)") != std::string::npos);
  // Every step in the timeline with its start, wait and duration.
  CHECK(r.err.find("fix done (started +2h10m00s, waited 1 h 45 min for vendor (vendor), took 1 h 15 min)") != std::string::npos);
  // No data lost: the RPO is met.
  CHECK(r.err.find("RPO 5 min: no data lost — met") != std::string::npos);
  // --events names targets by id.
  std::string csv = slurp(tmp / "ev.csv");
  CHECK(csv.rfind("t_minutes,event,target,detail,clock,text\n", 0) == 0);
  CHECK(csv.find(",restored,web,web/crash,") != std::string::npos);
  CHECK(csv.find(",step,fix-web,fix,") != std::string::npos);
}

namespace {
// Two sites behind GSLB-like "any"; dc1's web fails at 10 min and its repair takes a fixed
// 3 h, while dc2 carries the service. By hand: the service never goes down; site dc1 is
// down 10 min → 3 h 10 min, one recovery of 3 h against its RTO of 1 h: missed by 2 h;
// site dc2 (RTO 1 h) never down: nothing judged.
const char* kSites = R"({"drsim": 1, "title": "a site's own recovery", "horizon": "1y",
  "sites": [{"id": "dc1"}, {"id": "dc2"}],
  "components": [
    {"id": "dc1/web", "kind": "app_server", "site": "dc1", "failures": [{"id": "crash", "type": "random",
      "ttf": {"dist": "exponential", "mean": "1y"}, "recovery": {"repair": "3h"}}]},
    {"id": "dc2/web", "kind": "app_server", "site": "dc2", "failures": [{"id": "crash", "type": "random",
      "ttf": {"dist": "exponential", "mean": "1y"}, "recovery": {"repair": "3h"}}]}],
  "blocks": [{"id": "dc1/path", "all": ["dc1/web"]}, {"id": "dc2/path", "all": ["dc2/web"]}],
  "service": {"requires": {"any": ["dc1/path", "dc2/path"]}},
  "objectives": {"rto": "1h", "sites": {"dc1": {"rto": "1h", "requires": "dc1/path"}, "dc2": {"rto": "1h", "requires": "dc2/path"}}},
  "injections": [{"at": "10m", "action": "fail", "target": "dc1/web"}]})";
}  // namespace

TEST_CASE("drill: a site's RTO is judged on the site's own recovery while the service stays up", "[objectives][sites]") {
  TempDir tmp("obj");
  std::string f = write(tmp, "s.json", kSites);
  for (const char* engine : {"fast", "simgrid"}) {
    INFO(engine);
    auto r = run_drsim(std::string("drill ") + f + " --point --engine " + engine + " --json -", tmp);
    REQUIRE(r.code == 0);
    auto j = nlohmann::json::parse(r.out);
    CHECK(j["outages"].empty());
    const nlohmann::json* site = nullptr;
    for (const auto& e : j["objectives"])
      if (e["key"] == "site:dc1") site = &e;
    REQUIRE(site);
    REQUIRE((*site)["verdicts"].size() == 1);
    CHECK((*site)["verdicts"][0]["minutes"].get<double>() == Approx(180));
    CHECK((*site)["verdicts"][0]["met"] == false);
    CHECK(r.err.find("RTO 1 h: missed by 2 h (site dc1, recovery 1 of 1)") != std::string::npos);
  }
  // describe names it; results.json of a run records it under its stable key.
  auto d = run_drsim("describe " + f, tmp);
  CHECK(d.out.find("RTO 1h for site dc1 (while dc1/path is down)") != std::string::npos);
}

TEST_CASE("run: a site's RTO of an exponential repair is breached e^-1 of the time at its mean", "[objectives][sites][mc]") {
  // One component per site, lifetimes exponential (mean 1000 h), repairs exponential (mean
  // 10 h): each site recovery is one repair, P(repair > 10 h) = e^-1, whatever the other
  // site does; the service (either site) is not what is judged.
  TempDir tmp("obj");
  std::string text = kSites;
  text.replace(text.find(R"("injections")"), std::string(R"("injections": [{"at": "10m", "action": "fail", "target": "dc1/web"}])").size(),
               R"("expected": {})");
  for (std::size_t at; (at = text.find(R"("mean": "1y"}, "recovery": {"repair": "3h"})")) != std::string::npos;)
    text.replace(at, std::string(R"("mean": "1y"}, "recovery": {"repair": "3h"})").size(),
                 R"("mean": "1000h"}, "recovery": {"repair": {"dist": "exponential", "mean": "10h"}})");
  text.replace(text.find(R"("horizon": "1y")"), 15, R"("horizon": "10y")");
  text.replace(text.find(R"("dc1": {"rto": "1h")"), 19, R"("dc1": {"rto": "10h")");
  std::string f = write(tmp, "s.json", text);
  auto r = run_drsim("run " + f + " --trials 400 --seed 5 --jobs 2 --out " + tmp / "res.json", tmp);
  REQUIRE(r.code == 0);
  auto j = nlohmann::json::parse(slurp(tmp / "res.json"));
  const auto& e = j["rto"]["site:dc1"];
  CHECK(e["scope"] == "site");
  CHECK(e["site"] == "dc1");
  CHECK(e["target_minutes"].get<double>() == Approx(600));
  const auto& p = e["p_breach_per_outage"];
  INFO(p.dump());
  CHECK(p["ci95"][0].get<double>() <= std::exp(-1.0));
  CHECK(p["ci95"][1].get<double>() >= std::exp(-1.0));
  // About 10 y × 8760 h / 1010 h ≈ 86.7 recoveries per trial; the site's recoveries are far
  // more than the service's outages (both sites down at once).
  CHECK(e["recoveries"].get<double>() / 400 == Approx(87600.0 / 1010).epsilon(0.05));
  CHECK(j["rto"]["service"]["recoveries"].get<std::uint64_t>() < e["recoveries"].get<std::uint64_t>() / 10);
  CHECK(j["objectives"]["sites"]["dc1"]["requires"] == "dc1/path");
  CHECK(r.out.find("RTO 10 h (site dc1)") != std::string::npos);
}

TEST_CASE("drill: a step waiting for a part the service also needs starts the moment it is back", "[objectives][critical-path]") {
  // The same runbook, but the fix waits for power, which the web server needs (so power
  // coming back also changes the structure). By hand: power out 10 min → 2 h 10 min;
  // detect 10 → 25 min; fix waits for power until 2 h 10 min, takes 75 min: done at
  // 3 h 25 min, an outage of 3 h 15 min. An unrelated fault at 5 h changes nothing.
  // (Before the fix, the step only started at the next structure change with nothing
  // left to recompute: at 5 h, and the outage lasted 6 h 5 min.)
  TempDir tmp("obj");
  std::string f = write(tmp, "w.json", R"({"drsim": 1, "title": "a step waits for power", "horizon": "1y",
    "components": [
      {"id": "power", "kind": "generic", "failures": [{"id": "out", "type": "external", "rate": "1/y", "duration": "2h"}]},
      {"id": "web", "kind": "app_server", "needs": ["power"], "failures": [{"id": "crash", "type": "random",
        "ttf": {"dist": "exponential", "mean": "10y"}, "recovery": {"runbook": "fix-web"}}]},
      {"id": "other", "kind": "generic", "failures": [{"id": "x", "type": "random", "ttf": {"dist": "exponential", "mean": "10y"},
        "recovery": {"repair": "1h"}}]}],
    "blocks": [{"id": "all", "all": ["web", "other"]}],
    "service": {"requires": "web", "features": [{"id": "extra", "requires": "all"}]},
    "runbooks": [{"id": "fix-web", "steps": [
      {"id": "detect", "kind": "detect", "duration": "15m"},
      {"id": "fix", "kind": "repair", "after": ["detect"], "waits_for": ["power"], "restores": ["$targets"], "duration": "75m"}]}],
    "injections": [{"at": "10m", "action": "fail", "target": "power"}, {"at": "10m", "action": "fail", "target": "web"},
                   {"at": "5h", "action": "fail", "target": "other"}]})");
  for (const char* engine : {"fast", "simgrid"}) {
    INFO(engine);
    auto r = run_drsim(std::string("drill ") + f + " --point --engine " + engine + " --json -", tmp);
    REQUIRE(r.code == 0);
    auto j = nlohmann::json::parse(r.out);
    REQUIRE(!j["outages"].empty());
    CHECK(j["outages"][0]["severity"] == "full");
    CHECK(j["outages"][0]["minutes"].get<double>() == Approx(195));
    CHECK(r.err.find("fix done (started +2h10m00s, waited 1 h 45 min for power (dependency), took 1 h 15 min)") != std::string::npos);
  }
}

TEST_CASE("run --engine simgrid judges the objectives as the fast engine does (same results.json)", "[objectives][sites][engines]") {
  // The SimGrid runner's workers once sent back outages and downtime only: every RTO,
  // RPO and site objective came out "0 of 0" on SimGrid.
  TempDir tmp("obj");
  std::string text = kSites;
  text.replace(text.find(R"("injections")"), std::string(R"("injections": [{"at": "10m", "action": "fail", "target": "dc1/web"}])").size(),
               R"("expected": {})");
  text.replace(text.find(R"("mean": "1y"}, "recovery": {"repair": "3h"})"), 43,
               R"("mean": "500h"}, "recovery": {"repair": {"dist": "exponential", "mean": "10h"}})");
  std::string f = write(tmp, "s.json", text);
  std::map<std::string, nlohmann::json> res;
  for (const char* engine : {"fast", "simgrid"}) {
    auto r = run_drsim(std::string("run ") + f + " --trials 12 --seed 9 --jobs 2 --probe-interval 0 --engine " + engine +
                           " --out " + tmp / (std::string(engine) + ".json"), tmp);
    REQUIRE(r.code == 0);
    auto j = nlohmann::json::parse(slurp(tmp / (std::string(engine) + ".json")));
    for (const char* k : {"timing", "engine", "platform"}) j.erase(k);
    j["options"].erase("engine");
    res[engine] = j;
  }
  REQUIRE(res["fast"]["rto"]["site:dc1"]["recoveries"].get<int>() > 0);
  CHECK(res["simgrid"]["rto"] == res["fast"]["rto"]);
  CHECK(res["simgrid"] == res["fast"]);
}

TEST_CASE("drill: an RTO met says how much was to spare", "[objectives]") {
  TempDir tmp("obj");
  std::string text = kDrill;
  text.replace(text.find("\"rto\": \"1h\""), 11, "\"rto\": \"4h\"");
  std::string f = write(tmp, "d.json", text);
  auto r = run_drsim("drill " + f + " --point --engine fast", tmp);
  REQUIRE(r.code == 0);
  CHECK(r.out.find("RTO 4 h: met with 45 min to spare") != std::string::npos);
}

TEST_CASE("Constant Contact replay: the restart waits 90 min for power, on the critical path of 763 min", "[objectives][critical-path][incidents]") {
  TempDir tmp("obj");
  auto r = run_drsim("drill " + kSource + "/scenarios/incidents/constant-contact-power.json --point --engine fast --json -", tmp);
  REQUIRE(r.code == 0);
  auto j = nlohmann::json::parse(r.out);
  const nlohmann::json* full = nullptr;
  for (const auto& o : j["outages"])
    if (o["severity"] == "full") full = &o;
  REQUIRE(full);
  CHECK((*full)["minutes"].get<double>() == Approx(763).epsilon(1e-6));
  bool waited = false;
  double sum = 0;
  for (const auto& s : (*full)["critical_path"]) {
    sum += s["minutes"].get<double>();
    if (s["wait"] == true && s["what"].get<std::string>().find("dc1/power") != std::string::npos) {
      CHECK(s["minutes"].get<double>() == Approx(90).epsilon(1e-6));
      waited = true;
    }
  }
  CHECK(waited);
  CHECK(sum == Approx(763).epsilon(1e-6));  // the path accounts for the whole recovery
  CHECK(r.err.find("assess waited 1 h 30 min for dc1/power (power)") != std::string::npos);
}

TEST_CASE("run: P(an outage breaches the RTO) of an exponential repair is e^-1 at its mean", "[objectives][mc]") {
  TempDir tmp("obj");
  std::string text = kV1;
  text.replace(text.find("\"objectives\": {"), 15, "\"objectives\": {\"rto\": \"10h\", ");
  std::string f = write(tmp, "v1.json", text);
  auto r = run_drsim("run " + f + " --trials 400 --seed 3 --jobs 1 --out " + tmp / "res.json", tmp);
  REQUIRE(r.code == 0);
  auto j = nlohmann::json::parse(slurp(tmp / "res.json"));
  const auto& e = j["rto"]["service"];
  CHECK(e["target_minutes"].get<double>() == Approx(600));
  const auto& p = e["p_breach_per_outage"];
  INFO(p.dump());
  CHECK(p["ci95"][0].get<double>() <= std::exp(-1.0));
  CHECK(p["ci95"][1].get<double>() >= std::exp(-1.0));
  CHECK(e["recoveries"].get<std::uint64_t>() == j["outage_minutes"]["n"].get<std::uint64_t>());
  // The median repair 10 ln 2 h inside the p50's order-statistic interval.
  const auto& q = e["recovery_minutes"]["quantile_ci95"]["p50"];
  CHECK(q[0].get<double>() <= 600 * std::log(2.0));
  CHECK(q[1].get<double>() >= 600 * std::log(2.0));
  CHECK(e["per_trial_is"] == "trial");  // a 10-year horizon
  CHECK(e["p_any_breach_per_trial"]["value"].get<double>() > p["value"].get<double>());
  CHECK(r.out.find("RTO 10 h") != std::string::npos);
  CHECK(r.out.find("downtime beyond the RTO per trial") != std::string::npos);
  // SLO figures under their own names.
  CHECK(j["slo"].contains("p_trial_any_window_breached"));
  CHECK(j["slo"]["windows_are"] == "calendar");
  CHECK(j["slo"]["p_trial_any_window_breached"]["value"].get<double>() >= j["slo"]["p_trial_over_budget"]["value"].get<double>());
  CHECK(r.out.find("P(≥1 breached window in the trial)") != std::string::npos);
}

TEST_CASE("run: objective statistics merge exactly (one block or many) and survive checkpoint state", "[objectives]") {
  drsim::Diagnostics d;
  TempDir tmp("obj");
  std::string f = write(tmp, "d.json", kDrill);
  auto sc = drsim::load_scenario(f, d);
  REQUIRE(sc);
  drsim::ModelOptions mo;
  mo.random_failures = false;
  drsim::Model m(*sc, mo);
  drsim::FastEngine fe;
  drsim::AggregateConfig cfg;
  cfg.causes = m.cause_names().size();
  drsim::Aggregate all(cfg), a(cfg), b(cfg);
  for (int t = 0; t < 40; ++t) {
    const auto& r = fe.run_trial(m, 1, t, 8760);
    all.add(r);
    (t < 17 ? a : b).add(r);
  }
  a.merge(b);
  const auto specs = drsim::objective_specs(*sc);
  CHECK(a.to_json(m.cause_names(), specs) == all.to_json(m.cause_names(), specs));
  auto back = drsim::Aggregate::from_state(nlohmann::json::parse(all.state().dump()));
  CHECK(back.to_json(m.cause_names(), specs) == all.to_json(m.cause_names(), specs));
  // A drill's fixed steps: every recovery is 195 min, every one breaches 1 h.
  auto j = all.to_json(m.cause_names(), specs);
  CHECK(j["rto"]["service"]["p_breach_per_outage"]["value"].get<double>() == 1.0);
  CHECK(j["rto"]["service"]["beyond_rto_minutes_per_trial"]["mean"].get<double>() == Approx(135));
  // A damaged objective count is refused.
  auto st = all.state();
  st["objectives"][0]["counts"][1] = 1000;
  CHECK_THROWS(drsim::Aggregate::from_state(st));
}

TEST_CASE("run over a drill scenario reads as drills: no availability or nines, P(RTO breach) per drill", "[objectives][drills]") {
  TempDir tmp("obj");
  std::string f = write(tmp, "d.json", kDrill);
  auto r = run_drsim("run " + f + " --trials 50 --jobs 1 --out " + tmp / "res.json", tmp);
  REQUIRE(r.code == 0);
  CHECK(r.out.find("50 drills") != std::string::npos);
  CHECK(r.out.find("availability") == std::string::npos);
  CHECK(r.out.find("nines") == std::string::npos);
  CHECK(r.out.find("downtime per drill") != std::string::npos);
  CHECK(r.out.find("recovery time") != std::string::npos);
  CHECK(r.out.find("P(≥1 breach) per drill 100.0 %") != std::string::npos);
  auto j = nlohmann::json::parse(slurp(tmp / "res.json"));
  CHECK(j["drills"] == true);
}

// A drill whose one outage lasts an exponential repair of mean 1 h, judged by an RTO of
// 1 h: P(breach) per replay = P(repair > mean) = e^-1 = 0.368.
const char* kExpDrill = R"({"drsim": 1, "title": "exponential repair", "horizon": "1y",
  "components": [{"id": "web", "kind": "app_server", "failures": [{"id": "crash", "type": "random", "ttf": "10y",
    "recovery": {"repair": {"dist": "exponential", "mean": "1h"}}}]}],
  "service": {"requires": "web"},
  "objectives": {"rto": "1h", "rpo": "5m"},
  "injections": [{"at": "10m", "action": "fail", "target": "web"}]})";

TEST_CASE("drill --trials: P(RTO breach) and P(RPO breach) over the replays with exact binomial CIs", "[objectives][drills]") {
  TempDir tmp("obj");
  // Every replay of kDrill takes 3 h 15 min against an RTO of 1 h: 20 of 20 breach,
  // Clopper–Pearson [0.025^(1/20), 1] = [83.2 %, 100 %]; no data lost: 0 of 20,
  // [0, 1 - 0.025^(1/20)] = [0, 16.8 %].
  std::string f = write(tmp, "d.json", kDrill);
  auto r = run_drsim("drill " + f + " --engine fast --trials 20 --json " + tmp / "d.out.json", tmp);
  INFO(r.out << r.err);
  REQUIRE(r.code == 0);
  CHECK(r.out.find("P(RTO breach) 1 h: 100.0 % [95 % CI 83.2 – 100.0 %], 20 of 20 replays (exact binomial)") != std::string::npos);
  CHECK(r.out.find("P(RPO breach) 5 min: 0.0 % [95 % CI 0.0 – 16.8 %], 0 of 20 replays (exact binomial)") != std::string::npos);
  auto j = nlohmann::json::parse(slurp(tmp / "d.out.json"));
  const auto& rto = j["distribution"]["rto"]["service"];
  CHECK(rto["replays_breached"] == 20);
  CHECK(rto["p_breach_per_replay"]["value"].get<double>() == 1.0);
  CHECK(rto["p_breach_per_replay"]["ci95"][0].get<double>() == Approx(std::pow(0.025, 1.0 / 20)).epsilon(1e-6));
  CHECK(rto["recoveries"] == 20);
  const auto& rpo = j["distribution"]["rpo"]["service"];
  CHECK(rpo["replays_breached"] == 0);
  CHECK(rpo["p_breach_per_replay"]["ci95"][1].get<double>() == Approx(1 - std::pow(0.025, 1.0 / 20)).epsilon(1e-6));

  // A repair of mean 1 h against an RTO of 1 h: e^-1 inside the interval, and the
  // interval the exact one of the count shown.
  f = write(tmp, "e.json", kExpDrill);
  r = run_drsim("drill " + f + " --engine fast --trials 2000 --seed 5 --json - ", tmp);
  INFO(r.err);
  REQUIRE(r.code == 0);
  j = nlohmann::json::parse(r.out);
  const auto& e = j["distribution"]["rto"]["service"];
  const auto k = e["replays_breached"].get<std::uint64_t>();
  const auto& ci = e["p_breach_per_replay"]["ci95"];
  CHECK(ci[0].get<double>() <= std::exp(-1.0));
  CHECK(ci[1].get<double>() >= std::exp(-1.0));
  const drsim::Interval cp = drsim::clopper_pearson(k, 2000);
  CHECK(ci[0].get<double>() == Approx(cp.lo));
  CHECK(ci[1].get<double>() == Approx(cp.hi));
  CHECK(r.err.find(fmt::format("P(RTO breach) 1 h: {:.1f} % [95 % CI {:.1f} – {:.1f} %], {} of 2000 replays", k / 20.0, cp.lo * 100,
                               cp.hi * 100, k)) != std::string::npos);
}

// The last field of a --trials-csv row (top_cause), unquoted (RFC 4180).
std::string last_csv_field(const std::string& row) {
  std::string field;
  bool quoted = false;
  for (std::size_t i = 0; i < row.size(); ++i) {
    const char c = row[i];
    if (quoted && c == '"' && i + 1 < row.size() && row[i + 1] == '"') field += '"', ++i;  // "" is one quote
    else if (c == '"') quoted = !quoted;
    else if (c == ',' && !quoted) field.clear();
    else field += c;
  }
  return field;
}

// Regression: top_cause held the cause's index ("1", or -1 for none).
TEST_CASE("trials CSV: top_cause names the cause with the most downtime in the trial, empty when none", "[objectives][csv]") {
  const std::vector<std::string> causes = {"dc1/utility/loss", "dc1/db/disk", "odd,\"name\""};
  drsim::TrialResult r;
  r.downtime_full = 3;
  r.downtime_by_cause = {1, 2, 0};
  std::string out;
  drsim::append_trials_csv_row(out, 7, r, causes);
  CHECK(out.rfind("7,180,", 0) == 0);
  CHECK(out.back() == '\n');
  CHECK(last_csv_field(out.substr(0, out.size() - 1)) == "dc1/db/disk");
  // Equal downtime: the first; a name with a comma and a quote stays one field.
  r.downtime_by_cause = {0, 0, 2};
  out.clear();
  drsim::append_trials_csv_row(out, 8, r, causes);
  CHECK(out.substr(out.size() - 16) == ",\"odd,\"\"name\"\"\"\n");
  CHECK(last_csv_field(out.substr(0, out.size() - 1)) == "odd,\"name\"");
  // No downtime: an empty field, and the header names the column last.
  r = drsim::TrialResult{};
  r.downtime_by_cause = {0, 0, 0};
  out.clear();
  drsim::append_trials_csv_row(out, 9, r, causes);
  CHECK(out.substr(out.size() - 2) == ",\n");
  std::string header = drsim::trials_csv_header(causes);
  CHECK(header.substr(header.size() - 11) == ",top_cause\n");
}

TEST_CASE("run --trials-csv: each down trial names one of the model's causes, each trial without downtime none", "[objectives][csv]") {
  TempDir tmp("csv");
  // Two units in series, a failing twice as often as b with the same repairs: a is
  // the top cause of most trials, b of a good share (P(b's downtime > a's) ~ 1/4).
  std::string f = write(tmp, "two.json", R"({"drsim": 1, "horizon": "1y",
    "components": [
      {"id": "a", "failures": [{"id": "hw", "type": "random", "ttf": {"dist": "exponential", "mean": "2000h"},
                                "recovery": {"repair": {"dist": "exponential", "mean": "100h"}}}]},
      {"id": "b", "failures": [{"id": "sw", "type": "random", "ttf": {"dist": "exponential", "mean": "4000h"},
                                "recovery": {"repair": {"dist": "exponential", "mean": "100h"}}}]}],
    "service": {"requires": {"all": ["a", "b"]}}})");
  auto r = run_drsim("run " + f + " --trials 200 --jobs 1 -q --out " + tmp / "res.json" + " --trials-csv " + tmp / "t.csv", tmp);
  INFO(r.err);
  REQUIRE(r.code == 0);
  std::istringstream in(slurp(tmp / "t.csv"));
  std::string line;
  std::getline(in, line);
  REQUIRE(line.substr(line.rfind(',') + 1) == "top_cause");
  std::map<std::string, int> seen;
  int rows = 0;
  while (std::getline(in, line)) {
    ++rows;
    INFO(line);
    const double down = std::stod(line.substr(line.find(',') + 1));
    const std::string top = last_csv_field(line);
    if (down > 0) CHECK((top == "a/hw" || top == "b/sw"));
    else CHECK(top.empty());
    ++seen[top];
  }
  CHECK(rows == 200);
  CHECK(seen["a/hw"] > seen["b/sw"]);
  CHECK(seen["b/sw"] > 10);
}

TEST_CASE("every example in every --help runs", "[help-examples]") {
  TempDir tmp("help");
  std::filesystem::create_directory_symlink(kSource + "/scenarios", tmp / "scenarios");
  std::vector<std::string> commands = {""};
  // merge's examples run the shards they merge first; examples run in order, in one directory.
  for (const char* c : {"validate", "describe", "analyze", "rare", "drill", "run", "compare", "report", "merge", "sweep", "importance",
                        "sensitivity"})
    commands.push_back(c);
  int ran = 0;
  for (const auto& c : commands) {
    auto h = run_drsim(c + " --help", tmp);
    REQUIRE(h.code == 0);
    std::istringstream in(h.out);
    std::string line;
    bool examples = false;
    while (std::getline(in, line)) {
      if (line.rfind("examples", 0) == 0 || line.rfind("example:", 0) == 0) {
        examples = true;
        continue;
      }
      if (!examples) continue;
      if (line.empty() || line[0] != ' ') break;
      std::string cmd = line.substr(line.find_first_not_of(' '));
      if (auto k = cmd.find("   ("); k != std::string::npos) cmd = cmd.substr(0, k);
      if (cmd.rfind("mpirun", 0) == 0) continue;  // needs an MPI launcher; its drsim part is the shard run
      REQUIRE(cmd.rfind("drsim ", 0) == 0);
      INFO("drsim " << c << " --help: " << cmd);
      if (auto k = cmd.find(" --resume"); k != std::string::npos) {
        // A resume needs an interrupted run first: the same run, stopped by SIGINT. The
        // whole run takes about 0.4 s on one core (issue 14's speed-ups): interrupt it at
        // 0.15 s, well after its start-up (~10 ms), well before its end.
        std::string first = cmd.substr(6);
        first.erase(first.find(" --resume"), 9);
        auto pre = run_drsim(first + " --jobs 1", tmp, "cd " + tmp.path.string() + " && timeout --preserve-status -s INT 0.15 ");
        REQUIRE(pre.code == 130);
      }
      auto r = run_drsim(cmd.substr(6) + " --engine fast", tmp, "cd " + tmp.path.string() + " && ");
      if (r.code != 0 && r.err.find("--engine") != std::string::npos) r = run_drsim(cmd.substr(6), tmp, "cd " + tmp.path.string() + " && ");
      INFO(r.err);
      CHECK(r.code == 0);
      ++ran;
    }
  }
  CHECK(ran >= 15);
  // The merge example merged what its shard examples wrote.
  CHECK(nlohmann::json::parse(slurp(tmp / "merged.json"))["trials"] == 2000);
}
