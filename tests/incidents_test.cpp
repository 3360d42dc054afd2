// The five incident replays reproduce their reports, and every what-if variant moves
// downtime the way the fix promises.
//
// Replays: ModelOptions{point, record, no random failures} (what `drsim drill --point`
// runs). The reported figures come from each scenario's "expected" map (wall-clock
// times from the report, converted with the scenario's start), never from this file;
// what is measured comes from the TrialResult's outages and the event log.
//
// What-ifs: for each variant, base and variant run the same trials (same seed, same
// trial indices: common random numbers) through the FastEngine with random failures
// off; the paired difference of downtime per trial must be negative with a 95 % CI
// that excludes 0, and where the fix prevents the outage, P(outage) must fall too.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <map>
#include <string>
#include <vector>

#include "analysis/statistics.h"
#include "models/scenario_parser.h"
#include "sim/fast_engine.h"

using namespace drsim;

namespace {

std::string path(const std::string& name) { return std::string(DRSIM_SOURCE_DIR) + "/scenarios/incidents/" + name + ".json"; }

Scenario load(const std::string& name, const std::vector<std::string>& variants = {}) {
  Diagnostics d(path(name));
  LoadOptions lo;
  lo.variants = variants;
  auto sc = load_scenario(path(name), d, lo);
  INFO(d.format());
  REQUIRE(sc);
  return *sc;
}

// A figure from the scenario's "expected" map: a number as written.
double number(const Scenario& sc, const std::string& key) {
  auto it = sc.expected.find(key);
  INFO("expected/" << key);
  REQUIRE(it != sc.expected.end());
  return std::stod(it->second);
}

// A reported wall-clock time from the "expected" map, in hours after the scenario start.
double when(const Scenario& sc, const std::string& key) {
  auto it = sc.expected.find(key);
  INFO("expected/" << key);
  REQUIRE(it != sc.expected.end());
  REQUIRE(sc.start_epoch);
  auto wc = parse_wall_clock(it->second);
  REQUIRE(wc);
  return (wc->epoch_seconds - static_cast<double>(*sc.start_epoch)) / 3600;
}

struct Replay {
  TrialResult r;
  std::vector<ModelEvent> events;
  bool finished = false;
};

Replay replay(const Scenario& sc) {
  ModelOptions mo;
  mo.point = true;
  mo.record = true;
  mo.random_failures = false;
  Model m(sc, mo);
  FastEngine fe;
  Replay out;
  out.r = fe.run_trial(m, 1, 0, sc.horizon);
  out.events = m.events();
  out.finished = m.finished();
  return out;
}

std::vector<Outage> full_outages(const TrialResult& r) {
  std::vector<Outage> v;
  for (const auto& o : r.outages)
    if (o.full) v.push_back(o);
  return v;
}

// Time (hours) a runbook step finished, by runbook and step id; -1 if never.
double step_done(const Scenario& sc, const Replay& rp, const std::string& runbook, const std::string& step) {
  for (const auto& e : rp.events) {
    if (e.kind != ModelEvent::Kind::step_done) continue;
    const auto& rb = sc.runbooks[static_cast<std::size_t>(e.a)];
    if (rb.id == runbook && rb.steps[static_cast<std::size_t>(e.b)].id == step) return e.t;
  }
  return -1;
}

// Time (hours) a component was restored (first time at or after `after`); -1 if never.
double restored_at(const Scenario& sc, const Replay& rp, const std::string& id, double after = 0) {
  for (const auto& e : rp.events)
    if (e.kind == ModelEvent::Kind::restored && e.t >= after && e.a >= 0 && e.a < static_cast<int>(sc.components.size()) &&
        sc.components[static_cast<std::size_t>(e.a)].id == id)
      return e.t;
  return -1;
}

// The first time (hours) the service went DOWN or DEGRADED at or after `after`.
double service_left_up(const Replay& rp, double after = 0) {
  for (const auto& e : rp.events)
    if ((e.kind == ModelEvent::Kind::service_down || e.kind == ModelEvent::Kind::service_degraded) && e.t >= after) return e.t;
  return -1;
}

// `got` and `want` are hours measured from `origin`; the tolerance is relative to the
// reported span.
void within(const std::string& what, double got, double want, double origin, double tol) {
  const double g = (got - origin) * 60, w = (want - origin) * 60;
  INFO(what << ": replay " << g << " min, report " << w << " min ± " << tol * 100 << " %");
  CHECK(got >= origin);
  CHECK(std::fabs(g - w) <= tol * w);
}

// What each fix promises: the measure it must lower, and whether it prevents the
// outage (then P(outage) must fall as well).
struct Promise {
  bool degraded = false;  // lowers degraded time (a degraded-mode incident), else full downtime
  bool prevents = false;  // P(outage) falls
};

struct Effect {
  RunningStats d_time;  // variant minus base, hours, per trial
  RunningStats d_any;   // variant minus base, outage indicator
};

// Paired Monte Carlo through the FastEngine: trial t of base and variant share
// (seed, t) and therefore the random streams of every part they share.
Effect paired(const Scenario& base, const Scenario& alt, bool degraded, std::uint64_t trials, std::uint64_t seed) {
  ModelOptions mo;
  mo.random_failures = false;
  Model mb(base, mo), ma(alt, mo);
  FastEngine fe;
  Effect e;
  for (std::uint64_t t = 0; t < trials; ++t) {
    const TrialResult& rb = fe.run_trial(mb, seed, t, base.horizon);
    const double xb = degraded ? rb.downtime_degraded : rb.downtime_full;
    const double ob = rb.outages.empty() ? 0 : 1;
    const TrialResult& ra = fe.run_trial(ma, seed, t, base.horizon);
    const double xa = degraded ? ra.downtime_degraded : ra.downtime_full;
    const double oa = ra.outages.empty() ? 0 : 1;
    e.d_time.add(xa - xb);
    e.d_any.add(oa - ob);
  }
  return e;
}

void variants_keep_promises(const std::string& name, const std::map<std::string, Promise>& promises) {
  const Scenario base = load(name);
  // Every variant the file ships has a promise here, and the are all shipped.
  CHECK(base.variant_names.size() == promises.size());
  for (const auto& [v, promise] : promises) {
    INFO(name << " variant " << v);
    REQUIRE(std::find(base.variant_names.begin(), base.variant_names.end(), v) != base.variant_names.end());
    const Scenario alt = load(name, {v});
    const Effect e = paired(base, alt, promise.degraded, 2000, 7);
    const Interval ci = e.d_time.mean_ci(0.95);
    INFO("change in mean " << (promise.degraded ? "degraded" : "full") << " downtime " << e.d_time.mean() * 60
                           << " min, 95 % CI [" << ci.lo * 60 << ", " << ci.hi * 60 << "]");
    CHECK(e.d_time.mean() < 0);
    CHECK(ci.hi < 0);
    if (promise.prevents) {
      const Interval pci = e.d_any.mean_ci(0.95);
      INFO("change in P(outage) " << e.d_any.mean() << ", 95 % CI [" << pci.lo << ", " << pci.hi << "]");
      CHECK(pci.hi < 0);
    }
  }
}

}  // namespace

