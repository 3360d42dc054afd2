// The scheduler interface: the only thing the model knows of time. An engine
// implements it; the model schedules events through it and the engine calls
// Model::fire(handler, arg) when each is due.
//
// Order: events fire in increasing time; events at equal times fire in the order
// they were scheduled (first scheduled, first fired). Every engine must keep this
// rule — it is what makes the fast engine and the SimGrid engine produce the same
// trajectory (see EventCalendar below, which both use).
//
// Thread-safety: one scheduler per engine per thread.
#pragma once

#include <cstdint>
#include <vector>

namespace drsim {

using EventId = std::uint64_t;
inline constexpr EventId kNoEvent = 0;

class Scheduler {
 public:
  virtual ~Scheduler() = default;
  // The current simulated time, hours.
  virtual double now() const = 0;
  // Asks for fire(handler, arg) at time t (t >= now()). Returns an id for cancel().
  virtual EventId schedule_at(double t, std::uint32_t handler, std::uint32_t arg) = 0;
  EventId schedule_after(double delay, std::uint32_t handler, std::uint32_t arg) {
    return schedule_at(now() + delay, handler, arg);
  }
  // Forgets a scheduled event. Cancelling kNoEvent, a fired or a cancelled event is a no-op.
  virtual void cancel(EventId id) = 0;
};

// A binary-heap event calendar with lazy cancellation: no allocation per event once
// its vectors have grown to the trial's high-water mark (clear() keeps capacity).
class EventCalendar {
 public:
  struct Entry {
    double t;
    std::uint64_t seq;  // scheduling order: the tie-break at equal times
    std::uint32_t handler, arg;
  };

  void clear();
  EventId push(double t, std::uint32_t handler, std::uint32_t arg);
  void cancel(EventId id);
  // Removes cancelled entries from the top; false when nothing is left.
  bool peek(Entry& out);
  void pop();
  std::size_t size() const { return heap_.size(); }

 private:
  static bool later(const Entry& a, const Entry& b) {
    return a.t > b.t || (a.t == b.t && a.seq > b.seq);
  }
  std::vector<Entry> heap_;
  // cancelled_[seq - base_] marks a cancelled event; seq values are dense per trial.
  std::vector<std::uint8_t> cancelled_;
  std::uint64_t next_seq_ = 1;
};

}  // namespace drsim
