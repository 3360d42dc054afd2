// drsim report RESULTS.json... -o report.html: one self-contained HTML file from the
// results of run, drill and compare, drawn by analysis/report/drsim_report.py.
#include <cerrno>
#include <climits>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fmt/format.h>

#include "sim/atomic_file.h"
#include "sim/cli/cli.h"
#include "sim/cli/report_tool.h"

namespace drsim::cli {
namespace {

namespace fs = std::filesystem;

bool readable_file(const std::string& p) {
  std::error_code ec;
  return fs::is_regular_file(p, ec) && ::access(p.c_str(), R_OK) == 0;
}

std::string program_dir() {
  char buf[PATH_MAX];
  const ssize_t n = ::readlink("/proc/self/exe", buf, sizeof buf - 1);
  if (n <= 0) return "";
  return fs::path(std::string(buf, static_cast<std::size_t>(n))).parent_path().string();
}

std::string python() {
  if (const char* p = std::getenv("DRSIM_PYTHON"); p && *p) return p;
  return DRSIM_PYTHON;
}

struct ChildOutput {
  int status = -1;
  std::string out, err;
};

// Runs argv with `in` on its stdin, collecting stdout and stderr (poll: neither pipe
// can fill up and stall the child).
ChildOutput run_child(const std::vector<std::string>& argv, const std::string& in) {
  int pin[2], pout[2], perr[2];
  if (::pipe(pin) || ::pipe(pout) || ::pipe(perr)) throw std::runtime_error(std::string("pipe: ") + std::strerror(errno));
  const pid_t pid = ::fork();
  if (pid < 0) throw std::runtime_error(std::string("fork: ") + std::strerror(errno));
  if (pid == 0) {
    ::dup2(pin[0], 0);
    ::dup2(pout[1], 1);
    ::dup2(perr[1], 2);
    for (int fd : {pin[0], pin[1], pout[0], pout[1], perr[0], perr[1]}) ::close(fd);
    std::vector<char*> a;
    for (const auto& s : argv) a.push_back(const_cast<char*>(s.c_str()));
    a.push_back(nullptr);
    ::execvp(a[0], a.data());
    const std::string msg = std::string("cannot run ") + argv[0] + ": " + std::strerror(errno) + "\n";
    (void)!::write(2, msg.data(), msg.size());
    ::_exit(127);
  }
  ::close(pin[0]);
  ::close(pout[1]);
  ::close(perr[1]);
  // A child that exits early must not kill us with SIGPIPE while we feed it.
  struct sigaction ign{}, old{};
  ign.sa_handler = SIG_IGN;
  ::sigaction(SIGPIPE, &ign, &old);
  std::size_t sent = 0;
  int fin = pin[1];
  if (in.empty()) ::close(fin), fin = -1;
  else ::fcntl(fin, F_SETFL, O_NONBLOCK);
  ChildOutput r;
  int fo = pout[0], fe = perr[0];
  char buf[65536];
  while (fo >= 0 || fe >= 0) {
    pollfd p[3];
    int n = 0;
    if (fo >= 0) p[n++] = {fo, POLLIN, 0};
    if (fe >= 0) p[n++] = {fe, POLLIN, 0};
    if (fin >= 0) p[n++] = {fin, POLLOUT, 0};
    if (::poll(p, static_cast<nfds_t>(n), -1) < 0) {
      if (errno == EINTR) continue;
      break;
    }
    for (int i = 0; i < n; ++i) {
      if (!p[i].revents) continue;
      if (p[i].fd == fin) {
        const ssize_t w = ::write(fin, in.data() + sent, in.size() - sent);
        if (w > 0) sent += static_cast<std::size_t>(w);
        if (w < 0 && errno != EAGAIN && errno != EINTR) sent = in.size();  // the child stopped reading
        if (sent == in.size()) ::close(fin), fin = -1;
        continue;
      }
      const ssize_t k = ::read(p[i].fd, buf, sizeof buf);
      if (k > 0) {
        (p[i].fd == fo ? r.out : r.err).append(buf, static_cast<std::size_t>(k));
      } else if (k == 0 || (errno != EINTR && errno != EAGAIN)) {
        ::close(p[i].fd);
        (p[i].fd == fo ? fo : fe) = -1;
      }
    }
  }
  if (fin >= 0) ::close(fin);
  while (::waitpid(pid, &r.status, 0) < 0 && errno == EINTR) {
  }
  ::sigaction(SIGPIPE, &old, nullptr);
  return r;
}

std::string trimmed(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
  const std::string prefix = "drsim report: error: ";
  if (s.rfind(prefix, 0) == 0) s = s.substr(prefix.size());
  return s;
}

}  // namespace

std::string report_script() {
  std::vector<std::string> tried;
  if (const char* e = std::getenv("DRSIM_REPORT_SCRIPT"); e && *e) {
    if (readable_file(e)) return e;
    throw CliError(fmt::format("DRSIM_REPORT_SCRIPT={} is not a readable file", e));
  }
  for (const std::string& p : {program_dir().empty() ? std::string() : program_dir() + "/../share/drsim/drsim_report.py",
                               std::string(DRSIM_REPORT_INSTALLED), std::string(DRSIM_REPORT_SOURCE)}) {
    if (p.empty()) continue;
    if (readable_file(p)) return p;
    tried.push_back(p);
  }
  std::string list;
  for (const auto& t : tried) list += (list.empty() ? "" : ", ") + t;
  throw CliError("the report script drsim_report.py is not installed (looked in " + list + "; set DRSIM_REPORT_SCRIPT)");
}

void write_report(const ReportInput& input, const std::string& html, const std::string& png_dir) {
  std::vector<std::string> argv = {python(), report_script(), "--command", invocation()["command_line"].get<std::string>()};
  if (!png_dir.empty()) argv.insert(argv.end(), {"--png", png_dir});
  argv.push_back("--");
  for (const auto& f : input.files) argv.push_back(f);
  if (!input.inline_json.empty()) argv.push_back("-");
  const ChildOutput c = run_child(argv, input.inline_json);
  const int code = WIFEXITED(c.status) ? WEXITSTATUS(c.status) : -1;
  if (code == 127)
    throw CliError(fmt::format("cannot run {} for the report (install python3-matplotlib: scripts/setup.sh; or set DRSIM_PYTHON)", argv[0]));
  if (code == 3)
    throw CliError(trimmed(c.err) + " (install python3-matplotlib: scripts/setup.sh; or set DRSIM_PYTHON to a Python that has it)");
  if (code == 2) throw CliError(trimmed(c.err));
  if (code != 0 || c.out.empty())
    throw std::runtime_error(fmt::format("the report script failed (exit {}): {}", code, trimmed(c.err)));
  write_output(html, c.out);
}

int cmd_report(const std::vector<std::string>& args) {
  po::options_description opts("options");
  opts.add_options()
      ("results", po::value<std::vector<std::string>>()->default_value({}, ""), "results JSON of drsim run --out, drill --json or compare --json")
      ("out,o", po::value<std::string>()->default_value(""), "write the HTML report here (atomically)")
      ("png", po::value<std::string>()->default_value(""), "also write each figure as a PNG into this directory (created if missing)");
  po::positional_options_description pos;
  pos.add("results", -1);
  po::variables_map vm;
  if (!parse("report", args, opts, pos, vm, "RESULTS.json... -o report.html [--png DIR]",
             "Writes one self-contained HTML file (figures inline as SVG, no scripts, nothing\n"
             "fetched when opened; printable) from results drsim wrote: the headline —\n"
             "availability and nines, downtime per year, P(SLO, RTO, RPO breach) with 95 % CIs\n"
             "in words —, the distributions of downtime, outage duration and data lost against\n"
             "the RTO and RPO, downtime by cause, each drill's timeline with its critical path,\n"
             "each comparison's paired differences, and where every number came from. Nothing\n"
             "is simulated again. Sections appear as the inputs allow.\n\n"
             "examples:\n"
             "  drsim run scenarios/designs/two-site-baseline.json --trials 2000 --out baseline.json\n"
             "  drsim drill scenarios/incidents/constant-contact-power.json --point --trials 2000 --json power.json\n"
             "  drsim report baseline.json power.json -o report.html --png figures/\n"))
    return kOk;
  const auto files = vm["results"].as<std::vector<std::string>>();
  const std::string out = vm["out"].as<std::string>();
  const std::string png = vm["png"].as<std::string>();
  if (files.empty()) throw CliError("no results file given (usage: drsim report RESULTS.json... -o report.html)");
  if (out.empty() || out == "-") throw CliError("-o/--out FILE is required: where to write the HTML report");
  for (const auto& f : files)
    if (!readable_file(f)) throw CliError(f + ": no such readable file");
  check_outputs(files, {{"out", out}});
  if (!png.empty()) {
    std::error_code ec;
    if (fs::exists(png, ec) && !fs::is_directory(png, ec)) throw CliError("--png " + png + ": exists and is not a directory");
  }
  write_report({files, ""}, out, png);
  return kOk;
}

}  // namespace drsim::cli
