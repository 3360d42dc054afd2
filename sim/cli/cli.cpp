#include "sim/cli/cli.h"

#include <cmath>
#include <ctime>
#include <iostream>

#include <fmt/format.h>

#include "models/scenario_parser.h"
#include "sim/atomic_file.h"

namespace drsim::cli {

bool parse(const std::string& cmd, const std::vector<std::string>& args, const po::options_description& visible,
           const po::positional_options_description& pos, po::variables_map& vm, const std::string& usage,
           const std::string& details) {
  po::options_description all;
  all.add(visible);
  all.add_options()("help,h", "show this help");
  try {
    po::store(po::command_line_parser(args).options(all).positional(pos).run(), vm);
    if (vm.count("help")) {
      std::cout << "usage: drsim " << cmd << " " << usage << "\n\n" << visible << "\n" << details;
      return false;
    }
    po::notify(vm);
  } catch (const po::error& e) {
    throw CliError(std::string(e.what()) + " (see: drsim " + cmd + " --help)");
  }
  return true;
}

Scenario load(const std::string& path, const std::vector<std::string>& variants) {
  Diagnostics d(path);
  LoadOptions opt;
  opt.variants = variants;
  auto sc = load_scenario(path, d, opt);
  std::cerr << d.format();
  if (!sc) throw CliError(fmt::format("{}: {} error{}; nothing was run", path, d.error_count(), d.error_count() == 1 ? "" : "s"));
  return std::move(*sc);
}

void write_output(const std::string& path, const std::string& text) {
  if (path == "-" || path.empty()) {
    std::cout << text << std::flush;
    return;
  }
  std::string err = write_file_atomically(path, text);
  if (!err.empty()) throw CliError(err);
}

std::string hms(double hours) {
  if (!std::isfinite(hours)) return "never";
  long s = std::lround(hours * 3600);
  bool neg = s < 0;
  s = std::labs(s);
  long d = s / 86400, h = s / 3600 % 24, m = s / 60 % 60, sec = s % 60;
  std::string out = neg ? "-" : "";
  if (d) out += fmt::format("{}d", d);
  if (d || h) out += fmt::format("{}h", h);
  if (d || h || m) out += fmt::format("{:02}m", m);
  out += fmt::format("{:02}s", sec);
  return out;
}

std::string clock_time(const Scenario& sc, double hours) {
  if (!sc.start_epoch) return "+" + hms(hours);
  std::time_t t = static_cast<std::time_t>(*sc.start_epoch + std::llround(hours * 3600) +
                                           sc.start_utc_offset_minutes * 60);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%a %Y-%m-%d %H:%M:%S", &tm);
  int off = sc.start_utc_offset_minutes;
  return fmt::format("{} {}{:02}:{:02}", buf, off < 0 ? '-' : '+', std::abs(off) / 60, std::abs(off) % 60);
}

}  // namespace drsim::cli
