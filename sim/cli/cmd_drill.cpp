// drsim drill FILE: replay a scenario's injections as a timeline, like an incident report.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <iostream>

#include <fmt/format.h>

#include "analysis/critical_path.h"
#include "analysis/report.h"
#include "analysis/statistics.h"
#include "drsim_version.h"
#include "models/objectives.h"
#include "models/units.h"
#include "sim/cli/cli.h"
#include "sim/cli/report_tool.h"
#include "sim/fast_engine.h"
#ifdef DRSIM_HAVE_SIMGRID
#include "sim/simgrid/simgrid_engine.h"
#endif

namespace drsim::cli {
namespace {

const char* kind_word(ModelEvent::Kind k) {
  using K = ModelEvent::Kind;
  switch (k) {
    case K::fault: return "fault";
    case K::hidden_fault: return "hidden";
    case K::revealed: return "found";
    case K::near_miss: return "caught";
    case K::restored: return "restored";
    case K::failover: return "failover";
    case K::failover_failed: return "FAILOVER FAILED";
    case K::switchover_done: return "switched";
    case K::bridge_start: return "battery";
    case K::bridge_end: return "battery out";
    case K::step_done: return "step";
    case K::detected: return "detected";
    case K::injection: return "INJECT";
    case K::service_down: return "DOWN";
    case K::service_degraded: return "DEGRADED";
    case K::service_up: return "UP";
    case K::runbook_start: return "runbook";
    case K::step_start: return "step start";
    case K::repair_start: return "repair";
  }
  return "";
}

std::string feature_names(const Scenario& sc, const std::vector<int>& f) {
  std::string s;
  for (int i : f) s += (s.empty() ? "" : ", ") + (i >= 0 && i < static_cast<int>(sc.service.features.size()) ? sc.service.features[i].id : std::string("?"));
  return s;
}

// An event's subject and detail by id (component, group, runbook/step, failure mode,
// injection target, cause), for --events and --json.
std::pair<std::string, std::string> event_ids(const Model& m, const ModelEvent& e) {
  using K = ModelEvent::Kind;
  const Scenario& sc = m.scenario();
  auto node = [&](int n) { return n >= 0 ? m.node_name(n) : std::string(); };
  auto mode = [&](int i) { return i >= 0 ? m.mode_label(i) : std::string(); };
  switch (e.kind) {
    case K::fault:
    case K::hidden_fault:
    case K::revealed:
    case K::restored:
    case K::near_miss:
    case K::repair_start: return {node(e.a), mode(e.b)};
    case K::failover:
    case K::failover_failed:
    case K::switchover_done:
    case K::bridge_start:
    case K::bridge_end: return {node(e.a), node(e.b)};
    case K::step_done:
    case K::step_start: return {sc.runbooks[e.a].id, sc.runbooks[e.a].steps[e.b].id};
    case K::runbook_start: return {sc.runbooks[e.a].id, mode(e.b)};
    case K::detected: return {mode(e.a), ""};
    case K::injection: return {sc.injections[e.a].target, sc.injections[e.a].mode};
    case K::service_down:
    case K::service_degraded:
    case K::service_up:
      return {"service", e.a >= 0 && e.a < static_cast<int>(m.cause_names().size()) ? m.cause_names()[e.a] : std::string()};
  }
  return {"", ""};
}

// "RTO 1 h: missed by 2 h 34 min" / "RTO 1 h: met with 12 min to spare" (hours in).
std::string rto_verdict(double rto, double recovery) {
  if (recovery <= rto * (1 + 1e-12))
    return fmt::format("RTO {}: met with {} to spare", format_span(rto * 60), format_span((rto - recovery) * 60));
  return fmt::format("RTO {}: missed by {}", format_span(rto * 60), format_span((recovery - rto) * 60));
}

}  // namespace

int cmd_drill(const std::vector<std::string>& args) {
  po::options_description opts("options");
  opts.add_options()
      ("file", po::value<std::string>(), "the scenario file (it must have \"injections\")")
      ("variant", po::value<std::vector<std::string>>()->default_value({}, ""), "apply this what-if variant first; repeatable")
      ("point", po::bool_switch(), "every distribution at its median, every probability >= 0.5 happens: the replay of the report")
      ("seed", po::value<std::string>()->default_value("1"), "random seed of the sampled trajectory and of --trials")
      ("trial", po::value<std::string>()->default_value("0"), "which sampled trajectory to show (its stream index)")
      ("trials", po::value<std::string>()->default_value("0", "none"),
       "also run this many sampled replays and show the downtime distribution and where the shown timeline falls in it")
      ("random-failures", po::bool_switch(), "let random failures happen during the drill too (default: only the injections and what they cause)")
      ("max-duration", po::value<std::string>()->default_value("30d"), "stop a drill that has not recovered after this long past the last injection")
#ifdef DRSIM_SIMGRID_AVAILABLE
      ("engine", po::value<std::string>()->default_value("simgrid"),
#else
      ("engine", po::value<std::string>()->default_value("fast"),
#endif
       "simgrid (the data centres as a SimGrid platform: also probe success, latency and replication loss) or fast "
       "(the event calendar); both give the same timeline")
      ("all-events", po::bool_switch(), "show every model event in the timeline (default: the ones a report needs)")
      ("events", po::value<std::string>()->default_value(""), "write every model event as CSV here (atomically)")
      ("json", po::value<std::string>()->default_value(""), "also write the timeline and outages as JSON here (atomically; - = stdout)")
      ("report", po::value<std::string>()->default_value(""), "also write the HTML report of this drill here (as drsim report does)");
  po::positional_options_description pos;
  pos.add("file", 1);
  po::variables_map vm;
  if (!parse("drill", args, opts, pos, vm, "FILE [OPTIONS]",
             "Replays the scenario's injections and prints what follows as a timeline: faults,\n"
             "failed failovers, detection, runbook steps, restorations, and the service going\n"
             "down, degraded and up — with wall-clock times when the scenario has \"start\".\n"
             "Then each outage with its duration and cause, and the totals.\n\n"
             "examples:\n"
             "  drsim drill scenarios/incidents/campaign-monitor-licence.json --point\n"
             "  drsim drill scenarios/incidents/campaign-monitor-licence.json --variant key-per-site --point\n"
             "  drsim drill scenarios/incidents/constant-contact-power.json --trials 2000\n"))
    return kOk;
  if (!vm.count("file")) throw CliError("no scenario file given (usage: drsim drill FILE)");
  const std::uint64_t seed = count_arg("seed", vm["seed"].as<std::string>(), 0, UINT64_MAX);
  const std::uint64_t trial = count_arg("trial", vm["trial"].as<std::string>(), 0, UINT64_MAX);
  const std::uint64_t ntrials = count_arg("trials", vm["trials"].as<std::string>(), 0, 10000000, "every replay's downtime is kept for the percentiles");
  check_outputs({vm["file"].as<std::string>()},
                {{"events", vm["events"].as<std::string>()}, {"json", vm["json"].as<std::string>()}, {"report", vm["report"].as<std::string>()}});
#ifdef DRSIM_SIMGRID_HELPER
  if (vm["engine"].as<std::string>() == "simgrid") exec_simgrid_helper();  // before anything is loaded or written
#endif
  Scenario sc = load(vm["file"].as<std::string>(), vm["variant"].as<std::vector<std::string>>());
  if (sc.injections.empty())
    throw CliError(sc.file + " has no \"injections\": nothing to drill (hint: add one, like {\"at\": \"10m\", \"action\": \"fail\", "
                             "\"target\": \"dc1/lb-a\"}, or use 'drsim run' for random failures)");
  auto maxd = parse_duration(vm["max-duration"].as<std::string>());
  if (!maxd || !(*maxd > 0 && *maxd <= 1000 * kHoursPerYear)) throw CliError("--max-duration: invalid duration \"" + vm["max-duration"].as<std::string>() + "\" (hint: like \"30d\")");
  double last = 0;
  for (const auto& in : sc.injections) last = std::max(last, in.at + in.every * std::max(0, in.repeat - 1));
  const double horizon = last + *maxd;
  const std::string engine = vm["engine"].as<std::string>();
  // What a replay can cover and a timeline can print: 10,000 years; SimGrid costs about
  // 25 s per simulated year, so it replays at most 2 years.
  if (!std::isfinite(last) || last > kMaxPrintableHours)
    throw CliError(fmt::format("the last injection is at {} past the start: a drill replays at most 10000 years", format_duration(last)));
  if (!(horizon <= kMaxPrintableHours))
    throw CliError(fmt::format("the last injection plus --max-duration is {}: a drill replays at most 10000 years (hint: a shorter --max-duration)", format_duration(horizon)));
  if (engine == "simgrid" && horizon > 2 * kHoursPerYear)
    throw CliError(fmt::format("--engine simgrid replays at most 2 years (this drill may run {}: about 25 s of SimGrid per simulated year); use --engine fast or a shorter --max-duration",
                               format_duration(horizon)));
  const bool all_events = vm["all-events"].as<bool>();

  ModelOptions mo;
  mo.point = vm["point"].as<bool>();
  mo.record = true;
  mo.random_failures = vm["random-failures"].as<bool>();
  Model model(sc, mo);
  TrialResult r;
  std::vector<ModelEvent> events;
  nlohmann::json platform;
  if (engine == "fast") {
    FastEngine fe;
    r = fe.run_trial(model, seed, trial, horizon);
    events = model.events();
  } else if (engine == "simgrid") {
#ifdef DRSIM_HAVE_SIMGRID
    auto sg = run_simgrid_trial(sc, seed, trial, horizon, mo);
    r = sg.result;
    events = sg.events;
    platform = sg.platform.to_json();
#else
    throw CliError("this drsim was built without SimGrid (install libsimgrid-dev and rebuild)");
#endif
  } else {
    throw CliError("--engine must be fast or simgrid, not \"" + engine + "\"");
  }

  // ---- the timeline
  std::string out;
  out += fmt::format("drill: {}\n  {} — {}{}\n\n", sc.title.empty() ? sc.file : sc.title, sc.file,
                     mo.point ? "point replay (every duration at its median)" : fmt::format("sampled trajectory (seed {}, trial {})", seed, trial),
                     vm["variant"].as<std::vector<std::string>>().empty() ? "" : ", variants: " + [&] {
                       std::string s;
                       for (const auto& v : vm["variant"].as<std::vector<std::string>>()) s += (s.empty() ? "" : ", ") + v;
                       return s;
                     }());
  nlohmann::json jev = nlohmann::json::array();
  std::string csv = "t_minutes,event,target,detail,clock,text\n";
  const std::vector<StepSpan> spans = step_spans(model, events);
  std::size_t next_span = 0;
  for (std::size_t ei = 0; ei < events.size(); ++ei) {
    const auto& e = events[ei];
    using K = ModelEvent::Kind;
    bool minor = e.kind == K::hidden_fault || e.kind == K::bridge_start || e.kind == K::runbook_start ||
                 e.kind == K::step_start || e.kind == K::repair_start;
    const auto [target, detail] = event_ids(model, e);
    std::string text = model.describe(e);
    nlohmann::json je = {{"t_minutes", e.t * 60}, {"clock", clock_time(sc, e.t)}, {"event", kind_word(e.kind)},
                         {"target", target}, {"detail", detail}};
    if (e.kind == K::step_done) {
      // Its start, its wait and its duration.
      for (std::size_t k = next_span; k < spans.size(); ++k)
        if (spans[k].runbook == e.a && spans[k].step == e.b && std::fabs(spans[k].end - e.t) < 1e-9) {
          const StepSpan& sp = spans[k];
          text += fmt::format(" (started +{}{}, took {})", hms(sp.start),
                              sp.wait() > 1e-9 ? ", waited " + format_span(sp.wait() * 60) + " for " + sp.waited_for : std::string(),
                              format_span((sp.end - sp.start) * 60));
          je["step"] = {{"start_minutes", sp.start * 60}, {"ready_minutes", sp.ready * 60}, {"wait_minutes", sp.wait() * 60},
                        {"waited_for", sp.waited_for}, {"duration_minutes", (sp.end - sp.start) * 60}};
          break;
        }
    }
    if (e.kind == K::restored) {
      const std::string why = still_down_reason(model, events, ei);
      if (!why.empty()) {
        text += " — service still down: " + why;
        je["still_down_because"] = why;
      }
    }
    je["text"] = text;
    jev.push_back(je);
    csv += fmt::format("{:.9g},{},{},{},{},\"{}\"\n", e.t * 60, kind_word(e.kind), target, detail, clock_time(sc, e.t), text);
    if (minor && !all_events) continue;
    if (sc.start_epoch)
      out += fmt::format("  {:<32} {:>13}  {:<11} {}\n", clock_time(sc, e.t), "+" + hms(e.t), kind_word(e.kind), text);
    else
      out += fmt::format("  {:>13}  {:<11} {}\n", "+" + hms(e.t), kind_word(e.kind), text);
  }
  if (!model.finished()) out += fmt::format("\n  not recovered after {} past the last injection (--max-duration)\n", format_duration(*maxd));

  // ---- outages
  out += "\noutages\n";
  const auto& causes = model.cause_names();
  nlohmann::json jout = nlohmann::json::array();
  int i = 0;
  for (const auto& o : r.outages) {
    std::string cause = o.cause >= 0 && o.cause < static_cast<int>(causes.size()) ? causes[o.cause] : "?";
    std::string what = o.full ? "full" : "degraded (" + feature_names(sc, o.features) + ")";
    out += fmt::format("  {:>2}. {:<28} {} → {}  {:>9}  cause {}{}\n", ++i, what, clock_time(sc, o.start), clock_time(sc, o.end).substr(clock_time(sc, o.end).find(' ') + 1),
                       format_minutes((o.end - o.start) * 60), cause,
                       o.detected >= 0 ? ", detected after " + format_minutes((o.detected - o.start) * 60) : "");
    nlohmann::json jo = {{"severity", o.full ? "full" : "degraded"}, {"features", feature_names(sc, o.features)},
                    {"start_minutes", o.start * 60}, {"end_minutes", o.end * 60},
                    {"minutes", (o.end - o.start) * 60}, {"cause", cause}, {"start", clock_time(sc, o.start)}, {"end", clock_time(sc, o.end)},
                    {"detected_after_minutes", o.detected >= 0 ? (o.detected - o.start) * 60 : -1.0}};
    // The service RTO judges every full outage (models/objectives.h).
    if (o.full && sc.objectives.rto > 0) {
      const std::string v = rto_verdict(sc.objectives.rto, o.end - o.start);
      out += "      " + v + "\n";
      jo["rto"] = {{"target_minutes", sc.objectives.rto * 60}, {"met", o.end - o.start <= sc.objectives.rto * (1 + 1e-12)},
                   {"margin_minutes", (sc.objectives.rto - (o.end - o.start)) * 60}, {"verdict", v}};
    }
    const bool ended = o.end < r.end_time - 1e-9 || model.finished();
    if (ended) {
      const auto path = critical_path(model, events, spans, o);
      if (!path.empty()) {
        out += "      " + format_critical_path(o, path) + "\n";
        nlohmann::json jp = nlohmann::json::array();
        for (const auto& ps : path) jp.push_back({{"what", ps.what}, {"minutes", ps.hours * 60}, {"wait", ps.wait}});
        jo["critical_path"] = jp;
      }
    }
    jout.push_back(jo);
  }
  if (r.outages.empty()) out += "  none: the service stayed up\n";
  // Each objective's verdicts (feature RTOs over the feature's whole unavailability, the RPO per data-loss event).
  nlohmann::json jobj = nlohmann::json::array();
  {
    const auto specs = objective_specs(sc);
    std::string text;
    for (std::size_t k = 0; k < specs.size() && k < r.objectives.size(); ++k) {
      const ObjectiveSpec& sp = specs[k];
      const ObjectiveTally& t = r.objectives[k];
      nlohmann::json je = {{"objective", sp.kind == ObjectiveSpec::Kind::rto ? "rto" : "rpo"}, {"key", sp.key()},
                           {"target_minutes", sp.target * 60}, {"judged", t.values.size()}, {"breached", t.breached}};
      nlohmann::json vs = nlohmann::json::array();
      if (sp.kind == ObjectiveSpec::Kind::rto) {
        const std::string who = sp.who();
        if (t.values.empty()) text += fmt::format("  RTO {} ({}): no outage — met\n", format_span(sp.target * 60), who);
        for (std::size_t v = 0; v < t.values.size(); ++v) {
          const std::string verdict = rto_verdict(sp.target, t.values[v]);
          text += fmt::format("  {} ({}, recovery {} of {})\n", verdict, who, v + 1, t.values.size());
          vs.push_back({{"minutes", t.values[v] * 60}, {"met", t.values[v] <= sp.target * (1 + 1e-12)}, {"verdict", verdict}});
        }
      } else {
        if (t.values.empty()) text += fmt::format("  RPO {}: no data lost — met\n", format_span(sp.target * 60));
        for (double x : t.values) {
          const bool met = x <= sp.target * (1 + 1e-12);
          const std::string verdict = fmt::format("RPO {}: {} of writes lost — {}", format_span(sp.target * 60), format_span(x * 60),
                                                  met ? "met" : "missed by " + format_span((x - sp.target) * 60));
          text += "  " + verdict + "\n";
          vs.push_back({{"minutes", x * 60}, {"met", met}, {"verdict", verdict}});
        }
      }
      je["verdicts"] = vs;
      jobj.push_back(je);
    }
    if (!text.empty()) out += "\nobjectives\n" + text;
  }
  // Faults nobody repaired: hidden ones nobody demanded, or ones still being repaired.
  const std::vector<std::string> left = faults_present(model, events);
  if (!left.empty()) {
    out += "\nfaults still present at the end of the drill\n";
    for (const auto& f : left) out += "  " + f + "\n";
  }
  out += fmt::format("\ntotal: full downtime {}, degraded {}, data lost {}\n", format_span(r.downtime_full * 60),
                     format_span(r.downtime_degraded * 60), format_span(r.data_loss * 60));
  if (!platform.is_null()) out += "platform (SimGrid): " + platform.dump() + "\n";

  // ---- the distribution over sampled replays
  nlohmann::json jdist;
  if (const std::uint64_t n = ntrials; n > 0) {
    ModelOptions so;
    so.random_failures = mo.random_failures;
    Model m2(sc, so);
    FastEngine fe;
    // Full downtime is what the percentile is about, unless the drill is a degraded mode.
    const bool by_degraded = r.downtime_full == 0 && r.downtime_degraded > 0;
    const char* what = by_degraded ? "degraded time" : "full downtime";
    auto measure = [&](const TrialResult& x) { return (by_degraded ? x.downtime_degraded : x.downtime_full) * 60; };
    Sample full, degraded;
    std::vector<double> values;
    std::uint64_t unfinished = 0;
    // Each objective over the replays (the model judged them as each replay ended,
    // models/objectives.h): replays with a breach; recoveries or loss events judged, breached.
    const std::vector<ObjectiveSpec> specs = objective_specs(sc);
    struct Tally {
      std::uint64_t replays_breached = 0, judged = 0, breached = 0;
    };
    std::vector<Tally> tally(specs.size());
    for (std::uint64_t t = 0; t < n; ++t) {
      const TrialResult& x = fe.run_trial(m2, seed, t, horizon);
      for (std::size_t k = 0; k < specs.size() && k < x.objectives.size(); ++k) {
        const ObjectiveTally& o = x.objectives[k];
        tally[k].judged += o.values.size();
        tally[k].breached += static_cast<std::uint64_t>(o.breached);
        if (o.breached > 0) ++tally[k].replays_breached;
      }
      full.add(x.downtime_full * 60);
      degraded.add(x.downtime_degraded * 60);
      values.push_back(measure(x));
      if (!m2.finished()) ++unfinished;
    }
    std::sort(values.begin(), values.end());
    auto percentile_of = [&](double v) {
      auto k = std::upper_bound(values.begin(), values.end(), v + 1e-9) - values.begin();
      return static_cast<double>(k) / static_cast<double>(n);
    };
    auto ordinal = [](double share) {
      const int pc = static_cast<int>(std::lround(share * 100));
      const char* sfx = (pc % 100 >= 11 && pc % 100 <= 13) ? "th" : pc % 10 == 1 ? "st" : pc % 10 == 2 ? "nd" : pc % 10 == 3 ? "rd" : "th";
      return fmt::format("{}{}", pc, sfx);
    };
    Interval ci = full.stats().mean_ci();
    out += fmt::format("\nover {} sampled replays (seed {}): full downtime mean {} [95 % CI {} – {}], p50 {}, p90 {}, p99 {}\n", n,
                       seed, format_minutes(full.mean()), format_minutes(ci.lo), format_minutes(ci.hi),
                       format_minutes(full.quantile(0.5)), format_minutes(full.quantile(0.9)), format_minutes(full.quantile(0.99)));
    if (degraded.stats().max() > 0) {
      Interval dci = degraded.stats().mean_ci();
      out += fmt::format("  degraded mean {} [95 % CI {} – {}], p50 {}, p90 {}\n", format_minutes(degraded.mean()),
                         format_minutes(dci.lo), format_minutes(dci.hi), format_minutes(degraded.quantile(0.5)),
                         format_minutes(degraded.quantile(0.9)));
    }
    const double mine = measure(r);
    const double pctl = percentile_of(mine);
    out += fmt::format("  the timeline above ({} of {}) is at the {} percentile\n", format_minutes(mine), what, ordinal(pctl));
    double reported = -1;
    const char* key = by_degraded ? "reported_degraded_minutes" : "reported_full_minutes";
    if (auto it = sc.expected.find(key); it != sc.expected.end()) {
      try {
        reported = std::stod(it->second);
      } catch (const std::exception&) {
        reported = -1;
      }
    }
    if (reported >= 0)
      out += fmt::format("  the real incident ({} of {}, from the report) is at the {} percentile\n", format_minutes(reported), what,
                         ordinal(percentile_of(reported)));
    if (unfinished) out += fmt::format("  {} replay{} had not recovered after --max-duration\n", unfinished, unfinished == 1 ? "" : "s");
    // P(the objective breached at least once in a replay), an exact binomial (Clopper–
    // Pearson) interval: with no breach seen it is an upper bound, never "0 ± 0".
    nlohmann::json jobjectives = nlohmann::json::object();
    auto proportion = [](std::uint64_t k, std::uint64_t m) {
      const Interval ci = clopper_pearson(k, m);
      return nlohmann::json{{"value", m ? static_cast<double>(k) / static_cast<double>(m) : 0.0}, {"ci95", {ci.lo, ci.hi}}};
    };
    for (std::size_t k = 0; k < specs.size(); ++k) {
      const ObjectiveSpec& sp = specs[k];
      const bool is_rto = sp.kind == ObjectiveSpec::Kind::rto;
      const Interval ci = clopper_pearson(tally[k].replays_breached, n);
      out += fmt::format("  P({} breach) {}{}: {:.1f} % [95 % CI {:.1f} – {:.1f} %], {} of {} replays (exact binomial)\n",
                         is_rto ? "RTO" : "RPO", format_span(sp.target * 60), sp.feature >= 0 ? " (" + sp.scope + ")" : sp.site >= 0 ? " (site " + sp.scope + ")" : std::string(),
                         100.0 * static_cast<double>(tally[k].replays_breached) / static_cast<double>(n), ci.lo * 100, ci.hi * 100,
                         tally[k].replays_breached, n);
      nlohmann::json e = {{"scope", sp.scope_kind()},
                          {is_rto ? "target_minutes" : "target_seconds", sp.target * (is_rto ? 60 : 3600)},
                          {"replays_breached", tally[k].replays_breached},
                          {"p_breach_per_replay", proportion(tally[k].replays_breached, n)},
                          {is_rto ? "recoveries" : "loss_events", tally[k].judged},
                          {"breached", tally[k].breached},
                          {is_rto ? "p_breach_per_outage" : "p_breach_per_event", proportion(tally[k].breached, tally[k].judged)}};
      if (sp.feature >= 0) e["feature"] = sp.scope;
      if (sp.site >= 0) e["site"] = sp.scope;
      jobjectives[is_rto ? "rto" : "rpo"][sp.key()] = e;
    }
    jdist = {{"trials", n}, {"seed", seed}, {"full_minutes", full.summary(1)}, {"degraded_minutes", degraded.summary(1)},
             {"percentile_of", what}, {"timeline_percentile", pctl}, {"unfinished", unfinished}};
    for (const auto& [kind, v] : jobjectives.items()) jdist[kind] = v;
    if (reported >= 0) jdist["reported_minutes"] = reported, jdist["reported_percentile"] = percentile_of(reported);
  }
  // With --json - the JSON is stdout's only content (it pipes into jq); the text goes to stderr.
  (vm["json"].as<std::string>() == "-" ? std::cerr : std::cout) << out;
  if (const auto& ef = vm["events"].as<std::string>(); !ef.empty()) write_output(ef, csv);
  const std::string& jf = vm["json"].as<std::string>();
  const std::string& report = vm["report"].as<std::string>();
  if (!jf.empty() || !report.empty()) {
    nlohmann::json j = {{"drsim_version", DRSIM_VERSION}, {"scenario", sc.file}, {"title", sc.title}, {"scenario_sha256", sc.sha256},
                        {"variants", vm["variant"].as<std::vector<std::string>>()}, {"point", mo.point}, {"seed", seed},
                        {"trial", trial}, {"engine", engine}, {"timeline", jev}, {"outages", jout},
                        {"downtime_minutes", r.downtime_full * 60}, {"degraded_minutes", r.downtime_degraded * 60},
                        {"data_loss_seconds", r.data_loss * 3600}, {"recovered", model.finished()},
                        {"objectives", jobj}, {"faults_present", left}};
    if (!platform.is_null()) j["platform"] = platform;
    if (!jdist.is_null()) j["distribution"] = jdist;
    j["timing"] = invocation();
    if (!jf.empty()) write_output(jf, j.dump(2) + "\n");
    if (!report.empty()) write_report({{}, j.dump()}, report, "");
  }
  return kOk;
}

}  // namespace drsim::cli
