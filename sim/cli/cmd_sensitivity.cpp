// drsim sensitivity FILE: a tornado. For every parameter with a "range" in the file
// (or, with --default-range R, every rate and duration scaled ×(1 − R) and ×(1 + R)),
// the paired change in mean downtime and in P(RTO breach) at its low and at its high,
// every alternative on the same trials as the base (common random numbers), sorted by
// swing.
#include <algorithm>
#include <cmath>
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
using json = nlohmann::json;

struct Param {
  std::string pointer;  // indices resolved
  std::string name;     // the same path by ids, for people
  json low, high, value;
  std::string origin;   // "range at /…" or "--default-range 0.5"
  int low_alt = -1, high_alt = -1;
};

// The value scaled: durations and rates in strings, recursively (a distribution's
// every time scales together, so its shape stays valid); numbers are left alone.
json scaled(const json& v, double f) {
  if (v.is_string()) {
    const std::string s = v.get<std::string>();
    if (auto r = parse_rate(s)) return fmt::format("{:.9g}/h", *r * f);
    if (auto h = parse_duration(s)) return fmt::format("{:.9g}h", *h * f);
    return v;
  }
  json out = v;
  if (v.is_object()) {
    for (auto it = out.begin(); it != out.end(); ++it)
      if (it.key() != "source" && it.key() != "note" && it.key() != "dist") *it = scaled(*it, f);
  } else if (v.is_array()) {
    for (auto& e : out) e = scaled(e, f);
  }
  return out;
}

bool scalable(const json& v) {
  if (v.is_string()) {
    const std::string s = v.get<std::string>();
    if (parse_rate(s)) return true;
    auto h = parse_duration(s);
    return h && *h > 0;
  }
  if (v.is_object()) return v.contains("dist") && scaled(v, 2) != v;
  return false;
}

// Every rate, duration and distribution of the parts that fail and recover; not the
// horizon, the objectives, the injections or the variants.
void collect_scalable(const json& j, const std::string& p, std::vector<std::pair<std::string, json>>& out) {
  if (j.is_array()) {
    for (std::size_t i = 0; i < j.size(); ++i) collect_scalable(j[i], p + "/" + std::to_string(i), out);
    return;
  }
  if (!j.is_object()) return;
  for (auto it = j.begin(); it != j.end(); ++it) {
    const std::string& k = it.key();
    if (p.empty() && k != "components" && k != "groups" && k != "runbooks" && k != "common_causes") continue;
    if (k == "range" || k == "source" || k == "note" || k == "platform") continue;
    const std::string kp = p + "/" + json_pointer_escape(k);
    if (scalable(*it)) out.emplace_back(kp, *it);
    else if (it->is_object() || it->is_array()) collect_scalable(*it, kp, out);
  }
}

// "/components/3/failures/0/ttf" -> "/components/dc1~1lb-a/failures/hw/ttf".
std::string id_path(const json& doc, const std::string& pointer) {
  std::string out;
  const json* cur = &doc;
  std::size_t i = 1;
  while (i <= pointer.size() && cur) {
    std::size_t e = pointer.find('/', i);
    std::string tok = pointer.substr(i, e == std::string::npos ? std::string::npos : e - i);
    std::string shown = tok;
    if (cur->is_array()) {
      const std::size_t idx = std::stoul(tok);
      cur = idx < cur->size() ? &(*cur)[idx] : nullptr;
      if (cur && cur->is_object() && cur->contains("id") && (*cur)["id"].is_string()) shown = json_pointer_escape((*cur)["id"].get<std::string>());
    } else if (cur->is_object()) {
      std::string key;
      for (std::size_t k = 0; k < tok.size(); ++k)
        key += tok[k] == '~' && k + 1 < tok.size() ? (tok[++k] == '1' ? '/' : '~') : tok[k];
      auto f = cur->find(key);
      cur = f == cur->end() ? nullptr : &*f;
    } else {
      cur = nullptr;
    }
    out += "/" + shown;
    if (e == std::string::npos) break;
    i = e + 1;
  }
  return out;
}

const json* at_pointer(const json& doc, const std::string& pointer) {
  try {
    return &doc.at(json::json_pointer(pointer));
  } catch (const json::exception&) {
    return nullptr;
  }
}

