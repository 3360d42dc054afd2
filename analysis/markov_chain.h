// The reachable chain of a MarkovModel (analysis/markov_model.h), built breadth-first
// from all-up for `drsim analyze` (analysis/markov.cpp solves it): its states, packed
// and numbered in the order found, and its rates row by row.
//
// Building is the cost of a large chain (10^6 states, 2*10^7 transitions): the
// successors of a run of states are found on several threads at once, each state's
// successors packed, hashed and looked up there among the states numbered before the
// run (most are); one thread then numbers the rest in the order a single thread would
// have found them, so the chain (and every result) is the same for any number of
// threads.
//
// Thread-safety: build_chain() uses `threads` threads internally; a Chain is a value.
#pragma once

#include <cstddef>
#include <cstdint>
#include <utility>
#include <vector>

#include "analysis/ctmc.h"
#include "analysis/markov_model.h"
#include "models/diagnostics.h"

namespace drsim {

// A set of states, each numbered in the order added: packed into one array of 32-bit
// words (its faults, windows and roles, 4 roles a word), indexed by an open-addressing
// hash table of (hash tag, number). ~60 bytes a state of 20 units, where a MarkovState
// costs ~170 and three allocations; a lookup touches the table and, on a tag match,
// the packed words.
class StateSet {
 public:
  using Key = std::vector<std::uint32_t>;
  // `s` packed, appended to `out`; its hash.
  static void encode(const MarkovState& s, Key& out);
  static std::uint64_t hash(const std::uint32_t* words, std::size_t n);

  std::size_t size() const { return start_.size() - 1; }
  // The number of the state packed in words[0, n) with hash h (as encode() and hash()
  // give), added if new; -1 if it is new and the set already holds `cap`.
  int intern(const std::uint32_t* words, std::size_t n, std::uint64_t h, std::size_t cap);
  int intern(const MarkovState& s, std::size_t cap);
  // The number of the state packed in words[0, n) with hash h, or -1 if the set does not
  // hold it. Safe to call from several threads while nothing is added.
  int find(const std::uint32_t* words, std::size_t n, std::uint64_t h) const { return probe(words, n, h).second; }
  // Asks the processor to fetch the table slot a state of hash h starts from.
  void prefetch(std::uint64_t h) const {
    if (!table_.empty()) __builtin_prefetch(&table_[h & (table_.size() - 1)]);
  }
  // State i, into `out` (its vectors keep their capacity).
  void get(std::size_t i, MarkovState& out) const;
  MarkovState operator[](std::size_t i) const {
    MarkovState s;
    get(i, s);
    return s;
  }

 private:
  void grow();
  // The table slot where the state is, or the empty slot where it would go; its number
  // there (-1 for the empty slot).
  std::pair<std::uint64_t, int> probe(const std::uint32_t* words, std::size_t n, std::uint64_t h) const;

  std::vector<std::uint32_t> words_;
  std::vector<std::uint64_t> start_{0};  // state i's words: [start_[i], start_[i + 1])
  std::vector<std::uint64_t> table_;     // tag << 32 | (number + 1); 0 = empty
  Key key_;                              // the state being looked up, packed
};

// The reachable part of the chain: states (0 = all-up), the rates out of each state in
// the order found (row-major, each row sorted, no self-loops), and in the proof-test
// class what a test does to each state (jumps, with probabilities).
struct Chain {
  StateSet states;
  std::vector<int> row_start{0}, cols;
  std::vector<double> rates;
  std::vector<std::vector<std::pair<int, double>>> tests;
};

// Enumerates the states reachable from all-up breadth-first (with part >= 0, by that
// independent part's events only), finding successors on `threads` threads (>= 1).
// False (and an error in `diags`) when there are more than max_states, or the chain
// outgrows half the machine's memory.
bool build_chain(const MarkovModel& model, std::size_t max_states, int threads, Diagnostics& diags, Chain& c, int part = -1);

// The chain's rates as a Ctmc (the rows copied as they are; the chain's rate arrays are
// freed, its states kept).
Ctmc to_ctmc(Chain& c);

}  // namespace drsim
