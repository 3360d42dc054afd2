// The two engines agree: for every shipped scenario and a few seeds, the SimGrid engine
// and the fast engine produce the identical sequence of model events (time, kind,
// subject, detail) and the identical outages and downtime. SimGrid allows one engine per
// process, so each SimGrid trial runs in a forked child that writes its result to a file.
#include <catch2/catch.hpp>

#ifdef DRSIM_HAVE_SIMGRID

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <sstream>

#include <nlohmann/json.hpp>

#include "models/scenario_parser.h"
#include "sim/fast_engine.h"
#include "sim/simgrid/simgrid_engine.h"
#include "tests/simgrid_child.h"

namespace fs = std::filesystem;
using namespace drsim;

namespace {

nlohmann::json to_json(const TrialResult& r, const std::vector<ModelEvent>& ev) {
  nlohmann::json j = simgrid_child::trajectory_json(r, ev);
  j["data_loss"] = r.data_loss;
  return j;
}

struct Setup {
  ModelOptions mo;
  double horizon;
};

Setup setup(const Scenario& sc) {
  Setup s;
  s.mo.record = true;
  if (sc.injections.empty()) {
    s.horizon = 30 * 24;  // a month of random failures (probes every minute)
  } else {
    s.mo.random_failures = false;
    double last = 0;
    for (const auto& in : sc.injections) last = std::max(last, in.at + in.every * std::max(0, in.repeat - 1));
    s.horizon = last + 30 * 24;
  }
  return s;
}

// What the platform observed in a SimGrid trial (probes, replication, state changes).
nlohmann::json platform_json(const SimGridTrial& r) { return r.platform.to_json(); }

}  // namespace

TEST_CASE("SimGrid and fast engines produce the same events and outages on every shipped scenario", "[engines]") {
  int compared = 0;
  for (const auto& entry : fs::recursive_directory_iterator(std::string(DRSIM_SOURCE_DIR) + "/scenarios")) {
    if (entry.path().extension() != ".json") continue;
    Diagnostics d;
    auto sc = load_scenario(entry.path().string(), d);
    REQUIRE(sc);
    const Setup st = setup(*sc);
    for (std::uint64_t seed : {std::uint64_t{1}, std::uint64_t{2}}) {
      if (seed == 2 && !sc->injections.empty()) continue;  // drills: one sampled replay is enough
      INFO(entry.path().filename().string() << " seed " << seed);
      auto t0 = std::chrono::steady_clock::now();
      nlohmann::json sg = simgrid_child::simgrid_trial_json(*sc, seed, st.horizon, st.mo, [](const SimGridTrial& r) {
        auto j = to_json(r.result, r.events);
        j["platform"] = r.platform.to_json();
        return j;
      });

      if (std::getenv("DRSIM_TIMING"))
        std::fprintf(stderr, "%s seed %d: %.2f s\n", entry.path().filename().c_str(), static_cast<int>(seed),
                     std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
      Model model(*sc, st.mo);
      FastEngine fe;
      const TrialResult& r = fe.run_trial(model, seed, 0, st.horizon);
      nlohmann::json fast = to_json(r, model.events());
      CHECK(sg["events"].size() == fast["events"].size());
      CHECK(sg["events"] == fast["events"]);
      CHECK(sg["outages"] == fast["outages"]);
      CHECK(sg["full"] == fast["full"]);
      CHECK(sg["degraded"] == fast["degraded"]);
      // The platform saw what the model did: probes ran, and a full outage shows as failed probes.
      CHECK(sg["platform"]["probes"].get<std::uint64_t>() > 0);
      bool has_lb = false;
      for (const auto& c : sc->components) has_lb = has_lb || c.kind == ComponentKind::load_balancer;
      if (has_lb && r.downtime_full * 60 > 30) CHECK(sg["platform"]["probe_success_ratio"].get<double>() < 1.0);
      ++compared;
    }
  }
  CHECK(compared >= 13);
}

TEST_CASE("SimGrid platform: a site's loss shows as failed probes and lost replication backlog", "[engines]") {
  // Two sites with async replication; dc1 loses power for an hour, taking its storage.
  const char* text = R"({"drsim": 1,
    "components": [
      {"id": "dc1/power", "kind": "power_domain", "site": "dc1",
       "failures": [{"id": "cut", "type": "external", "rate": "1/y", "duration": "1h"}]},
      {"id": "dc1/lb", "kind": "load_balancer", "site": "dc1", "needs": ["dc1/power"]},
      {"id": "dc1/app", "kind": "app_server", "site": "dc1", "needs": ["dc1/power"]},
      {"id": "dc1/storage", "kind": "storage", "site": "dc1", "needs": ["dc1/power"],
       "replication": {"to": "dc2/storage", "mode": "async", "lag": "30s", "write_rate": 50}},
      {"id": "dc2/storage", "kind": "storage", "site": "dc2"}],
    "service": {"requires": {"all": ["dc1/lb", "dc1/app"]}},
    "injections": [{"at": "2h", "action": "cut_power", "target": "dc1/power"}]})";
  Diagnostics d("t.json");
  auto sc = parse_scenario(text, "t.json", d);
  INFO(d.format());
  REQUIRE(sc);
  ModelOptions mo;
  mo.random_failures = false;
  auto p = simgrid_child::simgrid_trial_json(*sc, 1, 24, mo, platform_json, SimGridOptions{});
  INFO(p.dump());
  // Probes every minute over 3 h, one hour of them failing.
  CHECK(p["probes"].get<int>() >= 170);
  CHECK(p["probe_success_ratio"].get<double>() == Approx(2.0 / 3).margin(0.03));
  CHECK(p["replication_streams"] == 1);
  CHECK(p["data_lost_bytes"].get<double>() > 0);
  // A 50 MB/s stream on a 1 Gb/s WAN keeps up: it streams less than a second behind
  // (the catch-up threshold), so the loss is under a second of writes.
  CHECK(p["data_lost_seconds"].get<double>() > 0);
  CHECK(p["data_lost_seconds"].get<double>() <= 1 + 1e-9);
}

