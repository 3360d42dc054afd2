// Shared pieces of the drsim command-line program: exit codes, option parsing with
// errors that teach, scenario loading that reports every problem, and output files
// written atomically.
//
// Exit codes: 0 success, 2 bad input or usage, 1 internal error. Messages go to
// stderr; data to stdout or files.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include <boost/program_options.hpp>

#include "models/scenario.h"

namespace drsim::cli {

inline constexpr int kOk = 0;
inline constexpr int kInternal = 1;
inline constexpr int kBadInput = 2;

// Thrown for bad usage or bad input; main() prints "drsim CMD: error: MSG" and exits 2.
struct CliError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

struct Command {
  const char* name;
  const char* summary;
  int (*run)(const std::vector<std::string>& args);
};
const std::vector<Command>& commands();

namespace po = boost::program_options;

// Parses `args` against `visible` (+ positional `pos`). Prints help and returns false
// for --help; throws CliError for unknown options or bad values.
bool parse(const std::string& cmd, const std::vector<std::string>& args, const po::options_description& visible,
           const po::positional_options_description& pos, po::variables_map& vm, const std::string& usage,
           const std::string& details);

// Loads and validates a scenario, printing every problem to stderr. Throws CliError
// (exit 2) when there is an error; warnings are printed and loading goes on.
Scenario load(const std::string& path, const std::vector<std::string>& variants = {});

// Writes `text` to `path` atomically ("-" = stdout).
void write_output(const std::string& path, const std::string& text);

// "2014-04-18 10:32 -04:00" for a model time, when the scenario has a start; else "+1h30m".
std::string clock_time(const Scenario& sc, double hours);
// "1h30m12s" style for timelines.
std::string hms(double hours);

}  // namespace drsim::cli
