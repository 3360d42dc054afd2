// drsim validate FILE...: load every file, report every problem.
#include <iostream>

#include <fmt/format.h>

#include "models/scenario_parser.h"
#include "sim/cli/cli.h"

namespace drsim::cli {

int cmd_validate(const std::vector<std::string>& args) {
  po::options_description opts("options");
  opts.add_options()("file", po::value<std::vector<std::string>>()->multitoken(), "scenario files (JSON, comments allowed)")(
      "variant", po::value<std::vector<std::string>>()->default_value({}, ""),
      "also apply this variant (what-if overlay) of the file before validating; repeatable")(
      "quiet,q", po::bool_switch(), "print nothing on success")(
      "expanded", po::bool_switch(),
      "print each valid file as validated, on stdout as JSON: \"extends\" resolved and \"templates\" expanded "
      "(the scenario written out by hand; variants not applied)");
  po::positional_options_description pos;
  pos.add("file", -1);
  po::variables_map vm;
  if (!parse("validate", args, opts, pos, vm, "FILE... [--variant NAME]...",
             "Checks each file: JSON syntax, the format, every reference, units, ranges, cycles\n"
             "in dependencies and runbooks. Reports every problem as\n"
             "  FILE:JSON-POINTER: error: WHAT (hint: HOW TO FIX)\n"
             "Every variant declared in a file is validated too (each applied alone).\n"
             "Exit 0 when all files are valid, 2 otherwise.\n\n"
             "examples:\n  drsim validate scenarios/designs/*.json\n"
             "  drsim validate scenarios/designs/three-site.json --expanded > three-site-expanded.json\n"
             "  drsim validate scenarios/incidents/campaign-monitor-licence.json --variant key-per-site\n"))
    return kOk;
  if (!vm.count("file")) throw CliError("no scenario file given (usage: drsim validate FILE...)");
  const auto files = vm["file"].as<std::vector<std::string>>();
  const auto variants = vm["variant"].as<std::vector<std::string>>();
  const bool expanded = vm["expanded"].as<bool>();
  const bool quiet = vm["quiet"].as<bool>() || expanded;
  int bad = 0;
  for (const auto& f : files) {
    Diagnostics d(f);
    LoadOptions lo;
    lo.variants = variants;
    nlohmann::json doc;
    if (expanded) lo.expanded = &doc;
    auto sc = load_scenario(f, d, lo);
    std::size_t errors = d.error_count();
    std::vector<std::string> checked;
    if (sc && variants.empty()) {
      for (const auto& v : sc->variant_names) {
        Diagnostics dv(f);
        LoadOptions lv;
        lv.variants = {v};
        if (!load_scenario(f, dv, lv)) {
          for (const auto& it : dv.items())
            if (it.severity == Diagnostic::Severity::error) {
              Diagnostic c = it;
              c.message = "with variant \"" + v + "\": " + c.message;
              d.add(std::move(c));
            }
          errors = d.error_count();
        } else {
          checked.push_back(v);
        }
      }
    }
    std::cerr << d.format();
    if (errors) {
      ++bad;
    } else if (expanded) {
      std::cout << doc.dump(1) << std::endl;
    } else if (!quiet) {
      std::cout << fmt::format("{}: ok — {} component{}, {} group{}, {} runbook{}, {} injection{}", f, sc->components.size(),
                               sc->components.size() == 1 ? "" : "s", sc->groups.size(), sc->groups.size() == 1 ? "" : "s",
                               sc->runbooks.size(), sc->runbooks.size() == 1 ? "" : "s", sc->injections.size(),
                               sc->injections.size() == 1 ? "" : "s");
      if (!checked.empty()) std::cout << fmt::format(", {} variant{} checked", checked.size(), checked.size() == 1 ? "" : "s");
      std::cout << std::endl;
    }
  }
  return bad ? kBadInput : kOk;
}

}  // namespace drsim::cli
