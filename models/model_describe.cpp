// One line of a timeline per ModelEvent (drsim drill, describe --trace).
#include <string>

#include "models/model_impl.h"

namespace drsim {

std::string Model::Impl::describe(const ModelEvent& e) const {
  using K = ModelEvent::Kind;
  auto node = [&](int n) { return n >= 0 && n < N ? names[n] : std::string("?"); };
  auto mode_text = [&](int mi) -> std::string {
    if (mi < 0) return "";
    const auto& m = modes[mi];
    std::string who;
    for (std::size_t i = 0; i < m.targets.size(); ++i) who += (i ? ", " : "") + names[m.targets[i]];
    std::string what;
    switch (m.fm->type) {
      case FailureMode::Type::random: what = "failed"; break;
      case FailureMode::Type::latent: what = "failed"; break;
      case FailureMode::Type::on_demand: what = "failed on demand"; break;
      case FailureMode::Type::time_bomb: what = "licence/certificate expired"; break;
      case FailureMode::Type::external: what = "outside event"; break;
      case FailureMode::Type::change: what = "bad change deployed"; break;
      case FailureMode::Type::dependency: what = "lost what it needs abruptly"; break;
    }
    std::string s = who + "  " + what + " (" + m.fm->id;
    if (m.cc >= 0) s += ", shared: " + m.label;
    return s + ")";
  };
  switch (e.kind) {
    case K::fault: return mode_text(e.b);
    case K::hidden_fault: return mode_text(e.b) + " [hidden]";
    case K::revealed: return mode_text(e.b) + " found";
    case K::near_miss:
      if (e.b >= 0 && modes[e.b].fm->type == FailureMode::Type::change) return "bad change of " + modes[e.b].label + " stopped by QA";
      return "bad key of " + (e.b >= 0 ? modes[e.b].label : std::string("?")) + " caught before it expired";
    case K::restored: return node(e.a) + "  restored";
    case K::failover:
      // Active-active groups name no target: the load moves to the members still working.
      return node(e.a) + (e.b >= 0 ? "  failover to " + node(e.b) : std::string("  failover: load moves to the members still working"));
    case K::failover_failed: {
      const int g = e.a - C;
      const bool automatic = g >= 0 && g < static_cast<int>(gdefs.size()) && gdefs[g].g->failover.automatic;
      return node(e.a) + (automatic ? "  failover did not work: manual switch-over" : "  no automatic failover: manual switch-over");
    }
    case K::switchover_done: return node(e.a) + "  switch-over done" + (e.b >= 0 ? " (" + node(e.b) + " active)" : std::string());
    case K::bridge_start: return node(e.a) + "  on " + node(e.b) + " battery";
    case K::bridge_end: return node(e.a) + "  " + node(e.b) + " battery exhausted";
    case K::step_done: {
      const auto& rb = sc.runbooks[e.a];
      const auto& st = rb.steps[e.b];
      return (rb.name.empty() ? rb.id : rb.name) + ": " + (st.name.empty() ? st.id : st.name) + " done";
    }
    case K::detected: return "detected: " + (e.a >= 0 ? modes[e.a].label : std::string("?"));
    case K::injection: {
      const auto& inj = sc.injections[e.a];
      return "injected: " + inj.target + (inj.note.empty() ? "" : " — " + inj.note);
    }
    case K::service_down: return "service DOWN";
    case K::service_degraded: return "service DEGRADED";
    case K::service_up: return "service UP";
    case K::runbook_start: return "runbook " + (sc.runbooks[e.a].name.empty() ? sc.runbooks[e.a].id : sc.runbooks[e.a].name) + " started";
    case K::step_start: {
      const auto& rb = sc.runbooks[e.a];
      const auto& st = rb.steps[e.b];
      return (rb.name.empty() ? rb.id : rb.name) + ": " + (st.name.empty() ? st.id : st.name) + " started";
    }
    case K::repair_start: return node(e.a) + "  repair started (" + (e.b >= 0 ? modes[e.b].fm->id : std::string("?")) + ")";
  }
  return "?";
}

}  // namespace drsim
