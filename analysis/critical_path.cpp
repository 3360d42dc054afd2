#include "analysis/critical_path.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <set>
#include <unordered_map>

#include <fmt/format.h>

#include "analysis/report.h"

namespace drsim {
namespace {

using K = ModelEvent::Kind;
constexpr double kEps = 1e-9;  // hours: events "at the same instant"

const char* wait_word(const Scenario& sc, const std::string& id) {
  const Component* c = sc.component(id);
  if (!c) return "";
  switch (c->kind) {
    case ComponentKind::utility:
    case ComponentKind::ats:
    case ComponentKind::ups:
    case ComponentKind::generator:
    case ComponentKind::power_domain: return " (power)";
    case ComponentKind::vendor: return " (vendor)";
    case ComponentKind::provider: return " (provider)";
    default: return " (dependency)";
  }
}

std::string step_name(const Scenario& sc, int r, int i) {
  const auto& st = sc.runbooks[r].steps[i];
  return st.id;
}

int comp_index(const Scenario& sc, int node) { return node >= 0 && node < static_cast<int>(sc.components.size()) ? node : -1; }

// Per runbook and step, the indices of its "after" steps.
std::vector<std::vector<std::vector<int>>> after_indices(const Scenario& sc) {
  std::vector<std::vector<std::vector<int>>> out(sc.runbooks.size());
  for (std::size_t r = 0; r < sc.runbooks.size(); ++r) {
    const auto& steps = sc.runbooks[r].steps;
    std::unordered_map<std::string, int> idx;
    for (std::size_t k = 0; k < steps.size(); ++k) idx.emplace(steps[k].id, static_cast<int>(k));
    out[r].resize(steps.size());
    for (std::size_t k = 0; k < steps.size(); ++k)
      for (const auto& id : steps[k].after)
        if (auto it = idx.find(id); it != idx.end()) out[r][k].push_back(it->second);
  }
  return out;
}

}  // namespace

std::vector<StepSpan> step_spans(const Model& model, const std::vector<ModelEvent>& events) {
  const Scenario& sc = model.scenario();
  std::vector<StepSpan> spans;
  std::vector<double> rb_start(sc.runbooks.size(), 0);
  std::vector<std::vector<double>> done(sc.runbooks.size());
  std::vector<std::vector<int>> open(sc.runbooks.size());  // index into spans per step, -1 = none
  const auto after = after_indices(sc);
  for (std::size_t r = 0; r < sc.runbooks.size(); ++r) {
    done[r].assign(sc.runbooks[r].steps.size(), -1);
    open[r].assign(sc.runbooks[r].steps.size(), -1);
  }
  for (const auto& e : events) {
    if (e.kind == K::runbook_start) {
      rb_start[e.a] = e.t;
      std::fill(done[e.a].begin(), done[e.a].end(), -1.0);
    } else if (e.kind == K::step_start) {
      const Runbook& rb = sc.runbooks[e.a];
      const RunbookStep& st = rb.steps[e.b];
      StepSpan s;
      s.runbook = e.a;
      s.step = e.b;
      s.start = e.t;
      s.ready = rb_start[e.a];
      for (int k : after[e.a][e.b]) s.ready = std::max(s.ready, done[e.a][k]);
      if (s.start - s.ready > kEps) {
        int running = 0;
        for (const auto& o : spans)
          if (o.runbook == e.a && o.start <= s.ready + kEps && (o.end < 0 || o.end > s.ready + kEps)) ++running;
        if (rb.max_parallel > 0 && running >= rb.max_parallel && st.waits_for.empty()) {
          s.waited_for = fmt::format("a free hand (max_parallel {})", rb.max_parallel);
        } else if (!st.waits_for.empty()) {
          for (const auto& id : st.waits_for) s.waited_for += (s.waited_for.empty() ? "" : ", ") + id + wait_word(sc, id);
        } else {
          s.waited_for = "a free hand";
        }
      }
      open[e.a][e.b] = static_cast<int>(spans.size());
      spans.push_back(s);
    } else if (e.kind == K::step_done) {
      done[e.a][e.b] = e.t;
      if (int k = open[e.a][e.b]; k >= 0) spans[k].end = e.t;
      open[e.a][e.b] = -1;
    }
  }
  return spans;
}

std::vector<PathSegment> critical_path(const Model& model, const std::vector<ModelEvent>& events,
                                       const std::vector<StepSpan>& spans, const Outage& o) {
  const Scenario& sc = model.scenario();
  std::vector<PathSegment> rev;  // built backwards from the end
  const double T = o.end;
  // What ended it: the last step done, switch-over or restoration at that instant.
  int trigger = -1;
  for (int i = 0; i < static_cast<int>(events.size()); ++i) {
    const auto& e = events[i];
    if (e.t > T + kEps) break;
    if (e.t < T - kEps) continue;
    if (e.kind == K::service_up || e.kind == K::service_degraded || e.kind == K::service_down) break;
    if (e.kind == K::step_done || e.kind == K::restored || e.kind == K::switchover_done || e.kind == K::failover) trigger = i;
    if (e.kind == K::step_done) break;  // the step is the cause of what it restores
  }
  if (trigger < 0) return {};
  auto first_at = [&](double t0) { return std::max(t0, o.start); };
  const ModelEvent& te = events[trigger];
  if (te.kind == K::step_done) {
    // Walk back through the steps: a step's start is its wait's end or its "after" step's end.
    // The spans of each step, so that the walk back costs O(path), not O(path x spans).
    const auto after = after_indices(sc);
    std::map<std::pair<int, int>, std::vector<const StepSpan*>> of_step;
    for (const auto& s : spans) of_step[{s.runbook, s.step}].push_back(&s);
    const StepSpan* cur = nullptr;
    for (const auto& s : spans)
      if (s.runbook == te.a && s.step == te.b && std::fabs(s.end - te.t) < kEps) cur = &s;
    double head = T;
    while (cur) {
      rev.push_back({step_name(sc, cur->runbook, cur->step), cur->end - first_at(cur->start), false});
      head = cur->start;
      if (cur->start <= o.start + kEps) break;
      if (cur->wait() > kEps) {
        std::string why = cur->waited_for;
        // What came back at the instant the wait ended.
        for (const auto& e : events)
          if (e.kind == K::restored && std::fabs(e.t - cur->start) < kEps && comp_index(sc, e.a) >= 0) {
            why += "; " + model.node_name(e.a) + " back";
            break;
          }
        rev.push_back({step_name(sc, cur->runbook, cur->step) + " waited for " + why, cur->start - first_at(cur->ready), true});
        head = cur->ready;
        if (cur->ready <= o.start + kEps) break;
      }
      // The "after" step that ended when this one became ready (the last such span).
      const StepSpan* prev = nullptr;
      for (int k : after[cur->runbook][cur->step]) {
        auto it = of_step.find({cur->runbook, k});
        if (it == of_step.end()) continue;
        for (const StepSpan* s : it->second)
          if (s->end >= 0 && std::fabs(s->end - cur->ready) < kEps && s->start <= cur->start && (!prev || s > prev)) prev = s;
      }
      cur = prev;
    }
    if (head > o.start + kEps) rev.push_back({"before the runbook (detection, response)", head - o.start, true});
  } else if (te.kind == K::restored) {
    const int c = te.a;
    double rs = -1;
    for (int i = trigger; i >= 0; --i)
      if (events[i].kind == K::repair_start && events[i].a == c) {
        rs = events[i].t;
        break;
      }
    if (rs >= 0) {
      rev.push_back({model.node_name(c) + " repair", T - first_at(rs), false});
      if (rs > o.start + kEps) rev.push_back({"waited for detection and a crew", rs - o.start, true});
    } else {
      rev.push_back({model.node_name(c) + " back (the outside event ended)", T - o.start, true});
    }
  } else {
    double fs = o.start;
    for (int i = trigger; i >= 0; --i)
      if (events[i].kind == K::failover_failed && events[i].a == te.a) {
        fs = std::max(o.start, events[i].t);
        break;
      }
    rev.push_back({model.node_name(te.a) + " switch-over", T - fs, te.kind == K::switchover_done});
    if (fs > o.start + kEps) rev.push_back({"before the failover", fs - o.start, true});
  }
  std::reverse(rev.begin(), rev.end());
  return rev;
}

std::string format_critical_path(const Outage& o, const std::vector<PathSegment>& path) {
  std::string s = "recovery " + format_span((o.end - o.start) * 60) + ":";
  bool first = true;
  for (const auto& p : path) {
    s += first ? " " : " → ";
    first = false;
    if (p.wait) {
      const auto k = p.what.find(" waited for ");
      if (k != std::string::npos)
        s += p.what.substr(0, k) + " waited " + format_span(p.hours * 60) + " for " + p.what.substr(k + 12);
      else
        s += p.what + " " + format_span(p.hours * 60);
    } else {
      s += p.what + " " + format_span(p.hours * 60);
    }
  }
  return s;
}

namespace {
// Replays fault / restored events: per component the modes still present, and whether hidden.
std::map<int, std::map<int, bool>> present(const std::vector<ModelEvent>& events, std::size_t upto) {
  std::map<int, std::map<int, bool>> p;  // component -> mode -> hidden
  for (std::size_t i = 0; i < upto && i < events.size(); ++i) {
    const auto& e = events[i];
    if (e.a < 0) continue;
    if (e.kind == K::fault) p[e.a][e.b] = false;
    else if (e.kind == K::hidden_fault) p[e.a][e.b] = true;
    else if (e.kind == K::revealed) p[e.a][e.b] = false;
    else if (e.kind == K::restored) p.erase(e.a);
  }
  return p;
}
}  // namespace

std::vector<std::string> faults_present(const Model& model, const std::vector<ModelEvent>& events) {
  std::vector<std::string> out;
  const Scenario& sc = model.scenario();
  for (const auto& [c, modes] : present(events, events.size())) {
    if (c >= static_cast<int>(sc.components.size())) continue;
    for (const auto& [m, hidden] : modes) {
      ModelEvent probe{0, hidden ? K::hidden_fault : K::fault, c, m};
      std::string d = model.describe(probe);
      out.push_back(d + (hidden ? " — nobody knows (no demand or proof test found it)" : ""));
    }
  }
  return out;
}

std::string still_down_reason(const Model& model, const std::vector<ModelEvent>& events, std::size_t i) {
  // Service state just after the events at this instant.
  const double t = events[i].t;
  bool down = false, known = false;
  for (std::size_t k = 0; k < events.size(); ++k) {
    const auto& e = events[k];
    if (e.t > t + kEps) break;
    if (e.kind == K::service_down || e.kind == K::service_degraded) down = true, known = true;
    if (e.kind == K::service_up) down = false, known = true;
  }
  if (!known || !down) return "";
  std::size_t upto = i + 1;
  while (upto < events.size() && events[upto].t <= t + kEps) ++upto;
  std::string why;
  for (const auto& [c, modes] : present(events, upto)) {
    (void)modes;
    if (c < static_cast<int>(model.scenario().components.size())) why += (why.empty() ? "" : ", ") + model.node_name(c);
  }
  std::string s = why.empty() ? "" : why + " still failed";
  // Manual switch-overs asked for and not done.
  std::set<int> pending;
  for (std::size_t k = 0; k < upto; ++k) {
    if (events[k].kind == K::failover_failed) pending.insert(events[k].a);
    if (events[k].kind == K::switchover_done) pending.erase(events[k].a);
  }
  for (int g : pending) s += (s.empty() ? "" : "; ") + model.node_name(g) + " waits for a manual switch-over";
  // Steps still running or waiting.
  if (s.empty()) s = "what the service needs is still out (see the next events)";
  return s;
}

}  // namespace drsim
