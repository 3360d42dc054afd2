// MarkovModel: a Markovian scenario as a successor function — from a state, every
// transition with its rate and whether it is a failure or a repair, and whether the
// service (or a redundancy group) is down in it. `drsim analyze` builds the whole chain
// from it breadth-first (analysis/markov.h) and solves it; `drsim rare`
// (analysis/rare_event.h) walks it state by state without building it, so it scales past
// what the exact solver can hold.
//
// The classes of scenario and the rules followed are analysis/markov.h's: the
// repairable class (exponential lifetimes and repairs, on_demand, external and change
// modes, k-of-n groups, imperfect failover with a manual switch-over, crew pools,
// common causes) and the proof-test class (latent modes only).
//
// Thread-safety: a compiled model is immutable; its const functions may run
// concurrently.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "models/diagnostics.h"
#include "models/scenario.h"

namespace drsim {

namespace markov_detail {
class Builder;
}

// One state: the present faults (mode indices; grouped by the crew pool they claim, in
// order of occurrence within a pool that can run short of crews, else by mode), the
// roles (per group member slot: 0 none, 1 active, 2 standby) and the open manual
// switch-overs (group, pending standby slot or -1; in the order they opened where their
// crew pool can run short, else by group). States are canonical: of the states that
// differ only by a permutation of identical members (markov_model_impl.h, canonical),
// one stands for all, so each state is a lumped class of the unlumped chain.
struct MarkovState {
  std::vector<int> faults;
  std::vector<signed char> roles;
  std::vector<std::pair<int, int>> windows;
  bool operator<(const MarkovState& o) const {
    return std::tie(faults, roles, windows) < std::tie(o.faults, o.roles, o.windows);
  }
  bool operator==(const MarkovState& o) const {
    return faults == o.faults && roles == o.roles && windows == o.windows;
  }
  int window_of(int g) const {
    for (std::size_t i = 0; i < windows.size(); ++i)
      if (windows[i].first == g) return static_cast<int>(i);
    return -1;
  }
};

// A transition out of a state. `failure` is true for a failure-mode occurrence (a random
// failure, an outside event's arrival, a bad change, a hidden fault), with whatever it
// sets off (on-demand failures of standbys, an uncovered failover); false for a repair,
// the end of an outside event or a manual switch-over done. An event with random
// outcomes gives one transition per outcome, its rate times the outcome's probability.
// `next` may equal the state it leaves (a chain solver drops such self-loops).
struct MarkovTransition {
  MarkovState next;
  double rate = 0;  // per hour, > 0
  bool failure = false;
};

class MarkovModel {
 public:
  // Compiles a scenario. On one outside both classes returns nullptr and adds an error
  // per reason to `diags` (JSON pointer, what is not Markovian, a hint).
  // REQUIRES: `sc` validated, and it outlives the model.
  // With lump = false the chain is not lumped (faults in occurrence order in every crew
  // pool, every member apart, one part): the reference the lumped chain must equal.
  static std::unique_ptr<MarkovModel> compile(const Scenario& sc, Diagnostics& diags, bool lump = true);
  ~MarkovModel();
  MarkovModel(const MarkovModel&) = delete;
  MarkovModel& operator=(const MarkovModel&) = delete;

  // The proof-test class (else the repairable class), and its test interval in hours.
  bool proof_test() const;
  double proof_interval() const;

  // The all-up state: no faults, the first `need` members of active-standby groups
  // active, the others standby, every member of an active-active group active.
  MarkovState all_up() const;

  // Every transition out of `s` (cleared and refilled). In the proof-test class only the
  // hidden faults' arrivals (test_jumps() gives the tests).
  void successors(const MarkovState& s, std::vector<MarkovTransition>& out) const;
  // The same transitions, each handed to `f` (next, rate, failure) as it is found: `next`
  // is valid during the call only. No allocation per transition (what a chain of
  // millions of states is built with). With part >= 0, part p's only (part_successors).
  using TransitionFn = std::function<void(const MarkovState& next, double rate, bool failure)>;
  void for_each_successor(const MarkovState& s, int part, const TransitionFn& f) const;

  // Proof-test class: where a test takes `s` (each hidden fault found with its coverage
  // and repaired at once), with probabilities summing to 1.
  std::vector<std::pair<MarkovState, double>> test_jumps(const MarkovState& s) const;

  // The service is down in `s` (its `requires` expression does not hold).
  bool service_down(const MarkovState& s) const;

  // Redundancy groups, in scenario order: their count, ids, the index of an id (-1 if
  // none), and whether group g is not working in `s`.
  int group_count() const;
  const std::string& group_id(int g) const;
  int group_index(const std::string& id) const;
  bool group_down(const MarkovState& s, int g) const;

  // Independent parts: the scenario split where nothing couples its pieces (no shared
  // failure mode, crew pool, group or needs; markov_compile.cpp, find_parts), so the
  // chain is the product of the parts' chains. Their number (1 when nothing splits);
  // the part of group g; the transitions out of `s` by part p's events only (its modes'
  // failures, its faults' repairs, its groups' switch-overs); what the service can see
  // of part p in `s` (whether each node of p that the service or a block outside every
  // part reads works); and the state made of each part's share of per_part[p].
  // REQUIRES: 0 <= p < part_count(); per_part.size() == part_count().
  int part_count() const;
  int group_part(int g) const;
  void part_successors(const MarkovState& s, int p, std::vector<MarkovTransition>& out) const;
  std::vector<char> part_view(const MarkovState& s, int p) const;
  MarkovState compose(const std::vector<const MarkovState*>& per_part) const;

 private:
  explicit MarkovModel(std::unique_ptr<markov_detail::Builder> b);
  std::unique_ptr<markov_detail::Builder> b_;
};

}  // namespace drsim
