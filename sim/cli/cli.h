// Shared pieces of the drsim command-line program: exit codes, option parsing with
// errors that teach, scenario loading that reports every problem, and output files
// written atomically.
//
// Exit codes: 0 success, 2 bad input or usage, 1 internal error. Messages go to
// stderr; data to stdout or files.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <boost/program_options.hpp>
#include <nlohmann/json.hpp>

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
// (exit 2) when there is an error; warnings are printed and loading goes on. With
// `expanded`, also the scenario as written out there (after "extends" and templates).
Scenario load(const std::string& path, const std::vector<std::string>& variants = {}, nlohmann::json* expanded = nullptr);

// Writes `text` to `path` atomically ("-" = stdout). A failure to write (full disk, I/O
// error) throws drsim::SaveError: exit 1, since the path itself was checked beforehand.
void write_output(const std::string& path, const std::string& text);

// Strict numeric option values. A count is digits only, or an exact integer in
// scientific form like 1e6; a sign, a fraction, trailing text or a value outside
// [lo, hi] throws CliError naming the option, the range and `why` (the reason for it).
std::uint64_t count_arg(const std::string& option, const std::string& text, std::uint64_t lo, std::uint64_t hi,
                        const std::string& why = "");
// A finite real in [lo, hi].
double real_arg(const std::string& option, const std::string& text, double lo, double hi, const std::string& why = "");

// Before anything runs: every output (option name, path; "" and "-" skipped) must not
// name an input (same file by device and inode, std::filesystem::equivalent) nor another
// output, must not be a directory, and its directory must exist and be writable.
// Throws CliError (exit 2, nothing written).
void check_outputs(const std::vector<std::string>& inputs, const std::vector<std::pair<std::string, std::string>>& outputs);

// Inclusive bound on model times drsim prints or replays: 10,000 years.
inline constexpr double kMaxPrintableHours = 1e4 * 8760;

// Provenance of this invocation: main() records its arguments; invocation() returns
// {"command_line": "drsim run …" (shell-quoted), "finished_at": "2025-01-31T12:00:00Z"}.
// Outputs keep it under "timing", the part that differs between runs.
void set_command_line(int argc, char** argv);

// The SimGrid engine lives in its own program, drsim-simgrid, beside drsim: the fast
// path (validate, run, analyze...) then loads none of SimGrid and ns-3 (about 20 ms of
// start-up). drsim built with DRSIM_SIMGRID_HELPER replaces itself by drsim-simgrid,
// same arguments, when --engine simgrid is asked for; drsim-simgrid (DRSIM_HAVE_SIMGRID)
// runs it itself.
#if defined(DRSIM_HAVE_SIMGRID) || defined(DRSIM_SIMGRID_HELPER)
#define DRSIM_SIMGRID_AVAILABLE 1
#endif
// Replaces this process by drsim-simgrid (found beside this program) with the arguments
// set_command_line() saw. Returns only by throwing CliError (not there, cannot start).
[[noreturn]] void exec_simgrid_helper();
nlohmann::json invocation();

// "2014-04-18 10:32 -04:00" for a model time, when the scenario has a start; else "+1h30m".
std::string clock_time(const Scenario& sc, double hours);
// "1h30m12s" style for timelines.
std::string hms(double hours);

}  // namespace drsim::cli
