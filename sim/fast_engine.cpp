// FastEngine: the event loop.
#include "sim/fast_engine.h"

namespace drsim {

const TrialResult& FastEngine::run_trial(Model& model, std::uint64_t seed, std::uint64_t trial, double horizon) {
  EventCalendar& cal = calendar();
  cal.clear();
  set_now(0);
  model.begin_trial(*this, seed, trial);
  bool done = model.finished();
  EventCalendar::Entry e;
  while (!done && cal.peek(e)) {
    if (e.t > horizon) break;
    set_now(e.t);
    cal.pop();
    model.fire(e.handler, e.arg);
    done = model.finished();
  }
  return model.end_trial(done ? now() : horizon);
}

}  // namespace drsim
