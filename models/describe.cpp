#include "models/describe.h"

#include <algorithm>
#include <set>

#include <fmt/format.h>

#include "models/units.h"

namespace drsim {
namespace {

std::string recovery_text(const Recovery& r) {
  std::string s;
  if (r.detect) s += "detect " + r.detect->describe() + "; ";
  if (!r.runbook.empty()) s += "runbook " + r.runbook;
  else if (r.repair) s += "repair " + r.repair->describe();
  if (!r.uses_crew) s += " (no crew)";
  return s;
}

std::string join(const std::vector<std::string>& v, const char* sep = ", ") {
  std::string s;
  for (const auto& x : v) s += (s.empty() ? "" : sep) + x;
  return s;
}

// Power kinds first (in chain order), then network, then the rest.
int kind_rank(ComponentKind k) {
  switch (k) {
    case ComponentKind::utility: return 0;
    case ComponentKind::ats: return 1;
    case ComponentKind::ups: return 2;
    case ComponentKind::generator: return 3;
    case ComponentKind::power_domain: return 4;
    case ComponentKind::router: return 5;
    case ComponentKind::wan_link: return 6;
    case ComponentKind::network_switch: return 7;
    case ComponentKind::dns: return 8;
    case ComponentKind::load_balancer: return 9;
    case ComponentKind::app_server: return 10;
    case ComponentKind::database: return 11;
    case ComponentKind::storage: return 12;
    default: return 20;
  }
}

bool is_power(ComponentKind k) { return kind_rank(k) <= 4; }

const char* step_kind(RunbookStep::Kind k) {
  switch (k) {
    case RunbookStep::Kind::detect: return "detect";
    case RunbookStep::Kind::respond: return "respond";
    case RunbookStep::Kind::diagnose: return "diagnose";
    case RunbookStep::Kind::vendor: return "vendor";
    case RunbookStep::Kind::spares: return "spares";
    case RunbookStep::Kind::repair: return "repair";
    case RunbookStep::Kind::restart: return "restart";
    case RunbookStep::Kind::verify: return "verify";
    case RunbookStep::Kind::failover: return "failover";
    case RunbookStep::Kind::failback: return "failback";
    default: return "step";
  }
}

const char* action_name(Injection::Action a) {
  switch (a) {
    case Injection::Action::fail: return "fail";
    case Injection::Action::expire: return "expire";
    case Injection::Action::arm: return "arm";
    case Injection::Action::cut_power: return "cut_power";
    case Injection::Action::change_config: return "change_config";
    case Injection::Action::deploy_bad_change: return "deploy_bad_change";
    case Injection::Action::latent: return "latent";
  }
  return "?";
}

// How a site's power reaches what it feeds, supply → load: "→" is a series link (the
// right side needs the left), "∥" joins parallel paths of which one is enough ("k of"
// when more are needed), "all of (...)" several supplies that are all needed. Groups
// and blocks are followed through their members, so an A+B pair of feeds reads as
// two paths side by side, not as one chain.
class PowerPaths {
 public:
  explicit PowerPaths(const Scenario& sc) : sc_(sc) {}

  std::string of(const std::string& id, int depth = 0) {
    // The scenario has no cycles; the bound keeps a damaged one from recursing deep.
    if (depth > 64) return id;
    if (const Component* c = sc_.component(id)) {
      reached_.insert(id);
      if (c->needs.empty()) return id;
      std::vector<std::string> up;
      for (const auto& n : c->needs) up.push_back(of(n, depth + 1));
      return (up.size() == 1 ? up[0] : "all of (" + join(up) + ")") + " → " + id;
    }
    if (const Group* g = sc_.group(id)) {
      reached_.insert(id);
      std::vector<std::string> paths;
      for (const auto& m : g->members) paths.push_back(bracket(of(m, depth + 1)));
      std::vector<std::string> how;
      how.push_back(g->mode == Group::Mode::active_active ? "active-active" : "active-standby");
      if (!g->failover.mechanism.empty()) {
        reached_.insert(g->failover.mechanism);
        how.push_back("switched by " + g->failover.mechanism);
      }
      if (!g->bridge.empty()) {
        reached_.insert(g->bridge);
        std::string b = "gaps bridged by " + g->bridge;
        if (const Component* u = sc_.component(g->bridge); u && u->battery_runtime > 0) b += " (battery " + format_duration(u->battery_runtime) + ")";
        how.push_back(b);
      }
      return id + " (" + parallel(g->need, paths) + "; " + join(how) + ")";
    }
    if (const Block* b = sc_.block(id)) {
      reached_.insert(id);
      return id + " (" + expr(b->expr, depth + 1) + ")";
    }
    return id;
  }

