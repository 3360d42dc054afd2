// Exact availability of Markovian scenarios: the scenario compiled into a
// continuous-time Markov chain (analysis/ctmc.h, Eigen) and solved — the analytic check
// on the Monte Carlo engines (design.md §6: to ~1e-9 relative).
//
// Two classes of scenario are Markovian here; anything else is refused with the JSON
// pointer of the first part that is not (a lognormal repair, a runbook, a time bomb...):
//
//  repairable  failure modes `random` (exponential lifetime), `on_demand` (p per demand
//              of a standby asked to take over), `external` (Poisson arrivals at `rate`,
//              an exponential `duration`, no recovery) and `change` (bad changes at
//              rate x p_bad x (1 - qa coverage)); every repair a plain exponential
//              `repair` (no `detect`, no runbook, no escalation). Groups: k of n,
//              active-active or active-standby (hot, warm, cold), with or without
//              failback; an imperfect failover — `coverage` c < 1 with an exponential
//              `manual` switch-over and no detection/switch-over delays (design.md V5).
//              Crew pools (`crews`, `repair_crews`). Common causes: beta factors and
//              shared modes. Solved for the steady state; MTTFF from all-up as a mean
//              time to absorption.
//  proof-test  every failure mode is `latent`, exponential, proof-tested every τ (the
//              same τ, offset 0) with instant repair: the chain of hidden faults over
//              one test interval, started from the periodic regime just after a test
//              (all-up when tests find everything; with a test coverage c < 1 the faults
//              a test misses stay, and the start is the fixed point of "one interval,
//              then a test"), averaged over the interval (design.md V6, V7). Hidden
//              faults trigger no failover, so active-standby groups keep their first
//              `need` members active; such groups need failback or identical members,
//              and coverage 1 on their members.
//
// The rules are docs/model.md's (issue 11, R1-R4), followed event by event as
// models/model.cpp does:
//  - external and change arrivals run whatever the state; an arrival while the same
//    mode's event is on is absorbed; an external event ends at 1/mean(duration);
//  - roles are part of the state (none/active/standby per member slot): an active
//    member lost demands the standbys in order (on_demand modes branch the transition
//    by p), the first that works is the target, covered with probability c; otherwise a
//    manual window opens with that standby pending — it stays standby (a cold one does
//    not age) until the switch-over ends. A member that comes back is active if the
//    group lacks active members, else standby; with failback it takes over at once
//    from the least preferred active one;
//  - a window is abandoned when fewer than `need` members can work, and ends when a
//    lost member comes back (it serves again);
//  - in each crew pool the first `size` claims hold crews: the open windows in the
//    order they opened, then the faults needing repair in order of occurrence.
//
// The state is the list of present faults — grouped by the crew pool they claim, in
// order of occurrence within a pool that can run short of crews (the crew claims),
// else by mode — the roles, and the open windows (group, pending standby slot), in the
// order they opened where their pool can run short, else by group. Random draws in a
// transition are enumerated, each outcome a transition with its probability.
//
// The chain is lumped, exactly (strong lumpability: every result is the unlumped
// chain's): beside the unordered faults, identical members of an active-active group
// that nothing else reads are counted rather than told apart (markov_model_impl.h,
// canonical()); and a repairable design that splits into independent parts (no shared
// failure mode, crew pool, group or needs) whose whole chain has more than
// `max_states` states is solved part by part, each part's chain on its own, and the
// parts combined (MarkovResult::part_states). Chains (or parts) above `max_states`
// states are refused, and so is a chain that outgrows half the machine's memory while
// it is built.
//
// Thread-safety: pure functions (analyze_markov starts `threads` - 1 threads of its own).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "models/diagnostics.h"
#include "models/scenario.h"

namespace drsim {

struct MarkovResult {
  enum class Kind { repairable, proof_test };
  Kind kind = Kind::repairable;
  std::size_t states = 0;
  double unavailability = 0;  // steady state, or the mean over a proof-test interval
  double mttff_hours = -1;    // repairable only: mean time to first service failure from all-up
  double proof_interval = 0;  // proof_test only
  // proof_test only: P(some fault is present just after a test) in the periodic regime
  // (0 when every test finds everything).
  double test_start_fault_probability = 0;
  double at_hours = -1;       // when asked: point availability A(t) and reliability R(t) from all-up
  double point_availability = -1, reliability = -1;
  // Per redundancy group: the probability it is not working (steady state, or mean over
  // the test interval), in scenario order.
  std::vector<std::pair<std::string, double>> group_unavailability;
  // Repairable designs that split into independent parts (no shared failure mode, crew
  // pool, group or needs) whose product chain has more than max_states states: each
  // part's chain is solved on its own and the results combined (exact: the parts are
  // independent). Then part_states holds each part's state count and `states` their
  // product (saturated); the mean time to first failure and R(t) are not computed
  // (mttff_hours and reliability stay -1: a first passage does not factor over parts).
  // Empty when the whole chain was solved.
  std::vector<std::size_t> part_states;
};

// Builds and solves the chain. On a scenario outside the two classes returns nullopt
// and adds an error per reason to `diags` (pointer, what is not Markovian, a hint).
// With at_hours > 0 (repairable class), also A(t): P(service up at t) and R(t): P(no
// service failure in [0, t]), both from all-up.
// With lump = false the chain is built unlumped (markov_model.h): for tests, which check
// that lumping changes no result. The chain is built on `threads` threads (>= 1), with
// the same result for any number.
std::optional<MarkovResult> analyze_markov(const Scenario& sc, Diagnostics& diags, std::size_t max_states = 200000,
                                           double at_hours = -1, bool lump = true, int threads = 1);

}  // namespace drsim
