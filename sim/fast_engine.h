// The fast engine: a lean event calendar (indexed binary heap) that runs
// the model with no SimGrid and no allocation per event once warmed up. One engine
// per thread; it is what `drsim run` uses by default for Monte Carlo.
//
// Thread-safety: one FastEngine (and one Model) per thread.
#pragma once

#include <cstdint>

#include "models/model.h"
#include "models/scheduler.h"

namespace drsim {

class FastEngine final : public Scheduler {
 public:
  // Runs one trial of `model` from t = 0 until `horizon` hours or, for a drill,
  // until model.finished(). Returns the model's result (valid until the next trial).
  const TrialResult& run_trial(Model& model, std::uint64_t seed, std::uint64_t trial, double horizon);
};

}  // namespace drsim
