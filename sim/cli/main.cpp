// drsim: the command-line program. One executable, one subcommand per job.
#include <algorithm>
#include <csignal>
#include <cstring>
#include <iostream>

#include "drsim_version.h"
#include "sim/cli/cli.h"
#include "sim/runner.h"

namespace drsim::cli {
int cmd_validate(const std::vector<std::string>& args);
int cmd_describe(const std::vector<std::string>& args);
int cmd_drill(const std::vector<std::string>& args);
int cmd_run(const std::vector<std::string>& args);
int cmd_compare(const std::vector<std::string>& args);
int cmd_merge(const std::vector<std::string>& args);
int cmd_analyze(const std::vector<std::string>& args);
int cmd_report(const std::vector<std::string>& args);
int cmd_sweep(const std::vector<std::string>& args);
int cmd_importance(const std::vector<std::string>& args);
int cmd_sensitivity(const std::vector<std::string>& args);
int cmd_rare(const std::vector<std::string>& args);

const std::vector<Command>& commands() {
  static const std::vector<Command> list = {
      {"validate", "check scenario files and report every problem", cmd_validate},
      {"describe", "print a scenario as a readable tree", cmd_describe},
      {"drill", "replay a scenario's injections: a timeline like an incident report", cmd_drill},
      {"run", "Monte Carlo: downtime, availability, SLO risk and causes with 95 % CIs", cmd_run},
      {"analyze", "exact availability of a Markovian scenario (CTMC, Eigen)", cmd_analyze},
      {"rare", "rare events of a Markovian scenario: importance sampling with 95 % CIs", cmd_rare},
      {"merge", "combine the shards of a cluster run into one results.json", cmd_merge},
      {"compare", "what a change buys: paired Monte Carlo of variants with common random numbers", cmd_compare},
      {"sweep", "vary parameters over a grid, every point paired with the base (common random numbers)", cmd_sweep},
      {"importance", "what to fix first: Fussell-Vesely, Birnbaum, RAW and RRW of every component, paired", cmd_importance},
      {"sensitivity", "tornado: the paired change in downtime at each parameter's low and high", cmd_sensitivity},
      {"report", "one self-contained HTML report (plots inline) from results of run, drill and compare", cmd_report},
  };
  return list;
}
}  // namespace drsim::cli

namespace {

void top_help() {
  std::cout << "drsim " DRSIM_VERSION " — failover and disaster-recovery drill simulator\n\n"
               "usage: drsim COMMAND [OPTIONS] [FILE...]\n\ncommands:\n";
  for (const auto& c : drsim::cli::commands()) std::cout << "  " << c.name << std::string(std::max<std::size_t>(13, std::strlen(c.name) + 2) - std::strlen(c.name), ' ') << c.summary << "\n";
  std::cout << "\n'drsim COMMAND --help' explains each command's options, with defaults and examples.\n"
               "Exit codes: 0 success, 2 bad input or usage, 1 internal error.\n\n"
               "examples:\n"
               "  drsim validate scenarios/*/*.json\n"
               "  drsim describe scenarios/designs/two-site-baseline.json\n"
               "  drsim drill scenarios/incidents/campaign-monitor-licence.json --point\n"
               "  drsim run scenarios/designs/two-site-baseline.json --trials 2000 --out results.json\n";
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  drsim::cli::set_command_line(argc, argv);
  if (args.empty() || args[0] == "--help" || args[0] == "-h" || args[0] == "help") {
    top_help();
    return args.empty() ? drsim::cli::kBadInput : drsim::cli::kOk;
  }
  if (args[0] == "--version") {
    std::cout << "drsim " DRSIM_VERSION "\n";
    return 0;
  }
  const std::string name = args[0];
  args.erase(args.begin());
  for (const auto& c : drsim::cli::commands()) {
    if (name != c.name) continue;
    try {
      return c.run(args);
    } catch (const drsim::cli::CliError& e) {
      std::cerr << "drsim " << name << ": error: " << e.what() << "\n";
      return drsim::cli::kBadInput;
    } catch (const drsim::SaveError& e) {
      // Could not save what it was asked to save (full disk, I/O error): exit 1.
      std::cerr << "drsim " << name << ": error: " << e.what() << "\n";
      return drsim::cli::kInternal;
    } catch (const std::exception& e) {
      std::cerr << "drsim " << name << ": internal error: " << e.what() << "\n";
      return drsim::cli::kInternal;
    }
  }
  std::cerr << "drsim: unknown command '" << name << "' (see: drsim --help)\n";
  return drsim::cli::kBadInput;
}
