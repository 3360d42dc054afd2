// The five incident replays reproduce their reports (drsim drill --point: every
// distribution at its median), and every what-if variant moves downtime the way the
// fix promises, significantly (paired Monte Carlo with common random numbers, 95 %).
// Reported figures are issue 5's table; tolerances are relative.
#include <catch2/catch.hpp>

#include <cmath>
#include <string>
#include <vector>

#include "models/scenario_parser.h"
#include "sim/compare.h"
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
  double last = 0;
  for (const auto& in : sc.injections) last = std::max(last, in.at);
  out.r = fe.run_trial(m, 1, 0, last + 30 * 24);
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
double step_time(const Scenario& sc, const Replay& rp, const std::string& runbook, const std::string& step) {
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

void within(double got_minutes, double want_minutes, double tol) {
  INFO("got " << got_minutes << " min, report " << want_minutes << " min ± " << tol * 100 << " %");
  CHECK(std::fabs(got_minutes - want_minutes) <= tol * want_minutes);
}

// Each variant changes mean downtime (full, or degraded) the promised way, significantly.
void variants_help(const std::string& name, bool degraded) {
  Scenario base = load(name);
  for (const auto& v : base.variant_names) {
    Scenario alt = load(name, {v});
    CompareOptions o;
    o.trials = 2000;
    o.seed = 7;
    o.jobs = 2;
    o.random_failures = false;
    auto res = run_comparison({&base, &alt}, o);
    const RunningStats& d = degraded ? res.alt[1].d_degraded : res.alt[1].d_full;
    Interval ci = d.mean_ci(0.95);
    INFO(name << " variant " << v << ": change " << d.mean() * 60 << " min, 95 % CI [" << ci.lo * 60 << ", " << ci.hi * 60 << "]");
    CHECK(d.mean() < 0);
    CHECK(ci.hi < 0);
  }
  CHECK(base.variant_names.size() >= 2);
}

}  // namespace

TEST_CASE("Campaign Monitor replay: one full outage of 50 min with a 20-min vendor step", "[incidents]") {
  Scenario sc = load("campaign-monitor-licence");
  Replay rp = replay(sc);
  CHECK(rp.finished);
  auto full = full_outages(rp.r);
  REQUIRE(full.size() == 1);
  within((full[0].end - full[0].start) * 60, 50, 0.10);
  double vendor = step_time(sc, rp, "rekey", "vendor") - step_time(sc, rp, "rekey", "diagnose");
  within(vendor * 60, 20, 0.10);
}

TEST_CASE("dotMailer replay: three full outages of 180, 190 and 355 min at the reported times", "[incidents]") {
  Scenario sc = load("dotmailer-switch-pair");
  Replay rp = replay(sc);
  CHECK(rp.finished);
  auto full = full_outages(rp.r);
  REQUIRE(full.size() == 3);
  const double want[] = {180, 190, 355};
  for (int i = 0; i < 3; ++i) {
    within((full[static_cast<std::size_t>(i)].end - full[static_cast<std::size_t>(i)].start) * 60, want[i], 0.05);
    CHECK(full[static_cast<std::size_t>(i)].start == Approx(sc.injections[static_cast<std::size_t>(i) + 1].at));
  }
  // Partial unavailability (image serving) between the outages.
  int partial = 0;
  for (const auto& o : rp.r.outages)
    if (!o.full && o.start >= full[0].end) ++partial;
  CHECK(partial >= 3);
  // Fully restored at 01:05 on the 15th: 735 min after the third outage began.
  within((rp.r.outages.back().end - full[2].start) * 60, 425, 0.05);
}

TEST_CASE("Maropost replay: restoration 30 min in, restored at 60 min", "[incidents]") {
  Scenario sc = load("maropost-provider-change");
  Replay rp = replay(sc);
  CHECK(rp.finished);
  auto full = full_outages(rp.r);
  REQUIRE(full.size() == 1);
  CHECK(full[0].start == Approx(0));
  within((full[0].end - full[0].start) * 60, 60, 0.15);
  within(step_time(sc, rp, "work-around", "investigate") * 60, 30, 0.15);
}

TEST_CASE("Constant Contact replay: website first, partial service at 23:15, email an hour later, all by 01:00", "[incidents]") {
  Scenario sc = load("constant-contact-power");
  Replay rp = replay(sc);
  CHECK(rp.finished);
  const double cut = sc.injections.back().at;
  auto full = full_outages(rp.r);
  REQUIRE(full.size() == 1);
  CHECK(full[0].start == Approx(cut));
  within((full[0].end - cut) * 60, 763, 0.10);
  double website = restored_at(sc, rp, "dc1/website", cut), app = restored_at(sc, rp, "dc1/app", cut);
  double email = restored_at(sc, rp, "dc1/email", cut);
  CHECK(website > cut);
  CHECK(website < app);
  within((email - app) * 60, 60, 0.25);
  within((rp.r.outages.back().end - cut) * 60, 868, 0.10);
}

TEST_CASE("Dotdigital replay: no full outage; reports degraded from 13:36 and 14:41, back 16:07, 17:11, 17:21 next day", "[incidents]") {
  Scenario sc = load("dotdigital-bad-deploy");
  Replay rp = replay(sc);
  CHECK(rp.finished);
  CHECK(full_outages(rp.r).empty());
  CHECK(rp.r.downtime_full == 0);
  REQUIRE(rp.r.outages.size() >= 3);
  CHECK(rp.r.outages[0].start == Approx(0));
  // Europe joins at 14:41: a segment starts 65 min in.
  bool eu = false;
  for (const auto& o : rp.r.outages) eu = eu || std::fabs(o.start * 60 - 65) < 1e-6;
  CHECK(eu);
  within(step_time(sc, rp, "revert-and-backfill", "revert") * 60, 151, 0.10);
  within(restored_at(sc, rp, "affected/majority") * 60, 215, 0.10);
  within(rp.r.outages.back().end * 60, 1665, 0.10);
}

TEST_CASE("every incident variant reduces downtime significantly (paired, 95 %)", "[incidents][variants]") {
  variants_help("campaign-monitor-licence", false);
  variants_help("dotmailer-switch-pair", false);
  variants_help("maropost-provider-change", false);
  variants_help("constant-contact-power", false);
  variants_help("dotdigital-bad-deploy", true);
}