std::string value_text(const json& v) {
  if (v.is_string()) {
    const std::string s = v.get<std::string>();
    if (auto r = parse_rate(s)) return format_rate(*r);
    if (auto h = parse_duration(s)) return format_span(*h * 60);
    return s;
  }
  if (v.is_object() && v.contains("dist")) {
    for (const char* k : {"mean", "median", "value", "scale"})
      if (v.contains(k) && v[k].is_string())
        if (auto h = parse_duration(v[k].get<std::string>())) return fmt::format("{} {}", k, format_span(*h * 60));
    return v.dump();
  }
  return v.is_number() ? fmt::format("{:.6g}", v.get<double>()) : v.dump();
}

}  // namespace

int cmd_sensitivity(const std::vector<std::string>& args) {
  po::options_description opts("options");
  opts.add_options()
      ("file", po::value<std::string>(), "the scenario")
      ("default-range", po::value<std::string>()->default_value("", "none"),
       "R in (0, 1): also vary every rate, duration and distribution of the components, groups, runbooks and common causes ×(1 − R) and ×(1 + R)")
      ("trials,n", po::value<std::string>()->default_value("2000"), "trials (the same trials for the base and every alternative)")
      ("seed", po::value<std::string>()->default_value("1"), "random seed")
      ("horizon", po::value<std::string>()->default_value("", "the scenario's"), "length of one trial, like \"1y\"")
      ("jobs,j", po::value<std::string>()->default_value("0", "all cores"), "worker threads (the result does not depend on it)")
      ("warm-up", po::value<std::string>()->default_value("", "none"), kWarmUpHelp)
      ("top", po::value<std::string>()->default_value("0", "all"), "print only the N largest swings (the JSON has all)")
      ("out", po::value<std::string>()->default_value(""), "write the tornado as JSON here (atomically; keys in docs/planning.md)")
      ("progress", po::bool_switch(), "progress on stderr even when it is not a terminal");
  po::positional_options_description pos;
  pos.add("file", 1);
  po::variables_map vm;
  if (!parse("sensitivity", args, opts, pos, vm, "FILE [--default-range R] [OPTIONS]",
             "A tornado: which uncertain number moves the downtime most. Every parameter with a\n"
             "range in the file, {\"range\": {\"coverage\": {\"low\": 0.9, \"high\": 0.99}}} beside\n"
             "\"coverage\" (docs/scenario-format.md), is set to its low and to its high; with\n"
             "--default-range R, so is every other rate, duration and distribution of the parts\n"
             "(×(1 − R) and ×(1 + R); a distribution's times scale together). Each alternative\n"
             "runs on the same trials as the base (common random numbers); per parameter the\n"
             "paired change in mean downtime (minutes per year) at low and at high, and in\n"
             "P(≥1 RTO breach) when there are RTOs, with 95 % CIs, sorted by swing\n"
             "|Δ high − Δ low|. Every alternative is validated before any trial runs.\n\n"
             "examples:\n"
             "  drsim sensitivity scenarios/validation/V3.json --default-range 0.5 --trials 500\n"
             "  drsim sensitivity scenarios/designs/two-site-baseline.json --default-range 0.5 --trials 50 --top 10 --out tornado.json\n"))
    return kOk;
  if (!vm.count("file")) throw CliError("no scenario file given (usage: drsim sensitivity FILE)");
  const std::string file = vm["file"].as<std::string>();
  CompareOptions o = paired_options(vm, "1y");
  const std::uint64_t top = count_arg("top", vm["top"].as<std::string>(), 0, 1000000, "0 = all");
  double r = 0;
  if (const auto t = vm["default-range"].as<std::string>(); !t.empty()) {
    r = real_arg("default-range", t, 0, 1, "the share each value moves down and up, like 0.5");
    if (!(r > 0 && r < 1)) throw CliError(fmt::format("--default-range {}: give a number strictly between 0 and 1 (like 0.5: ×0.5 and ×1.5)", t));
  }
  const std::string out_json = vm["out"].as<std::string>();
  check_outputs({file}, {{"out", out_json}});
  // The scenario as written out (after "extends" and the templates), for the values
  // and ids the parameters name: a range or a value in the file it extends, or in a
  // template instance, is a parameter like one written in the file itself.
  json doc;
  Scenario base = load(file, {}, &doc);
  std::vector<Param> params;
  for (const auto& pr : base.ranges) {
    Param p;
    p.pointer = pr.pointer;
    p.low = json::parse(pr.low);
    p.high = json::parse(pr.high);
    if (const json* v = at_pointer(doc, pr.pointer)) p.value = *v;
    p.origin = "range at " + pr.range_pointer;
    params.push_back(std::move(p));
  }
  if (r > 0) {
    std::vector<std::pair<std::string, json>> found;
    collect_scalable(doc, "", found);
    for (const auto& [ptr, v] : found) {
      // (a named copy: clang 14 cannot capture a structured binding in a lambda)
      if (std::any_of(params.begin(), params.end(), [&, &ptr = ptr](const Param& p) {
            // A range of its own, or on a part of it (a distribution's mean): not scaled again.
            return p.pointer == ptr || ptr.rfind(p.pointer + "/", 0) == 0 || p.pointer.rfind(ptr + "/", 0) == 0;
          }))
        continue;
      Param p;
      p.pointer = ptr;
      p.value = v;
      p.low = scaled(v, 1 - r);
      p.high = scaled(v, 1 + r);
      p.origin = fmt::format("--default-range {}", vm["default-range"].as<std::string>());
      params.push_back(std::move(p));
    }
  }
  if (params.empty())
    throw CliError(fmt::format("{}: no parameter has a range, nothing to vary (hint: add \"range\": {{\"coverage\": {{\"low\": 0.9, \"high\": 0.99}}}} "
                               "beside a value, or use --default-range 0.5)", file));
  for (auto& p : params) p.name = id_path(doc, p.pointer);

  // Build and validate every alternative before any trial runs.
  std::vector<Scenario> scs;
  scs.reserve(1 + 2 * params.size());
  scs.push_back(base);
  std::size_t bad = 0;
  for (auto& p : params) {
    for (int side = 0; side < 2; ++side) {
      LoadOptions lo;
      Edit e;
      e.path = p.pointer;
      e.value = side ? p.high : p.low;
      e.origin = fmt::format("sensitivity {} of {} ({})", side ? "high" : "low", p.name, p.origin);
      lo.edits.push_back(e);
      Diagnostics d(file);
      auto sc = load_scenario(file, d, lo);
      if (!sc) {
        if (++bad <= 5) std::cerr << d.format();
        continue;
      }
      scs.push_back(std::move(*sc));
      (side ? p.high_alt : p.low_alt) = static_cast<int>(scs.size()) - 1;
    }
  }
  if (bad) throw CliError(fmt::format("{} of {} low/high values do not make a valid scenario; nothing was run", bad, 2 * params.size()));
  for (const auto& p : params)
    for (int a : {p.low_alt, p.high_alt})
      if (scs[a].horizon != base.horizon)
        throw CliError(fmt::format("{}: a range on the horizon: every alternative runs on the base's trials, of one length "
                                   "(hint: drop that range; --horizon sets it for all; nothing was run)", p.name));
  const double horizon = o.horizon > 0 ? o.horizon : base.horizon;
  o.random_failures = base.injections.empty();
  if (o.warm_up > 0 && !o.random_failures)
    throw CliError("--warm-up on a scenario with injections: a drill is measured from its first injection (hint: drop --warm-up)");
  std::vector<const Scenario*> ptrs;
  for (const auto& s : scs) ptrs.push_back(&s);
  CompareResult res = run_paired(ptrs, o, vm["progress"].as<bool>(), fmt::format("sensitivity of {} parameters", params.size()));

  const double scale = min_per_year(horizon);
  const std::vector<ObjectiveSpec> specs = objective_specs(base);
  const bool has_rto = std::any_of(specs.begin(), specs.end(), [](const ObjectiveSpec& s) { return s.kind == ObjectiveSpec::Kind::rto; });
  auto swing = [&](const Param& p) { return std::fabs(res.alt[p.high_alt].d_full.mean() - res.alt[p.low_alt].d_full.mean()) * scale; };
  std::vector<const Param*> order;
  for (const auto& p : params) order.push_back(&p);
  std::stable_sort(order.begin(), order.end(), [&](const Param* a, const Param* b) { return swing(*a) > swing(*b); });

  const Interval bci = res.alt[0].full.mean_ci();
  std::string text = fmt::format("{} — sensitivity of {} parameters, {} paired trials of {} (seed {}, {:.1f} s)\n",
                                 base.title.empty() ? file : base.title, params.size(), res.trials, format_duration(horizon), o.seed, res.wall_seconds);
  text += fmt::format("  base downtime {} min/y; Δ = alternative − base on the same trials, min/y, 95 % CI; * = CI excludes 0\n\n",
                      ci_text(res.alt[0].full.mean() * scale, {bci.lo * scale, bci.hi * scale}));
  text += fmt::format("  {:<52} {:>16} {:>16}  {:>30}  {:>30}  {:>9}\n", "parameter", "low", "high", "Δ at low", "Δ at high", "swing");
  json jparams = json::array();
  std::uint64_t rank = 0;
  for (const Param* p : order) {
    ++rank;
    const Paired& lo = res.alt[p->low_alt];
    const Paired& hi = res.alt[p->high_alt];
    auto dtext = [&](const Paired& a) {
      const Interval ci = a.d_full.mean_ci();
      return ci_text(a.d_full.mean() * scale, {ci.lo * scale, ci.hi * scale}, true) + (significant(ci) ? " *" : "  ");
    };
    if (top == 0 || rank <= top) {
      text += fmt::format("  {:<52} {:>16} {:>16}  {:>30}  {:>30}  {:>9.4g}\n", p->name, value_text(p->low), value_text(p->high), dtext(lo), dtext(hi), swing(*p));
      if (has_rto) {
        auto rtext = [&](const Paired& a) {
          const Interval ci = a.d_rto_breach.mean_ci();
          return fmt::format("{:+.3g} [{:+.3g} – {:+.3g}]{}", a.d_rto_breach.mean(), ci.lo, ci.hi, significant(ci) ? " *" : "  ");
        };
        text += fmt::format("  {:<52} {:>33}  {:>30}  {:>30}\n", "", "Δ P(RTO breach)", rtext(lo), rtext(hi));
      }
    }
    json jp = {{"rank", rank},
               {"pointer", p->pointer},
               {"path", p->name},
               {"from", p->origin},
               {"value", p->value},
               {"low", p->low},
               {"high", p->high},
               {"low_downtime_min_per_year", ci_json(lo.full, scale)},
               {"high_downtime_min_per_year", ci_json(hi.full, scale)},
               {"delta_low_min_per_year", ci_json(lo.d_full, scale)},
               {"delta_high_min_per_year", ci_json(hi.d_full, scale)},
               {"swing_min_per_year", swing(*p)}};
    if (has_rto) {
      jp["delta_low_p_rto_breach"] = ci_json(lo.d_rto_breach, 1);
      jp["delta_high_p_rto_breach"] = ci_json(hi.d_rto_breach, 1);
    }
    jparams.push_back(jp);
  }
  if (top > 0 && order.size() > top) text += fmt::format("  … and {} more (--top 0 for all)\n", order.size() - top);
  std::cout << text;
  if (!out_json.empty()) {
    json j = {{"drsim_version", DRSIM_VERSION}, {"kind", "sensitivity"}, {"scenario", file}, {"title", base.title},
              {"scenario_sha256", base.sha256}, {"seed", o.seed}, {"trials", res.trials}, {"horizon_hours", horizon}, {"warm_up_hours", o.warm_up},
              {"random_failures", o.random_failures}, {"default_range", r},
              {"base", {{"downtime_min_per_year", ci_json(res.alt[0].full, scale)}}},
              {"parameters", jparams}, {"timing", {{"wall_seconds", res.wall_seconds}}}};
    if (has_rto) j["base"]["p_rto_breach"] = ci_json(res.alt[0].rto_breach, 1);
    j["timing"].update(invocation());
    write_output(out_json, j.dump(2) + "\n");
  }
  return kOk;
}

}  // namespace drsim::cli
