// Engines benchmark: the cost per event of the ways drsim can run a model, on the model
// design.md §4 measured: 20 components with exponential failures (mean 10 h) and
// repairs (mean 1 h), in series, over 500,000 h (≈ 1.8 M events).
//
//   calendar     the fast engine's EventCalendar alone (no model): the floor
//   fast         FastEngine running drsim's Model (what `drsim run` uses)
//   simgrid      drsim's SimGrid engine: Model events fired from maestro between
//                Engine::run_until() calls (no probes, no platform traffic)
//   sg-actors    SimGrid with one actor per component sleeping between events
//                (no Model): the design.md reference for "one actor per component"
//
// One mode per process (SimGrid allows one engine per process). bench/engines.sh runs
// every mode and the SimPy 3 peer (bench/simpy_peer.py) side by side.
// Usage: engines_bench MODE [HORIZON_HOURS]   — prints "MODE events seconds events/s".
//        engines_bench fast|simgrid a|b YEARS  — issue 3's models: (a) 5 groups of 2-of-3
//        units in series, (b) the two-site baseline; prints "ENGINE-MODEL events seconds
//        events/s trial-years/s unavailability ci_lo ci_hi peak_MiB".
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <string>

#include <simgrid/s4u.hpp>

#include <sys/resource.h>

#include <fstream>
#include <sstream>
#include <vector>

#include "analysis/statistics.h"
#include "models/random.h"
#include "sim/runner.h"
#include "models/scenario_parser.h"
#include "sim/fast_engine.h"
#include "sim/simgrid/simgrid_engine.h"

namespace {

constexpr int kComponents = 20;
constexpr double kMttf = 10, kMttr = 1;

std::string scenario_text() {
  std::string comps, ids;
  for (int i = 0; i < kComponents; ++i) {
    comps += std::string(i ? "," : "") + R"({"id": "c)" + std::to_string(i) +
             R"(", "kind": "generic", "failures": [{"id": "hw", "type": "random", "ttf": {"dist": "exponential", "mean": "10h"},
               "recovery": {"repair": {"dist": "exponential", "mean": "1h"}}}]})";
    ids += std::string(i ? "," : "") + "\"c" + std::to_string(i) + "\"";
  }
  return R"({"drsim": 1, "components": [)" + comps + R"(], "service": {"requires": {"all": [)" + ids + "]}}}";
}

double seconds_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

// Model (a) of issue 3: 5 groups in series, each needing 2 of 3 units; exponential
// lifetimes (mean 1,000 h) and repairs (mean 10 h); one repair crew per unit.
std::string model_a() {
  std::string comps, groups, ids;
  for (int g = 0; g < 5; ++g) {
    std::string members;
    for (int u = 0; u < 3; ++u) {
      std::string id = "g" + std::to_string(g) + "u" + std::to_string(u);
      comps += std::string(comps.empty() ? "" : ",") + R"({"id": ")" + id +
               R"(", "kind": "generic", "failures": [{"id": "hw", "type": "random", "ttf": {"dist": "exponential", "mean": "1000h"},
                 "recovery": {"repair": {"dist": "exponential", "mean": "10h"}}}]})";
      members += std::string(u ? "," : "") + "\"" + id + "\"";
    }
    groups += std::string(g ? "," : "") + R"({"id": "g)" + std::to_string(g) + R"(", "members": [)" + members + R"(], "need": 2})";
    ids += std::string(g ? "," : "") + "\"g" + std::to_string(g) + "\"";
  }
  return R"({"drsim": 1, "components": [)" + comps + R"(], "groups": [)" + groups + R"(], "service": {"requires": {"all": [)" + ids + "]}}}";
}

double peak_mib() {
  rusage ru{};
  getrusage(RUSAGE_SELF, &ru);
  return static_cast<double>(ru.ru_maxrss) / 1024;
}

// Unavailability per simulated year from one long trial's outages: batch means.
void year_batches(const drsim::TrialResult& r, double years, drsim::RunningStats& out) {
  std::vector<double> down(static_cast<std::size_t>(std::max(1.0, std::ceil(years))), 0);
  for (const auto& o : r.outages) {
    if (!o.full) continue;
    for (double t = o.start; t < o.end;) {
      auto y = static_cast<std::size_t>(t / 8760);
      if (y >= down.size()) break;
      double e = std::min(o.end, (static_cast<double>(y) + 1) * 8760);
      down[y] += e - t;
      t = e;
    }
  }
  for (double d : down) out.add(d / 8760);
}

