// drsim sweep FILE --set POINTER=v1,v2,... [--set ...] [--zip]: one or more parameters
// varied over a grid (or zipped), every point run with common random numbers against
// the file as written, so the points are alternatives of one paired comparison.
#include <algorithm>
#include <cstdint>
#include <iostream>

#include <fmt/format.h>

#include "analysis/report.h"
#include "drsim_version.h"
#include "models/objectives.h"
#include "models/scenario_parser.h"
#include "models/units.h"
#include "sim/cli/cli.h"
#include "sim/cli/planning_io.h"
#include "sim/compare.h"

namespace drsim::cli {
namespace {

using namespace planning;

struct SweepParam {
  std::string path;                    // as given: a JSON pointer, array elements by index or id
  std::vector<nlohmann::json> values;  // JSON values; text that is not JSON is a string ("30m")
  std::vector<std::string> texts;      // as given
};

// Splits "a,b,{"x": 1, "y": 2}" at the commas outside brackets and quotes.
std::vector<std::string> split_values(const std::string& s) {
  std::vector<std::string> out;
  std::string cur;
  int depth = 0;
  bool quoted = false;
  for (std::size_t i = 0; i < s.size(); ++i) {
    const char c = s[i];
    if (quoted) {
      if (c == '\\' && i + 1 < s.size()) cur += s[i++];
      else if (c == '"') quoted = false;
    } else if (c == '"') {
      quoted = true;
    } else if (c == '{' || c == '[') {
      ++depth;
    } else if (c == '}' || c == ']') {
      --depth;
    } else if (c == ',' && depth == 0) {
      out.push_back(cur);
      cur.clear();
      continue;
    }
    cur += c;
  }
  out.push_back(cur);
  return out;
}

SweepParam parse_set(const std::string& arg) {
  const auto eq = arg.find('=');
  if (eq == std::string::npos || eq == 0)
    throw CliError(fmt::format("--set {}: expected POINTER=VALUE,VALUE,... (hint: --set /groups/sites/failover/coverage=0.9,0.95,0.99)", arg));
  SweepParam p;
  p.path = arg.substr(0, eq);
  if (p.path[0] != '/')
    throw CliError(fmt::format("--set {}: the pointer must start with \"/\" (hint: a JSON pointer such as /groups/sites/failover/coverage)", arg));
  for (auto& v : split_values(arg.substr(eq + 1))) {
    const auto b = v.find_first_not_of(' '), e = v.find_last_not_of(' ');
    v = b == std::string::npos ? "" : v.substr(b, e - b + 1);
    if (v.empty()) throw CliError(fmt::format("--set {}: an empty value (hint: values separated by commas, like 0.9,0.95)", arg));
    nlohmann::json j;
    try {
      j = nlohmann::json::parse(v);
    } catch (const nlohmann::json::exception&) {
      if (v.find_first_of("{}[]\"") != std::string::npos)
        throw CliError(fmt::format("--set {}: the value {} is not valid JSON (hint: quote the whole --set for the shell: --set '/p={{\"dist\": ...}}')", arg, v));
      j = v;  // a duration or rate: "30m", "1/y"
    }
    p.values.push_back(std::move(j));
    p.texts.push_back(v);
  }
  return p;
}

// How a value reads in the table: durations as spans ("2 h 30 min"), others as given.
std::string value_text(const nlohmann::json& v, const std::string& text) {
  if (v.is_string())
    if (auto h = parse_duration(v.get<std::string>())) return format_span(*h * 60);
  return text;
}

std::string last_token(const std::string& path) { return path.substr(path.rfind('/') + 1); }

}  // namespace

int cmd_sweep(const std::vector<std::string>& args) {
  po::options_description opts("options");
  opts.add_options()
      ("file", po::value<std::string>(), "the base scenario")
      ("set", po::value<std::vector<std::string>>()->default_value({}, ""),
       "POINTER=V1,V2,...: the values of one parameter (a JSON pointer into the file; array elements by index or by id); repeatable: a grid")
      ("zip", po::bool_switch(), "pair the --set lists element by element instead of a grid (all the same length)")
      ("trials,n", po::value<std::string>()->default_value("2000"), "trials per point (the same trials for every point and the base)")
      ("seed", po::value<std::string>()->default_value("1"), "random seed")
      ("horizon", po::value<std::string>()->default_value("", "the base scenario's"), "length of one trial, like \"10y\"")
      ("jobs,j", po::value<std::string>()->default_value("0", "all cores"), "worker threads (the result does not depend on it)")
      ("warm-up", po::value<std::string>()->default_value("", "none"), kWarmUpHelp)
      ("out", po::value<std::string>()->default_value(""), "write the sweep as JSON here (atomically; keys in docs/planning.md)")
      ("csv", po::value<std::string>()->default_value(""), "write one row per point here (atomically; columns in docs/planning.md)")
      ("progress", po::bool_switch(), "progress on stderr even when it is not a terminal");
  po::positional_options_description pos;
  pos.add("file", 1);
  po::variables_map vm;
  if (!parse("sweep", args, opts, pos, vm, "FILE --set POINTER=V1,V2,... [--set ...] [--zip] [OPTIONS]",
             "Varies parameters of a scenario and runs every point on the same trials as the base\n"
             "(the file as written) with common random numbers: per point the mean downtime in\n"
             "minutes per year, availability and nines, P(≥1 RTO breach) when the scenario has\n"
             "RTOs, and the paired difference from the base, each with its 95 % CI ('*': the CI\n"
             "of the difference excludes 0).\n\n"
             "A pointer addresses a value as the variants' patches do: /groups/4/failover/coverage,\n"
             "or by ids, /groups/sites/failover/coverage (\"~1\" stands for \"/\" in an id). A value\n"
             "is JSON (0.95, {\"dist\": \"exponential\", \"mean\": \"4h\"}) or a duration or rate as\n"
             "written in scenarios (30m, 1/y). Several --set make a grid (the last varies fastest);\n"
             "--zip pairs them instead. Every point is validated before any trial runs.\n\n"
             "Intervals (a proof test's interval, a renewal's every) longer than half the horizon\n"
             "get a warning: a trial that starts all-new sees such an event at most once or twice;\n"
             "--warm-up D simulates D before each trial is measured (the same for every point).\n\n"
             "examples:\n"
             "  drsim sweep scenarios/designs/two-site-baseline.json --set /groups/sites/failover/coverage=0.9,0.99 --trials 200\n"
             "  drsim sweep scenarios/designs/two-site-baseline.json --set /groups/dc1~1lbs/failover/coverage=0.5,0.9 --set /groups/dc2~1lbs/failover/coverage=0.5,0.9 --zip --trials 100 --csv sweep.csv\n"))
    return kOk;
  if (!vm.count("file")) throw CliError("no scenario file given (usage: drsim sweep FILE --set POINTER=V1,V2,...)");
  const std::string file = vm["file"].as<std::string>();
  std::vector<SweepParam> params;
  for (const auto& s : vm["set"].as<std::vector<std::string>>()) params.push_back(parse_set(s));
  if (params.empty()) throw CliError("nothing to sweep (hint: --set /groups/sites/failover/coverage=0.9,0.95,0.99)");
  const bool zip = vm["zip"].as<bool>();
  CompareOptions o = paired_options(vm, "10y");
  const std::string out_json = vm["out"].as<std::string>(), out_csv = vm["csv"].as<std::string>();
  check_outputs({file}, {{"out", out_json}, {"csv", out_csv}});

  // The points: indices into each parameter's values.
  std::vector<std::vector<std::size_t>> points;
  if (zip) {
    for (const auto& p : params)
      if (p.values.size() != params[0].values.size())
        throw CliError(fmt::format("--zip: --set {} has {} values but --set {} has {} (hint: zipped lists pair element by element; drop --zip for a grid)",
                                   p.path, p.values.size(), params[0].path, params[0].values.size()));
    for (std::size_t i = 0; i < params[0].values.size(); ++i) points.push_back(std::vector<std::size_t>(params.size(), i));
  } else {
    std::uint64_t n = 1;
    for (const auto& p : params) n *= p.values.size();
    if (n > 10000) throw CliError(fmt::format("the grid has {} points, over the limit of 10,000 (hint: fewer values, or --zip)", n));
    std::vector<std::size_t> idx(params.size(), 0);
    for (std::uint64_t k = 0; k < n; ++k) {
      points.push_back(idx);
      for (std::size_t d = params.size(); d-- > 0;) {
        if (++idx[d] < params[d].values.size()) break;
        idx[d] = 0;
      }
    }
  }

  // Every point's scenario, validated before anything runs.
  Scenario base = load(file);
  std::vector<Scenario> scs;
  std::size_t bad = 0;
  for (std::size_t k = 0; k < points.size(); ++k) {
    LoadOptions lo;
    for (std::size_t d = 0; d < params.size(); ++d) {
      Edit e;
      e.path = params[d].path;
      e.value = params[d].values[points[k][d]];
      e.origin = fmt::format("--set {}={}", params[d].path, params[d].texts[points[k][d]]);
      lo.edits.push_back(std::move(e));
    }
    Diagnostics d(file);
    auto sc = load_scenario(file, d, lo);
    if (sc) scs.push_back(std::move(*sc));
    else if (++bad <= 3) std::cerr << d.format();  // the same mistake would repeat at every point
  }
  if (bad) throw CliError(fmt::format("{} of {} sweep points do not make a valid scenario; nothing was run", bad, points.size()));
  for (const auto& sc : scs)
    if (sc.horizon != base.horizon)
      throw CliError(fmt::format("a point changes the horizon ({} instead of {}): every point runs on the base's trials, of one length "
                                 "(hint: --horizon sets it for all; nothing was run)", format_duration(sc.horizon), format_duration(base.horizon)));
  const double horizon = o.horizon > 0 ? o.horizon : base.horizon;
  for (const auto& p : params) {
    const std::string key = last_token(p.path);
    if (key != "interval" && key != "every") continue;
    for (std::size_t i = 0; i < p.values.size(); ++i) {
      auto h = p.values[i].is_string() ? parse_duration(p.values[i].get<std::string>()) : std::nullopt;
      if (h && *h > horizon / 2 && o.warm_up < *h)
        std::cerr << fmt::format("drsim sweep: warning: --set {}={}: an interval longer than half the horizon ({}): a trial sees it at most once, so "
                                 "its effect is not measured fairly (hint: --warm-up {} to measure from its steady state, or --horizon {})\n",
                                 p.path, p.texts[i], format_duration(horizon), format_duration(std::ceil(*h * 2 / kHoursPerYear) * kHoursPerYear),
                                 format_duration(std::ceil(*h * 10 / kHoursPerYear) * kHoursPerYear));
    }
  }
  o.random_failures = base.injections.empty();
  if (o.warm_up > 0 && !o.random_failures)
    throw CliError("--warm-up on a scenario with injections: a drill is measured from its first injection (hint: drop --warm-up)");
  std::vector<const Scenario*> ptrs{&base};
  for (const auto& s : scs) ptrs.push_back(&s);
  CompareResult res = run_paired(ptrs, o, vm["progress"].as<bool>(), fmt::format("sweep of {} points", points.size()));

  const double scale = min_per_year(horizon);
  const std::vector<ObjectiveSpec> specs = objective_specs(base);
  const bool has_rto = std::any_of(specs.begin(), specs.end(), [](const ObjectiveSpec& s) { return s.kind == ObjectiveSpec::Kind::rto; });
  // The table: one unit per column.
  std::vector<std::string> header;
  for (const auto& p : params) header.push_back(p.path);
  for (const char* h : {"downtime min/y [95 % CI]", "availability % [95 % CI]", "nines"}) header.push_back(h);
  if (has_rto) header.push_back("P(RTO breach) [95 % CI]");
  header.push_back("Δ vs base min/y [95 % CI]");
  std::vector<std::vector<std::string>> rows;
  nlohmann::json jpoints = nlohmann::json::array();
  std::string csv;
  {
    std::vector<std::string> cols;
    for (const auto& p : params) cols.push_back(csv_cell(p.path));
    for (const char* c : {"downtime_min_per_year", "downtime_lo", "downtime_hi", "availability", "availability_lo", "availability_hi", "nines",
                          "nines_lo", "nines_hi", "p_rto_breach", "p_rto_breach_lo", "p_rto_breach_hi", "delta_min_per_year", "delta_lo",
                          "delta_hi", "delta_p_rto_breach", "delta_p_rto_breach_lo", "delta_p_rto_breach_hi"})
      cols.push_back(c);
    csv = fmt::format("{}\n", fmt::join(cols, ","));
  }
  auto add_row = [&](const std::string& label_or_empty, const std::vector<std::size_t>* point, const Paired& p, bool is_base) {
    std::vector<std::string> row;
    nlohmann::json values = nlohmann::json::object();
    std::vector<std::string> cells;
    for (std::size_t d = 0; d < params.size(); ++d) {
      if (point) {
        const auto& v = params[d].values[(*point)[d]];
        row.push_back(value_text(v, params[d].texts[(*point)[d]]));
        values[params[d].path] = v;
        cells.push_back(csv_cell(v.is_string() ? v.get<std::string>() : v.dump()));
      } else {
        row.push_back(d == 0 ? label_or_empty : "");
        cells.push_back(csv_cell(label_or_empty));
      }
    }
    const Interval dci = p.full.mean_ci(), aci = p.availability.mean_ci(), rci = p.rto_breach.mean_ci();
    const Interval ddci = p.d_full.mean_ci(), drci = p.d_rto_breach.mean_ci();
    const Interval down{dci.lo * scale, dci.hi * scale}, ddown{ddci.lo * scale, ddci.hi * scale};
    const double a = p.availability.mean();
    const Interval nci{nines_of(aci.lo), nines_of(std::min(1.0, aci.hi))};
    row.push_back(ci_text(p.full.mean() * scale, down));
    row.push_back(fmt::format("{:.5f} [{:.5f} – {:.5f}]", a * 100, aci.lo * 100, std::min(1.0, aci.hi) * 100));
    row.push_back(fmt::format("{} [{} – {}]", nines_text(nines_of(a)), nines_text(nci.lo), nines_text(nci.hi)));
    if (has_rto) row.push_back(fmt::format("{:.3g} [{:.3g} – {:.3g}]", p.rto_breach.mean(), rci.lo, rci.hi));
    row.push_back(is_base ? "" : ci_text(p.d_full.mean() * scale, ddown, true) + (significant(ddci) ? " *" : ""));
    rows.push_back(row);
    nlohmann::json jp = {{"values", values},
                         {"downtime_min_per_year", ci_json(p.full, scale)},
                         {"availability", ci_json(p.availability, 1)},
                         {"nines", {{"mean", nines_of(a)}, {"ci95", {nines_of(aci.lo), nines_of(std::min(1.0, aci.hi))}}}},
                         {"delta_min_per_year", ci_json(p.d_full, scale)},
                         {"delta_availability", ci_json(p.d_availability, 1)}};
    if (has_rto) {
      jp["p_rto_breach"] = ci_json(p.rto_breach, 1);
      jp["delta_p_rto_breach"] = ci_json(p.d_rto_breach, 1);
    }
    for (double x : {p.full.mean() * scale, down.lo, down.hi, a, aci.lo, std::min(1.0, aci.hi), nines_of(a), nci.lo, nci.hi}) cells.push_back(csv_num(x));
    for (double x : {p.rto_breach.mean(), rci.lo, rci.hi}) cells.push_back(has_rto ? csv_num(x) : "");
    for (double x : {p.d_full.mean() * scale, ddown.lo, ddown.hi}) cells.push_back(csv_num(x));
    for (double x : {p.d_rto_breach.mean(), drci.lo, drci.hi}) cells.push_back(has_rto ? csv_num(x) : "");
    csv += fmt::format("{}\n", fmt::join(cells, ","));
    return jp;
  };
  nlohmann::json jbase = add_row("(base)", nullptr, res.alt[0], true);
  jbase.erase("values");
  for (std::size_t k = 0; k < points.size(); ++k) jpoints.push_back(add_row("", &points[k], res.alt[k + 1], false));

  std::vector<std::size_t> width(header.size());
  // Width in code points: "–" and "Δ" are two bytes and one column wide.
  auto cols_of = [](const std::string& s) {
    return static_cast<std::size_t>(std::count_if(s.begin(), s.end(), [](char ch) { return (static_cast<unsigned char>(ch) & 0xC0) != 0x80; }));
  };
  for (std::size_t c = 0; c < header.size(); ++c) {
    width[c] = cols_of(header[c]);
    for (const auto& r : rows) width[c] = std::max(width[c], cols_of(r[c]));
  }
  auto line = [&](const std::vector<std::string>& r) {
    std::string s = " ";
    for (std::size_t c = 0; c < r.size(); ++c) s += " " + r[c] + std::string(width[c] - cols_of(r[c]), ' ') + (c + 1 < r.size() ? " " : "");
    while (!s.empty() && s.back() == ' ') s.pop_back();
    return s + "\n";
  };
  std::string text = fmt::format("{} — sweep of {} point{}{}, {} paired trials of {} each (seed {}, {:.1f} s)\n",
                                 base.title.empty() ? file : base.title, points.size(), points.size() == 1 ? "" : "s",
                                 zip ? " (zipped)" : params.size() > 1 ? " (grid)" : "", res.trials, format_duration(horizon), o.seed, res.wall_seconds);
  if (o.warm_up > 0) text += fmt::format("  each trial measured after a warm-up of {}\n", format_duration(o.warm_up));
  text += "  every point on the same trials as the base (common random numbers); Δ = point − base; * = CI excludes 0\n\n";
  text += line(header);
  for (const auto& r : rows) text += line(r);
  std::cout << text;

  if (!out_json.empty()) {
    nlohmann::json j = {{"drsim_version", DRSIM_VERSION}, {"kind", "sweep"}, {"scenario", file}, {"title", base.title},
                        {"scenario_sha256", base.sha256}, {"seed", o.seed}, {"trials", res.trials}, {"horizon_hours", horizon}, {"warm_up_hours", o.warm_up},
                        {"random_failures", o.random_failures}, {"zip", zip}, {"parameters", nlohmann::json::array()},
                        {"base", jbase}, {"points", jpoints}, {"timing", {{"wall_seconds", res.wall_seconds}}}};
    for (const auto& p : params) j["parameters"].push_back({{"path", p.path}, {"values", p.values}});
    j["timing"].update(invocation());
    write_output(out_json, j.dump(2) + "\n");
  }
  if (!out_csv.empty()) write_output(out_csv, csv);
  return kOk;
}

}  // namespace drsim::cli
