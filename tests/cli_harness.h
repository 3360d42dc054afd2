// What the tests that run the drsim program as a user would share: a scratch directory,
// running the binary with its output captured, small scenario and JSON helpers.
// Header-only, for tests/cli_test.cpp and tests/hardening_test.cpp.
#pragma once

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include <nlohmann/json.hpp>
#include <sys/wait.h>
#include <unistd.h>

namespace cli_harness {

inline const std::string kDrsim = DRSIM_BINARY;
inline const std::string kSource = DRSIM_SOURCE_DIR;

struct Result {
  int code = -1;
  std::string out, err;
};

inline std::string slurp(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

// A fresh directory under the system temp dir, removed with everything in it.
struct TempDir {
  std::filesystem::path path;
  explicit TempDir(const std::string& tag = "cli") {
    path = std::filesystem::temp_directory_path() / ("drsim-" + tag + "-" + std::to_string(::getpid()) + "-" + std::to_string(std::rand()));
    std::filesystem::create_directories(path);
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  std::string operator/(const std::string& name) const { return (path / name).string(); }
};

// Runs `sh -c PREFIX drsim ARGS` (ARGS shell-quoted), capturing stdout and stderr.
inline Result run_drsim(const std::string& args, const TempDir& tmp, const std::string& prefix = "") {
  std::string out = tmp / "stdout", err = tmp / "stderr";
  std::string cmd = prefix + kDrsim + " " + args + " >" + out + " 2>" + err;
  int st = std::system(cmd.c_str());
  Result r;
  r.code = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
  r.out = slurp(out);
  r.err = slurp(err);
  return r;
}

// V1 of design.md: one repairable unit, MTTF 1000 h, MTTR 10 h, over 10 years.
inline const char* kV1 = R"({"drsim": 1, "title": "one repairable unit", "horizon": "10y",
  "components": [{"id": "u", "kind": "generic", "failures": [{"id": "hw", "type": "random",
    "ttf": {"dist": "exponential", "mean": "1000h"}, "recovery": {"repair": {"dist": "exponential", "mean": "10h"}}}]}],
  "service": {"requires": "u"}, "objectives": {"slo": {"target": 0.999, "window": "30d"}}})";

inline std::string write(const TempDir& tmp, const std::string& name, const std::string& text) {
  std::ofstream(tmp / name, std::ios::binary) << text;
  return tmp / name;
}

inline nlohmann::json without_timing(const std::string& text) {
  auto j = nlohmann::json::parse(text);
  j.erase("timing");
  return j;
}

}  // namespace cli_harness