TEST_CASE("Campaign Monitor replay: one full outage of 50 min with a 20-min vendor step", "[incidents]") {
  const Scenario sc = load("campaign-monitor-licence");
  const Replay rp = replay(sc);
  CHECK(rp.finished);
  const double tol = number(sc, "tolerance");
  const auto full = full_outages(rp.r);
  REQUIRE(full.size() == static_cast<std::size_t>(number(sc, "full_outages")));
  CHECK(rp.r.outages.size() == full.size());
  // The key goes off at the reported time: 10:00 London (GMT).
  CHECK(full[0].start == Approx(when(sc, "outage_start")).margin(1e-9));
  within("outage", full[0].end, full[0].start + number(sc, "reported_full_minutes") / 60, full[0].start, tol);
  // The vendor step: from the end of the step before it (diagnose) to keys in hand.
  const double diagnosed = step_done(sc, rp, "rekey", "diagnose"), vendor = step_done(sc, rp, "rekey", "vendor");
  REQUIRE(diagnosed > 0);
  within("vendor step", vendor, diagnosed + number(sc, "vendor_step_minutes") / 60, diagnosed, tol);
  CHECK(vendor < full[0].end);
}

TEST_CASE("dotMailer replay: three full outages of 180, 190 and 355 min at the reported times", "[incidents]") {
  const Scenario sc = load("dotmailer-switch-pair");
  const Replay rp = replay(sc);
  CHECK(rp.finished);
  const double tol = number(sc, "tolerance");
  const auto full = full_outages(rp.r);
  REQUIRE(full.size() == static_cast<std::size_t>(number(sc, "full_outages")));
  for (std::size_t i = 0; i < full.size(); ++i) {
    const std::string k = "outage_" + std::to_string(i + 1);
    INFO(k);
    CHECK(full[i].start == Approx(when(sc, k + "_start")).margin(1e-9));
    within(k, full[i].end, when(sc, k + "_end"), full[i].start, tol);
  }
  // Partial unavailability (image serving, uploads, saving campaigns) between the
  // outages: after each one, a degraded segment before the next outage begins.
  for (std::size_t i = 0; i < full.size(); ++i) {
    const double next = i + 1 < full.size() ? full[i + 1].start : 1e300;
    bool partial = false;
    for (const auto& o : rp.r.outages) partial = partial || (!o.full && o.start >= full[i].end && o.end <= next);
    INFO("after outage " << i + 1);
    CHECK(partial);
  }
  // Fully restored at 01:05 GMT on the 15th.
  within("fully restored", rp.r.outages.back().end, when(sc, "fully_restored"), full.back().start, tol);
  // The third occurrence escalates: both switches are replaced from spares.
  CHECK(restored_at(sc, rp, "ldn/sw-b", full.back().start) == Approx(full.back().end));
}

