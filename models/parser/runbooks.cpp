// "runbooks": named procedures of steps a recovery runs — each step's kind, duration,
// "after" (the steps it waits for, without cycles), what it "restores" and what it
// "waits_for"; the steps are kept in a stable topological order (see checker.h).
#include <algorithm>
#include <functional>
#include <queue>
#include <set>

#include <fmt/format.h>

#include "models/parser/checker.h"

namespace drsim::parser {

namespace {

const std::vector<std::pair<std::string, RunbookStep::Kind>> kStepKinds = {
    {"detect", RunbookStep::Kind::detect},   {"respond", RunbookStep::Kind::respond},
    {"diagnose", RunbookStep::Kind::diagnose}, {"vendor", RunbookStep::Kind::vendor},
    {"spares", RunbookStep::Kind::spares},   {"repair", RunbookStep::Kind::repair},
    {"restart", RunbookStep::Kind::restart}, {"verify", RunbookStep::Kind::verify},
    {"failover", RunbookStep::Kind::failover}, {"failback", RunbookStep::Kind::failback},
    {"other", RunbookStep::Kind::other},
};

// Stable topological order: repeatedly the first step (in file order) whose "after"
// steps are all placed (Kahn's algorithm with the ready steps in a min-heap of file
// positions). REQUIRES: "after" has no cycle.
void order_steps(Runbook& rb, const std::vector<StepAfter>& after) {
  std::vector<std::size_t> unmet(rb.steps.size());
  std::vector<std::vector<std::size_t>> next(rb.steps.size());
  for (std::size_t s = 0; s < rb.steps.size(); ++s) {
    unmet[s] = after[s].size();
    for (const auto& a : after[s]) next[a.first].push_back(s);
  }
  std::priority_queue<std::size_t, std::vector<std::size_t>, std::greater<>> ready;
  for (std::size_t s = 0; s < rb.steps.size(); ++s)
    if (unmet[s] == 0) ready.push(s);
  std::vector<RunbookStep> ordered;
  while (!ready.empty()) {
    std::size_t s = ready.top();
    ready.pop();
    ordered.push_back(rb.steps[s]);
    for (std::size_t n : next[s])
      if (--unmet[n] == 0) ready.push(n);
  }
  rb.steps = std::move(ordered);
}

}  // namespace

void Checker::parse_runbooks(const json& v) {
  if (!want_array(v, "/runbooks")) return;
  if (v.size() > kMaxRunbookSteps)
    err("/runbooks", fmt::format("{} runbooks; drsim runs at most {}", v.size(), kMaxRunbookSteps), "merge runbooks that do the same work");
  std::map<std::string, std::string> seen;
  for (std::size_t i = 0; i < v.size(); ++i) sc_.runbooks.push_back(parse_runbook(v[i], at("/runbooks", i), seen));
}

// One runbook; `seen` holds the runbook ids so far (id -> pointer).
Runbook Checker::parse_runbook(const json& j, const std::string& p, std::map<std::string, std::string>& seen) {
  Runbook rb;
  rb.pointer = p;
  if (!want_object(j, p)) return rb;
  check_keys(j, p, {"id", "name", "steps", "max_parallel"});
  if (auto id = id_at(j, p, "site-restart")) {
    rb.id = *id;
    auto [it, fresh] = seen.emplace(*id, p);
    if (!fresh) err(at(p, "id"), "duplicate runbook id " + q(*id), "already the id of the runbook at " + it->second);
  }
  if (auto s = string_at(j, p, "name")) rb.name = *s;
  if (auto n = int_at(j, p, "max_parallel", 0, "how many steps may run at once, 0 = no limit")) rb.max_parallel = static_cast<int>(*n);
  const json* steps = get(j, "steps");
  std::string sp = at(p, "steps");
  if (!steps) {
    missing(p, "steps", "a runbook is a list of steps: [{\"id\": \"power\", \"duration\": \"90m\"}, ...]");
  } else if (want_array(*steps, sp)) {
    parse_steps(*steps, sp, rb);
  }
  return rb;
}

// "steps" (an array), at `sp`: each step, then the cycles in "after", then the order.
void Checker::parse_steps(const json& steps, const std::string& sp, Runbook& rb) {
  if (steps.empty()) err(sp, "\"steps\" is empty", "a runbook needs at least one step");
  if (steps.size() > kMaxRunbookSteps)
    err(sp, fmt::format("{} steps in one runbook; drsim runs at most {}", steps.size(), kMaxRunbookSteps),
        "split it into several runbooks, or group steps that always run together into one");
  // Step ids first, so that "after" may name a later step.
  std::map<std::string, std::size_t> step_index;
  std::vector<std::string> step_ids;
  for (std::size_t s = 0; s < steps.size(); ++s) {
    const json& st = steps[s];
    const json* id = st.is_object() ? get(st, "id") : nullptr;
    if (id && id->is_string() && valid_id(id->get<std::string>()) && step_index.emplace(id->get<std::string>(), s).second)
      step_ids.push_back(id->get<std::string>());
  }
  std::vector<StepAfter> after(steps.size());
  for (std::size_t s = 0; s < steps.size(); ++s)
    rb.steps.push_back(parse_step(steps[s], at(sp, s), s, sp, step_index, step_ids, after[s]));
  if (!report_step_cycles(rb, after)) order_steps(rb, after);
}

// Step `s` of a runbook, at `p2`; its "after" references go to `after`.
RunbookStep Checker::parse_step(const json& st, const std::string& p2, std::size_t s, const std::string& sp,
                                const std::map<std::string, std::size_t>& step_index,
                                const std::vector<std::string>& step_ids, StepAfter& after) {
  RunbookStep step;
  step.pointer = p2;
  if (!want_object(st, p2, "e.g. {\"id\": \"power\", \"kind\": \"repair\", \"duration\": \"90m\"}")) return step;
  check_keys(st, p2, {"id", "name", "kind", "duration", "after", "restores", "waits_for"});
  if (auto id = id_at(st, p2, "power")) {
    step.id = *id;
    if (step_index.count(*id) && step_index.at(*id) != s)
      err(at(p2, "id"), "duplicate step id " + q(*id),
          "already used at " + at(sp, step_index.at(*id)) + "; step ids are unique within a runbook");
  }
  if (auto n = string_at(st, p2, "name")) step.name = *n;
  if (auto k = string_at(st, p2, "kind")) {
    if (auto kk = lookup(kStepKinds, *k)) step.kind = *kk;
    else {
      auto kinds = keys_of(kStepKinds);
      std::string n = nearest(*k, kinds);
      err(at(p2, "kind"), "unknown step kind " + q(*k), (n.empty() ? "" : "did you mean " + q(n) + "? ") + "kinds: " + join(kinds));
    }
  }
  if (!get(st, "duration")) missing(p2, "duration", "how long the step takes, e.g. \"90m\" or {\"dist\": \"lognormal\", ...}");
  else if (auto d = dist_at(st, p2, "duration", Zero::allowed)) step.duration = *d;
  if (const json* a = get(st, "after"); a && want_array(*a, at(p2, "after")))
    parse_step_after(*a, at(p2, "after"), step_index, step_ids, step, after);
  if (const json* r = get(st, "restores"); r && want_array(*r, at(p2, "restores"))) parse_step_restores(*r, at(p2, "restores"), step);
  step.waits_for = ref_list_at(st, p2, "waits_for", kNode, "", true);
  if (auto s2 = text_at(st, "source")) step.source = *s2;
  return step;
}

// "after" (an array, at `list_p`): ids of steps of the same runbook.
void Checker::parse_step_after(const json& a, const std::string& list_p, const std::map<std::string, std::size_t>& step_index,
                               const std::vector<std::string>& step_ids, RunbookStep& step, StepAfter& after) {
  for (std::size_t k = 0; k < a.size(); ++k) {
    std::string ap = at(list_p, k);
    const json& x = a[k];
    if (!x.is_string()) {
      err(ap, "expected a step id (a string), got " + type_of(x), "name a step of this runbook, like \"power\"");
      continue;
    }
    std::string sid = x.get<std::string>();
    auto it = step_index.find(sid);
    if (it == step_index.end()) {
      std::string n = nearest(sid, step_ids);
      err(ap, "unknown step " + q(sid),
          n.empty() ? (step_ids.empty() ? "this runbook has no step ids" : "steps of this runbook: " + join(step_ids))
                    : "did you mean " + q(n) + "?");
      continue;
    }
    step.after.push_back(sid);
    after.push_back({it->second, ap});
  }
}

// "restores" (an array, at `rp`): component ids, or "$targets".
void Checker::parse_step_restores(const json& r, const std::string& rp, RunbookStep& step) {
  for (std::size_t k = 0; k < r.size(); ++k) {
    const json& x = r[k];
    if (x.is_string() && x.get<std::string>() == "$targets") {
      step.restores.push_back("$targets");
      continue;
    }
    if (x.is_string() && x.get<std::string>().rfind('$', 0) == 0) {
      err(at(rp, k), "unknown placeholder " + q(x.get<std::string>()),
          "did you mean \"$targets\"? it stands for the components the fault took down");
      continue;
    }
    if (auto id = ref(x, at(rp, k), kComponent, "", true,
                      "\"restores\" takes component ids, or \"$targets\" for what the fault took down"))
      step.restores.push_back(*id);
  }
}

// Cycles in "after", each reported once, from its earliest step. Returns true when
// there is one.
bool Checker::report_step_cycles(const Runbook& rb, const std::vector<StepAfter>& after) {
  std::vector<int> color(after.size(), 0);
  std::set<std::vector<std::size_t>> reported;
  bool cyclic = false;
  for (std::size_t s0 = 0; s0 < after.size(); ++s0) {
    if (color[s0]) continue;
    std::vector<std::pair<std::size_t, std::size_t>> stack{{s0, 0}};
    color[s0] = 1;
    while (!stack.empty()) {
      auto& [u, next] = stack.back();
      if (next == after[u].size()) {
        color[u] = 2;
        stack.pop_back();
        continue;
      }
      std::size_t w = after[u][next++].first;
      if (color[w] == 0) {
        color[w] = 1;
        stack.push_back({w, 0});
      } else if (color[w] == 1) {
        cyclic = true;
        std::vector<std::size_t> cyc;
        std::size_t from = 0;
        while (stack[from].first != w) ++from;
        for (std::size_t k = from; k < stack.size(); ++k) cyc.push_back(stack[k].first);
        std::rotate(cyc.begin(), std::min_element(cyc.begin(), cyc.end()), cyc.end());
        if (!reported.insert(cyc).second) continue;
        std::string path, where_ptr;
        for (std::size_t k = 0; k < cyc.size(); ++k) path += rb.steps[cyc[k]].id + " -> ";
        path += rb.steps[cyc[0]].id;
        std::size_t second = cyc.size() > 1 ? cyc[1] : cyc[0];
        for (const auto& [to, ptr] : after[cyc[0]])
          if (to == second && where_ptr.empty()) where_ptr = ptr;
        err(where_ptr, "cycle in runbook " + q(rb.id) + ": " + path, "\"after\" must not lead back to the same step");
      }
    }
  }
  return cyclic;
}

}  // namespace drsim::parser
