#include "sim/cli/cli.h"

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <unistd.h>
#include <ctime>
#include <iostream>

#include <fmt/format.h>

#include "models/scenario_parser.h"
#include "sim/atomic_file.h"
#include "sim/runner.h"

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

Scenario load(const std::string& path, const std::vector<std::string>& variants, nlohmann::json* expanded) {
  Diagnostics d(path);
  LoadOptions opt;
  opt.variants = variants;
  opt.expanded = expanded;
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
  if (!err.empty()) throw SaveError(err);
}

std::uint64_t count_arg(const std::string& option, const std::string& text, std::uint64_t lo, std::uint64_t hi,
                        const std::string& why) {
  auto fail = [&](const std::string& what) -> CliError {
    return CliError(fmt::format("--{} {}: {}; give a whole number from {} to {}{}", option, text, what, lo, hi,
                                why.empty() ? "" : " (" + why + ")"));
  };
  if (text.empty()) throw fail("no value");
  if (text[0] == '-') throw fail("must not be negative");
  std::uint64_t v = 0;
  bool digits = std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; });
  if (digits) {
    auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
    if (ec == std::errc::result_out_of_range) throw fail("too large");
    if (ec != std::errc() || p != text.data() + text.size()) throw fail("not a number");
  } else {
    // Scientific form of an exact integer: 1e6, 2.5e3.
    const bool sci_chars = std::all_of(text.begin(), text.end(), [](char c) { return (c >= '0' && c <= '9') || c == '.' || c == 'e' || c == 'E' || c == '+'; });
    char* end = nullptr;
    errno = 0;
    long double x = sci_chars ? std::strtold(text.c_str(), &end) : 0;
    if (!sci_chars || end != text.c_str() + text.size() || errno == ERANGE || !std::isfinite(x)) throw fail("not a whole number");
    if (x != std::floor(x)) throw fail("not a whole number");
    if (x > static_cast<long double>(hi)) throw fail("too large");
    v = static_cast<std::uint64_t>(x);
  }
  if (v < lo || v > hi) throw fail(v < lo ? "too small" : "too large");
  return v;
}

double real_arg(const std::string& option, const std::string& text, double lo, double hi, const std::string& why) {
  char* end = nullptr;
  errno = 0;
  double x = text.empty() ? 0 : std::strtod(text.c_str(), &end);
  if (text.empty() || end != text.c_str() + text.size() || errno == ERANGE || !std::isfinite(x) || x < lo || x > hi)
    throw CliError(fmt::format("--{} {}: give a number from {} to {}{}", option, text, lo, hi, why.empty() ? "" : " (" + why + ")"));
  return x;
}

void check_outputs(const std::vector<std::string>& inputs, const std::vector<std::pair<std::string, std::string>>& outputs) {
  namespace fs = std::filesystem;
  std::vector<std::pair<std::string, fs::path>> seen;
  for (const auto& [opt, path] : outputs) {
    if (path.empty() || path == "-") continue;
    std::error_code ec;
    const fs::path p(path);
    if (fs::is_directory(p, ec)) throw CliError(fmt::format("--{} {}: is a directory (hint: name a file in it)", opt, path));
    if (fs::exists(p, ec) && !fs::is_regular_file(p, ec))
      throw CliError(fmt::format("--{} {}: not a regular file (drsim writes a new file and renames it over the old one)", opt, path));
    for (const auto& in : inputs) {
      if (fs::exists(p, ec) && fs::exists(in, ec) && fs::equivalent(p, in, ec))
        throw CliError(fmt::format("--{} {} is the input file {}: drsim would overwrite it; choose another path (nothing was written)", opt, path, in));
    }
    fs::path dir = p.parent_path();
    if (dir.empty()) dir = ".";
    if (!fs::is_directory(dir, ec))
      throw CliError(fmt::format("--{} {}: the directory {} does not exist (nothing was run)", opt, path, dir.string()));
    if (::access(dir.c_str(), W_OK) != 0)
      throw CliError(fmt::format("--{} {}: the directory {} is not writable: {} (nothing was run)", opt, path, dir.string(), std::strerror(errno)));
    const fs::path canon = fs::weakly_canonical(fs::absolute(p, ec), ec);
    for (const auto& [o2, c2] : seen)
      if (c2 == canon) throw CliError(fmt::format("--{} and --{} name the same file {}", o2, opt, path));
    seen.emplace_back(opt, canon);
  }
}

