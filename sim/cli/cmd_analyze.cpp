// drsim analyze FILE: exact availability of a Markovian scenario (CTMC).
#include <algorithm>
#include <chrono>
#include <cmath>
#include <condition_variable>
#include <cstdlib>
#include <functional>
#include <iostream>
#include <mutex>
#include <thread>

#include <unistd.h>

#include <fmt/format.h>

#include "analysis/markov.h"
#include "analysis/statistics.h"
#include "drsim_version.h"
#include "models/scenario_parser.h"
#include "models/units.h"
#include "sim/cli/cli.h"
#include "sim/runner.h"

namespace drsim::cli {

namespace {

// Calls `expire` (which must end the process) unless destroyed within `seconds`.
class Watchdog {
 public:
  Watchdog(double seconds, std::function<void()> expire) : thread_([this, seconds, expire = std::move(expire)] {
    std::unique_lock<std::mutex> lk(m_);
    if (!cv_.wait_for(lk, std::chrono::duration<double>(seconds), [this] { return done_; })) expire();
  }) {}
  ~Watchdog() {
    {
      std::lock_guard<std::mutex> lk(m_);
      done_ = true;
    }
    cv_.notify_all();
    thread_.join();
  }
  Watchdog(const Watchdog&) = delete;
  Watchdog& operator=(const Watchdog&) = delete;

