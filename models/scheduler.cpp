// EventCalendar: an indexed binary heap ordered by (time, scheduling sequence); the hot
// operations are inline in scheduler.h.
#include "models/scheduler.h"

namespace drsim {

void EventCalendar::clear() {
  // Pending events' slots are freed with a new generation, so no id of this trial
  // matches an event of the next.
  for (const Entry& e : heap_) {
    Slot& s = slots_[e.slot];
    s.pos = kNowhere;
    ++s.gen;
    free_.push_back(e.slot);
  }
  heap_.clear();
  next_seq_ = 1;
}

}  // namespace drsim
