#include "models/units.h"

#include <cctype>
#include <charconv>
#include <cmath>
#include <string>

#include <fmt/format.h>

namespace drsim {
namespace {

std::string_view trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

// Hours in one unit, or 0 for an unknown unit.
double unit_hours(std::string_view u) {
  if (u == "s" || u == "sec" || u == "secs" || u == "second" || u == "seconds") return 1.0 / 3600;
  if (u == "m" || u == "min" || u == "mins" || u == "minute" || u == "minutes") return 1.0 / 60;
  if (u == "h" || u == "hr" || u == "hrs" || u == "hour" || u == "hours") return 1;
  if (u == "d" || u == "day" || u == "days") return 24;
  if (u == "w" || u == "week" || u == "weeks") return 168;
  if (u == "y" || u == "yr" || u == "year" || u == "years") return kHoursPerYear;
  return 0;
}

// Splits "12.5h" into 12.5 and "h". The number must be a plain non-negative decimal.
std::optional<std::pair<double, std::string_view>> number_unit(std::string_view s) {
  s = trim(s);
  if (s.empty() || s.front() == '-' || s.front() == '+') return std::nullopt;
  double v = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v, std::chars_format::general);
  if (ec == std::errc::result_out_of_range) return std::pair<double, std::string_view>{INFINITY, "h"};
  if (ec != std::errc() || !std::isfinite(v)) return std::nullopt;
  return std::pair<double, std::string_view>{v, trim(std::string_view(end, s.data() + s.size() - end))};
}

}  // namespace

std::optional<double> parse_duration(std::string_view text) {
  auto nu = number_unit(text);
  if (!nu) return std::nullopt;
  double h = unit_hours(nu->second);
  if (h == 0) return std::nullopt;
  return nu->first * h;
}

std::optional<double> parse_rate(std::string_view text) {
  text = trim(text);
  std::string_view num, unit;
  if (auto slash = text.find('/'); slash != std::string_view::npos) {
    num = text.substr(0, slash);
    unit = trim(text.substr(slash + 1));
  } else if (auto per = text.find(" per "); per != std::string_view::npos) {
    num = text.substr(0, per);
    unit = trim(text.substr(per + 5));
  } else {
    return std::nullopt;
  }
  auto nu = number_unit(num);
  if (!nu || !nu->second.empty()) return std::nullopt;
  double h = unit_hours(unit);
  if (h == 0) return std::nullopt;
  return nu->first / h;
}

std::string format_duration(double hours) {
  if (!std::isfinite(hours)) return "forever";
  double a = std::fabs(hours);
  auto g = [](double v, const char* u) {
    std::string s = fmt::format("{:.3g}", v);
    return s + u;
  };
  if (a == 0) return "0s";
  if (a < 1.0 / 60) return g(hours * 3600, "s");
  if (a < 1) return g(hours * 60, "m");
  if (a < 48) return g(hours, "h");
  if (a < kHoursPerYear) return g(hours / 24, "d");
  return g(hours / kHoursPerYear, "y");
}

std::string format_rate(double per_hour) {
  if (per_hour >= 1) return fmt::format("{:.3g}/h", per_hour);
  if (per_hour * 24 >= 1) return fmt::format("{:.3g}/d", per_hour * 24);
  if (per_hour * 168 >= 1) return fmt::format("{:.3g}/w", per_hour * 168);
  return fmt::format("{:.3g}/y", per_hour * kHoursPerYear);
}

}  // namespace drsim