TEST_CASE("SimGrid platform: a cut WAN lets the replication backlog grow until the site is lost", "[engines]") {
  // The WAN fails at 1 h (repaired after 10 h); dc1 loses power at 2 h. The writes of the
  // hour between are not at the peer: by hand, 3,600 s of writes (plus the sub-second lag).
  const char* text = R"({"drsim": 1,
    "components": [
      {"id": "dc1/power", "kind": "power_domain", "site": "dc1",
       "failures": [{"id": "cut", "type": "external", "rate": "1/y", "duration": "1h"}]},
      {"id": "wan", "kind": "wan_link",
       "failures": [{"id": "fibre", "type": "random", "ttf": "100y", "recovery": {"repair": "10h"}}]},
      {"id": "dc1/storage", "kind": "storage", "site": "dc1", "needs": ["dc1/power"],
       "replication": {"to": "dc2/storage", "mode": "async", "lag": "30s", "write_rate": 50}},
      {"id": "dc2/storage", "kind": "storage", "site": "dc2"}],
    "service": {"requires": "dc1/storage"},
    "injections": [{"at": "1h", "action": "fail", "target": "wan"},
                   {"at": "2h", "action": "cut_power", "target": "dc1/power"}]})";
  Diagnostics d("t.json");
  auto sc = parse_scenario(text, "t.json", d);
  INFO(d.format());
  REQUIRE(sc);
  ModelOptions mo;
  mo.random_failures = false;
  SimGridOptions so;
  so.probe_interval_s = 0;
  auto p = simgrid_child::simgrid_trial_json(*sc, 1, 24, mo, platform_json, so);
  INFO(p.dump());
  CHECK(p["data_lost_seconds"].get<double>() >= 3600);
  CHECK(p["data_lost_seconds"].get<double>() <= 3601);
  CHECK(p["data_lost_bytes"].get<double>() == Approx(p["data_lost_seconds"].get<double>() * 50e6).epsilon(1e-9));
}

#endif