std::string hms(double hours) {
  if (!std::isfinite(hours)) return "never";
  // Beyond what a timeline can mean (and long arithmetic can hold): years.
  if (std::fabs(hours) > kMaxPrintableHours) return fmt::format("{:.3g}y", hours / 8760);
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
  // gmtime and strftime only for dates in years 1..9999; beyond, the offset from the start.
  constexpr double kYear1 = -62135596800.0, kYear10000 = 253402300800.0;  // seconds since 1970
  const double secs = static_cast<double>(*sc.start_epoch) + hours * 3600 + sc.start_utc_offset_minutes * 60.0;
  if (!std::isfinite(hours) || !(secs >= kYear1 && secs < kYear10000)) return "start +" + hms(hours);
  std::time_t t = static_cast<std::time_t>(*sc.start_epoch + std::llround(hours * 3600) +
                                           sc.start_utc_offset_minutes * 60);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%a %Y-%m-%d %H:%M:%S", &tm);
  int off = sc.start_utc_offset_minutes;
  return fmt::format("{} {}{:02}:{:02}", buf, off < 0 ? '-' : '+', std::abs(off) / 60, std::abs(off) % 60);
}

namespace {
std::string g_command_line = "drsim";
}  // namespace

std::vector<std::string> g_argv;

// AddressSanitizer in this build (gcc says __SANITIZE_ADDRESS__, clang __has_feature).
#if defined(__SANITIZE_ADDRESS__)
#define DRSIM_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define DRSIM_ASAN 1
#endif
#endif

void exec_simgrid_helper() {
  std::vector<char> buf(4096);
  const ssize_t n = ::readlink("/proc/self/exe", buf.data(), buf.size() - 1);
  if (n <= 0) throw CliError("--engine simgrid: cannot find this program's own path to start drsim-simgrid beside it");
  std::string self(buf.data(), static_cast<std::size_t>(n));
  const std::string helper = self.substr(0, self.rfind('/') + 1) + "drsim-simgrid";
  if (::access(helper.c_str(), X_OK) != 0)
    throw CliError("--engine simgrid needs " + helper + " (built with SimGrid beside drsim; hint: rebuild with libsimgrid-dev installed, or use --engine fast)");
  std::vector<char*> av;
  for (auto& a : g_argv) av.push_back(a.data());
  av.push_back(nullptr);
#ifdef DRSIM_ASAN
  // Sanitizer builds only: LeakSanitizer's exit-time check stops the world and scans every
  // thread's stack, and SimGrid's actor contexts (stacks of its own) make its tracer crash
  // (SIGSEGV in the tracer, "LeakSanitizer has encountered a fatal error"). AddressSanitizer
  // and UBSan still check everything drsim-simgrid does; only the leak check is off there.
  {
    const char* old = std::getenv("ASAN_OPTIONS");
    std::string opts = old && *old ? std::string(old) + ":detect_leaks=0" : std::string("detect_leaks=0");
    ::setenv("ASAN_OPTIONS", opts.c_str(), 1);
  }
#endif
  std::fflush(stdout);
  std::fflush(stderr);
  ::execv(helper.c_str(), av.data());
  throw CliError("--engine simgrid: cannot start " + helper + ": " + std::strerror(errno));
}

void set_command_line(int argc, char** argv) {
  g_argv.assign(argv, argv + argc);
  std::string s = "drsim";
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    const bool plain = !a.empty() && a.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_=./:,+%@") == std::string::npos;
    if (!plain) {
      std::string q = "'";
      for (char c : a) q += c == '\'' ? std::string("'\\''") : std::string(1, c);
      a = q + "'";
    }
    s += " " + a;
  }
  g_command_line = s;
}

nlohmann::json invocation() {
  const std::time_t now = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&now, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return {{"command_line", g_command_line}, {"finished_at", buf}};
}

}  // namespace drsim::cli
