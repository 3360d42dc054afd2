// Failure processes: the clocks of random and latent modes, the arrivals of outside
// events and changes, faults and what they hold down, time bombs, drill injections.
// docs/model.md "Failure modes".
#include <algorithm>
#include <cmath>

#include "models/model_impl.h"

namespace drsim {

void Model::Impl::new_life(int mi) {
  auto& r = mrt[mi];
  r.life = draw(modes[mi].fm->ttf, r.rng) * modes[mi].ttf_scale;
  r.age = 0;
  r.last = s->now();
  r.factor = 0;
  r.ev = kNoEvent;
  reclock(mi);
}

void Model::Impl::schedule_arrival(int mi) {
  auto& r = mrt[mi];
  const FailureMode& fm = *modes[mi].fm;
  double rate = fm.type == FailureMode::Type::change ? fm.rate * fm.p : 0;
  if (fm.type == FailureMode::Type::external) {
    r.ev = s->schedule_after(draw(fm.ttf, r.rng), kModeFire, mi);
    return;
  }
  if (rate <= 0 || opt.point) return;  // point mode: a rate's median arrival is not a replay
  r.ev = s->schedule_after(-std::log(r.rng.uniform()) / rate, kModeFire, mi);
}

// A mode's clock ran out (random, latent) or its next arrival came (external, change).
void Model::Impl::mode_fired(int mi) {
  auto& r = mrt[mi];
  r.ev = kNoEvent;
  const FailureMode& fm = *modes[mi].fm;
  if (fm.type == FailureMode::Type::external || fm.type == FailureMode::Type::change) {
    schedule_arrival(mi);  // arrivals go on; one at a time holds the targets
    if (r.fault < 0 && !caught_by_qa(mi)) occur(mi, false);
  } else {
    occur(mi, fm.type == FailureMode::Type::latent);
  }
}

// A periodic proof test of a latent mode: it finds a hidden fault with its coverage.
void Model::Impl::proof_test(int mi) {
  const FailureMode& fm = *modes[mi].fm;
  auto& r = mrt[mi];
  r.proof_ev = s->schedule_after(fm.proof_interval, kProofTest, mi);
  if (r.fault >= 0 && faults[r.fault].hidden && chance(fm.proof_coverage, r.rng)) {
    reveal(r.fault);
    start_recovery(r.fault);
  }
}

// An outside event's duration ended: its fault clears, whatever recovery was under way.
void Model::Impl::external_ended(int mi) {
  mrt[mi].end_ev = kNoEvent;
  int f = mrt[mi].fault;
  if (f < 0) return;
  drop_job_of_fault(f);
  for (auto& rb : rbs) rb.faults.erase(std::remove(rb.faults.begin(), rb.faults.end(), f), rb.faults.end());
  clear_fault(f);
}

int Model::Impl::new_fault(int mi, bool hidden) {
  int f;
  if (!free_faults.empty()) {
    f = free_faults.back();
    free_faults.pop_back();
  } else {
    f = static_cast<int>(faults.size());
    faults.emplace_back();
  }
  Fault& x = faults[f];
  x.mode = mi;
  x.applied.clear();
  x.hidden = hidden;
  x.live = true;
  x.expired = true;
  ++live_faults;
  mrt[mi].fault = f;
  if (clocked(mi)) {  // a lifetime stops; arrivals of outside events and changes go on
    s->cancel(mrt[mi].ev);
    mrt[mi].ev = kNoEvent;
  }
  return f;
}

void Model::Impl::apply_targets(int f) {
  Fault& x = faults[f];
  const auto& m = modes[x.mode];
  if (!is_consequence(x.mode) || last_cause < 0) last_cause = m.cause;
  for (int c : m.targets) {
    if (std::find(x.applied.begin(), x.applied.end(), c) != x.applied.end()) continue;
    x.applied.push_back(c);
    set_ok(c, false);
    if (x.hidden) ++hid[c];
    else {
      ++vis[c];
      if (vis[c] == 1) refresh_clocks(c);
    }
    mark(c);
  }
}

void Model::Impl::reveal(int f) {
  Fault& x = faults[f];
  if (!x.hidden) return;
  x.hidden = false;
  if (!is_consequence(x.mode) || last_cause < 0) last_cause = modes[x.mode].cause;
  for (int c : x.applied) {
    --hid[c];
    ++vis[c];
    if (vis[c] == 1) refresh_clocks(c);
    mark(c);
  }
  record(ModelEvent::Kind::revealed, modes[x.mode].comp >= 0 ? modes[x.mode].comp : x.applied.empty() ? -1 : x.applied[0], x.mode);
}

void Model::Impl::unapply(int f, int c) {
  Fault& x = faults[f];
  auto it = std::find(x.applied.begin(), x.applied.end(), c);
  if (it == x.applied.end()) return;
  x.applied.erase(it);
  if (x.hidden) --hid[c];
  else --vis[c];
  set_ok(c, vis[c] == 0 && hid[c] == 0 && needs_ok[c]);
  if (!x.hidden && vis[c] == 0) refresh_clocks(c);
  mark(c);
  if (vis[c] == 0 && hid[c] == 0) record(ModelEvent::Kind::restored, c, x.mode);
}

// Ends a fault: whatever it still holds down comes back, and its mode starts over.
void Model::Impl::clear_fault(int f) {
  Fault& x = faults[f];
  if (!x.live) return;
  while (!x.applied.empty()) unapply(f, x.applied.back());
  x.live = false;
  --live_faults;
  free_faults.push_back(f);
  int mi = x.mode;
  auto& r = mrt[mi];
  r.fault = -1;
  s->cancel(r.end_ev);
  r.end_ev = kNoEvent;
  if (modes[mi].fm->type == FailureMode::Type::time_bomb) {
    r.armed = false;
    s->cancel(r.expire_ev);
    r.expire_ev = kNoEvent;
  }
  if (clocked(mi)) new_life(mi);
}

// A visible failure of mode mi now: take its targets down and start the recovery.
void Model::Impl::occur(int mi, bool hidden) {
  auto& r = mrt[mi];
  if (r.fault >= 0) {
    // Already failed: a hidden fault found by the new one is now visible.
    if (!hidden && faults[r.fault].hidden) {
      reveal(r.fault);
      start_recovery(r.fault);
    }
    return;
  }
  ++r.occurrences;
  int f = new_fault(mi, hidden);
  apply_targets(f);
  record(hidden ? ModelEvent::Kind::hidden_fault : ModelEvent::Kind::fault,
         modes[mi].comp >= 0 ? modes[mi].comp : (modes[mi].targets.empty() ? -1 : modes[mi].targets[0]), mi);
  if (!hidden) start_recovery(f);
}

void Model::Impl::renewal(int mi, bool injected) {
  auto& r = mrt[mi];
  const FailureMode& fm = *modes[mi].fm;
  if (!injected && fm.renew_every > 0) r.renew_ev = s->schedule_after(fm.renew_every, kRenewal, mi);
  if (r.fault >= 0 && faults[r.fault].expired) return;  // the outage's recovery installs a new key
  // A new key replaces whatever was installed, bad or not.
  if (r.armed) {
    r.armed = false;
    s->cancel(r.expire_ev);
    s->cancel(r.alert_ev);
    if (r.fault >= 0) {
      drop_job_of_fault(r.fault);
      clear_fault(r.fault);
    }
  }
  bool wrong = injected || chance(fm.p_wrong, r.rng);
  if (!wrong) return;
  if (fm.audit_coverage > 0 && chance(fm.audit_coverage, r.rng)) {
    record(ModelEvent::Kind::near_miss, modes[mi].targets.empty() ? -1 : modes[mi].targets[0], mi);
    return;
  }
  r.armed = true;
  double fuse = fm.fuse ? draw(*fm.fuse, r.rng) : 0;
  r.expire_ev = s->schedule_after(fuse, kBombExpire, mi);
  if (fm.alert_ahead > 0) r.alert_ev = s->schedule_after(std::max(0.0, fuse - fm.alert_ahead), kBombAlert, mi);
}

void Model::Impl::bomb_alert(int mi) {
  auto& r = mrt[mi];
  r.alert_ev = kNoEvent;
  if (!r.armed || r.fault >= 0) return;
  // Replace the key before it expires: the recovery runs with nothing down yet.
  ++r.occurrences;
  int f = new_fault(mi, false);
  faults[f].expired = false;
  start_recovery(f);
}

void Model::Impl::bomb_expire(int mi) {
  auto& r = mrt[mi];
  r.expire_ev = kNoEvent;
  r.armed = false;
  s->cancel(r.alert_ev);
  r.alert_ev = kNoEvent;
  if (r.fault >= 0) {
    Fault& x = faults[r.fault];
    x.expired = true;
    apply_targets(r.fault);
    record(ModelEvent::Kind::fault, modes[mi].targets.empty() ? -1 : modes[mi].targets[0], mi);
    return;
  }
  occur(mi, false);
}

void Model::Impl::inject(int i) {
  const Injection& inj = sc.injections[i];
  --injections_pending;
  if (--inj_left[i] > 0 && inj.every > 0) s->schedule_after(inj.every, kInjection, i);
  int mi = inj_mode[i];
  record(ModelEvent::Kind::injection, i, mi);
  if (mi < 0) return;
  switch (inj.action) {
    case Injection::Action::latent: occur(mi, true); break;
    case Injection::Action::arm: renewal(mi, true); break;
    case Injection::Action::expire:
      if (mrt[mi].armed || mrt[mi].fault >= 0) {
        s->cancel(mrt[mi].expire_ev);
        bomb_expire(mi);
      } else {
        occur(mi, false);
      }
      break;
    default:
      if (mrt[mi].fault >= 0 && faults[mrt[mi].fault].hidden) {
        reveal(mrt[mi].fault);
        start_recovery(mrt[mi].fault);
      } else if (!caught_by_qa(mi)) {
        occur(mi, false);
      }
      break;
  }
}

// A bad change that QA stops before it ships: a near miss, no fault.
bool Model::Impl::caught_by_qa(int mi) {
  const FailureMode& fm = *modes[mi].fm;
  if (fm.type != FailureMode::Type::change || fm.audit_coverage <= 0) return false;
  if (!chance(fm.audit_coverage, mrt[mi].rng)) return false;
  record(ModelEvent::Kind::near_miss, modes[mi].comp, mi);
  return true;
}

}  // namespace drsim
