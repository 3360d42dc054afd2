// The structure function: given which components hold a fault, is the service UP,
// DEGRADED (which features) or DOWN — and which failed components cut it.
//
// Static and engine-independent: a component works when it has no fault and all it
// `needs` works (power domains, network paths, other services); a group works when at
// least `need` of its members work; a block or the service works when its expression
// (all / any / at_least k) is true. Failover windows, roles and UPS bridging are the
// Model's dynamic refinements of this function (docs/model.md); `drsim` uses this one
// to explain states and tests it on series, parallel, k-of-n, power and cross-site cases.
//
// Thread-safety: immutable after construction; evaluate() is const.
#pragma once

#include <string>
#include <vector>

#include "models/scenario.h"

namespace drsim {

struct ServiceState {
  enum class Level { up, degraded, down };
  Level level = Level::up;
  std::vector<std::string> features_down;  // feature ids, in scenario order
  // Failed components whose fault takes part in the loss (in the failed part's cone).
  std::vector<std::string> cut;
  // Of those, the ones whose repair alone would bring the service back up.
  std::vector<std::string> single_repairs;
};

const char* to_string(ServiceState::Level l);

class StructureEvaluator {
 public:
  // REQUIRES: `scenario` is validated (acyclic, all ids resolve) and outlives this.
  explicit StructureEvaluator(const Scenario& scenario);

  // `failed` holds the ids of components with a fault. Unknown ids are ignored.
  ServiceState evaluate(const std::vector<std::string>& failed) const;

  // Does node `id` (component, group or block) work with these components failed?
  bool works(const std::string& id, const std::vector<std::string>& failed) const;

 private:
  struct Node;
  bool eval_node(int n, const std::vector<char>& fault, std::vector<signed char>& memo) const;
  bool eval_expr(const Expr& e, const std::vector<char>& fault, std::vector<signed char>& memo) const;
  void cone(const Expr& e, std::vector<char>& seen) const;
  void cone_node(int n, std::vector<char>& seen) const;
  std::vector<char> fault_vector(const std::vector<std::string>& failed) const;
  int index(const std::string& id) const;

  const Scenario& sc_;
  std::vector<std::string> names_;  // components, then groups, then blocks
  std::size_t nc_ = 0, ng_ = 0;
};

}  // namespace drsim
