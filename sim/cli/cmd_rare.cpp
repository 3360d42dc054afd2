// drsim rare FILE: rare-event estimates of a Markovian design by importance sampling
// (balanced failure biasing, exact likelihood ratios; analysis/rare_event.h).
#include <sys/resource.h>

#include <chrono>
#include <cmath>
#include <iostream>

#include <fmt/format.h>

#include "analysis/rare_event.h"
#include "analysis/statistics.h"
#include "drsim_version.h"
#include "models/units.h"
#include "sim/cli/cli.h"
#include "sim/cli/rare_shard.h"
#include "sim/runner.h"

namespace drsim::cli {
namespace {

double cpu_seconds() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return static_cast<double>(u.ru_utime.tv_sec + u.ru_stime.tv_sec) + 1e-6 * static_cast<double>(u.ru_utime.tv_usec + u.ru_stime.tv_usec);
}

// The diagnostics of a scenario outside the Markovian classes, as drsim analyze prints
// them; then exit 2.
[[noreturn]] void refuse(const Scenario& sc, Diagnostics& d) {
  d.name_subjects(named_parts(sc));
  const auto& items = d.items();
  for (std::size_t i = 0; i < items.size() && i < 8; ++i) std::cerr << format_diagnostic(items[i]) << "\n";
  if (items.size() > 8) std::cerr << fmt::format("{}: ... and {} more parts that are not Markovian\n", sc.file, items.size() - 8);
  throw CliError(sc.file + " is outside what the rare-event estimator handles (the Markovian designs drsim analyze takes); nothing was written");
}

nlohmann::json estimate_json(const RareEstimate& e) {
  return {{"value", e.value},
          {"ci95", {e.lo, e.hi}},
          {"half_width", e.half_width},
          {"rel_error", std::isfinite(e.rel_error) ? nlohmann::json(e.rel_error) : nlohmann::json(nullptr)},
          {"trials", e.trials},
          {"hits", e.hits},
          {"weight_mean", e.weight_mean},
          {"weight_variance", e.weight_variance},
          {"max_weight_share", e.max_weight_share},
          {"ess", e.ess},
          {"jumps", e.steps},
          {"warnings", e.warnings}};
}

std::string estimate_text(const char* name, const RareEstimate& e) {
  std::string s = fmt::format("  {:<24} {:.4e}   95 % CI [{:.4e}, {:.4e}]   {}\n", name, e.value, e.lo, e.hi,
                              std::isfinite(e.rel_error) ? fmt::format("±{:.1f} %", 100 * e.rel_error) : std::string("relative error undefined"));
  s += fmt::format("  {:<24} {} trials, {} reached the outage; ESS {:.0f}; largest weight {:.2g} % of the sum; weight variance {:.3e}\n", "",
                   e.trials, e.hits, e.ess, 100 * e.max_weight_share, e.weight_variance);
  for (const auto& w : e.warnings) s += fmt::format("  {:<24} warning: {}\n", "", w);
  return s;
}

// What a drsim rare invocation runs: the scenario, its model, the options.
// `sc` is declared first: the model refers to it.
struct Setup {
  Scenario sc;
  std::unique_ptr<MarkovModel> model;
  RareOptions o;
  std::string measure = "both", group;
};

void set_measure(Setup& s, const std::string& measure) {
  if (measure != "both" && measure != "unavailability" && measure != "horizon")
    throw CliError("--measure must be both, unavailability or horizon, not \"" + measure + "\"");
  s.measure = measure;
  s.o.unavailability = measure != "horizon";
  s.o.within_horizon = measure != "unavailability";
}

void set_all_up(Setup& s, const std::string& how) {
  if (how != "balanced" && how != "natural") throw CliError("--all-up must be balanced or natural, not \"" + how + "\"");
  s.o.balance_all_up = how == "balanced";
}

void set_group(Setup& s, const std::string& g) {
  s.group = g;
  s.o.group = -1;
  if (g.empty()) return;
  s.o.group = s.model->group_index(g);
  if (s.o.group >= 0) return;
  std::string ids;
  for (int i = 0; i < s.model->group_count(); ++i) ids += (i ? ", " : "") + s.model->group_id(i);
  throw CliError("--group " + g + ": no such redundancy group in " + s.sc.file + " (hint: one of: " + (ids.empty() ? "none" : ids) + ")");
}

// Loads and compiles the scenario and reads the estimator's options.
void configure(const po::variables_map& vm, Setup& s) {
  RareOptions& o = s.o;
  o.trials = count_arg("trials", vm["trials"].as<std::string>(), 2, 1000000000000ull, "at least 2 for a variance");
  o.bias = real_arg("bias", vm["bias"].as<std::string>(), 0.01, 0.99, "a probability; 0.5 is the usual choice, 0.8 for deep redundancy");
  o.seed = count_arg("seed", vm["seed"].as<std::string>(), 0, UINT64_MAX);
  o.jobs = static_cast<int>(count_arg("jobs", vm["jobs"].as<std::string>(), 0, 4096, "0 = the CPUs this process may use"));
  if (o.jobs == 0) o.jobs = default_jobs();
  o.block = count_arg("block", vm["block"].as<std::string>(), 1, 1000000);
  set_measure(s, vm["measure"].as<std::string>());
  set_all_up(s, vm["all-up"].as<std::string>());
  s.sc = load(vm["file"].as<std::string>(), vm["variant"].as<std::vector<std::string>>());
  o.horizon_hours = s.sc.horizon;
  if (const auto h = vm["horizon"].as<std::string>(); !h.empty()) {
    auto hours = parse_duration(h);
    if (!hours || !(*hours > 0 && *hours <= 1000 * kHoursPerYear))
      throw CliError("--horizon: invalid duration \"" + h + "\" (hint: like \"1y\", \"30d\"; at most 1000y)");
    o.horizon_hours = *hours;
  }
  Diagnostics d(s.sc.file);
  s.model = MarkovModel::compile(s.sc, d);
  if (!s.model) refuse(s.sc, d);
  if (s.model->proof_test()) {
    d.error("/components", "not for the rare-event estimator: proof-tested latent faults (a periodic chain, not regenerative)",
            "use drsim analyze for the mean unavailability over a test interval");
    refuse(s.sc, d);
  }
  set_group(s, vm["group"].as<std::string>());
}

// The estimator's errors as the user's: options out of range, or a walk that never closes.
template <class F>
auto guarded(const Setup& s, F f) {
  try {
    return f();
  } catch (const std::invalid_argument& e) {
    throw CliError(s.sc.file + ": " + e.what());
  } catch (const std::runtime_error& e) {
    throw CliError(s.sc.file + ": " + e.what() +
                   " (hint: a smaller --bias; every failure needs a repair or an end for the cycles to close); nothing was written");
  }
}

// The run the shards were part of: its options, and every block.
RareBlocks apply_shards(Setup& s, ShardRun run) {
  s.o.trials = run.trials;
  s.o.bias = run.bias;
  s.o.seed = run.seed;
  s.o.block = run.block;
  s.o.horizon_hours = run.horizon_hours;
  set_measure(s, run.measure);
  set_all_up(s, run.all_up);
  set_group(s, run.outage == "service" ? "" : run.outage.substr(6));
  return std::move(run.blocks);
}

// --shard I/N: shard I's contiguous share [first, last) of the blocks [first, last).
void shard_range(const std::string& spec, std::uint64_t& index, std::uint64_t& count, std::uint64_t& first, std::uint64_t& last) {
  const auto slash = spec.find('/');
  if (slash == std::string::npos) throw CliError("--shard: \"" + spec + "\" is not I/N (hint: like 0/4)");
  count = count_arg("shard", spec.substr(slash + 1), 1, 1000000, "N, the number of shards");
  index = count_arg("shard", spec.substr(0, slash), 0, count - 1, "I, this shard, from 0 to N-1");
  const std::uint64_t n = last;
  first = index * n / count;
  last = (index + 1) * n / count;
}

std::string outage(const Setup& s) { return s.group.empty() ? "service" : "group:" + s.group; }

nlohmann::json options_json(const Setup& s) {
  return {{"trials", s.o.trials},
          {"bias", s.o.bias},
          {"all_up", s.o.balance_all_up ? "balanced" : "natural"},
          {"seed", s.o.seed},
          {"block", s.o.block},
          {"horizon_hours", s.o.horizon_hours},
          {"measure", s.measure},
          {"outage", outage(s)}};
}

void print_summary(const Setup& s, const RareResult& r, double wall, double cpu, std::size_t merged) {
  const RareOptions& o = s.o;
  std::string out = fmt::format("{} — importance sampling, balanced failure biasing (bias {}), outage: {}\n",
                                s.sc.title.empty() ? s.sc.file : s.sc.title, o.bias, outage(s));
  if (merged > 0)
    out += fmt::format("  all-up exit rate {:.4e} /h; {} trials, merged from {} shards\n", r.all_up_exit_rate, o.trials, merged);
  else
    out += fmt::format("  all-up exit rate {:.4e} /h; {} trials in {:.2f} s ({:.2f} s CPU, {} threads)\n", r.all_up_exit_rate, o.trials,
                       wall, cpu, o.jobs);
  if (o.unavailability) {
    out += estimate_text("unavailability", r.unavailability);
    out += fmt::format("  {:<24} downtime per year {:.4g} min; mean cycle {:.6g} h\n", "", r.unavailability.value * kHoursPerYear * 60,
                       r.mean_cycle_hours);
  }
  if (o.within_horizon) out += estimate_text(fmt::format("P(down within {})", format_duration(o.horizon_hours)).c_str(), r.within_horizon);
  std::cout << out;
}

nlohmann::json results_json(const Setup& s, const RareResult& r) {
  const RareOptions& o = s.o;
  nlohmann::json j = {{"drsim_version", DRSIM_VERSION},
                      {"scenario", s.sc.file},
                      {"scenario_sha256", s.sc.sha256},
                      {"method", "importance-sampling-balanced-failure-biasing"},
                      {"outage", outage(s)},
                      {"options", options_json(s)},
                      {"all_up_exit_rate_per_hour", r.all_up_exit_rate}};
  if (o.unavailability) {
    j["unavailability"] = estimate_json(r.unavailability);
    j["unavailability"]["mean_cycle_hours"] = r.mean_cycle_hours;
    j["unavailability"]["mean_cycle_ci95_half_width"] = r.mean_cycle_ci_half;
  }
  if (o.within_horizon) {
    j["down_within_horizon"] = estimate_json(r.within_horizon);
    j["down_within_horizon"]["horizon_hours"] = o.horizon_hours;
    j["down_within_horizon"]["truncation_bound"] = r.truncation_bound;
  }
  return j;
}

}  // namespace

