// Recovery objectives judged: each outage's recovery time against the RTO that applies
// to it, each data-loss event against the RPO. Engine-independent: the Model calls
// judge_objectives() when a trial ends, and the Aggregate counts what it finds.
//
// Which objectives exist (objective_specs): the service's RTO ("rto") judges every full
// outage; a feature's RTO (objectives.features.<id>.rto) judges every interval in which
// that feature is unavailable — degraded without it, or the whole service down —
// consecutive outage segments joined; a site's RTO (objectives.sites.<id>.rto) judges
// every interval in which the node the site "requires" is down, whatever the service
// did meanwhile (its recovery as a site: the service may have failed over); the RPO
// judges every data-loss event (the replication backlog of a storage array lost).
// docs/scenario-format.md, "objectives".
//
// Thread-safety: pure functions.
#pragma once

#include <string>
#include <vector>

namespace drsim {

struct Scenario;
struct TrialResult;

struct ObjectiveSpec {
  enum class Kind { rto, rpo };
  Kind kind = Kind::rto;
  std::string scope;   // "service", the feature's id or the site's id
  int feature = -1;    // index into Scenario::service.features, -1 = not a feature
  double target = 0;   // hours, > 0
  int site = -1;       // index into Scenario::objectives.sites (= TrialResult::site_down), -1 = not a site
  // The stable key in results.json: "service", "feature:<id>", "site:<id>" (RTO) or
  // "service" (RPO).
  std::string key() const {
    return feature >= 0 ? "feature:" + scope : site >= 0 ? "site:" + scope : "service";
  }
  // "service", "feature" or "site": the "scope" field of results.json.
  const char* scope_kind() const { return feature >= 0 ? "feature" : site >= 0 ? "site" : "service"; }
  // For sentences: "the service", "feature reporting", "site dc1".
  std::string who() const { return feature >= 0 ? "feature " + scope : site >= 0 ? "site " + scope : "the service"; }
};

// What one trial did against one objective.
struct ObjectiveTally {
  std::vector<double> values;  // each recovery time (RTO) or data-loss amount (RPO), hours
  int breached = 0;            // values above the target
  double beyond = 0;           // hours above the target, summed over the values
};

// The scenario's objectives in a fixed order: the service RTO, each feature RTO in
// feature order, each site RTO in file order, then the RPO. Only those with a target > 0.
std::vector<ObjectiveSpec> objective_specs(const Scenario& sc);

// Fills r.objectives (one tally per spec, same order) from r.outages and r.data_losses.
void judge_objectives(const std::vector<ObjectiveSpec>& specs, TrialResult& r);

}  // namespace drsim
