// results.json: what `drsim run` writes. Everything but the "timing" object is a
// function of (scenario bytes, variants, options, seed): byte-identical for any --jobs.
#pragma once

#include <nlohmann/json.hpp>

#include "sim/runner.h"

namespace drsim {

nlohmann::json results_json(const Scenario& scenario, const RunOptions& options, const RunOutcome& outcome);

}  // namespace drsim
