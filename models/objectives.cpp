#include "models/objectives.h"

#include <algorithm>

#include "models/model.h"
#include "models/scenario.h"

namespace drsim {

std::vector<ObjectiveSpec> objective_specs(const Scenario& sc) {
  std::vector<ObjectiveSpec> v;
  if (sc.objectives.rto > 0) v.push_back({ObjectiveSpec::Kind::rto, "service", -1, sc.objectives.rto});
  for (std::size_t i = 0; i < sc.service.features.size(); ++i)
    for (const auto& fo : sc.objectives.features)
      if (fo.feature == static_cast<int>(i) && fo.rto > 0)
        v.push_back({ObjectiveSpec::Kind::rto, sc.service.features[i].id, static_cast<int>(i), fo.rto});
  for (std::size_t i = 0; i < sc.objectives.sites.size(); ++i)
    if (sc.objectives.sites[i].rto > 0)
      v.push_back({ObjectiveSpec::Kind::rto, sc.objectives.sites[i].site, -1, sc.objectives.sites[i].rto, static_cast<int>(i)});
  if (sc.objectives.rpo > 0) v.push_back({ObjectiveSpec::Kind::rpo, "service", -1, sc.objectives.rpo});
  return v;
}

namespace {
void judge(double value, double target, ObjectiveTally& t) {
  t.values.push_back(value);
  // A hair of tolerance: a recovery of exactly the RTO meets it.
  if (value > target * (1 + 1e-12)) {
    ++t.breached;
    t.beyond += value - target;
  }
}
}  // namespace

void judge_objectives(const std::vector<ObjectiveSpec>& specs, TrialResult& r) {
  r.objectives.resize(specs.size());
  for (std::size_t k = 0; k < specs.size(); ++k) {
    const ObjectiveSpec& s = specs[k];
    ObjectiveTally& t = r.objectives[k];
    t.values.clear();  // keeps its capacity: no allocation per trial
    t.breached = 0;
    t.beyond = 0;
    if (s.kind == ObjectiveSpec::Kind::rpo) {
      for (double x : r.data_losses) judge(x, s.target, t);
      continue;
    }
    if (s.site >= 0) {
      if (s.site < static_cast<int>(r.site_down.size()))
        for (const auto& [start, end] : r.site_down[s.site]) judge(end - start, s.target, t);
      continue;
    }
    if (s.feature < 0) {
      for (const auto& o : r.outages)
        if (o.full) judge(o.end - o.start, s.target, t);
      continue;
    }
    // The feature is unavailable in a full outage and in a degraded one without it;
    // segments that touch are one recovery.
    double start = -1, end = -1;
    for (const auto& o : r.outages) {
      const bool out = o.full || std::find(o.features.begin(), o.features.end(), s.feature) != o.features.end();
      if (!out) continue;
      if (start >= 0 && o.start <= end + 1e-12) {
        end = std::max(end, o.end);
        continue;
      }
      if (start >= 0) judge(end - start, s.target, t);
      start = o.start;
      end = o.end;
    }
    if (start >= 0) judge(end - start, s.target, t);
  }
}

}  // namespace drsim
