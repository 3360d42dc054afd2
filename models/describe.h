// A scenario as a readable tree, for `drsim describe`: sites and their components
// (first the paths that feed each site's power, parallel feeds side by side: "(a ∥ b)
// → load"), redundancy groups with their failover policy, failure modes
// with their parameters in human units, common causes, recovery runbooks, the
// service structure, objectives, injections and variants.
//
// Thread-safety: pure function of an immutable Scenario.
#pragma once

#include <string>

#include "models/scenario.h"

namespace drsim {

std::string describe_scenario(const Scenario& sc);

// One line for a failure mode: "hw: random, exponential, mean 20y; repair lognormal ...".
std::string describe_failure_mode(const FailureMode& m);

// A structure expression in words: "all of (dc1/lb, any of (dc1/app, dc2/app))".
std::string describe_expr(const Expr& e);

}  // namespace drsim
