// The bad-scenario corpus: each tests/bad/NN-name.json is loaded and what
// `drsim validate` would print — Diagnostics::format() with the file named
// tests/bad/NN-name.json — must equal tests/bad/NN-name.expected exactly. Messages are
// part of drsim's interface; a change to one shows here as a diff. After an intended
// change: DRSIM_UPDATE_EXPECTED=1 build/tests/drsim_tests '[bad]', then review git diff.
//
// Two inputs are made at test time instead of being committed: 100,000 nested
// brackets (90-deep-nesting) and a file over the 64 MiB limit (91-too-large, sparse).
// Their .expected files are committed. A last test throws truncated and mutated
// scenarios at the loader: it must never throw, crash or hang.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include <sys/wait.h>
#include <unistd.h>

#include "models/scenario_parser.h"

namespace fs = std::filesystem;

namespace {

const std::string kSource = DRSIM_SOURCE_DIR;

std::string read_file(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

// Names (without extension) of the committed corpus files, in order.
std::vector<std::string> corpus() {
  std::vector<std::string> names;
  for (const auto& e : fs::directory_iterator(kSource + "/tests/bad"))
    if (e.path().extension() == ".json") names.push_back(e.path().stem().string());
  std::sort(names.begin(), names.end());
  return names;
}

// A scratch directory for generated inputs, removed at the end of the test.
struct TempDir {
  fs::path path = fs::temp_directory_path() / ("drsim-bad-" + std::to_string(::getpid()));
  TempDir() { fs::create_directories(path); }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path, ec);
  }
};

}  // namespace

TEST_CASE("every bad scenario is refused with exactly the expected messages", "[bad]") {
  const auto names = corpus();
  REQUIRE(names.size() >= 25);
  for (const auto& name : names) {
    DYNAMIC_SECTION(name) {
      const std::string rel = "tests/bad/" + name + ".json";
      const fs::path expected = kSource + "/tests/bad/" + name + ".expected";
      REQUIRE(fs::exists(expected));
      drsim::Diagnostics d(rel);
      std::optional<drsim::Scenario> sc;
      REQUIRE_NOTHROW(sc = drsim::load_scenario(kSource + "/" + rel, d));
      CHECK_FALSE(sc);
      CHECK(d.has_errors());
      // DRSIM_UPDATE_EXPECTED=1 rewrites the .expected files; review the diff before committing.
      if (std::getenv("DRSIM_UPDATE_EXPECTED")) std::ofstream(expected, std::ios::binary) << d.format();
      CHECK(d.format() == read_file(expected));
    }
  }
}

TEST_CASE("every .expected file has its scenario", "[bad]") {
  const auto names = corpus();
  for (const auto& e : fs::directory_iterator(kSource + "/tests/bad")) {
    if (e.path().extension() != ".expected") continue;
    std::string stem = e.path().stem().string();
    if (stem == "90-deep-nesting" || stem == "91-too-large") continue;  // generated below
    INFO(stem);
    CHECK(std::find(names.begin(), names.end(), stem) != names.end());
  }
}

TEST_CASE("100,000 nested brackets are refused before the JSON parser sees them", "[bad]") {
  TempDir tmp;
  const fs::path file = tmp.path / "deep.json";
  {
    std::ofstream out(file, std::ios::binary);
    out << std::string(100000, '[') << std::string(100000, ']') << "\n";
  }
  drsim::Diagnostics d("tests/bad/90-deep-nesting.json");
  std::optional<drsim::Scenario> sc;
  REQUIRE_NOTHROW(sc = drsim::load_scenario(file.string(), d));
  CHECK_FALSE(sc);
  CHECK(d.format() == read_file(kSource + "/tests/bad/90-deep-nesting.expected"));

  // Objects nest the same way; brackets inside strings and comments do not count.
  drsim::Diagnostics objects("deep.json");
  std::string nested;
  for (int i = 0; i < 100000; ++i) nested += "{\"a\":";
  CHECK_FALSE(drsim::parse_scenario(nested, "deep.json", objects));
  CHECK(objects.format().find("nesting deeper than 256 levels at line 1, column 1281") != std::string::npos);
  drsim::Diagnostics quoted("quoted.json");
  std::string text = "{\"drsim\": 1, \"title\": \"" + std::string(1000, '[') + "\", /* " + std::string(1000, '{') +
                     " */ \"components\": [{\"id\": \"a\"}], \"service\": {\"requires\": \"a\"}}";
  CHECK(drsim::parse_scenario(text, "quoted.json", quoted));
  CHECK(quoted.items().empty());
}