int run_model(const std::string& engine, const std::string& model, double years) {
  std::string text;
  if (model == "a") {
    text = model_a();
  } else {
    std::ifstream in(std::string(DRSIM_SOURCE_DIR) + "/scenarios/designs/two-site-baseline.json");
    std::stringstream ss;
    ss << in.rdbuf();
    text = ss.str();
  }
  drsim::Diagnostics d;
  auto sc = drsim::parse_scenario(text, "model-" + model, d);
  if (!sc) {
    std::fprintf(stderr, "%s", d.format().c_str());
    return 1;
  }
  auto t0 = std::chrono::steady_clock::now();
  drsim::RunningStats u;
  std::uint64_t events = 0;
  if (engine == "fast") {
    drsim::Model m(*sc);
    drsim::FastEngine fe;
    for (std::uint64_t t = 0; t < static_cast<std::uint64_t>(years); ++t) {
      const auto& r = fe.run_trial(m, 1, t, 8760);
      u.add(r.downtime_full / 8760);
      events += r.events;
    }
  } else {
    drsim::SimGridOptions so;
    so.probe_interval_s = 0;
    auto r = drsim::run_simgrid_trial(*sc, 1, 0, years * 8760, drsim::ModelOptions{}, so);
    year_batches(r.result, years, u);
    events = r.result.events;
  }
  const double s = seconds_since(t0);
  drsim::Interval ci = u.mean_ci();
  std::printf("%s-%s %llu %.3f %.0f %.1f %.6e %.6e %.6e %.1f\n", engine.c_str(), model.c_str(), static_cast<unsigned long long>(events), s,
              static_cast<double>(events) / s, years / s, u.mean(), ci.lo, ci.hi, peak_mib());
  std::fflush(stdout);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc >= 4 && (std::strcmp(argv[1], "fast") == 0 || std::strcmp(argv[1], "simgrid") == 0))
    return run_model(argv[1], argv[2], std::atof(argv[3]));
  if (argc < 2) {
    std::fprintf(stderr, "usage: engines_bench calendar|fast|simgrid|sg-actors [horizon_hours]\n");
    return 2;
  }
  const std::string mode = argv[1];
  const double horizon = argc > 2 ? std::atof(argv[2]) : 500000;
  std::uint64_t events = 0;
  auto t0 = std::chrono::steady_clock::now();

  if (mode == "calendar") {
    drsim::EventCalendar cal;
    drsim::RandomStream rng(1, 0, 0);
    for (int i = 0; i < kComponents; ++i) cal.push(rng.exponential(1 / kMttf), 0, static_cast<std::uint32_t>(i));
    drsim::EventCalendar::Entry e;
    while (cal.peek(e) && e.t <= horizon) {
      cal.pop();
      ++events;
      cal.push(e.t + rng.exponential(e.handler == 0 ? 1 / kMttr : 1 / kMttf), e.handler ^ 1u, e.arg);
    }
  } else if (mode == "fast" || mode == "simgrid") {
    drsim::Diagnostics d;
    auto sc = drsim::parse_scenario(scenario_text(), "bench.json", d);
    if (!sc) {
      std::fprintf(stderr, "%s", d.format().c_str());
      return 1;
    }
    t0 = std::chrono::steady_clock::now();
    if (mode == "fast") {
      drsim::Model model(*sc);
      drsim::FastEngine fe;
      events = fe.run_trial(model, 1, 0, horizon).events;
    } else {
      drsim::SimGridOptions so;
      so.probe_interval_s = 0;
      drsim::ModelOptions mo;
      auto r = drsim::run_simgrid_trial(*sc, 1, 0, horizon, mo, so);
      events = r.result.events;
    }
  } else if (mode == "sg-actors") {
    int ac = 2;
    char a0[] = "bench", a1[] = "--log=root.thres:critical";
    char* av[] = {a0, a1, nullptr};
    simgrid::s4u::Engine e(&ac, av);
    auto* zone = simgrid::s4u::create_full_zone("zone");
    auto* host = zone->create_host("host", 1e9)->seal();
    zone->seal();
    for (int i = 0; i < kComponents; ++i)
      simgrid::s4u::Actor::create("c" + std::to_string(i), host, [i, horizon, &events]() {
        drsim::RandomStream rng(1, 0, static_cast<std::uint64_t>(i));
        const double end = horizon * 3600;
        for (;;) {
          double up = rng.exponential(1 / kMttf) * 3600;
          if (simgrid::s4u::Engine::get_clock() + up > end) return;
          simgrid::s4u::this_actor::sleep_for(up);
          ++events;
          double down = rng.exponential(1 / kMttr) * 3600;
          if (simgrid::s4u::Engine::get_clock() + down > end) return;
          simgrid::s4u::this_actor::sleep_for(down);
          ++events;
        }
      });
    e.run();
  } else {
    std::fprintf(stderr, "unknown mode %s\n", mode.c_str());
    return 2;
  }
  const double s = seconds_since(t0);
  std::printf("%s %llu %.3f %.0f\n", mode.c_str(), static_cast<unsigned long long>(events), s, static_cast<double>(events) / s);
  std::fflush(stdout);
  return 0;
}
