// What held a recovery back: read from a drill's event log (ModelOptions::record), the
// runbook steps with their start, their wait and what they waited for, and the critical
// path of each outage's recovery — the chain of steps and waits that set its end.
// Also what a timeline needs to explain itself: the faults still present when a drill
// ends, and why the service is still down when a failed part comes back.
//
// Thread-safety: pure functions of a Model (names, scenario) and its events.
#pragma once

#include <string>
#include <vector>

#include "models/model.h"

namespace drsim {

// One run of a runbook step.
struct StepSpan {
  int runbook = -1, step = -1;
  double ready = 0;        // hours: the runbook started or its "after" steps were done
  double start = 0, end = -1;  // hours; end -1 = still running when the log ends
  std::string waited_for;  // what it waited for between ready and start ("" = nothing):
                           //   "dc1/power (power)", "a free hand (max_parallel 2)"
  double wait() const { return start - ready; }
};
std::vector<StepSpan> step_spans(const Model& model, const std::vector<ModelEvent>& events);

// One link of a critical path, in time order.
struct PathSegment {
  std::string what;  // "assess", "assess waited for dc1/power (power)", "dc1/lb-a repair"
  double hours = 0;
  bool wait = false;
};
// The chain that ended outage `o` (empty when it did not end or nothing explains it).
std::vector<PathSegment> critical_path(const Model& model, const std::vector<ModelEvent>& events,
                                       const std::vector<StepSpan>& spans, const Outage& o);
// "recovery 12 h 43 min: assess waited 1 h 30 min for dc1/power (power) → assess 1 h → …"
std::string format_critical_path(const Outage& o, const std::vector<PathSegment>& path);

// Faults present after the last event: "dc1/generator: fails-to-start (hidden)".
std::vector<std::string> faults_present(const Model& model, const std::vector<ModelEvent>& events);

// For a `restored` event at index i while the service stays down: why ("dc1/app still
// down; sites waits for a manual switch-over"), or "" when the service came back.
std::string still_down_reason(const Model& model, const std::vector<ModelEvent>& events, std::size_t i);

}  // namespace drsim
