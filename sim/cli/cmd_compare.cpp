// drsim compare FILE --variant A [--variant B] [--against OTHER.json]: what each change buys.
#include <cstdint>
#include <cmath>
#include <iostream>

#include <fmt/format.h>

#include "analysis/report.h"
#include "drsim_version.h"
#include "models/objectives.h"
#include "models/units.h"
#include "sim/cli/cli.h"
#include "sim/cli/report_tool.h"
#include "sim/compare.h"

namespace drsim::cli {
namespace {

nlohmann::json ci_json(const RunningStats& s, double scale) {
  Interval ci = s.mean_ci();
  return {{"mean", s.mean() * scale}, {"ci95", {ci.lo * scale, ci.hi * scale}}};
}

// "−38.2 min [−41.0 – −35.4]  significant" for a paired difference in hours.
std::string nines_str(double n) { return std::isfinite(n) ? fmt::format("{:.2f}", n) : "∞"; }

std::string diff_text(const RunningStats& d) {
  Interval ci = d.mean_ci();
  bool sig = ci.lo > 0 || ci.hi < 0;
  return fmt::format("{:+.4g} min [{:+.4g} – {:+.4g}]{}", d.mean() * 60, ci.lo * 60, ci.hi * 60, sig ? "  *" : "");
}

}  // namespace

int cmd_compare(const std::vector<std::string>& args) {
  po::options_description opts("options");
  opts.add_options()
      ("file", po::value<std::string>(), "the base scenario")
      ("variant", po::value<std::vector<std::string>>()->default_value({}, ""), "compare the base with this variant of it (applied alone); repeatable")
      ("against", po::value<std::vector<std::string>>()->default_value({}, ""), "compare the base with another scenario file (same entity ids share streams); repeatable")
      ("trials,n", po::value<std::string>()->default_value("10000"), "trials per alternative (the same trials for all)")
      ("seed", po::value<std::string>()->default_value("1"), "random seed")
      ("horizon", po::value<std::string>()->default_value("", "the base scenario's"), "length of one trial, like \"1y\"")
      ("jobs,j", po::value<std::string>()->default_value("0", "all cores"), "worker threads (the result does not depend on it)")
      ("random-failures", po::value<std::string>()->default_value("auto"), "on | off | auto (off when the base has injections)")
      ("json", po::value<std::string>()->default_value(""), "write the comparison as JSON here (atomically)")
      ("report", po::value<std::string>()->default_value(""), "also write the HTML report of the comparison here (as drsim report does)");
  po::positional_options_description pos;
  pos.add("file", 1);
  po::variables_map vm;
  if (!parse("compare", args, opts, pos, vm, "FILE (--variant NAME | --against FILE)... [OPTIONS]",
             "Runs the base and each alternative on the same trials with common random numbers\n"
             "(trial i of each draws from the same streams), and reports per alternative the\n"
             "change in mean full and degraded downtime and in P(any outage), as paired\n"
             "differences with 95 % CIs (Student t over trials). '*' marks a difference whose\n"
             "CI excludes 0.\n\n"
             "examples:\n"
             "  drsim compare scenarios/incidents/campaign-monitor-licence.json --variant key-per-site --variant expiry-alert\n"
             "  drsim compare scenarios/designs/two-site-baseline.json --variant active-active --trials 2000\n"))
    return kOk;
  if (!vm.count("file")) throw CliError("no scenario file given (usage: drsim compare FILE --variant NAME)");
  const std::string file = vm["file"].as<std::string>();
  const auto variants = vm["variant"].as<std::vector<std::string>>();
  const auto against = vm["against"].as<std::vector<std::string>>();
  if (variants.empty() && against.empty()) throw CliError("nothing to compare with (hint: add --variant NAME or --against FILE)");
  CompareOptions o;
  o.trials = count_arg("trials", vm["trials"].as<std::string>(), 2, 100000000);
  o.seed = count_arg("seed", vm["seed"].as<std::string>(), 0, UINT64_MAX);
  o.jobs = static_cast<int>(count_arg("jobs", vm["jobs"].as<std::string>(), 0, 4096, "0 = all cores"));
  {
    std::vector<std::string> inputs{file};
    for (const auto& a : against) inputs.push_back(a);
    check_outputs(inputs, {{"json", vm["json"].as<std::string>()}, {"report", vm["report"].as<std::string>()}});
  }
  if (const auto h = vm["horizon"].as<std::string>(); !h.empty()) {
    auto hours = parse_duration(h);
    if (!hours || !(*hours > 0 && *hours <= 1000 * kHoursPerYear)) throw CliError("--horizon: invalid duration \"" + h + "\" (hint: like \"1y\")");
    o.horizon = *hours;
  }
  std::vector<Scenario> scs;
  std::vector<std::string> names = {"base"};
  scs.push_back(load(file));
  for (const auto& v : variants) {
    scs.push_back(load(file, {v}));
    names.push_back(v);
  }
  for (const auto& f : against) {
    scs.push_back(load(f));
    names.push_back(f);
  }
  const std::string rf = vm["random-failures"].as<std::string>();
  if (rf == "on") o.random_failures = true;
  else if (rf == "off") o.random_failures = false;
  else if (rf == "auto") o.random_failures = scs[0].injections.empty();
  else throw CliError("--random-failures must be on, off or auto, not \"" + rf + "\"");
  std::vector<const Scenario*> ptrs;
  for (const auto& s : scs) ptrs.push_back(&s);
  CompareResult res = run_comparison(ptrs, o);

  const double horizon = o.horizon > 0 ? o.horizon : scs[0].horizon;
  std::string out = fmt::format("{} — {} paired trials{} (seed {}, {:.1f} s)\n", scs[0].title.empty() ? file : scs[0].title, res.trials,
                                o.random_failures ? fmt::format(" of {}", format_duration(horizon)) : " of the drill", o.seed, res.wall_seconds);
  out += "  mean per trial with 95 % CI; Δ = alternative − base on the same trials; * = CI excludes 0\n\n";
  out += fmt::format("  {:<28} {:>28}  {:>36}  {:>14}  {:>24}\n", "alternative", "full downtime", "Δ full downtime", "P(outage)", "Δ P(outage)");
  nlohmann::json jalts = nlohmann::json::array();
  for (std::size_t a = 0; a < res.alt.size(); ++a) {
    const auto& p = res.alt[a];
    Interval fci = p.full.mean_ci();
    // One unit per column: minutes beside minutes.
    std::string full = fmt::format("{:.4g} min [{:.4g} – {:.4g}]", p.full.mean() * 60, fci.lo * 60, fci.hi * 60);
    std::string dany;
    if (a > 0) {
      Interval ci = p.d_any.mean_ci();
      dany = fmt::format("{:+.3g} [{:+.3g} – {:+.3g}]{}", p.d_any.mean(), ci.lo, ci.hi, (ci.lo > 0 || ci.hi < 0) ? "  *" : "");
    }
    out += fmt::format("  {:<28} {:>28}  {:>36}  {:>14}  {:>24}\n", names[a], full, a ? diff_text(p.d_full) : "", fmt::format("{:.3g}", p.any_outage.mean()), dany);
    if (a > 0 && (p.degraded.mean() > 0 || res.alt[0].degraded.mean() > 0))
      out += fmt::format("  {:<28} {:>28}  {:>36}\n", "", fmt::format("degraded {:.4g} min", p.degraded.mean() * 60), diff_text(p.d_degraded));
    {
      Interval ac = p.availability.mean_ci();
      std::string line = fmt::format("availability {:.5f} % [{:.5f} – {:.5f}], {} nines", p.availability.mean() * 100, ac.lo * 100,
                                     std::min(1.0, ac.hi) * 100, nines_str(nines(p.availability.mean())));
      if (a > 0) {
        Interval d = p.d_availability.mean_ci();
        line += fmt::format(";  Δ {:+.5f} pp [{:+.5f} – {:+.5f}]{}, Δ nines {:+.2f}", p.d_availability.mean() * 100, d.lo * 100, d.hi * 100,
                            (d.lo > 0 || d.hi < 0) ? " *" : "", nines(p.availability.mean()) - nines(res.alt[0].availability.mean()));
      }
      out += "  " + std::string(28, ' ') + " " + line + "\n";
    }
    if (objective_specs(scs[a]).size() > 0 || objective_specs(scs[0]).size() > 0) {
      std::string line = fmt::format("P(≥1 RTO breach) {:.3g}, P(≥1 RPO breach) {:.3g}", p.rto_breach.mean(), p.rpo_breach.mean());
      if (a > 0) {
        Interval r1 = p.d_rto_breach.mean_ci(), r2 = p.d_rpo_breach.mean_ci();
        line += fmt::format(";  Δ {:+.3g} [{:+.3g} – {:+.3g}]{}, Δ {:+.3g} [{:+.3g} – {:+.3g}]{}", p.d_rto_breach.mean(), r1.lo, r1.hi,
                            (r1.lo > 0 || r1.hi < 0) ? " *" : "", p.d_rpo_breach.mean(), r2.lo, r2.hi, (r2.lo > 0 || r2.hi < 0) ? " *" : "");
      }
      out += "  " + std::string(28, ' ') + " " + line + "\n";
    }
    if (p.data_loss.mean() > 0 || res.alt[0].data_loss.mean() > 0) {
      std::string line = fmt::format("data lost {:.4g} s", p.data_loss.mean() * 3600);
      if (a > 0) {
        Interval d = p.d_data_loss.mean_ci();
        line += fmt::format(";  Δ {:+.4g} s [{:+.4g} – {:+.4g}]{}", p.d_data_loss.mean() * 3600, d.lo * 3600, d.hi * 3600,
                            (d.lo > 0 || d.hi < 0) ? " *" : "");
      }
      out += "  " + std::string(28, ' ') + " " + line + "\n";
    }
    nlohmann::json ja = {{"name", names[a]},
                         {"full_minutes", ci_json(p.full, 60)},
                         {"degraded_minutes", ci_json(p.degraded, 60)},
                         {"p_any_outage", ci_json(p.any_outage, 1)},
                         {"data_loss_seconds", ci_json(p.data_loss, 3600)},
                         {"availability", ci_json(p.availability, 1)},
                         {"nines", nines(p.availability.mean())},
                         {"p_rto_breach", ci_json(p.rto_breach, 1)},
                         {"p_rpo_breach", ci_json(p.rpo_breach, 1)}};
    if (a > 0) {
      ja["delta_full_minutes"] = ci_json(p.d_full, 60);
      ja["delta_degraded_minutes"] = ci_json(p.d_degraded, 60);
      ja["delta_p_any_outage"] = ci_json(p.d_any, 1);
      ja["delta_data_loss_seconds"] = ci_json(p.d_data_loss, 3600);
      ja["delta_availability"] = ci_json(p.d_availability, 1);
      ja["delta_nines"] = nines(p.availability.mean()) - nines(res.alt[0].availability.mean());
      ja["delta_p_rto_breach"] = ci_json(p.d_rto_breach, 1);
      ja["delta_p_rpo_breach"] = ci_json(p.d_rpo_breach, 1);
    }
    jalts.push_back(ja);
  }
  std::cout << out;
  const std::string& jf = vm["json"].as<std::string>();
  const std::string& report = vm["report"].as<std::string>();
  if (!jf.empty() || !report.empty()) {
    nlohmann::json j = {{"drsim_version", DRSIM_VERSION}, {"scenario", file}, {"title", scs[0].title}, {"scenario_sha256", scs[0].sha256},
                        {"seed", o.seed}, {"trials", res.trials}, {"horizon_hours", horizon},
                        {"random_failures", o.random_failures}, {"alternatives", jalts},
                        {"timing", {{"wall_seconds", res.wall_seconds}}}};
    j["timing"].update(invocation());
    if (!jf.empty()) write_output(jf, j.dump(2) + "\n");
    if (!report.empty()) write_report({{}, j.dump()}, report, "");
  }
  return kOk;
}

}  // namespace drsim::cli
