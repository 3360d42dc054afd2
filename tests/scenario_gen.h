// Random small Markovian scenarios for differential testing (issue 11): the CTMC
// (`analyze`) and the Monte Carlo (`run`) must agree on every one of them.
//
// generate(seed, options) returns a complete scenario file (JSON text, drsim format 1)
// that depends on nothing but its arguments (its own 64-bit generator, no std::
// distributions), so a seed names a scenario on every platform.
//
// Two classes, as `analyze` has them (analysis/markov.h):
//  repairable  1-5 groups of 1-4 members, k of n, active-active or active-standby (hot,
//              warm with a warm_factor, cold); exponential lifetimes and repairs;
//              coverage < 1 with an exponential manual switch-over; failback on/off;
//              beta-factor common causes; `repair_crews`, and (option) shared crew
//              pools ("crews" at the top level, "crew" on groups and components);
//              recurring `external` modes with exponential durations, on a component
//              outside the groups or on a member; `on_demand` modes on standbys.
//  latent      every mode `latent` with one common proof-test interval and instant
//              repair; test coverage < 1 outside active-standby groups; beta factors.
//              Active-standby groups there have failback or identical members (what
//              analyze documents as supported in that class).
// The service is a structure expression (all / any / at_least) over the groups and the
// outside components.
//
// `ttf_scale` multiplies every lifetime mean and every external mean inter-arrival
// time; the random draws do not depend on it, so a caller can tune a seed's
// unavailability into a range and keep the same scenario shape.
#pragma once

#include <cstdint>
#include <set>
#include <string>
#include <vector>

namespace drsim::testgen {

struct GenOptions {
  bool crew_pools = false;   // shared crew pools (rules R4): top-level "crews", "crew" on groups/components
  bool injections = false;   // add 1-3 "fail" injections (for engine trajectory comparisons)
  double ttf_scale = 1;      // multiplies lifetimes and external inter-arrival times
  int max_modes = 6;         // cap on failure modes in all; each seed draws its budget in [4, max_modes]
                             // (the CTMC's state is the ordered list of present faults)
  double latent_share = 0.15;// share of seeds in the latent (proof-test) class
};

struct Generated {
  std::string json;                    // the scenario file
  bool latent_class = false;
  double horizon_hours = 0;
  std::set<std::string> features;      // tags: "k-of-n", "active-standby", "hot", "warm", "cold", "coverage",
                                       // "failback", "no-failback", "beta", "repair_crews", "crew-pool",
                                       // "component-crew", "external-outside", "external-member", "on_demand",
                                       // "latent", "test-coverage", "unlike-members", "any", "at_least", ...
  std::string summary() const;         // the tags, comma-separated
};

Generated generate(std::uint64_t seed, const GenOptions& options = {});

}  // namespace drsim::testgen