 private:
  std::mutex m_;
  std::condition_variable cv_;
  bool done_ = false;
  std::thread thread_;  // last: starts after the members it uses
};

}  // namespace

int cmd_analyze(const std::vector<std::string>& args) {
  po::options_description opts("options");
  opts.add_options()("file", po::value<std::string>(), "the scenario file")(
      "variant", po::value<std::vector<std::string>>()->default_value({}, ""), "apply this what-if variant first; repeatable")(
      "max-states", po::value<std::size_t>()->default_value(200000),
      "refuse chains (or independent parts) with more states than this (at most 5,000,000, and what fits in half the memory)")(
      "time-limit", po::value<std::string>()->default_value("10m"),
      "give up with an error (exit 2, nothing written) when the solve takes longer, like \"30s\" or \"2h\"")(
      "at", po::value<std::string>()->default_value(""), "also A(t) and R(t) at this time from all-up, like \"1y\" or \"30d\" (repairable designs)")(
      "jobs,j", po::value<std::string>()->default_value("0", "the CPUs allowed"),
      "threads that build the chain and run the iterative solver's sparse products (the same chain and results for any number); 0 = SLURM_CPUS_PER_TASK when set, else the CPUs of this process's affinity mask")(
      "json", po::value<std::string>()->default_value(""), "also write the results as JSON here (atomically)");
  po::positional_options_description pos;
  pos.add("file", 1);
  po::variables_map vm;
  if (!parse("analyze", args, opts, pos, vm, "FILE [--json out.json]",
             "Builds the continuous-time Markov chain of the scenario and solves it exactly\n"
             "(Eigen sparse LU with iterative refinement up to 1,000 states, BiCGSTAB\n"
             "preconditioned by the diagonal, else ILUT, above — and the LU again up to\n"
             "100,000 states if BiCGSTAB fails — all held to the same residual check;\n"
             "uniformisation for intervals): steady-state unavailability, availability\n"
             "and nines, expected downtime per year, and the mean time to first failure\n"
             "from all-up.\n\n"
             "The chain is lumped, exactly: faults are unordered except in a crew pool\n"
             "that can run short of crews; identical members of an active-active group\n"
             "that nothing else reads are counted, not told apart (a 12-of-24 group is\n"
             "25 states); a design of independent parts (no shared failure mode, crew\n"
             "pool, group or needs) whose whole chain exceeds --max-states is solved part\n"
             "by part and combined (then without the MTTF and R(t), which do not factor).\n"
             "Building stops with an error at --max-states states (per part), when the\n"
             "chain outgrows half the memory, or at --time-limit.\n\n"
             "Supported (else refused, naming the JSON pointer of what is not Markovian):\n"
             "  - the repairable class: random failure modes with exponential lifetimes,\n"
             "    on_demand modes (p per demand on a standby asked to take over),\n"
             "    external modes (Poisson arrivals, exponential duration, no recovery)\n"
             "    and change modes (bad changes at rate x p_bad x (1 - qa coverage)),\n"
             "    every repair a plain exponential one (no detect delay, no runbook, no\n"
             "    escalation); k-of-n groups, active-active or active-standby (hot,\n"
             "    warm, cold), with or without failback (roles are in the state);\n"
             "    imperfect failover (coverage < 1) with an exponential manual\n"
             "    switch-over and no detection/switch-over delays; crew pools (shared\n"
             "    \"crews\" and repair_crews: switch-overs first, then repairs in order\n"
             "    of occurrence); beta-factor common causes;\n"
             "  - or only latent modes, exponential, proof-tested every tau (one tau, no\n"
             "    offset, instant repair; a test coverage c < 1 leaves the missed faults\n"
             "    for the next test): the mean over a test interval in the periodic\n"
             "    regime. Hidden faults trigger no failover: an active-standby group\n"
             "    keeps its first members active (it needs failback or identical\n"
             "    members, and coverage 1 on them).\n"
             "Refused: time bombs, on_dependency_loss, non-exponential times, detection\n"
             "delays, runbooks, escalation, failover mechanisms, UPS bridges, external\n"
             "events with a recovery.\n\n"
             "examples:\n  drsim analyze scenarios/validation/V5.json\n  drsim analyze scenarios/validation/V2.json --at 1y\n"
             "  drsim analyze scenarios/validation/V7.json --json v7.json\n"
             "  drsim analyze scenarios/validation/K02-two-sites-ten-groups.json\n"))
    return kOk;
  if (!vm.count("file")) throw CliError("no scenario file given (usage: drsim analyze FILE)");
  Scenario sc = load(vm["file"].as<std::string>(), vm["variant"].as<std::vector<std::string>>());
  Diagnostics d(sc.file);
  double at = -1;
  if (const auto& a = vm["at"].as<std::string>(); !a.empty()) {
    auto h = parse_duration(a);
    if (!h || *h <= 0 || *h > 1000 * kHoursPerYear) throw CliError("--at: invalid duration \"" + a + "\" (hint: like \"1y\" or \"30d\")");
    at = *h;
  }
  // What cannot finish is refused up front (memory) or stopped cleanly (time).
  const std::size_t max_states = vm["max-states"].as<std::size_t>();
  constexpr std::size_t kMaxStatesCeiling = 5000000;
  // Memory a chain of up to max_states may need. Measured (docs/performance.md): up to
  // 100,000 states a solve may fall back to the sparse LU, whose fill-in costs ~8 KB a
  // state (a 4-of-7 group with one crew, 13,700 states, peaked at 153 MB); above, the
  // solve is iterative only and the chain costs ~1 KB a state at 20 transitions each
  // (10-of-20 unlike: 1,048,576 states, 1,070 MB), counted twice for designs with more
  // transitions a state. A floor, not a promise: building refuses a chain that outgrows
  // half the memory, and --time-limit stops the rest.
  const auto estimated_bytes = [](std::size_t states) {
    constexpr double kLuStates = 100000, kLuBytesPerState = 8192, kIterativeBytesPerState = 2048;
    const auto n = static_cast<double>(states);
    return std::min(n, kLuStates) * kLuBytesPerState + std::max(0.0, n - kLuStates) * kIterativeBytesPerState;
  };
  const double memory = static_cast<double>(sysconf(_SC_PHYS_PAGES)) * static_cast<double>(sysconf(_SC_PAGE_SIZE));
  if (max_states == 0) throw CliError("--max-states: at least 1");
  if (max_states > kMaxStatesCeiling)
    throw CliError(fmt::format("--max-states {}: the exact solver takes at most {} states (4.2 million take ~1 min and 4.5 GB "
                               "on 2 cores); use drsim rare or drsim run for larger designs",
                               max_states, kMaxStatesCeiling));
  if (memory > 0 && estimated_bytes(max_states) > memory / 2)
    throw CliError(fmt::format("--max-states {} could need {:.1f} GiB, more than half of this machine's {:.1f} GiB; give a smaller cap",
                               max_states, estimated_bytes(max_states) / (1 << 30), memory / (1 << 30)));
  const auto limit_h = parse_duration(vm["time-limit"].as<std::string>());
  if (!limit_h || *limit_h <= 0 || *limit_h > 1000 * kHoursPerYear)
    throw CliError("--time-limit: invalid duration \"" + vm["time-limit"].as<std::string>() + "\" (hint: like \"10m\" or \"2h\")");
  int jobs = static_cast<int>(count_arg("jobs", vm["jobs"].as<std::string>(), 0, 4096, "0 = the CPUs this process may use"));
  if (jobs == 0) jobs = default_jobs();
  std::optional<MarkovResult> r;
  {
    Watchdog dog(*limit_h * 3600, [&] {
      std::cerr << fmt::format("drsim analyze: error: {}: the exact solution did not finish within {} (hint: give --time-limit "
                               "more time, a smaller design, or use drsim run); nothing was written\n",
                               sc.file, format_duration(*limit_h));
      std::_Exit(kBadInput);
    });
    try {
      r = analyze_markov(sc, d, max_states, at, true, jobs);
    } catch (const std::bad_alloc&) {
      throw CliError(sc.file + ": the Markov chain did not fit in memory; give a smaller --max-states or use drsim run");
    }
  }
  if (!r) {
    d.name_subjects(named_parts(sc));
    // The first reasons say enough; a big design would list dozens.
    const auto& items = d.items();
    for (std::size_t i = 0; i < items.size() && i < 8; ++i) std::cerr << format_diagnostic(items[i]) << "\n";
    if (items.size() > 8) std::cerr << fmt::format("{}: ... and {} more parts that are not Markovian\n", sc.file, items.size() - 8);
    throw CliError(sc.file + " is outside what the analytic solver handles; nothing was written");
  }
  const double a = 1 - r->unavailability;
  std::string out;
  if (r->part_states.empty()) {
    out = fmt::format("{} — exact CTMC solution ({} states)\n", sc.title.empty() ? sc.file : sc.title, r->states);
  } else {
    std::string sizes;
    for (std::size_t i = 0; i < r->part_states.size(); ++i) sizes += (i ? " x " : "") + std::to_string(r->part_states[i]);
    double all = 1;
    for (auto n : r->part_states) all *= static_cast<double>(n);
    out = fmt::format("{} — exact CTMC solution, {} independent parts solved one by one ({} states = {:.4g} in all)\n",
                      sc.title.empty() ? sc.file : sc.title, r->part_states.size(), sizes, all);
  }
  if (r->kind == MarkovResult::Kind::proof_test)
    out += fmt::format("  mean over a proof-test interval of {}\n", format_duration(r->proof_interval));
  if (r->kind == MarkovResult::Kind::proof_test && r->test_start_fault_probability > 0)
    out += fmt::format("  faults a test misses: P(some fault present just after a test) {:.6e}\n", r->test_start_fault_probability);
  out += fmt::format("  unavailability      {:.9e}\n", r->unavailability);
  out += fmt::format("  availability        {:.9f}   {:.3f} nines\n", a, nines(a));
  out += fmt::format("  downtime per year   {:.4g} min\n", r->unavailability * kHoursPerYear * 60);
  if (r->mttff_hours >= 0) out += fmt::format("  MTTF of the service {:.9g} h (mean time to first failure from all-up)\n", r->mttff_hours);
  else if (!r->part_states.empty())
    out += "  MTTF of the service not computed: the time to first failure does not factor over independent parts\n"
           "                      (a larger --max-states solves the whole chain, when it fits; drsim rare estimates it)\n";
  if (r->at_hours > 0) {
    out += fmt::format("  A({})             {:.12f}   (point availability)\n", format_duration(r->at_hours), r->point_availability);
    if (r->reliability >= 0)
      out += fmt::format("  R({})             {:.12f}   (no service failure before then)\n", format_duration(r->at_hours), r->reliability);
    else
      out += fmt::format("  R({})             not computed (independent parts: a first passage does not factor)\n", format_duration(r->at_hours));
  } else if (at > 0) {
    out += "  A(t), R(t): not defined for a proof-test average\n";
  }
  if (!r->group_unavailability.empty()) {
    double sum = 0;
    for (const auto& [id, u] : r->group_unavailability) sum += u;
    out += "  by redundancy group (P(group not working); share of the groups' total)\n";
    for (const auto& [id, u] : r->group_unavailability)
      out += fmt::format("    {:<22} {:.6e}   {:5.1f} %\n", id, u, sum > 0 ? 100 * u / sum : 0.0);
  }
  for (const auto& [k, v] : sc.expected) {
    if (k != "unavailability" && k != "mttff_hours") continue;
    double want = 0;
    try {
      want = std::stod(v);
    } catch (const std::exception&) {
      continue;
    }
    double got = k == "unavailability" ? r->unavailability : r->mttff_hours;
    out += fmt::format("  expected {:<10} {} (file); relative difference {:.2e}\n", k, v, std::fabs(got - want) / std::fabs(want));
  }
  std::cout << out;
  if (const auto& jf = vm["json"].as<std::string>(); !jf.empty()) {
    nlohmann::json j = {{"drsim_version", DRSIM_VERSION},
                        {"scenario", sc.file},
                        {"scenario_sha256", sc.sha256},
                        {"method", r->kind == MarkovResult::Kind::proof_test ? "ctmc-interval-average" : "ctmc-steady-state"},
                        {"states", r->states},
                        {"unavailability", r->unavailability},
                        {"availability", a},
                        {"nines", nines(a)},
                        {"downtime_minutes_per_year", r->unavailability * kHoursPerYear * 60}};
    if (r->mttff_hours >= 0) j["mttff_hours"] = r->mttff_hours;
    if (r->kind == MarkovResult::Kind::proof_test) {
      j["proof_interval_hours"] = r->proof_interval;
      j["fault_after_test_probability"] = r->test_start_fault_probability;
    }
    nlohmann::json groups = nlohmann::json::array();
    double gsum = 0;
    for (const auto& [id, u] : r->group_unavailability) gsum += u;
    for (const auto& [id, u] : r->group_unavailability) groups.push_back({{"group", id}, {"unavailability", u}, {"share", gsum > 0 ? u / gsum : 0.0}});
    j["groups"] = groups;
    if (r->at_hours > 0) {
      j["at"] = {{"hours", r->at_hours}, {"point_availability", r->point_availability}};
      if (r->reliability >= 0) j["at"]["reliability"] = r->reliability;
    }
    if (!r->part_states.empty()) j["independent_parts"] = r->part_states;
    write_output(jf, j.dump(2) + "\n");
  }
  return kOk;
}

}  // namespace drsim::cli
