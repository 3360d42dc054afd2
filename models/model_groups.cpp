// Redundancy groups and failover: roles, demands on standbys, covered and manual
// switch-overs, failback, UPS bridging. docs/model.md "Groups and failover".
#include <algorithm>

#include "models/model_impl.h"

namespace drsim {

void Model::Impl::set_role(int g, int slot, int role) {
  auto& gr = grt[g];
  if (gr.role[slot] == role) return;
  int n = gdefs[g].members[slot];
  if (ok_[n]) gr.active_ok += (role == 1) - (gr.role[slot] == 1);
  gr.role[slot] = static_cast<std::int8_t>(role);
  if (n < C) refresh_clocks(n);
}

// A standby is asked to take over: its hidden faults and on-demand modes are tried.
bool Model::Impl::demand(int n) {
  if (n >= C) return func[n];
  for (int mi : comp_modes[n]) {
    auto& r = mrt[mi];
    if (r.fault >= 0 && faults[r.fault].hidden) {
      reveal(r.fault);
      start_recovery(r.fault);
    }
  }
  for (int mi : comp_modes[n]) {
    const FailureMode& fm = *modes[mi].fm;
    if (fm.type == FailureMode::Type::on_demand && mrt[mi].fault < 0 && chance(fm.p, mrt[mi].rng))
      occur(mi, false);
  }
  return node_ok(n);
}

void Model::Impl::activate_replacement(int g) {
  const auto& d = gdefs[g];
  auto& gr = grt[g];
  for (std::size_t i = 0; i < d.members.size(); ++i) {
    if (gr.role[i] != 2) continue;
    if (demand(d.members[i])) {
      reconfigure(g, static_cast<int>(i));
      return;
    }
    set_role(g, static_cast<int>(i), 0);
  }
}

// Moves load after a member was lost: covered (detection + switch-over) or not
// (down until a manual switch-over). target: the standby slot to activate, or -1.
void Model::Impl::reconfigure(int g, int target) {
  const auto& d = gdefs[g];
  const FailoverPolicy& fp = d.g->failover;
  auto& gr = grt[g];
  bool covered = fp.automatic && mechanism_ok(g);
  if (covered && d.mechanism >= 0 && d.mechanism < C) covered = demand(d.mechanism);
  if (covered && fp.coverage < 1) covered = chance(fp.coverage, gr.rng);
  gr.pending = target;
  if (covered) {
    double w = draw_opt(fp.detection, gr.rng) + draw_opt(fp.switchover, gr.rng);
    record(ModelEvent::Kind::failover, C + g, target >= 0 ? d.members[target] : -1);
    if (w <= 0) {
      if (target < 0) {  // no window and no standby to activate: finish_window() less its no-ops
        gr.pending = -1;
        mark(C + g);
      } else {
        finish_window(g);
      }
      return;
    }
    gr.window = 1;
    gr.window_ev = s->schedule_after(w, kWindowEnd, g);
    return;
  }
  record(ModelEvent::Kind::failover_failed, C + g, target >= 0 ? d.members[target] : -1);
  if (!fp.manual) {
    gr.pending = -1;
    return;  // no manual procedure: down until a member comes back
  }
  gr.window = 2;
  if (int p = d.g->crew_pool; p >= 0) {
    if (!take_crew_for_switchover(p)) {
      gr.manual_waiting_crew = true;
      prt[p].manual_wait.push_back(g);
      return;
    }
    gr.manual_has_crew = true;
  }
  start_manual_clock(g);
}

void Model::Impl::start_manual_clock(int g) {
  auto& gr = grt[g];
  gr.window_ev = s->schedule_after(draw(*gdefs[g].g->failover.manual, gr.rng), kManualDone, g);
}

void Model::Impl::finish_window(int g) {
  auto& gr = grt[g];
  int was = gr.window;
  gr.window = 0;
  gr.window_ev = kNoEvent;
  if (gr.manual_has_crew) {
    gr.manual_has_crew = false;
    release_crew(gdefs[g].g->crew_pool);
  }
  int t = gr.pending;
  gr.pending = -1;
  if (was != 0) record(ModelEvent::Kind::switchover_done, C + g, t >= 0 ? gdefs[g].members[t] : -1);
  if (was != 0) note_detection();
  if (t >= 0) {
    if (gr.role[t] == 2 && node_ok(gdefs[g].members[t])) set_role(g, t, 1);
    else if (gdefs[g].g->mode == Group::Mode::active_standby) activate_replacement(g);
  }
  mark(C + g);
}

void Model::Impl::abandon_window(int g) {
  auto& gr = grt[g];
  s->cancel(gr.window_ev);
  gr.window_ev = kNoEvent;
  gr.window = 0;
  gr.pending = -1;
  int p = gdefs[g].g->crew_pool;
  if (gr.manual_waiting_crew) {
    gr.manual_waiting_crew = false;
    auto& w = prt[p].manual_wait;
    w.erase(std::remove(w.begin(), w.end(), g), w.end());
  }
  if (gr.manual_has_crew) {
    gr.manual_has_crew = false;
    release_crew(p);
  }
}

void Model::Impl::member_lost(int g, int slot) {
  auto& gr = grt[g];
  const Group& def = *gdefs[g].g;
  int was = gr.role[slot];
  set_role(g, slot, 0);
  if (gr.pending == slot) {
    abandon_window(g);
    if (def.mode == Group::Mode::active_standby) activate_replacement(g);
    return;
  }
  if (gr.window != 0) {
    // Nothing left to switch to: the switch-over is abandoned and its crew goes to
    // the repairs (design V5: D -> 0 when the remaining unit fails).
    if (working_members(g) < def.need) abandon_window(g);
    return;
  }
  if (was != 1) return;
  if (def.mode == Group::Mode::active_standby) {
    activate_replacement(g);
  } else if (functional_active(g) >= def.need) {
    reconfigure(g, -1);
  }
}

void Model::Impl::member_back(int g, int slot) {
  auto& gr = grt[g];
  const Group& def = *gdefs[g].g;
  // A lost member back during a manual switch-over: the service returns on it and
  // the switch-over is called off.
  if (gr.window == 2 && slot != gr.pending) abandon_window(g);
  if (def.mode == Group::Mode::active_active) {
    set_role(g, slot, 1);
    return;
  }
  if (gr.window == 0 && functional_active(g) < def.need) {
    set_role(g, slot, 1);
    return;
  }
  set_role(g, slot, 2);
  if (def.failover.failback && gr.window == 0) {
    // Return to the preferred member: it takes over from the least preferred active one.
    for (int i = static_cast<int>(gdefs[g].members.size()) - 1; i > slot; --i)
      if (gr.role[i] == 1) {
        set_role(g, i, 2);
        set_role(g, slot, 1);
        record(ModelEvent::Kind::failover, C + g, gdefs[g].members[slot]);
        break;
      }
  }
}

bool Model::Impl::recompute_group(int g) {
  const auto& d = gdefs[g];
  auto& gr = grt[g];
  members_scan = C + g;
  // The members whose func or visdown changed, in slot order (the scan does nothing for
  // the others: their seen_* already agree with them). A member's func changes only at
  // its own recompute, before this one in topological order, so `changed` holds still
  // while the scan runs.
  for (std::size_t w = 0; w < gr.changed.size(); ++w) {
    for (std::uint64_t bits = gr.changed[w]; bits != 0; bits &= bits - 1) {
      const std::size_t i = w * 64 + static_cast<std::size_t>(__builtin_ctzll(bits));
      int n = d.members[i];
      char f = func[n], v = visdown[n];
      if (gr.seen_func[i] && !f) {
        gr.seen_func[i] = 0;
        gr.seen_vis[i] = v;
        if (v) member_lost(g, static_cast<int>(i));
      } else if (!gr.seen_func[i] && f) {
        gr.seen_func[i] = 1;
        gr.seen_vis[i] = 0;
        member_back(g, static_cast<int>(i));
      } else if (!f && v && !gr.seen_vis[i]) {
        gr.seen_vis[i] = 1;
        member_lost(g, static_cast<int>(i));
      }
    }
    gr.changed[w] = 0;
  }
  members_scan = -1;
  bool raw = gr.window == 0 && functional_active(g) >= d.g->need;
  if (raw != gr.raw) {
    gr.raw = raw;
    // Carrying the load is a demand on the UPS: its hidden faults show now (and
    // their repairs start), as a standby's do when it is asked to take over.
    if (!raw && d.bridge >= 0 && d.battery > 0 && demand(d.bridge)) {
      gr.bridging = true;
      gr.bridge_ev = s->schedule_after(d.battery, kBridgeOut, g);
      record(ModelEvent::Kind::bridge_start, C + g, d.bridge);
    } else if (raw && gr.bridging) {
      gr.bridging = false;
      s->cancel(gr.bridge_ev);
      gr.bridge_ev = kNoEvent;
    }
  }
  if (gr.bridging && d.bridge >= 0 && !node_ok(d.bridge)) {
    gr.bridging = false;
    s->cancel(gr.bridge_ev);
    gr.bridge_ev = kNoEvent;
  }
  return gr.raw || gr.bridging;
}

// The UPS carrying group g ran out: the group is evaluated again without it.
void Model::Impl::bridge_out(int g) {
  grt[g].bridging = false;
  grt[g].bridge_ev = kNoEvent;
  record(ModelEvent::Kind::bridge_end, C + g, gdefs[g].bridge);
  mark(C + g);
}

}  // namespace drsim
