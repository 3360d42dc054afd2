// The service and the sites: up, degraded or down from what works; outage segments
// with their cause and detection; the intervals each site objective's node is down.
#include <algorithm>

#include "models/model_impl.h"

namespace drsim {

// The trial's results emptied in place: vectors keep their capacity, so a trial
// allocates nothing once the first trials have grown them.
void Model::Impl::reset_result() {
  res.end_time = res.downtime_full = res.downtime_degraded = res.data_loss = 0;
  res.data_loss_events = 0;
  res.events = 0;
  res.outages.clear();
  res.data_losses.clear();
  res.downtime_by_cause.assign(cause_names.size(), 0.0);
  res.site_down.resize(site_node.size());
  for (auto& v : res.site_down) v.clear();
  // res.objectives is refilled in place by judge_objectives() at the end of the trial.
}

// A site's recovery (objectives.sites): the intervals its required node is down.
void Model::Impl::update_sites() {
  for (std::size_t k = 0; k < site_node.size(); ++k) {
    const bool down = site_node[k] >= 0 && !func[site_node[k]];
    if (down == (site_since[k] >= 0)) continue;
    if (down) {
      site_since[k] = s->now();
    } else {
      close_site(k, s->now());
    }
  }
}

void Model::Impl::close_site(std::size_t k, double now) {
  if (site_since[k] < 0) return;
  if (now > site_since[k]) res.site_down[k].emplace_back(site_since[k], now);
  site_since[k] = -1;
}

void Model::Impl::update_service() {
  if (!svc_dirty) return;  // nothing it reads changed
  svc_dirty = false;
  if (!site_node.empty()) update_sites();
  int state = 0;
  std::uint64_t feat = 0;
  if (!eval(svc_requires)) {
    state = 2;
  } else {
    for (std::size_t i = 0; i < feat_expr.size() && i < 64; ++i)
      if (!eval(feat_expr[i])) feat |= 1ull << i;
    if (feat) state = 1;
  }
  if (state == svc_state && feat == svc_feat) return;
  const double now = s->now();
  close_outage(now);
  svc_state = state;
  svc_feat = feat;
  if (state != 0) {
    open_outage(state, feat, now);
  } else {
    record(ModelEvent::Kind::service_up, last_cause, -1);
  }
}

// A new outage segment, charged to the cause of the last fault (is_consequence()).
void Model::Impl::open_outage(int state, std::uint64_t feat, double now) {
  outage_open = true;
  cur = Outage{};
  cur.start = now;
  cur.full = state == 2;
  for (int i = 0; i < 64; ++i)
    if (feat >> i & 1) cur.features.push_back(i);
  cur.cause = last_cause;
  record(state == 2 ? ModelEvent::Kind::service_down : ModelEvent::Kind::service_degraded, last_cause);
}

void Model::Impl::close_outage(double now) {
  if (!outage_open) return;
  outage_open = false;
  cur.end = now;
  double d = now - cur.start;
  if (cur.full) {
    res.downtime_full += d;
    if (cur.cause >= 0) res.downtime_by_cause[cur.cause] += d;
  } else {
    res.downtime_degraded += d;
  }
  if (d > 0) res.outages.push_back(cur);
}

// The trial ends at t_end: what is still open closes there, and the objectives judge it.
const TrialResult& Model::Impl::end(double t_end) {
  close_outage(t_end);
  for (std::size_t k = 0; k < site_node.size(); ++k) close_site(k, t_end);
  res.end_time = t_end;
  judge_objectives(objective_specs_, res);
  return res;
}

}  // namespace drsim
