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

std::string format_run_summary(const nlohmann::json& j) {
  std::string o;
  const auto& t = j["timing"];
  o += fmt::format("{} — {} trials of {:.6g} h (seed {}, {} jobs, {:.1f} s)\n", j.value("title", j.value("scenario", "")),
                   j["trials"].get<std::uint64_t>(), j["horizon_hours"].get<double>(), j["seed"].get<std::uint64_t>(),
                   t["jobs"].get<int>(), t["wall_seconds"].get<double>());
  o += "  (95 % confidence intervals in brackets)\n\n";
  const auto& d = j["downtime_minutes"];
  o += row("downtime per trial", fmt::format("mean {} {}", format_minutes(d["mean"].get<double>()), ci_min(d["ci95"])));
  o += row("", quantiles_min(d));
  const auto& g = j["degraded_minutes"];
  if (g["max"].get<double>() > 0)
    o += row("degraded per trial", fmt::format("mean {} {}   p90 {}", format_minutes(g["mean"].get<double>()),
                                               ci_min(g["ci95"]), format_minutes(g["p90"].get<double>())));
  const auto& a = j["availability"];
  o += row("availability", fmt::format("{} {}   {} nines [{} – {}]", pct(a["mean"].get<double>(), 4), ci_pct(a["ci95"], 4),
                                       nines_text(a["nines"].get<double>()), nines_text(a["nines_ci95"][0].get<double>()),
                                       nines_text(a["nines_ci95"][1].get<double>())));
  const auto& p = j["p_any_outage"];
  const auto& n = j["outages_per_trial"];
  o += row("outages per trial", fmt::format("{:.3g} [{:.3g} – {:.3g}];  P(any) {} {}", n["mean"].get<double>(),
                                            n["ci95"][0].get<double>(), n["ci95"][1].get<double>(),
                                            pct(p["value"].get<double>(), 1), ci_pct(p["ci95"], 1)));
  const auto& od = j["outage_minutes"];
  if (od["n"].get<std::uint64_t>() > 0) {
    o += row("outage duration", fmt::format("mean {} {}", format_minutes(od["mean"].get<double>()), ci_min(od["ci95"])));
    o += row("", quantiles_min(od));
  }
  const auto& td = j["time_to_detect_minutes"];
  if (td["n"].get<std::uint64_t>() > 0)
    o += row("time to detect", fmt::format("mean {} {}", format_minutes(td["mean"].get<double>()), ci_min(td["ci95"])));
  const auto& dl = j["data_loss_seconds"];
  const auto& pl = dl["p_any_loss"];
  o += row("data lost", fmt::format("P(any) {} {};  mean {:.3g} s, p99 {:.3g} s, max {:.3g} s", pct(pl["value"].get<double>(), 2),
                                    ci_pct(pl["ci95"], 2), dl["mean"].get<double>(), dl["p99"].get<double>(),
                                    dl["max"].get<double>()));
  if (j.contains("slo")) {
    const auto& s = j["slo"];
    double budget = (1 - s["target"].get<double>()) * s["window_hours"].get<double>() * 60;
    o += row(fmt::format("SLO {:.6g} % / {:.4g} d", s["target"].get<double>() * 100, s["window_hours"].get<double>() / 24),
             fmt::format("error budget {} per window", format_minutes(budget)));
    o += row("", fmt::format("P(breach) per window {} {};  per trial {} {}", pct(s["p_breach_window"]["value"].get<double>()),
                             ci_pct(s["p_breach_window"]["ci95"]), pct(s["p_breach_year"]["value"].get<double>(), 1),
                             ci_pct(s["p_breach_year"]["ci95"], 1)));
    const auto& b = s["budget_used"];
    o += row("", fmt::format("budget used per window: mean {} , p90 {} , p99 {}", pct(b["mean"].get<double>(), 1),
                             pct(b["p90"].get<double>(), 1), pct(b["p99"].get<double>(), 1)));
  }
  const auto& causes = j["causes"];
  if (!causes.empty()) {
    o += "\n  downtime by cause (share of mean full downtime)\n";
    int i = 0;
    for (const auto& c : causes) {
      if (++i > 10) {
        o += fmt::format("    … {} more in results.json\n", causes.size() - 10);
        break;
      }
      o += fmt::format("    {:>2}. {:<36} {:>7} {}   {}/trial\n", i, c["cause"].get<std::string>(),
                       pct(c["downtime_share"].get<double>(), 1), ci_pct(c["ci95"], 1),
                       format_minutes(c["mean_minutes"].get<double>()));
    }
  }
  return o;
}

}  // namespace drsim