int cmd_rare(const std::vector<std::string>& args) {
  po::options_description opts("options");
  opts.add_options()("file", po::value<std::string>(), "the scenario file")(
      "trials,n", po::value<std::string>()->default_value("100000"),
      "regenerative cycles for the unavailability, and as many trials for P(down within the horizon)")(
      "horizon", po::value<std::string>()->default_value("", "the scenario's, else 1y"), "T of P(down at least once within T), like \"1y\"")(
      "measure", po::value<std::string>()->default_value("both"), "both, unavailability or horizon (P(down within T))")(
      "group", po::value<std::string>()->default_value("", "the service"),
      "the outage class: this redundancy group not working, instead of the service down")(
      "bias", po::value<std::string>()->default_value("0.5"),
      "failure-biasing probability: the chance of taking a failure where a repair could come first, in (0, 1)")(
      "all-up", po::value<std::string>()->default_value("balanced"),
      "the first failure of a cycle: balanced (every failure mode equally likely) or natural (by their rates; "
      "biasing only away from all-up)")(
      "seed", po::value<std::string>()->default_value("1"), "random seed: same seed, same results, whatever --jobs")(
      "jobs,j", po::value<std::string>()->default_value("0", "the CPUs allowed"), "worker threads")(
      "block", po::value<std::string>()->default_value("1000"), "trials per block (the unit of merging; part of the result's identity)")(
      "variant", po::value<std::vector<std::string>>()->default_value({}, ""), "apply this what-if variant first; repeatable")(
      "json", po::value<std::string>()->default_value(""), "also write the results as JSON here (atomically)")(
      "shard", po::value<std::string>()->default_value(""),
      "I/N: run only shard I of N (a contiguous 1/N of the blocks) and write its exact sums to --json; "
      "combine the shards with --merge")(
      "merge", po::bool_switch(), "combine the shard files given after FILE (from --shard I/N, same scenario and options) into "
      "the result one run would give, bit for bit; the options are the shards'")(
      "quiet,q", po::bool_switch(), "no summary on stdout");
  po::positional_options_description pos;
  pos.add("file", 1).add("shards", -1);
  po::options_description hidden;
  hidden.add_options()("shards", po::value<std::vector<std::string>>()->default_value({}, ""), "shard files to merge");
  po::variables_map vm;
  po::options_description all;
  all.add(opts).add(hidden);
  if (!parse("rare", args, all, pos, vm, "FILE [OPTIONS]   or   FILE --merge SHARD... --json OUT",
             "Estimates what plain Monte Carlo cannot reach — both sites down, a quorum lost —\n"
             "by importance sampling: failures are made likely (balanced failure biasing) and\n"
             "every path is weighted by its exact likelihood ratio. For a probability p, plain\n"
             "Monte Carlo needs about 400/p trials for ±10 %; on a redundant design, where an\n"
             "outage needs several failures before a repair, this needs thousands of cycles\n"
             "however small p is (use --bias 0.7-0.8 when it needs four or more). It gives,\n"
             "each with its 95 % CI and relative error:\n"
             "  - the steady-state unavailability (regenerative cycles from all-up), and\n"
             "  - P(down at least once within the horizon) from all-up,\n"
             "for the service, or with --group for one redundancy group (a named outage class).\n"
             "Diagnostics of the weights (effective sample size, the largest weight's share,\n"
             "their variance) come with each estimate, and a warning when it is not to be\n"
             "trusted (no hits, a tiny ESS, one weight dominating).\n\n"
             "Takes the Markovian designs drsim analyze takes (exponential lifetimes and\n"
             "repairs; see drsim analyze --help), but never builds the chain, so it scales past\n"
             "what analyze can solve; proof-tested (latent) designs are refused. Cycle i draws\n"
             "from Philox streams keyed by (seed, i): results do not depend on --jobs, nor on\n"
             "--shard I/N runs merged with --merge.\n"
             "How to read it: \"Rare events\" in docs/monte-carlo.md.\n\n"
             "examples:\n"
             "  drsim rare scenarios/validation/V3.json --trials 20000\n"
             "  drsim rare scenarios/designs/rare-two-sites.json --trials 20000 --json rare.json\n"
             "  drsim rare scenarios/designs/rare-two-sites.json --group dc1/apps --measure horizon --horizon 30d\n"
             "  drsim rare scenarios/designs/rare-two-sites.json --trials 20000 --shard 0/2 --json part-0.json\n"
             "  drsim rare scenarios/designs/rare-two-sites.json --trials 20000 --shard 1/2 --json part-1.json\n"
             "  drsim rare scenarios/designs/rare-two-sites.json --merge part-0.json part-1.json --json rare.json\n"))
    return kOk;
  if (!vm.count("file")) throw CliError("no scenario file given (usage: drsim rare FILE)");
  const std::string json = vm["json"].as<std::string>();
  const auto shards = vm["shards"].as<std::vector<std::string>>();
  const std::string shard = vm["shard"].as<std::string>();
  const bool merge = vm["merge"].as<bool>();
  if (!merge && !shards.empty()) throw CliError("unexpected argument " + shards[0] + " (hint: shard files follow FILE only with --merge)");
  if (merge && shards.empty()) throw CliError("--merge needs the shard files after FILE (hint: drsim rare FILE --merge part-*.json --json out.json)");
  if (merge && !shard.empty()) throw CliError("--merge and --shard do not go together");
  if (!shard.empty() && json.empty()) throw CliError("--shard needs --json FILE: each shard writes its sums there for --merge");
  std::vector<std::string> inputs = {vm["file"].as<std::string>()};
  inputs.insert(inputs.end(), shards.begin(), shards.end());
  check_outputs(inputs, {{"json", json}});
  Setup s;
  configure(vm, s);
  const auto t0 = std::chrono::steady_clock::now();
  const double c0 = cpu_seconds();
  RareBlocks blocks;
  if (merge) {
    blocks = apply_shards(s, read_shards(shards, s.sc.sha256));
  } else {
    std::uint64_t first = 0, last = rare_block_count(s.o), index = 0, count = 1;
    if (!shard.empty()) shard_range(shard, index, count, first, last);
    blocks = guarded(s, [&] { return run_rare_blocks(*s.model, s.o, first, last); });
    if (!shard.empty()) {
      nlohmann::json j = shard_json(blocks, index, count, s.sc.file, s.sc.sha256, options_json(s));
      write_output(json, j.dump() + "\n");
      if (!vm["quiet"].as<bool>())
        std::cout << fmt::format("shard {}/{}: blocks [{}, {}) of {} ({} trials each) written to {}\n", index, count, first, last, rare_block_count(s.o),
                                 s.o.block, json);
      return kOk;
    }
  }
  RareResult r = guarded(s, [&] { return finish_rare(*s.model, s.o, blocks); });
  const double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count(), cpu = cpu_seconds() - c0;
  if (!vm["quiet"].as<bool>()) print_summary(s, r, wall, cpu, merge ? shards.size() : 0);
  if (!json.empty()) {
    nlohmann::json j = results_json(s, r);
    j["timing"] = {{"wall_seconds", wall}, {"cpu_seconds", cpu}, {"jobs", s.o.jobs}};
    if (merge) j["timing"]["merged_shards"] = shards.size();
    j["timing"].update(invocation());
    write_output(json, j.dump(2) + "\n");
  }
  return kOk;
}

}  // namespace drsim::cli
