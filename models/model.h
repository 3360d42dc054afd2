// The executable model: a validated Scenario compiled into state machines that any
// engine can run. Components, failure modes, redundancy groups, recoveries and the
// service structure live here; time does not. The model asks a Scheduler for
// events and the engine calls Model::fire() when one is due, so the same model runs
// on the fast engine and on SimGrid to the same trajectory for the same seed.
//
// Randomness: every draw comes from a RandomStream keyed by (seed, trial, entity),
// where the entity is a hash of the drawing thing's id (a component, a group, a
// runbook, a common cause). Streams therefore survive overlays that add or remove
// other parts, which keeps base and variant paired in comparisons.
//
// Thread-safety: a Model is used by one thread at a time; make one per thread. The
// Scenario it was built from must outlive it.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "models/objectives.h"
#include "models/random.h"
#include "models/scenario.h"
#include "models/scheduler.h"

namespace drsim {

// What happened in the model, for timelines and for comparing engines.
struct ModelEvent {
  enum class Kind : std::uint8_t {
    fault,           // a failure mode fired (visible)
    hidden_fault,    // a latent fault appeared (nobody knows yet)
    revealed,        // a hidden fault was found (demand or proof test)
    near_miss,       // a bad key found by an audit, or replaced before it expired
    restored,        // a component came back
    failover,        // a group moved load to another member
    failover_failed, // automatic failover did not work: waiting for a manual switch-over
    switchover_done, // the failover window (detection + switch-over or manual) ended
    bridge_start,    // a UPS started carrying a group's output
    bridge_end,      // the UPS ran out
    step_done,       // a runbook step finished
    detected,        // someone knows: a detect step or a repair's detection delay ended
    injection,       // a drill injection fired
    service_down,
    service_degraded,
    service_up,
    runbook_start,   // a runbook began (a = runbook, b = the failure mode that called it)
    step_start,      // a runbook step started (a = runbook, b = step)
    repair_start,    // a repair's hands-on part began: detected and a crew at hand (a = component, b = mode)
  };
  double t = 0;        // hours
  Kind kind = Kind::fault;
  std::int32_t a = -1; // the subject: component, group, runbook step or cause index (by kind)
  std::int32_t b = -1; // a detail: failure mode, member or runbook index (by kind)
  bool operator==(const ModelEvent&) const = default;
};

// One outage segment: a maximal interval with the same severity and feature set.
struct Outage {
  double start = 0, end = 0;        // hours
  bool full = true;                 // false: degraded (features below)
  std::vector<int> features;        // indices into Scenario::service.features (degraded)
  int cause = -1;                   // index into Model::cause_names()
  double detected = -1;             // hours; first detection at or after start, -1 = none
  bool operator==(const Outage&) const = default;
};

struct TrialResult {
  double end_time = 0;              // hours simulated
  double downtime_full = 0;         // hours
  double downtime_degraded = 0;     // hours
  std::vector<Outage> outages;
  double data_loss = 0;             // hours of writes lost (replication lag at loss)
  int data_loss_events = 0;
  std::vector<double> data_losses;  // hours of writes lost, each event in order
  // One tally per objective_specs(scenario) entry: recoveries judged against each RTO,
  // data-loss events against the RPO (models/objectives.h).
  std::vector<ObjectiveTally> objectives;
  // Per Scenario::objectives.sites entry: the intervals (start, end hours) in which the
  // node the site "requires" was down; one still open at the end closes there.
  std::vector<std::vector<std::pair<double, double>>> site_down;
  std::vector<double> downtime_by_cause;  // full downtime, hours, index = cause
  std::uint64_t events = 0;         // model events fired
};

struct ModelOptions {
  bool point = false;        // every distribution at its median; p >= 0.5 counts as "happens"
  bool record = false;       // keep the ModelEvent log
  bool random_failures = true;  // false: only injections (and what they cause) happen
};

class Model {
 public:
  // REQUIRES: `scenario` was produced by load_scenario (validated) and outlives the Model.
  Model(const Scenario& scenario, ModelOptions options = {});
  ~Model();
  Model(const Model&) = delete;
  Model& operator=(const Model&) = delete;

  // Resets all state and schedules the trial's first events. The horizon bounds the
  // trial; with injections the trial may end earlier (see finished()).
  void begin_trial(Scheduler& scheduler, std::uint64_t seed, std::uint64_t trial);

  // Called by the engine when an event it was asked for is due. `now` is the
  // scheduled time of that event.
  void fire(std::uint32_t handler, std::uint32_t arg);

  // True when a drill is over: every injection has fired, nothing is failed, no
  // recovery is running and the service is up. Always false without injections.
  bool finished() const;

  // Closes open outages at `t_end` and returns the trial's results.
  const TrialResult& end_trial(double t_end);

  const std::vector<ModelEvent>& events() const;
  const Scenario& scenario() const;

  // Names of the causes downtime is attributed to ("component/mode" or the common
  // cause id, "injection" prefixes are not used: an injection fires a mode).
  const std::vector<std::string>& cause_names() const;

  // A one-line description of a ModelEvent for timelines.
  std::string describe(const ModelEvent& e) const;

  // Name of node i (component, group or block), as in the scenario.
  const std::string& node_name(int i) const;
  // Label of failure mode i (ModelEvent::b of faults): "dc1/lb-a/hw" or the common cause id.
  const std::string& mode_label(int i) const;

  // Called whenever component `c` (index into Scenario::components) starts or stops
  // working — its own faults or what it needs — during fire() and begin_trial(). For
  // engines that mirror the model on a platform (SimGrid turns hosts and links off and
  // on). Unset by default; then it costs one branch per state change.
  using ComponentObserver = std::function<void(int c, bool works)>;
  void set_observer(ComponentObserver observer);

 private:
  struct Impl;
  Impl* impl_;
};

}  // namespace drsim
