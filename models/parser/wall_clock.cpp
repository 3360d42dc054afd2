// Wall-clock times in a scenario ("start", an injection's "at"): ISO-8601 with a UTC
// offset, parsed without the C library's time zone state.
#include <cctype>
#include <cstdint>
#include <cstdlib>

#include "models/parser/checker.h"
#include "models/scenario_parser.h"

namespace drsim {

namespace {

// Days since 1970-01-01 of a civil date (H. Hinnant's algorithm).
std::int64_t days_from_civil(std::int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<std::int64_t>(doe) - 719468;
}

}  // namespace

std::optional<WallClock> parse_wall_clock(std::string_view s) {
  std::size_t i = 0;
  auto digits = [&](int n, int& out) {
    out = 0;
    for (int k = 0; k < n; ++k, ++i) {
      if (i >= s.size() || s[i] < '0' || s[i] > '9') return false;
      out = out * 10 + (s[i] - '0');
    }
    return true;
  };
  auto lit = [&](char c) {
    if (i < s.size() && s[i] == c) {
      ++i;
      return true;
    }
    return false;
  };
  int y, mo, d, h, mi, sec = 0;
  double frac = 0;
  if (!digits(4, y) || !lit('-') || !digits(2, mo) || !lit('-') || !digits(2, d)) return std::nullopt;
  if (!lit('T') && !lit('t')) return std::nullopt;
  if (!digits(2, h) || !lit(':') || !digits(2, mi)) return std::nullopt;
  if (lit(':')) {
    if (!digits(2, sec)) return std::nullopt;
    if (lit('.') || lit(',')) {
      std::size_t b = i;
      while (i < s.size() && s[i] >= '0' && s[i] <= '9') ++i;
      if (i == b) return std::nullopt;
      frac = std::strtod(("0." + std::string(s.substr(b, i - b))).c_str(), nullptr);
    }
  }
  int offset = 0;
  if (lit('Z') || lit('z')) {
    offset = 0;
  } else if (i < s.size() && (s[i] == '+' || s[i] == '-')) {
    int sign = s[i] == '-' ? -1 : 1;
    ++i;
    int oh, om;
    if (!digits(2, oh)) return std::nullopt;
    lit(':');
    if (!digits(2, om) || oh > 23 || om > 59) return std::nullopt;
    offset = sign * (oh * 60 + om);
  } else {
    return std::nullopt;
  }
  if (i != s.size()) return std::nullopt;
  static const int days_in[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
  if (mo < 1 || mo > 12) return std::nullopt;
  int dim = days_in[mo - 1] + (mo == 2 && leap ? 1 : 0);
  if (d < 1 || d > dim || h > 23 || mi > 59 || sec > 60) return std::nullopt;
  double days = static_cast<double>(days_from_civil(y, static_cast<unsigned>(mo), static_cast<unsigned>(d)));
  WallClock wc;
  wc.epoch_seconds = days * 86400.0 + h * 3600.0 + mi * 60.0 + sec + frac - offset * 60.0;
  wc.utc_offset_minutes = offset;
  return wc;
}

namespace parser {

bool looks_like_wall_clock(const std::string& s) {
  return s.size() >= 10 && std::isdigit(static_cast<unsigned char>(s[0])) && std::isdigit(static_cast<unsigned char>(s[1])) &&
         std::isdigit(static_cast<unsigned char>(s[2])) && std::isdigit(static_cast<unsigned char>(s[3])) && s[4] == '-';
}

const char* const kWallClockHint =
    "ISO-8601 with a UTC offset, like \"2014-04-18T10:32:00-04:00\" or \"2014-04-18T14:32:00Z\"";

std::string wall_clock_hint(const std::string& s) {
  if (parse_wall_clock(s + "Z")) return "add the UTC offset: " + q(s + "-04:00") + " or " + q(s + "Z");
  return kWallClockHint;
}

}  // namespace parser
}  // namespace drsim
