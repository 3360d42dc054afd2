#include "models/structure.h"

#include <algorithm>

namespace drsim {

const char* to_string(ServiceState::Level l) {
  switch (l) {
    case ServiceState::Level::up: return "UP";
    case ServiceState::Level::degraded: return "DEGRADED";
    case ServiceState::Level::down: return "DOWN";
  }
  return "?";
}

StructureEvaluator::StructureEvaluator(const Scenario& sc) : sc_(sc) {
  for (const auto& c : sc.components) names_.push_back(c.id);
  for (const auto& g : sc.groups) names_.push_back(g.id);
  for (const auto& b : sc.blocks) names_.push_back(b.id);
  nc_ = sc.components.size();
  ng_ = sc.groups.size();
}

int StructureEvaluator::index(const std::string& id) const {
  auto it = std::find(names_.begin(), names_.end(), id);
  return it == names_.end() ? -1 : static_cast<int>(it - names_.begin());
}

std::vector<char> StructureEvaluator::fault_vector(const std::vector<std::string>& failed) const {
  std::vector<char> f(nc_, 0);
  for (const auto& id : failed) {
    int i = index(id);
    if (i >= 0 && static_cast<std::size_t>(i) < nc_) f[static_cast<std::size_t>(i)] = 1;
  }
  return f;
}

bool StructureEvaluator::eval_node(int n, const std::vector<char>& fault, std::vector<signed char>& memo) const {
  auto u = static_cast<std::size_t>(n);
  if (memo[u] >= 0) return memo[u] != 0;
  bool ok;
  if (u < nc_) {
    ok = !fault[u];
    for (const auto& need : sc_.components[u].needs) {
      if (!ok) break;
      int j = index(need);
      ok = j < 0 || eval_node(j, fault, memo);
    }
  } else if (u < nc_ + ng_) {
    const auto& g = sc_.groups[u - nc_];
    int working = 0;
    for (const auto& m : g.members) {
      int j = index(m);
      if (j >= 0 && eval_node(j, fault, memo)) ++working;
    }
    ok = working >= g.need;
  } else {
    ok = eval_expr(sc_.blocks[u - nc_ - ng_].expr, fault, memo);
  }
  memo[u] = ok ? 1 : 0;
  return ok;
}

bool StructureEvaluator::eval_expr(const Expr& e, const std::vector<char>& fault, std::vector<signed char>& memo) const {
  switch (e.op) {
    case Expr::Op::ref: {
      int j = index(e.ref);
      return j < 0 || eval_node(j, fault, memo);
    }
    case Expr::Op::all:
      return std::all_of(e.args.begin(), e.args.end(), [&](const Expr& a) { return eval_expr(a, fault, memo); });
    case Expr::Op::any:
      return std::any_of(e.args.begin(), e.args.end(), [&](const Expr& a) { return eval_expr(a, fault, memo); });
    case Expr::Op::at_least: {
      int k = 0;
      for (const auto& a : e.args) k += eval_expr(a, fault, memo) ? 1 : 0;
      return k >= e.k;
    }
  }
  return true;
}

void StructureEvaluator::cone_node(int n, std::vector<char>& seen) const {
  auto u = static_cast<std::size_t>(n);
  if (seen[u]) return;
  seen[u] = 1;
  if (u < nc_) {
    for (const auto& need : sc_.components[u].needs)
      if (int j = index(need); j >= 0) cone_node(j, seen);
  } else if (u < nc_ + ng_) {
    for (const auto& m : sc_.groups[u - nc_].members)
      if (int j = index(m); j >= 0) cone_node(j, seen);
  } else {
    cone(sc_.blocks[u - nc_ - ng_].expr, seen);
  }
}

void StructureEvaluator::cone(const Expr& e, std::vector<char>& seen) const {
  if (e.op == Expr::Op::ref) {
    if (int j = index(e.ref); j >= 0) cone_node(j, seen);
    return;
  }
  for (const auto& a : e.args) cone(a, seen);
}

bool StructureEvaluator::works(const std::string& id, const std::vector<std::string>& failed) const {
  int n = index(id);
  if (n < 0) return true;
  auto fault = fault_vector(failed);
  std::vector<signed char> memo(names_.size(), -1);
  return eval_node(n, fault, memo);
}

ServiceState StructureEvaluator::evaluate(const std::vector<std::string>& failed) const {
  auto fault = fault_vector(failed);
  auto run = [&](const Expr& e, const std::vector<char>& f) {
    std::vector<signed char> memo(names_.size(), -1);
    return eval_expr(e, f, memo);
  };
  ServiceState s;
  const bool up = run(sc_.service.requires_, fault);
  const Expr* lost = nullptr;
  std::vector<const Expr*> lost_features;
  if (!up) {
    s.level = ServiceState::Level::down;
    lost = &sc_.service.requires_;
  } else {
    for (const auto& f : sc_.service.features)
      if (!run(f.expr, fault)) {
        s.features_down.push_back(f.id);
        lost_features.push_back(&f.expr);
      }
    if (!s.features_down.empty()) s.level = ServiceState::Level::degraded;
  }
  if (s.level == ServiceState::Level::up) return s;

  std::vector<char> seen(names_.size(), 0);
  if (lost) cone(*lost, seen);
  for (const auto* e : lost_features) cone(*e, seen);
  for (std::size_t c = 0; c < nc_; ++c) {
    if (!fault[c] || !seen[c]) continue;
    s.cut.push_back(names_[c]);
    auto repaired = fault;
    repaired[c] = 0;
    bool fixed = lost ? run(*lost, repaired)
                      : std::all_of(lost_features.begin(), lost_features.end(), [&](const Expr* e) { return run(*e, repaired); });
    if (fixed) s.single_repairs.push_back(names_[c]);
  }
  return s;
}

}  // namespace drsim
