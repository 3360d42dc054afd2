// drsim describe FILE: the model as a readable tree.
#include <iostream>

#include "models/describe.h"
#include "sim/cli/cli.h"

namespace drsim::cli {

int cmd_describe(const std::vector<std::string>& args) {
  po::options_description opts("options");
  opts.add_options()("file", po::value<std::string>(), "the scenario file")(
      "variant", po::value<std::vector<std::string>>()->default_value({}, ""),
      "apply this what-if variant first; repeatable, applied in order");
  po::positional_options_description pos;
  pos.add("file", 1);
  po::variables_map vm;
  if (!parse("describe", args, opts, pos, vm, "FILE [--variant NAME]...",
             "Prints the validated model: sites with their power chain and components, failure\n"
             "modes with parameters in human units, redundancy groups and failover policies,\n"
             "common causes, recovery runbooks, the service structure, objectives, injections.\n\n"
             "example:\n  drsim describe scenarios/designs/two-site-baseline.json\n"))
    return kOk;
  if (!vm.count("file")) throw CliError("no scenario file given (usage: drsim describe FILE)");
  Scenario sc = load(vm["file"].as<std::string>(), vm["variant"].as<std::vector<std::string>>());
  std::cout << describe_scenario(sc);
  return kOk;
}

}  // namespace drsim::cli
