// The executable model (see model.h): one trial's reset and first events, the event
// dispatch, and the public interface. The mechanisms live one per file (model_impl.h
// lists them); semantics are documented in docs/model.md, the comments say why.
#include "models/model.h"

#include <algorithm>
#include <cassert>

#include "models/model_impl.h"

namespace drsim {

void Model::Impl::begin(Scheduler& sch, std::uint64_t sd, std::uint64_t tr) {
  s = &sch;
  seed = sd;
  trial = tr;
  reset_trial_state();
  reset_groups();
  schedule_first_events();
}

// Everything per trial back to its start, in place: vectors keep their capacity, so a
// trial allocates nothing once the first trials have grown them.
void Model::Impl::reset_trial_state() {
  reset_result();
  log.clear();
  std::fill(func.begin(), func.end(), 1);
  std::fill(visdown.begin(), visdown.end(), 0);
  std::fill(dirty_bits.begin(), dirty_bits.end(), 0);
  min_dirty = N;
  std::fill(vis.begin(), vis.end(), 0);
  std::fill(hid.begin(), hid.end(), 0);
  std::fill(needs_ok.begin(), needs_ok.end(), 1);
  std::fill(ok_.begin(), ok_.end(), 1);
  faults.clear();
  free_faults.clear();
  live_faults = 0;
  jobs.clear();
  free_jobs.clear();
  live_jobs = 0;
  live_rbs = 0;
  last_cause = -1;
  svc_state = 0;
  svc_feat = 0;
  outage_open = false;
  svc_dirty = false;
  site_since.assign(site_node.size(), -1);
  for (int r = 0; r < static_cast<int>(rbs.size()); ++r) {
    RunbookRt& rb = rbs[r];
    rb.active = false;
    rb.state.clear();
    rb.unmet.clear();
    rb.ready.clear();
    rb.ev.clear();
    rb.running = rb.done = 0;
    rb.faults.clear();
    rb.rng = RandomStream(seed, trial, rb_stream[r]);
  }
  job_seq = 0;
  for (std::size_t p = 0; p < prt.size(); ++p) {
    prt[p].free = sc.crews[p].size;
    prt[p].queue.clear();
    prt[p].manual_wait.clear();
    prt[p].dispatch_pending = false;
  }
  grt_rng_fallback = RandomStream(seed, trial, fnv1a("data-loss"));
  for (int mi = 0; mi < static_cast<int>(modes.size()); ++mi) {
    mrt[mi] = ModeRt{};
    mrt[mi].rng = RandomStream(seed, trial, modes[mi].stream);
  }
}

// Groups back to GroupRt's defaults, in place: active-standby groups with their first
// `need` members active and the rest standby, active-active ones all active.
void Model::Impl::reset_groups() {
  for (int g = 0; g < G; ++g) {
    auto& gr = grt[g];
    const auto& d = gdefs[g];
    gr.window = 0;
    gr.pending = -1;
    gr.window_ev = kNoEvent;
    gr.raw = true;
    gr.bridging = false;
    gr.bridge_ev = kNoEvent;
    gr.manual_waiting_crew = gr.manual_has_crew = false;
    gr.rng = RandomStream(seed, trial, d.stream);
    std::size_t m = d.members.size();
    gr.role.assign(m, 1);
    if (d.g->mode == Group::Mode::active_standby)
      for (std::size_t i = static_cast<std::size_t>(std::max(0, d.g->need)); i < m; ++i) gr.role[i] = 2;
    gr.working = static_cast<int>(m);  // every node works at the start (ok_ all 1)
    gr.active_ok = static_cast<int>(std::count(gr.role.begin(), gr.role.end(), 1));
    gr.seen_func.assign(m, 1);
    gr.seen_vis.assign(m, 0);
    gr.changed.assign((m + 63) / 64, 0);
  }
}

// The trial's first events: every mode's first life or arrival, key renewals, proof
// tests and the drill's injections.
void Model::Impl::schedule_first_events() {
  for (int mi = 0; mi < static_cast<int>(modes.size()); ++mi) {
    const FailureMode& fm = *modes[mi].fm;
    auto& r = mrt[mi];
    switch (fm.type) {
      case FailureMode::Type::random:
      case FailureMode::Type::latent:
        new_life(mi);
        if (fm.type == FailureMode::Type::latent && fm.proof_interval > 0)
          r.proof_ev = s->schedule_at(fm.proof_offset > 0 ? fm.proof_offset : fm.proof_interval, kProofTest, mi);
        break;
      case FailureMode::Type::external:
      case FailureMode::Type::change:
        if (opt.random_failures) schedule_arrival(mi);
        break;
      case FailureMode::Type::time_bomb:
        if (opt.random_failures && fm.renew_every > 0)
          r.renew_ev = s->schedule_at(fm.renew_every * (opt.point ? 0.5 : r.rng.uniform()), kRenewal, mi);
        break;
      default:
        break;
    }
  }
  injections_pending = 0;
  inj_left.assign(sc.injections.size(), 0);
  for (int i = 0; i < static_cast<int>(sc.injections.size()); ++i) {
    const auto& inj = sc.injections[i];
    inj_left[i] = std::max(1, inj.repeat);
    injections_pending += inj_left[i];
    s->schedule_at(inj.at, kInjection, i);
  }
}

// An event is due: hand it to its mechanism, then bring the structure and the service
// up to date with whatever it changed.
void Model::Impl::fire(std::uint32_t h, std::uint32_t arg) {
  ++res.events;
  int a = static_cast<int>(arg);
  switch (h) {
    case kModeFire: mode_fired(a); break;
    case kProofTest: proof_test(a); break;
    case kDetectDone: detected(a); break;
    case kRepairDone: finish_job(a); break;
    case kCrewDispatch: dispatch_crews(a); break;
    case kStepDone: step_done(static_cast<int>(arg >> 16), static_cast<int>(arg & 0xffff)); break;
    case kWindowEnd:
    case kManualDone: finish_window(a); break;
    case kBridgeOut: bridge_out(a); break;
    case kInjection: inject(a); break;
    case kExternalEnd: external_ended(a); break;
    case kRenewal: renewal(a, false); break;
    case kBombExpire: bomb_expire(a); break;
    case kBombAlert: bomb_alert(a); break;
    default: assert(false && "unknown handler");
  }
  propagate();
}

bool Model::Impl::finished() const {
  if (sc.injections.empty()) return false;
  if (injections_pending > 0 || svc_state != 0 || live_jobs > 0 || live_rbs > 0) return false;
  for (int f = 0; f < static_cast<int>(faults.size()); ++f)
    if (faults[f].live && !faults[f].hidden) return false;
  for (const auto& gr : grt)
    if (gr.window != 0) return false;
  // A wrong key installed by the drill has not gone off yet.
  for (const auto& r : mrt)
    if (r.armed) return false;
  return true;
}

Model::Model(const Scenario& scenario, ModelOptions options) : impl_(new Impl(scenario, options)) {}
Model::~Model() { delete impl_; }
void Model::begin_trial(Scheduler& s, std::uint64_t seed, std::uint64_t trial) {
  impl_->begin(s, seed, trial);
  impl_->propagate();
}
void Model::fire(std::uint32_t h, std::uint32_t arg) { impl_->fire(h, arg); }
bool Model::finished() const { return impl_->finished(); }
const TrialResult& Model::end_trial(double t_end) { return impl_->end(t_end); }
const std::vector<ModelEvent>& Model::events() const { return impl_->log; }
const Scenario& Model::scenario() const { return impl_->sc; }
const std::vector<std::string>& Model::cause_names() const { return impl_->cause_names; }
std::string Model::describe(const ModelEvent& e) const { return impl_->describe(e); }
const std::string& Model::node_name(int i) const { return impl_->names.at(i); }
const std::string& Model::mode_label(int i) const { return impl_->modes.at(i).label; }
void Model::set_observer(ComponentObserver o) { impl_->observer = std::move(o); }

}  // namespace drsim
