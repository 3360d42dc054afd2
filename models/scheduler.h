// The scheduler: the only thing the model knows of time — a clock and an EventCalendar.
// The model schedules events through it; the engine that owns it pops the calendar,
// sets the clock and calls Model::fire(handler, arg) when each is due. It is a plain
// class, not an interface, so the model's scheduling calls inline on the per-event
// path (issue 14); both engines are such a calendar with a clock.
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

class EventCalendar {
 public:
  struct Entry {
    double t;
    std::uint64_t seq;  // scheduling order: the tie-break at equal times
    std::uint32_t handler, arg;
    std::uint32_t slot;
  };

  void clear();
  EventId push(double t, std::uint32_t handler, std::uint32_t arg) {
    std::uint32_t slot;
    if (!free_.empty()) {
      slot = free_.back();
      free_.pop_back();
    } else {
      slot = static_cast<std::uint32_t>(slots_.size());
      slots_.push_back({kNowhere, 1});
    }
    heap_.push_back({t, next_seq_++, handler, arg, slot});
    sift_up(heap_.size() - 1);
    return id_of(slot);
  }
  // Forgets a pending event. kNoEvent, or the id of a fired or cancelled event: no-op.
  void cancel(EventId id) {
    if (const std::uint32_t pos = position(id); pos != kNowhere) remove_at(pos);
  }
  // Moves a pending event to time t as if it were cancelled and pushed again: it takes
  // the next scheduling order (ties break exactly as with cancel + push) and a new id
  // (the old one is spent). A fired or cancelled id (or kNoEvent) is pushed as new.
  EventId reschedule(EventId id, double t, std::uint32_t handler, std::uint32_t arg) {
    const std::uint32_t pos = position(id);
    if (pos == kNowhere) return push(t, handler, arg);
    Entry& e = heap_[pos];
    const bool earlier = t < e.t;
    e.t = t;
    e.seq = next_seq_++;
    e.handler = handler;
    e.arg = arg;
    const std::uint32_t slot = e.slot;
    if (earlier) sift_up(pos);
    else sift_down(pos);  // a later time or the same time with a later order
    ++slots_[slot].gen;    // the old id is spent, as after cancel()
    return id_of(slot);
  }
  // The next event; false when nothing is pending.
  bool peek(Entry& out) const {
    if (heap_.empty()) return false;
    out = heap_.front();
    return true;
  }
  // Removes the next event. REQUIRES: something is pending.
  void pop() { remove_at(0); }
  std::size_t size() const { return heap_.size(); }

 private:
  static constexpr std::uint32_t kNowhere = 0xffffffffu;
  struct Slot {
    std::uint32_t pos;  // index in heap_, kNowhere when free
    std::uint32_t gen;
  };
  static bool before(const Entry& a, const Entry& b) { return a.t < b.t || (a.t == b.t && a.seq < b.seq); }
  EventId id_of(std::uint32_t slot) const {
    return (static_cast<EventId>(slots_[slot].gen) << 32) | (static_cast<EventId>(slot) + 1);
  }
  // The heap position of a pending event's id, kNowhere for anything else.
  std::uint32_t position(EventId id) const {
    const std::uint64_t low = id & 0xffffffffu;
    if (low == 0 || low > slots_.size()) return kNowhere;
    const Slot& s = slots_[low - 1];
    return s.gen == static_cast<std::uint32_t>(id >> 32) ? s.pos : kNowhere;
  }
  void place(std::size_t pos, const Entry& e) {
    heap_[pos] = e;
    slots_[e.slot].pos = static_cast<std::uint32_t>(pos);
  }
  void sift_up(std::size_t pos) {
    const Entry e = heap_[pos];
    while (pos > 0) {
      const std::size_t parent = (pos - 1) / 2;
      if (!before(e, heap_[parent])) break;
      place(pos, heap_[parent]);
      pos = parent;
    }
    place(pos, e);
  }
  void sift_down(std::size_t pos) {
    const Entry e = heap_[pos];
    const std::size_t n = heap_.size();
    while (true) {
      std::size_t child = 2 * pos + 1;
      if (child >= n) break;
      if (child + 1 < n && before(heap_[child + 1], heap_[child])) ++child;
      if (!before(heap_[child], e)) break;
      place(pos, heap_[child]);
      pos = child;
    }
    place(pos, e);
  }
  void remove_at(std::size_t pos) {
    Slot& s = slots_[heap_[pos].slot];
    s.pos = kNowhere;
    ++s.gen;
    free_.push_back(heap_[pos].slot);
    const Entry last = heap_.back();
    heap_.pop_back();
    if (pos == heap_.size()) return;
    const bool up = pos > 0 && before(last, heap_[(pos - 1) / 2]);
    heap_[pos] = last;
    if (up) sift_up(pos);
    else sift_down(pos);
  }

  std::vector<Entry> heap_;
  std::vector<Slot> slots_;
  std::vector<std::uint32_t> free_;
  std::uint64_t next_seq_ = 1;
};

class Scheduler {
 public:
  // The current simulated time, hours.
  double now() const { return now_; }
  // Asks for fire(handler, arg) at time t (t >= now()). Returns an id for cancel().
  EventId schedule_at(double t, std::uint32_t handler, std::uint32_t arg) { return calendar_.push(t, handler, arg); }
  EventId schedule_after(double delay, std::uint32_t handler, std::uint32_t arg) {
    return schedule_at(now_ + delay, handler, arg);
  }
  // Forgets a scheduled event. Cancelling kNoEvent, a fired or a cancelled event is a no-op.
  void cancel(EventId id) { calendar_.cancel(id); }
  // cancel(id) then schedule_at(t, handler, arg) in one step: the event moves in place;
  // the order at equal times is that of cancel + schedule_at.
  EventId reschedule(EventId id, double t, std::uint32_t handler, std::uint32_t arg) {
    return calendar_.reschedule(id, t, handler, arg);
  }

  // For the engine that owns it.
  EventCalendar& calendar() { return calendar_; }
  void set_now(double t) { now_ = t; }

 private:
  EventCalendar calendar_;
  double now_ = 0;
};

}  // namespace drsim
