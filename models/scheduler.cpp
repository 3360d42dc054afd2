// EventCalendar: binary heap ordered by (time, scheduling sequence), lazy cancellation.
#include "models/scheduler.h"

#include <algorithm>

namespace drsim {

void EventCalendar::clear() {
  heap_.clear();
  cancelled_.clear();
  next_seq_ = 1;
}

EventId EventCalendar::push(double t, std::uint32_t handler, std::uint32_t arg) {
  std::uint64_t seq = next_seq_++;
  heap_.push_back({t, seq, handler, arg});
  std::push_heap(heap_.begin(), heap_.end(), later);
  cancelled_.push_back(0);
  return seq;
}

void EventCalendar::cancel(EventId id) {
  if (id == kNoEvent || id >= next_seq_) return;
  cancelled_[id - 1] = 1;
}

bool EventCalendar::peek(Entry& out) {
  while (!heap_.empty()) {
    const Entry& top = heap_.front();
    if (!cancelled_[top.seq - 1]) {
      out = top;
      return true;
    }
    std::pop_heap(heap_.begin(), heap_.end(), later);
    heap_.pop_back();
  }
  return false;
}

void EventCalendar::pop() {
  // Marking the popped event cancelled makes a later cancel() of its id harmless.
  cancelled_[heap_.front().seq - 1] = 1;
  std::pop_heap(heap_.begin(), heap_.end(), later);
  heap_.pop_back();
}

}  // namespace drsim
