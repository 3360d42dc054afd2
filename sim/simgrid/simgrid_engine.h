// The SimGrid engine: the data centres as a SimGrid 3.32 platform, driven by the same
// engine-independent Model as the fast engine, to the same trajectory.
//
// How it runs. Model events live in an EventCalendar (the fast engine's, with its tie
// rule: time, then scheduling order). The engine advances SimGrid with
// Engine::run_until(t) to each model event and fires it from maestro: a model event
// costs no actor wake-up and no context switch. The model's component transitions
// (Model::set_observer) turn hosts and links off and on; workload actors live through
// them and measure what users see. They are observers: they never schedule model
// events, so model event times are those of the fast engine, bit for bit.
//
// The platform (defaults documented in docs/architecture.md, overridden by a
// component's "platform" hints):
//  - one full zone; a host per load balancer, app server, database, storage array and
//    DNS/GSLB component (speed 10 Gflop/s), a "users" host and a "control" host where
//    the observers live (never turned off);
//  - a 10 Gb/s, 10 µs NIC link per host; per site a fabric link that is on while any of
//    the site's switches works; a WAN link between sites (the first wan_link component,
//    else 1 Gb/s, 10 ms); an internet link to the users (1 Gb/s, 20 ms);
//  - every switch, router and WAN component is also a link mirroring its state.
// Observers:
//  - probes every `probe_interval` seconds: users → DNS → LB → app → database, each tier
//    the first host that is on (same site preferred), 1 KB per hop, 5 s timeout; a probe
//    that meets no live host, a dead link or the timeout fails;
//  - a replication stream per asynchronously replicated storage array: `write_rate`
//    MB/s produced and shipped over the route to its peer, event-driven: catch-up
//    transfers of the backlog until a transfer takes under `replication_catch_up_s`,
//    then streaming (the peer one transfer time behind) with no wake-up until a
//    component changes state. The backlog when the array goes off is the data lost
//    (seconds = bytes / write rate); a cut route lets it grow, and its catch-up on
//    return competes for the links like any other transfer.
//
// Limits: SimGrid allows one engine per process and never resets its clock, so
// run_simgrid_trial() runs once per process (a second call throws std::logic_error);
// Monte Carlo uses the fast engine. A component that stops working because something
// it needs is lost is turned off too (its host is unreachable either way).
//
// Thread-safety: one call per process.
#pragma once

#include <cstdint>
#include <vector>

#include <nlohmann/json.hpp>

#include "models/model.h"

namespace drsim {

struct PlatformMetrics {
  std::uint64_t probes = 0, probes_ok = 0;
  std::uint64_t probes_degraded = 0, probes_degraded_ok = 0;  // while the service was DOWN or DEGRADED
  std::vector<double> latency_ok_s;        // latency of successful probes, seconds
  std::vector<double> latency_degraded_s;  // the same, while the service was DOWN or DEGRADED
  double data_lost_bytes = 0, data_lost_seconds = 0;
  int replication_streams = 0;
  std::uint64_t host_state_changes = 0, link_state_changes = 0;  // seen through on_state_change_cb
  nlohmann::json to_json() const;
};

struct SimGridOptions {
  double probe_interval_s = 60;  // <= 0: no probes
  double probe_timeout_s = 5;
  // A stream counts as caught up (streaming) once a catch-up transfer takes at most this
  // long and leaves at most this many seconds of writes behind.
  double replication_catch_up_s = 1;
};

struct SimGridTrial {
  TrialResult result;
  std::vector<ModelEvent> events;
  PlatformMetrics platform;
};

// Runs one trial (a drill, or `horizon` hours of random failures) on SimGrid.
// `options.record` is forced on (events are returned). Once per process.
SimGridTrial run_simgrid_trial(const Scenario& scenario, std::uint64_t seed, std::uint64_t trial, double horizon_hours,
                               ModelOptions options, const SimGridOptions& sg = {});

}  // namespace drsim
