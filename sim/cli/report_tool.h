// The HTML report: `drsim report` and the --report shortcut of run, drill and compare.
// The report is drawn by analysis/report/drsim_report.py (matplotlib, as inline SVG) in
// a child process; this side only finds the script and the Python that runs it, hands
// it the results, and writes its HTML atomically. The C++ core knows nothing of plots.
//
// Thread-safety: call from the main thread (it forks).
#pragma once

#include <string>
#include <vector>

namespace drsim::cli {

// Where the script is: $DRSIM_REPORT_SCRIPT, else <dir of the program>/../share/drsim,
// else the install path, else the source tree this drsim was built from. Throws
// CliError naming every place looked at when none holds it.
std::string report_script();

// What to report on: results files (paths) and/or one results JSON text given directly
// (a --report shortcut; it goes to the script's stdin).
struct ReportInput {
  std::vector<std::string> files;
  std::string inline_json;  // "" = none
};

// Renders the report and writes it to `html` atomically; with `png_dir` also each figure
// as PNG there. The script's own complaints about the input (not a drsim results JSON)
// throw CliError (exit 2) with its message, and nothing is written; a missing Python or
// matplotlib throws CliError too, with the package to install. REQUIRES: `html` passed
// check_outputs.
void write_report(const ReportInput& input, const std::string& html, const std::string& png_dir);

}  // namespace drsim::cli