TEST_CASE("a file over the size limit is refused before it is read", "[bad]") {
  TempDir tmp;
  const fs::path file = tmp.path / "big.json";
  { std::ofstream out(file, std::ios::binary); }
  fs::resize_file(file, (64u << 20) + 1024 * 1024);  // sparse: 65 MiB of nothing on disk
  drsim::Diagnostics d("tests/bad/91-too-large.json");
  std::optional<drsim::Scenario> sc;
  REQUIRE_NOTHROW(sc = drsim::load_scenario(file.string(), d));
  CHECK_FALSE(sc);
  CHECK(d.format() == read_file(kSource + "/tests/bad/91-too-large.expected"));

  // The limit is an option, and applies to text in memory too.
  drsim::LoadOptions small;
  small.max_bytes = 10;
  drsim::Diagnostics m("mem.json");
  CHECK_FALSE(drsim::parse_scenario("{\"drsim\": 1, \"title\": \"x\"}", "mem.json", m, small));
  CHECK(m.format() ==
        "mem.json:/: error: the file is too large: 26 bytes, over the limit of 10 bytes (hint: a scenario is a few "
        "kilobytes of JSON; is this the right file?)\n");
}

TEST_CASE("a directory or a missing file is a diagnostic, not a crash", "[bad]") {
  drsim::Diagnostics dir("tests/bad");
  CHECK_FALSE(drsim::load_scenario(kSource + "/tests/bad", dir));
  CHECK(dir.format() ==
        "tests/bad:/: error: cannot open: Is a directory (hint: give the path of a scenario file, not a directory)\n");
  drsim::Diagnostics none("tests/bad/no-such-file.json");
  CHECK_FALSE(drsim::load_scenario(kSource + "/tests/bad/no-such-file.json", none));
  CHECK(none.format() == "tests/bad/no-such-file.json:/: error: cannot open: No such file or directory (hint: check the path)\n");
}

TEST_CASE("truncated and mutated scenarios never throw and always say why they fail", "[bad]") {
  // Seeds: every corpus file. Each is cut at many lengths and has bytes overwritten
  // by a fixed pseudo-random sequence (an LCG: reproducible, no global generator).
  std::uint64_t state = 0x2545F4914F6CDD1DULL;
  auto next = [&state] {
    state = state * 6364136223846793005ULL + 1442695040888963407ULL;
    return static_cast<std::uint32_t>(state >> 33);
  };
  const char specials[] = "{}[]\",:/*\\0123456789-eE.tfn \n\xff";
  int runs = 0;
  for (const auto& name : corpus()) {
    const std::string text = read_file(kSource + "/tests/bad/" + name + ".json");
    if (text.empty()) continue;
    for (std::size_t cut = 0; cut < text.size(); cut += 1 + text.size() / 40) {
      drsim::Diagnostics d("cut.json");
      std::optional<drsim::Scenario> sc;
      REQUIRE_NOTHROW(sc = drsim::parse_scenario(std::string_view(text).substr(0, cut), "cut.json", d));
      if (!sc) CHECK(d.has_errors());
      ++runs;
    }
    for (int m = 0; m < 40; ++m) {
      std::string mutated = text;
      for (int k = 0; k < 3; ++k)
        mutated[next() % mutated.size()] = specials[next() % (sizeof specials - 1)];
      drsim::Diagnostics d("mutated.json");
      std::optional<drsim::Scenario> sc;
      REQUIRE_NOTHROW(sc = drsim::parse_scenario(mutated, "mutated.json", d));
      if (!sc) CHECK(d.has_errors());
      ++runs;
    }
  }
  CHECK(runs > 1000);
}

TEST_CASE("drsim validate prints the same messages and exits with status 2", "[bad][cli]") {
  // Runs the program when it has the validate command; until then, says so and skips.
  const std::string bin = DRSIM_BINARY;
  TempDir tmp;
  const std::string err = (tmp.path / "stderr.txt").string();
  auto run = [&](const std::string& file) {
    std::string cmd = "cd '" + kSource + "' && '" + bin + "' validate " + file + " 2>'" + err + "' >/dev/null";
    int status = std::system(cmd.c_str());
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  };
  if (run("tests/bad/18-version.json") != 2 || read_file(err).find("unsupported format version") == std::string::npos) {
    WARN("drsim validate is not available yet: skipped");
    return;
  }
  for (const char* name : {"01-empty", "03-truncated", "11-unknown-id", "17-multiple-errors", "32-variants"}) {
    INFO(name);
    CHECK(run(std::string("tests/bad/") + name + ".json") == 2);
    CHECK(read_file(err) == read_file(kSource + "/tests/bad/" + name + ".expected"));
  }
}
