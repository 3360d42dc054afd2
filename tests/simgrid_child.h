// SimGrid allows one engine per process (design.md §4), so a test that compares a
// SimGrid trial with the fast engine runs it in a forked child. simgrid_trial_json()
// is that child: it runs the trial, turns it into JSON with `to_json`, and hands the
// JSON back through a file. Header-only, for tests/engine_equality_test.cpp and
// tests/differential_test.cpp.
#pragma once

#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iostream>
#include <string>
#include <vector>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>
#include <sys/wait.h>
#include <unistd.h>

#include "sim/simgrid/simgrid_engine.h"

namespace simgrid_child {

// A trial as the engines are compared: every model event, the outages and the
// full and degraded downtime.
inline nlohmann::json trajectory_json(const drsim::TrialResult& r, const std::vector<drsim::ModelEvent>& ev) {
  nlohmann::json e = nlohmann::json::array();
  for (const auto& x : ev) e.push_back({x.t, static_cast<int>(x.kind), x.a, x.b});
  nlohmann::json o = nlohmann::json::array();
  for (const auto& x : r.outages) o.push_back({x.start, x.end, x.full, x.features, x.cause, x.detected});
  return {{"events", e}, {"outages", o}, {"full", r.downtime_full}, {"degraded", r.downtime_degraded}};
}

// The probes observe; fewer keep the tests quick.
inline drsim::SimGridOptions quick_probes() {
  drsim::SimGridOptions so;
  so.probe_interval_s = 600;
  return so;
}

// REQUIRES: called from a Catch2 test (it REQUIREs that the child exited 0).
inline nlohmann::json simgrid_trial_json(const drsim::Scenario& sc, std::uint64_t seed, double horizon_hours,
                                         const drsim::ModelOptions& mo,
                                         const std::function<nlohmann::json(const drsim::SimGridTrial&)>& to_json,
                                         const drsim::SimGridOptions& so = quick_probes()) {
  const std::string out =
      (std::filesystem::temp_directory_path() / ("drsim-sg-" + std::to_string(::getpid()) + ".json")).string();
  std::fflush(stdout);
  std::cout.flush();
  pid_t pid = ::fork();
  REQUIRE(pid >= 0);
  if (pid == 0) {
    int code = 0;
    try {
      std::ofstream(out) << to_json(drsim::run_simgrid_trial(sc, seed, 0, horizon_hours, mo, so)).dump();
    } catch (...) {
      code = 3;
    }
    ::_exit(code);
  }
  int status = 0;
  ::waitpid(pid, &status, 0);
  REQUIRE(WIFEXITED(status));
  REQUIRE(WEXITSTATUS(status) == 0);
  std::ifstream in(out);
  nlohmann::json j = nlohmann::json::parse(in);
  std::filesystem::remove(out);
  return j;
}

}  // namespace simgrid_child