  // Everything a call of `of` went through, mechanisms and bridges included.
  const std::set<std::string>& reached() const { return reached_; }
  void clear() { reached_.clear(); }

 private:
  std::string expr(const Expr& e, int depth) {
    if (e.op == Expr::Op::ref) return of(e.ref, depth);
    std::vector<std::string> parts;
    for (const auto& a : e.args) parts.push_back(bracket(expr(a, depth + 1)));
    if (e.op == Expr::Op::all) return "all of (" + join(parts) + ")";
    return parallel(e.op == Expr::Op::any ? 1 : e.k, parts);
  }
  static std::string parallel(int need, const std::vector<std::string>& paths) {
    std::string s = join(paths, " ∥ ");
    return need > 1 ? fmt::format("{} of: {}", need, s) : s;
  }
  // A path with links in it, in brackets, so that "∥" reads between whole paths.
  static std::string bracket(const std::string& path) {
    return path.find(' ') == std::string::npos || path.front() == '(' ? path : "(" + path + ")";
  }

  const Scenario& sc_;
  std::set<std::string> reached_;
};

// A need that is a group or a block, with what it stands for: "dc1/switches (dc1/sw-a ∥ dc1/sw-b)".
std::string need_text(const Scenario& sc, const std::string& id) {
  if (const Group* g = sc.group(id)) {
    std::string s = join(g->members, " ∥ ");
    return id + " (" + (g->need > 1 ? fmt::format("{} of: {}", g->need, s) : s) + ")";
  }
  if (const Block* b = sc.block(id)) return id + " (" + describe_expr(b->expr) + ")";
  return id;
}

}  // namespace

std::string describe_expr(const Expr& e) {
  switch (e.op) {
    case Expr::Op::ref: return e.ref;
    case Expr::Op::all:
    case Expr::Op::any:
    case Expr::Op::at_least: {
      std::vector<std::string> parts;
      for (const auto& a : e.args) parts.push_back(describe_expr(a));
      std::string head = e.op == Expr::Op::all   ? "all of"
                         : e.op == Expr::Op::any ? "any of"
                                                 : fmt::format("{} of", e.k);
      return head + " (" + join(parts) + ")";
    }
  }
  return "";
}

std::string describe_failure_mode(const FailureMode& m) {
  std::string s = m.id + ": ";
  using T = FailureMode::Type;
  switch (m.type) {
    case T::random:
      s += "random, " + m.ttf.describe();
      if (m.when == When::active) s += " (while active)";
      if (m.when == When::standby) s += " (while standby)";
      break;
    case T::latent:
      s += "latent (hidden until a demand or a proof test), " + m.ttf.describe();
      if (m.proof_interval > 0)
        s += fmt::format("; proof test every {}, coverage {:.3g}", format_duration(m.proof_interval), m.proof_coverage);
      else
        s += "; never proof-tested";
      break;
    case T::on_demand: s += fmt::format("fails on demand with p = {:.3g}", m.p); break;
    case T::time_bomb:
      s += "time bomb (licence/certificate)";
      if (m.fuse) s += ", fuse " + m.fuse->describe();
      if (m.renew_every > 0) s += fmt::format("; renewed every {}, {:.3g} of renewals wrong", format_duration(m.renew_every), m.p_wrong);
      if (m.audit_coverage > 0) s += fmt::format("; audit finds a bad key with p = {:.3g}", m.audit_coverage);
      if (m.alert_ahead > 0) s += "; expiry alert " + format_duration(m.alert_ahead) + " ahead";
      break;
    case T::external:
      s += "external event at " + format_rate(1 / m.ttf.mean());
      if (m.duration) s += ", lasting " + m.duration->describe();
      break;
    case T::change: s += fmt::format("changes at {}, {:.3g} of them bad", format_rate(m.rate), m.p); break;
    case T::dependency: s += "needs recovery after an abrupt loss of what it needs"; break;
  }
  if (!m.also_fails.empty()) s += "; also takes down " + join(m.also_fails);
  std::string rec = recovery_text(m.recovery);
  if (!rec.empty()) s += "; " + rec;
  if (m.escalate_after > 0) s += fmt::format("; from occurrence {}: {}", m.escalate_after, recovery_text(m.escalation));
  if (!m.source.empty()) s += "  [source: " + m.source + "]";
  return s;
}

namespace {

// The text of `describe`, a line at a time, two spaces per indent level.
struct Lines {
  std::string text;
  void line(int indent, const std::string& t) { text += std::string(static_cast<std::size_t>(indent) * 2, ' ') + t + "\n"; }
};

// One component: its head line (kind, name, needs, battery), replication, failure modes.
void describe_component(const Scenario& sc, const Component& c, int ind, Lines& out) {
  std::string head = fmt::format("{} [{}]", c.id, to_string(c.kind));
  if (!c.name.empty()) head += " \"" + c.name + "\"";
  if (!c.needs.empty()) {
    std::vector<std::string> needs;
    for (const auto& n : c.needs) needs.push_back(need_text(sc, n));
    head += " needs " + join(needs);
  }
  if (c.kind == ComponentKind::ups && c.battery_runtime > 0) head += ", battery " + format_duration(c.battery_runtime);
  out.line(ind, head);
  if (c.replication) {
    const auto& r = *c.replication;
    std::string t = fmt::format("replicates to {} ({})", r.to, r.sync ? "sync: no data lost" : "async");
    if (!r.sync && r.lag) t += ", lag when lost " + r.lag->describe();
    t += fmt::format(", writes {:.3g} MB/s", r.write_rate_mb_s);
    out.line(ind + 2, t);
  }
  for (const auto& m : c.failures) out.line(ind + 2, describe_failure_mode(m));
}

// Each site: its power paths (one line per load), then its components; then the
// components outside the sites.
void describe_sites(const Scenario& sc, Lines& out) {
  std::vector<const Component*> order;
  for (const auto& c : sc.components) order.push_back(&c);
  std::stable_sort(order.begin(), order.end(), [](auto* a, auto* b) { return kind_rank(a->kind) < kind_rank(b->kind); });
  std::vector<Site> sites = sc.sites;
  for (const auto& c : sc.components)
    if (!c.site.empty() && std::none_of(sites.begin(), sites.end(), [&](const Site& s) { return s.id == c.site; }))
      sites.push_back(Site{c.site, "", ""});
  for (const auto& s : sites) {
    out.line(0, "");
    out.line(0, "site " + s.id + (s.name.empty() ? "" : " \"" + s.name + "\"") + (s.timezone.empty() ? "" : " (" + s.timezone + ")"));
    // One line per power part that no other power part of the site draws on (the
    // loads), showing every path that feeds it.
    std::vector<const Component*> power;
    for (auto* c : order)
      if (c->site == s.id && is_power(c->kind)) power.push_back(c);
    PowerPaths paths(sc);
    std::set<std::string> fed;  // power parts some other power part of the site draws on
    for (auto* c : power) {
      paths.clear();
      paths.of(c->id);
      for (const auto& r : paths.reached())
        if (r != c->id) fed.insert(r);
    }
    for (auto* c : power)
      if (!fed.count(c->id)) out.line(1, "power: " + paths.of(c->id));
    for (auto* c : order)
      if (c->site == s.id) describe_component(sc, *c, 1, out);
  }
  bool outside = false;
  for (auto* c : order)
    if (c->site.empty()) {
      if (!outside) {
        out.line(0, "");
        out.line(0, "outside the sites");
        outside = true;
      }
      describe_component(sc, *c, 1, out);
    }
}

// The redundancy groups: mode, need, failover, crews, bridging.
void describe_groups(const Scenario& sc, Lines& out) {
  if (!sc.groups.empty()) {
    out.line(0, "");
    out.line(0, "redundancy groups");
    for (const auto& g : sc.groups) {
      std::string mode = g.mode == Group::Mode::active_active ? "active-active"
                         : g.standby == Group::Standby::hot  ? "active-standby (hot)"
                         : g.standby == Group::Standby::warm ? fmt::format("active-standby (warm, standby rate × {:.3g})", g.warm_factor)
                                                             : "active-standby (cold)";
      out.line(1, fmt::format("{}: {}, needs {} of {}: {}", g.id, mode, g.need, g.members.size(), join(g.members)));
      const auto& f = g.failover;
      std::string fo = f.automatic ? "automatic failover" : "manual failover only";
      if (f.detection) fo += ", detection " + f.detection->describe();
      if (f.switchover) fo += ", switch-over " + f.switchover->describe();
      if (f.automatic) fo += fmt::format(", coverage {:.3g}", f.coverage);
      if (f.manual) fo += ", manual switch-over " + f.manual->describe();
      if (!f.mechanism.empty()) fo += ", performed by " + f.mechanism;
      fo += f.failback ? ", fails back" : ", no failback";
      out.line(2, fo);
      out.line(2, g.repair_crews > 0 ? fmt::format("{} repair crew{}", g.repair_crews, g.repair_crews == 1 ? "" : "s")
                                 : "one repair crew per member");
      if (!g.bridge.empty()) out.line(2, "bridged through gaps by " + g.bridge);
    }
  }
}

// Blocks, the service and its features, common causes.
void describe_structure(const Scenario& sc, Lines& out) {
  if (!sc.blocks.empty()) {
    out.line(0, "");
    out.line(0, "blocks");
    for (const auto& b : sc.blocks) out.line(1, b.id + " = " + describe_expr(b.expr));
  }
  out.line(0, "");
  out.line(0, "service" + (sc.service.name.empty() ? "" : " \"" + sc.service.name + "\""));
  out.line(1, "up when " + describe_expr(sc.service.requires_));
  for (const auto& f : sc.service.features)
    out.line(1, "feature " + f.id + (f.name.empty() ? "" : " \"" + f.name + "\"") + " (degraded when down): needs " + describe_expr(f.expr));

  if (!sc.common_causes.empty()) {
    out.line(0, "");
    out.line(0, "common causes");
    for (const auto& c : sc.common_causes) {
      if (!c.beta_group.empty())
        out.line(1, fmt::format("{}: beta factor {:.3g} over group {} (mode {})", c.id, c.beta, c.beta_group, c.beta_mode));
      else
        out.line(1, c.id + ": shared by " + join(c.targets) + "; " + describe_failure_mode(c.mode));
    }
  }
}

// The recovery runbooks, step by step.
void describe_runbooks(const Scenario& sc, Lines& out) {
  if (!sc.runbooks.empty()) {
    out.line(0, "");
    out.line(0, "recovery runbooks");
    for (const auto& r : sc.runbooks) {
      out.line(1, r.id + (r.name.empty() ? "" : " \"" + r.name + "\"") +
                  (r.max_parallel > 0 ? fmt::format(" (at most {} steps at once)", r.max_parallel) : ""));
      for (const auto& st : r.steps) {
        std::string t = fmt::format("{} [{}] {}", st.id, step_kind(st.kind), st.duration.describe());
        if (!st.name.empty()) t += " \"" + st.name + "\"";
        if (!st.after.empty()) t += "; after " + join(st.after);
        if (!st.waits_for.empty()) t += "; waits for " + join(st.waits_for);
        if (!st.restores.empty()) t += "; restores " + join(st.restores);
        out.line(2, t);
      }
    }
  }
}

// The objectives: SLO, RTOs (service, features, sites), RPO.
void describe_objectives(const Scenario& sc, Lines& out) {
  const auto& ob = sc.objectives;
  if (ob.slo_target > 0 || ob.rto > 0 || ob.rpo > 0 || !ob.features.empty() || !ob.sites.empty()) {
    out.line(0, "");
    out.line(0, "objectives");
    if (ob.slo_target > 0)
      out.line(1, fmt::format("SLO {:.6g} % over {} (error budget {})", ob.slo_target * 100, format_duration(ob.slo_window),
                          format_duration((1 - ob.slo_target) * ob.slo_window)));
    if (ob.rto > 0) out.line(1, "RTO " + format_duration(ob.rto));
    for (const auto& f : ob.features)
      if (f.rto > 0) out.line(1, "RTO " + format_duration(f.rto) + " for feature " + f.id);
    for (const auto& so : ob.sites)
      if (so.rto > 0) out.line(1, "RTO " + format_duration(so.rto) + " for site " + so.site + " (while " + so.node + " is down)");
    if (ob.rpo > 0) out.line(1, "RPO " + format_duration(ob.rpo));
  }
}

// Drill injections, variants and the expected figures.
void describe_drill(const Scenario& sc, Lines& out) {
  if (!sc.injections.empty()) {
    out.line(0, "");
    out.line(0, "injections (drill)");
    for (const auto& in : sc.injections) {
      std::string t = fmt::format("at +{}: {} {}", format_duration(in.at), action_name(in.action), in.target);
      if (!in.mode.empty()) t += " (mode " + in.mode + ")";
      if (in.repeat > 1) t += fmt::format(", {} times every {}", in.repeat, format_duration(in.every));
      if (!in.note.empty()) t += " — " + in.note;
      out.line(1, t);
    }
  }
  if (!sc.variant_names.empty()) {
    out.line(0, "");
    out.line(0, "variants (what-if overlays): " + join(sc.variant_names));
  }
  if (!sc.expected.empty()) {
    out.line(0, "");
    out.line(0, "expected (closed forms, or the figures a replay must reproduce)");
    for (const auto& [k, v] : sc.expected) out.line(1, k + " = " + v);
  }
}

}  // namespace

std::string describe_scenario(const Scenario& sc) {
  Lines out;
  out.line(0, sc.title.empty() ? sc.file : sc.title);
  if (!sc.description.empty()) out.line(1, sc.description);
  out.line(1, fmt::format("file {} (sha256 {})", sc.file, sc.sha256.substr(0, 12)));
  out.line(1, "horizon " + format_duration(sc.horizon) + " per Monte Carlo trial");
  describe_sites(sc, out);
  describe_groups(sc, out);
  describe_structure(sc, out);
  describe_runbooks(sc, out);
  describe_objectives(sc, out);
  describe_drill(sc, out);
  return out.text;
}

}  // namespace drsim
