// drsim importance FILE: for each component and each common cause, how much of the
// downtime hangs on it — Fussell–Vesely, Birnbaum, RAW and RRW from paired trials with
// common random numbers — ranked by the minutes per year a perfect fix would buy.
//
// The alternatives are the scenario patched (models/scenario_parser.h, Edit): "never
// fails" removes the component's failure modes (a common cause: the cause removed);
// "always failed" adds a failure mode that strikes 1e-6 horizons into the trial, is repaired
// only after a thousand horizons, and fails every demand (a common cause: all its
// targets so). Injections are dropped: importance is about random failures.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <iostream>

#include <fmt/format.h>

#include "drsim_version.h"
#include "models/scenario_parser.h"
#include "models/units.h"
#include "sim/cli/cli.h"
#include "sim/cli/planning_io.h"
#include "sim/compare.h"
#include "sim/importance.h"

namespace drsim::cli {
namespace {

using namespace planning;

// The failure modes that keep a component down for the whole trial.
// It strikes a millionth of the horizon in (at least 1 s: the validator refuses more
// than 1e7 lifetimes per trial), and is repaired after a thousand horizons.
nlohmann::json forced_down_modes(double horizon) {
  const double first = std::max(1.0 / 3600, horizon * 1e-6);
  const nlohmann::json forever = {{"repair", {{"dist", "deterministic"}, {"value", fmt::format("{}h", 1000 * horizon)}}}, {"crew", false}};
  return nlohmann::json::array(
      {{{"id", "drsim-always-failed"}, {"type", "random"}, {"when", "always"}, {"ttf", {{"dist", "deterministic"}, {"value", fmt::format("{}h", first)}}}, {"recovery", forever}},
       {{"id", "drsim-always-fails-on-demand"}, {"type", "on_demand"}, {"p", 1}, {"recovery", forever}}});
}

void force_down(const Component& c, double horizon, const std::string& origin, std::vector<Edit>& edits) {
  Edit e;
  e.op = Edit::Op::add;
  e.origin = origin;
  if (c.failures.empty()) {  // no "failures" in the file: create it
    e.path = c.pointer + "/failures";
    e.value = forced_down_modes(horizon);
    edits.push_back(e);
    return;
  }
  for (const auto& m : forced_down_modes(horizon)) {
    e.path = c.pointer + "/failures/-";
    e.value = m;
    edits.push_back(e);
  }
}

struct Subject {
  std::string type, id;  // "component" | "common_cause"
  std::vector<Edit> never, always;
  std::string never_skip, always_skip;  // why an alternative was not built
  int never_alt = -1, always_alt = -1;  // index into the alternatives
};

nlohmann::json est_json(const Estimate& e) {
  auto num = [](double x) -> nlohmann::json { return std::isfinite(x) ? nlohmann::json(x) : nlohmann::json(nullptr); };
  return {{"mean", num(e.mean)}, {"ci95", {num(e.ci95.lo), num(e.ci95.hi)}}};
}
std::string est_text(const Estimate& e, const char* f) {
  if (std::isnan(e.mean)) return "—";
  if (std::isinf(e.mean)) return "∞";
  return fmt::format(fmt::runtime(std::string("{:") + f + "} [{:" + f + "} – {:" + f + "}]"), e.mean, e.ci95.lo, e.ci95.hi);
}

}  // namespace

int cmd_importance(const std::vector<std::string>& args) {
  po::options_description opts("options");
  opts.add_options()
      ("file", po::value<std::string>(), "the scenario")
      ("trials,n", po::value<std::string>()->default_value("2000"), "trials (the same trials for the base and every alternative)")
      ("seed", po::value<std::string>()->default_value("1"), "random seed")
      ("horizon", po::value<std::string>()->default_value("", "the scenario's"), "length of one trial, like \"1y\"")
      ("jobs,j", po::value<std::string>()->default_value("0", "all cores"), "worker threads (the result does not depend on it)")
      ("warm-up", po::value<std::string>()->default_value("", "none"), kWarmUpHelp)
      ("top", po::value<std::string>()->default_value("0", "all"), "print only the first N of the ranking (the JSON has all)")
      ("out", po::value<std::string>()->default_value(""), "write the measures as JSON here (atomically; keys in docs/planning.md)")
      ("progress", po::bool_switch(), "progress on stderr even when it is not a terminal");
  po::positional_options_description pos;
  pos.add("file", 1);
  po::variables_map vm;
  if (!parse("importance", args, opts, pos, vm, "FILE [OPTIONS]",
             "What to fix first. For every component with failure modes and every common cause,\n"
             "runs the scenario three ways on the same trials (common random numbers): as written,\n"
             "with the subject never failing (its failure modes removed) and with it always failed\n"
             "(down from the start of each trial, failing every demand). From the paired downtimes,\n"
             "each with its 95 % CI:\n"
             "  fix buys  downtime a perfect fix removes, Q − Q0, in minutes per year (the ranking)\n"
             "  FV        Fussell–Vesely, (Q − Q0) / Q: the share of downtime it is involved in\n"
             "  Birnbaum  Q1 − Q0: how much the service's state hangs on it (as a probability)\n"
             "  RAW       risk achievement worth, Q1 / Q: how much worse when it is down\n"
             "  RRW       risk reduction worth, Q / Q0\n"
             "Q, Q0, Q1: mean unavailability as written, never failing, always failed.\n"
             "Injections are dropped: importance is about random failures.\n\n"
             "examples:\n"
             "  drsim importance scenarios/validation/V3.json --trials 500\n"
             "  drsim importance scenarios/designs/two-site-baseline.json --trials 100 --top 10 --out importance.json\n"))
    return kOk;
  if (!vm.count("file")) throw CliError("no scenario file given (usage: drsim importance FILE)");
  const std::string file = vm["file"].as<std::string>();
  CompareOptions o = paired_options(vm, "1y");
  const std::uint64_t top = count_arg("top", vm["top"].as<std::string>(), 0, 1000000, "0 = all");
  const std::string out_json = vm["out"].as<std::string>();
  check_outputs({file}, {{"out", out_json}});
  const Scenario as_written = load(file);
  const double horizon = o.horizon > 0 ? o.horizon : as_written.horizon;
  std::vector<Edit> common;  // what every alternative, the base included, gets
  if (!as_written.injections.empty()) {
    Edit e;
    e.path = "/injections";
    e.value = nlohmann::json::array();
    e.origin = "importance (injections dropped)";
    common.push_back(e);
    std::cerr << "drsim importance: note: the scenario's injections are dropped; the measures are about random failures\n";
  }

  std::vector<Subject> subjects;
  for (const auto& c : as_written.components) {
    if (c.failures.empty()) continue;  // nothing of its own can fail; what it needs is ranked itself
    Subject s{"component", c.id, {}, {}, {}, {}};
    Edit e;
    e.op = Edit::Op::remove;
    e.path = c.pointer + "/failures";
    e.origin = "importance (" + c.id + " never fails)";
    s.never.push_back(e);
    // A beta factor splits the modes of its group's members: without them it has
    // nothing to split, so it goes too (the member's share of the common cause).
    for (const auto& cc : as_written.common_causes)
      if (const Group* g = as_written.group(cc.beta_group); g && std::find(g->members.begin(), g->members.end(), c.id) != g->members.end()) {
        Edit r;
        r.op = Edit::Op::remove;
        r.path = "/common_causes/" + json_pointer_escape(cc.id);
        r.origin = e.origin;
        s.never.push_back(r);
      }
    force_down(c, horizon + o.warm_up, "importance (" + c.id + " always failed)", s.always);
    subjects.push_back(std::move(s));
  }
  for (const auto& cc : as_written.common_causes) {
    Subject s{"common_cause", cc.id, {}, {}, {}, {}};
    Edit e;
    e.op = Edit::Op::remove;
    e.path = cc.pointer;
    e.origin = "importance (" + cc.id + " never happens)";
    s.never.push_back(e);
    std::vector<std::string> targets = cc.targets;
    if (targets.empty())
      if (const Group* g = as_written.group(cc.beta_group))
        for (const auto& m : g->members) targets.push_back(m);
    for (const auto& t : targets) {
      if (const Component* c = as_written.component(t)) force_down(*c, horizon + o.warm_up, "importance (" + cc.id + " always present)", s.always);
      else s.always_skip = "target " + t + " is not a component";
    }
    if (targets.empty()) s.always_skip = "no targets";
    subjects.push_back(std::move(s));
  }

  // Build and validate every alternative before any trial runs. One that does not
  // validate (e.g. a beta factor naming the modes removed) is skipped with the reason.
  std::vector<Scenario> scs;
  scs.reserve(1 + 2 * subjects.size());
  auto build = [&](const std::vector<Edit>& edits, std::string& skip) -> int {
    LoadOptions lo;
    lo.edits = common;
    lo.edits.insert(lo.edits.end(), edits.begin(), edits.end());
    Diagnostics d(file);
    auto sc = load_scenario(file, d, lo);
    if (!sc) {
      for (const auto& item : d.items())
        if (item.severity == Diagnostic::Severity::error) {
          skip = item.pointer + ": " + item.message;
          break;
        }
      return -1;
    }
    scs.push_back(std::move(*sc));
    return static_cast<int>(scs.size()) - 1;
  };
  {
    std::string why;
    if (build({}, why) != 0) throw CliError(file + ": the scenario without its injections is not valid: " + why);
  }
  for (auto& s : subjects) {
    s.never_alt = build(s.never, s.never_skip);
    if (s.always_skip.empty()) s.always_alt = build(s.always, s.always_skip);
  }
  o.random_failures = true;
  o.keep_trials = true;
  std::vector<const Scenario*> ptrs;
  for (const auto& s : scs) ptrs.push_back(&s);
  CompareResult res = run_paired(ptrs, o, vm["progress"].as<bool>(), fmt::format("importance of {} subjects ({} alternatives)", subjects.size(), scs.size()));

  const std::vector<double> none;
  struct Row {
    const Subject* s;
    ImportanceMeasures m;
  };
  std::vector<Row> rows;
  for (const auto& s : subjects) {
    const auto& never = s.never_alt >= 0 ? res.full_by_trial[s.never_alt] : none;
    const auto& always = s.always_alt >= 0 ? res.full_by_trial[s.always_alt] : none;
    rows.push_back({&s, importance_measures(res.full_by_trial[0], never, always, horizon)});
  }
  std::stable_sort(rows.begin(), rows.end(), [](const Row& a, const Row& b) {
    const double x = std::isnan(a.m.fix_min_per_year.mean) ? -INFINITY : a.m.fix_min_per_year.mean;
    const double y = std::isnan(b.m.fix_min_per_year.mean) ? -INFINITY : b.m.fix_min_per_year.mean;
    return x > y;
  });

  const double scale = min_per_year(horizon);
  const Paired& b = res.alt[0];
  const Interval bci = b.full.mean_ci();
  std::string text = fmt::format("{} — importance of {} components and common causes, {} paired trials of {} (seed {}, {:.1f} s)\n",
                                 as_written.title.empty() ? file : as_written.title, subjects.size(), res.trials, format_duration(horizon), o.seed,
                                 res.wall_seconds);
  text += fmt::format("  base downtime {} min/y; unavailability Q {:.4g}\n", ci_text(b.full.mean() * scale, {bci.lo * scale, bci.hi * scale}),
                      b.full.mean() / horizon);
  text += "  ranked by what a perfect fix buys (never fails: Q − Q0); every figure with its 95 % CI\n\n";
  text += fmt::format("  {:>4}  {:<32} {:>30}  {:>24}  {:>24}  {:>26}  {:>24}\n", "rank", "component / common cause", "fix buys min/y",
                      "FV", "Birnbaum", "RAW", "RRW");
  nlohmann::json jsubjects = nlohmann::json::array();
  std::uint64_t rank = 0;
  for (const auto& r : rows) {
    ++rank;
    const std::string name = r.s->type == "common_cause" ? "common cause " + r.s->id : r.s->id;
    if (top == 0 || rank <= top)
      text += fmt::format("  {:>4}  {:<32} {:>30}  {:>24}  {:>24}  {:>26}  {:>24}\n", rank, name, est_text(r.m.fix_min_per_year, "+.4g"),
                          est_text(r.m.fussell_vesely, ".3g"), est_text(r.m.birnbaum, ".3g"), est_text(r.m.raw, ".4g"), est_text(r.m.rrw, ".4g"));
    nlohmann::json js = {{"rank", rank},
                         {"type", r.s->type},
                         {"id", r.s->id},
                         {"fix_min_per_year", est_json(r.m.fix_min_per_year)},
                         {"fussell_vesely", est_json(r.m.fussell_vesely)},
                         {"birnbaum", est_json(r.m.birnbaum)},
                         {"raw", est_json(r.m.raw)},
                         {"rrw", est_json(r.m.rrw)}};
    if (r.s->never_alt >= 0) js["never_fails_min_per_year"] = ci_json(res.alt[r.s->never_alt].full, scale);
    if (r.s->always_alt >= 0) js["always_failed_min_per_year"] = ci_json(res.alt[r.s->always_alt].full, scale);
    if (!r.s->never_skip.empty()) js["never_fails_skipped"] = r.s->never_skip;
    if (!r.s->always_skip.empty()) js["always_failed_skipped"] = r.s->always_skip;
    jsubjects.push_back(js);
  }
  if (top > 0 && rows.size() > top) text += fmt::format("  … and {} more (--top 0 for all)\n", rows.size() - top);
  for (const auto& r : rows) {
    if (!r.s->never_skip.empty()) text += fmt::format("  note: {}: never-fails not run: {}\n", r.s->id, r.s->never_skip);
    if (!r.s->always_skip.empty()) text += fmt::format("  note: {}: always-failed not run: {}\n", r.s->id, r.s->always_skip);
  }
  std::cout << text;
  if (!out_json.empty()) {
    nlohmann::json j = {{"drsim_version", DRSIM_VERSION}, {"kind", "importance"}, {"scenario", file}, {"title", as_written.title},
                        {"scenario_sha256", as_written.sha256}, {"seed", o.seed}, {"trials", res.trials}, {"horizon_hours", horizon}, {"warm_up_hours", o.warm_up},
                        {"base", {{"downtime_min_per_year", ci_json(b.full, scale)}, {"unavailability", ci_json(b.full, 1 / horizon)}}},
                        {"subjects", jsubjects}, {"timing", {{"wall_seconds", res.wall_seconds}}}};
    j["timing"].update(invocation());
    write_output(out_json, j.dump(2) + "\n");
  }
  return kOk;
}

}  // namespace drsim::cli
