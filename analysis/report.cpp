#include "analysis/report.h"

#include <cmath>

#include <fmt/format.h>

namespace drsim {
namespace {

// A percentage with `digits` decimals; small non-zero values keep two significant digits
// so that an upper bound like 0.018 % does not print as 0.00 %.
std::string pct(double x, int digits = 2) {
  double v = x * 100;
  if (v != 0 && std::fabs(v) < std::pow(10.0, -digits + 1) && std::fabs(v) < 1) return fmt::format("{:.2g} %", v);
  return fmt::format("{:.{}f} %", v, digits);
}

std::string ci_min(const nlohmann::json& a) {
  return fmt::format("[{} – {}]", format_minutes(a.at(0).get<double>()), format_minutes(a.at(1).get<double>()));
}

std::string ci_pct(const nlohmann::json& a, int digits = 2) {
  return fmt::format("[{} – {}]", pct(a.at(0).get<double>(), digits), pct(a.at(1).get<double>(), digits));
}

std::string row(const std::string& label, const std::string& text) {
  return fmt::format("  {:<24}{}\n", label, text);
}

std::string quantiles_min(const nlohmann::json& s) {
  return fmt::format("p50 {}  p90 {}  p99 {}  p99.9 {}  max {}", format_minutes(s["p50"].get<double>()),
                     format_minutes(s["p90"].get<double>()), format_minutes(s["p99"].get<double>()),
                     format_minutes(s["p999"].get<double>()), format_minutes(s["max"].get<double>()));
}

std::string nines_text(double n) { return std::isfinite(n) ? fmt::format("{:.2f}", n) : "∞"; }

}  // namespace

std::string format_minutes(double m) {
  if (!std::isfinite(m)) return "∞";
  double a = std::fabs(m);
  if (a == 0) return "0";
  if (a < 1) return fmt::format("{:.3g} s", m * 60);
  if (a < 120) return fmt::format("{:.3g} min", m);
  if (a < 48 * 60) return fmt::format("{:.3g} h", m / 60);
  return fmt::format("{:.3g} d", m / 1440);
}

std::string format_span(double m) {
  if (!std::isfinite(m)) return "∞";
  double s = std::round(std::fabs(m) * 60);
  if (s < 60) return fmt::format("{:.0f} s", s);
  if (s < 3600) {
    const double mi = std::floor(s / 60), sec = s - 60 * mi;
    return sec > 0 && mi < 10 ? fmt::format("{:.0f} min {:.0f} s", mi, sec) : fmt::format("{:.0f} min", std::round(s / 60));
  }
  const double tm = std::round(s / 60);  // whole minutes
  if (tm < 48 * 60) {
    const double h = std::floor(tm / 60), mi = tm - 60 * h;
    return mi > 0 ? fmt::format("{:.0f} h {:.0f} min", h, mi) : fmt::format("{:.0f} h", h);
  }
  const double th = std::round(tm / 60);
  const double d = std::floor(th / 24), h = th - 24 * d;
  return h > 0 ? fmt::format("{:.0f} d {:.0f} h", d, h) : fmt::format("{:.0f} d", d);
}

namespace {
// The RTO and RPO rows of a run summary (results.json "rto", "rpo").
std::string objective_rows(const nlohmann::json& j, bool drills) {
  std::string o;
  const char* per = drills ? "per drill" : "per trial";
  for (const char* kind : {"rto", "rpo"}) {
    if (!j.contains(kind)) continue;
    const bool rto = std::string(kind) == "rto";
    for (const auto& [key, e] : j[kind].items()) {
      const double target_min = rto ? e["target_minutes"].get<double>() : e["target_seconds"].get<double>() / 60;
      const std::string scope = e.contains("feature") ? " (" + e["feature"].get<std::string>() + ")"
                                : e.contains("site")  ? " (site " + e["site"].get<std::string>() + ")"
                                                      : "";
      const std::string label = fmt::format("{} {}{}", rto ? "RTO" : "RPO", format_span(target_min), scope);
      const auto& pe = rto ? e["p_breach_per_outage"] : e["p_breach_per_event"];
      const auto& pt = e["p_any_breach_per_trial"];
      const std::string per_trial = !drills && e.value("per_trial_is", "trial") == "year" ? "per year" : per;
      const std::uint64_t n = rto ? e["recoveries"].get<std::uint64_t>() : e["loss_events"].get<std::uint64_t>();
      o += row(label, fmt::format("P(breach) per {} {} {} ({} of {});  P(≥1 breach) {} {} {}", rto ? "outage" : "loss event",
                                  pct(pe["value"].get<double>(), 1), ci_pct(pe["ci95"], 1), e["breached"].get<std::uint64_t>(), n,
                                  per_trial, pct(pt["value"].get<double>(), 1), ci_pct(pt["ci95"], 1)));
      const auto& v = rto ? e["recovery_minutes"] : e["data_lost_seconds"];
      if (v["n"].get<std::uint64_t>() > 0) {
        const double f = rto ? 1 : 1.0 / 60;  // to minutes
        auto q = [&](const char* p) {
          const auto& c = v["quantile_ci95"][p];
          return fmt::format("{} {} [{} – {}]", p, format_span(v[p].get<double>() * f), format_span(c[0].get<double>() * f),
                             format_span(c[1].get<double>() * f));
        };
        o += row("", fmt::format("{}: {}  {}  {}", rto ? "recovery time" : "data lost", q("p50"), q("p90"), q("p99")));
      }
      if (rto) {
        const auto& b = e["beyond_rto_minutes_per_trial"];
        o += row("", fmt::format("downtime beyond the RTO {}: mean {} [{} – {}]", per, format_span(b["mean"].get<double>()),
                                 format_span(b["ci95"][0].get<double>()), format_span(b["ci95"][1].get<double>())));
      }
    }
  }
  return o;
}

// The summary's first line: what ran, how many trials (drills), seed, jobs, wall time.
std::string title_line(const nlohmann::json& j, bool drills) {
  const auto& t = j["timing"];
  if (drills)
    return fmt::format("{} — {} drills (seed {}, {} jobs, {:.1f} s)\n", j.value("title", j.value("scenario", "")),
                       j["trials"].get<std::uint64_t>(), j["seed"].get<std::uint64_t>(), t["jobs"].get<int>(), t["wall_seconds"].get<double>());
  return fmt::format("{} — {} trials of {:.6g} h (seed {}, {} jobs, {:.1f} s)\n", j.value("title", j.value("scenario", "")),
                     j["trials"].get<std::uint64_t>(), j["horizon_hours"].get<double>(), j["seed"].get<std::uint64_t>(),
                     t["jobs"].get<int>(), t["wall_seconds"].get<double>());
}

// The SLO's rows: its budget, the chance of a breached window, of the trial over budget.
std::string slo_rows(const nlohmann::json& j) {
  std::string o;
  const auto& s = j["slo"];
  double budget = (1 - s["target"].get<double>()) * s["window_hours"].get<double>() * 60;
  o += row(fmt::format("SLO {:.6g} % / {:.4g} d", s["target"].get<double>() * 100, s["window_hours"].get<double>() / 24),
           fmt::format("error budget {} per window", format_minutes(budget)));
  const bool year = std::fabs(j["horizon_hours"].get<double>() - 8760) < 1e-9;
  o += row("", fmt::format("P(a window breached) {} {};  P(≥1 breached window {}) {} {}  ({} windows from t = 0)",
                           pct(s["p_breach_window"]["value"].get<double>()), ci_pct(s["p_breach_window"]["ci95"]),
                           year ? "in the year" : "in the trial", pct(s["p_trial_any_window_breached"]["value"].get<double>(), 1),
                           ci_pct(s["p_trial_any_window_breached"]["ci95"], 1), s.value("windows_are", "calendar")));
  o += row("", fmt::format("P(downtime over the {} budget, (1 − SLO) × {}) {} {}", year ? "annual" : "whole-trial",
                           format_span(j["horizon_hours"].get<double>() * 60), pct(s["p_trial_over_budget"]["value"].get<double>(), 1),
                           ci_pct(s["p_trial_over_budget"]["ci95"], 1)));
  const auto& b = s["budget_used"];
  o += row("", fmt::format("budget used per window: mean {}, p90 {}, p99 {}", pct(b["mean"].get<double>(), 1),
                           pct(b["p90"].get<double>(), 1), pct(b["p99"].get<double>(), 1)));
  return o;
}

// The ten causes with the largest share of the mean full downtime.
std::string cause_rows(const nlohmann::json& causes) {
  if (causes.empty()) return "";
  std::string o = "\n  downtime by cause (share of mean full downtime)\n";
  int i = 0;
  for (const auto& c : causes) {
    if (++i > 10) {
      o += fmt::format("    … {} more in results.json\n", causes.size() - 10);
      break;
    }
    o += fmt::format("    {:>2}. {:<36} {:>7} {}   {}/trial\n", i, c["cause"].get<std::string>(), pct(c["downtime_share"].get<double>(), 1),
                     ci_pct(c["ci95"], 1), format_minutes(c["mean_minutes"].get<double>()));
  }
  return o;
}

}  // namespace

std::string format_run_summary(const nlohmann::json& j) {
  // A run over a drill scenario (injections, random failures off): each trial is one drill
  // that ends when the service has recovered, so availability over a year means nothing.
  const bool drills = j.value("drills", false);
  const char* per = drills ? "per drill" : "per trial";
  std::string o = title_line(j, drills);
  o += "  (95 % confidence intervals in brackets)\n\n";
  const auto& d = j["downtime_minutes"];
  o += row(fmt::format("downtime {}", per), fmt::format("mean {} {}", format_minutes(d["mean"].get<double>()), ci_min(d["ci95"])));
  o += row("", quantiles_min(d));
  const auto& g = j["degraded_minutes"];
  if (g["max"].get<double>() > 0)
    o += row(fmt::format("degraded {}", per), fmt::format("mean {} {}   p90 {}", format_minutes(g["mean"].get<double>()),
                                                          ci_min(g["ci95"]), format_minutes(g["p90"].get<double>())));
  if (drills && j.contains("reported_incident")) {
    const auto& ri = j["reported_incident"];
    o += row("", fmt::format("the real incident ({} of {}, from the report) is at the {:.0f}th percentile", format_span(ri["minutes"].get<double>()),
                             ri["of"].get<std::string>(), ri["percentile"].get<double>() * 100));
  }
  const auto& a = j["availability"];
  if (!drills)
    o += row("availability", fmt::format("{} {}   {} nines [{} – {}]", pct(a["mean"].get<double>(), 4), ci_pct(a["ci95"], 4),
                                         nines_text(a["nines"].get<double>()), nines_text(a["nines_ci95"][0].get<double>()),
                                         nines_text(a["nines_ci95"][1].get<double>())));
  const auto& p = j["p_any_outage"];
  const auto& n = j["outages_per_trial"];
  o += row(fmt::format("outages {}", per), fmt::format("{:.3g} [{:.3g} – {:.3g}];  P(any) {} {}", n["mean"].get<double>(),
                                                       n["ci95"][0].get<double>(), n["ci95"][1].get<double>(),
                                                       pct(p["value"].get<double>(), 1), ci_pct(p["ci95"], 1)));
  const auto& od = j["outage_minutes"];
  if (od["n"].get<std::uint64_t>() > 0) {
    o += row(drills ? "recovery time" : "outage duration", fmt::format("mean {} {}", format_minutes(od["mean"].get<double>()), ci_min(od["ci95"])));
    o += row("", quantiles_min(od));
  }
  const auto& td = j["time_to_detect_minutes"];
  if (td["n"].get<std::uint64_t>() > 0)
    o += row("time to detect", fmt::format("mean {} {}", format_minutes(td["mean"].get<double>()), ci_min(td["ci95"])));
  const auto& dl = j["data_loss_seconds"];
  const auto& pl = dl["p_any_loss"];
  o += row("data lost", fmt::format("P(any) {} {};  mean {}, p99 {}, max {}", pct(pl["value"].get<double>(), 2),
                                    ci_pct(pl["ci95"], 2), format_span(dl["mean"].get<double>() / 60),
                                    format_span(dl["p99"].get<double>() / 60), format_span(dl["max"].get<double>() / 60)));
  if (j.contains("slo") && !drills) o += slo_rows(j);
  o += objective_rows(j, drills);
  o += cause_rows(j["causes"]);
  return o;
}

}  // namespace drsim
