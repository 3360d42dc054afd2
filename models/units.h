// Units of the scenario format: durations and rates written the way people say them
// ("90s", "20m", "3h", "14d", "1y"; "1/y", "1e-3/h", "2 per week") and converted to
// drsim's internal units, hours and events per hour. And back, for humans.
//
// 1 y = 8760 h (365 d); 1 w = 168 h. No months: their length is ambiguous.
//
// Thread-safety: pure functions.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace drsim {

inline constexpr double kHoursPerYear = 8760.0;

/// Parses "<number><unit>" with unit s, sec, m, min, h, hr, d, w, week, y, yr (an
/// optional space between). Returns hours, or nullopt when the text is not a
/// non-negative duration. Example: parse_duration("90s") == 0.025.
std::optional<double> parse_duration(std::string_view text);

/// Parses "<number>/<unit>" or "<number> per <unit>" (units as for durations).
/// Returns events per hour, or nullopt. Example: parse_rate("2/d") == 1.0 / 12.
std::optional<double> parse_rate(std::string_view text);

/// A duration in hours for humans, in the largest unit that keeps it readable:
/// "45s", "20m", "3.5h", "14d", "20y". Example: format_duration(0.5) == "30m".
std::string format_duration(double hours);

/// A rate per hour for humans: "1/y", "0.1/h", "2.5/d".
std::string format_rate(double per_hour);

}  // namespace drsim