TEST_CASE("Maropost replay: full outage from the 16:24 alert, restoration 30 min in, restored at 60 min", "[incidents]") {
  const Scenario sc = load("maropost-provider-change");
  const Replay rp = replay(sc);
  CHECK(rp.finished);
  const double tol = number(sc, "tolerance");
  const auto full = full_outages(rp.r);
  REQUIRE(full.size() == 1);
  CHECK(rp.r.outages.size() == 1);
  CHECK(full[0].start == Approx(when(sc, "outage_start")).margin(1e-9));
  within("restoration begins", step_done(sc, rp, "work-around", "investigate"), when(sc, "restoration_starts"), full[0].start, tol);
  within("restored", full[0].end, when(sc, "restored"), full[0].start, tol);
}

TEST_CASE("Constant Contact replay: website first, partial service at 23:15, email an hour later, all by 01:00", "[incidents]") {
  const Scenario sc = load("constant-contact-power");
  const Replay rp = replay(sc);
  CHECK(rp.finished);
  const double tol = number(sc, "tolerance");
  const double start = when(sc, "outage_start");
  const auto full = full_outages(rp.r);
  REQUIRE(full.size() == 1);
  CHECK(full[0].start == Approx(start).margin(1e-9));
  CHECK(service_left_up(rp) == Approx(start).margin(1e-9));  // nothing earlier: the latent faults stayed hidden
  within("partial service", full[0].end, when(sc, "partial_service"), start, tol);
  // The website is the first system back, before partial service.
  double first = 1e300;
  std::string first_id;
  for (const auto& c : sc.components) {
    if (c.kind == ComponentKind::utility || c.kind == ComponentKind::generator || c.kind == ComponentKind::ups) continue;
    const double t = restored_at(sc, rp, c.id, start);
    if (t >= 0 && t < first) first = t, first_id = c.id;
  }
  CHECK(first_id == sc.expected.at("first_restored"));
  CHECK(first < full[0].end);
  const double email = restored_at(sc, rp, "dc1/email", start);
  CHECK(email > full[0].end);
  within("email delivery", email, when(sc, "email_restored"), start, tol);
  within("all systems", rp.r.outages.back().end, when(sc, "all_systems"), start, tol);
}

TEST_CASE("Dotdigital replay: no full outage; reports degraded from 13:36 and 14:41, back 16:07, 17:11, 17:21 next day", "[incidents]") {
  const Scenario sc = load("dotdigital-bad-deploy");
  const Replay rp = replay(sc);
  CHECK(rp.finished);
  const double tol = number(sc, "tolerance");
  CHECK(full_outages(rp.r).empty());
  CHECK(rp.r.downtime_full == 0);
  REQUIRE(!rp.r.outages.empty());
  const double na = when(sc, "degraded_from_na_apac"), eu = when(sc, "degraded_from_eu");
  CHECK(rp.r.outages.front().start == Approx(na).margin(1e-9));
  // Europe's reports fail from 14:41: a segment with the EU feature starts then.
  int eu_feature = -1;
  for (std::size_t f = 0; f < sc.service.features.size(); ++f)
    if (sc.service.features[f].id == "reports-eu") eu_feature = static_cast<int>(f);
  REQUIRE(eu_feature >= 0);
  double eu_from = -1;
  for (const auto& o : rp.r.outages)
    if (eu_from < 0 && std::find(o.features.begin(), o.features.end(), eu_feature) != o.features.end()) eu_from = o.start;
  CHECK(eu_from == Approx(eu).margin(1e-9));
  // Reverted at 16:07: new campaigns' reports work in both regions from then on.
  within("revert (NA/APAC reports)", restored_at(sc, rp, "na-apac/reports"), when(sc, "revert"), na, tol);
  within("revert (EU reports)", restored_at(sc, rp, "eu/reports"), when(sc, "revert"), na, tol);
  within("most affected reports", restored_at(sc, rp, "affected/majority"), when(sc, "most_reports_back"), na, tol);
  within("reports corrected", restored_at(sc, rp, "affected/accuracy"), when(sc, "reports_corrected"), na, tol);
  within("last reports", rp.r.outages.back().end, when(sc, "last_reports_back"), na, tol);
}

TEST_CASE("every incident variant lowers downtime significantly (paired, 95 %)", "[incidents][variants]") {
  variants_keep_promises("campaign-monitor-licence",
                         {{"key-per-site", {}}, {"expiry-alert", {false, true}}, {"licence-audit", {false, true}}});
  variants_keep_promises("dotmailer-switch-pair", {{"tested-failover", {}}, {"fast-swap", {}}});
  variants_keep_promises("maropost-provider-change", {{"announced-changes", {}}, {"second-region", {}}});
  variants_keep_promises("constant-contact-power", {{"quarterly-power-tests", {false, true}}, {"dr-site", {}}});
  variants_keep_promises("dotdigital-bad-deploy",
                         {{"qa-catches-clash", {true, true}}, {"faster-revert", {true, false}}, {"staggered-deploys", {true, false}}});
}
