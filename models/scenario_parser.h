// Loading a scenario file: read it, parse the JSON (comments allowed), apply the
// requested what-if variants, and validate everything before a Scenario exists. Every
// problem is collected in a Diagnostics — the file, the JSON pointer, what is wrong
// and a hint — and all of them are reported in one run: validation goes on past an
// error and skips only what depends on the broken part. The text of each message is
// part of drsim's interface and is pinned by the corpus in tests/bad/.
//
// Robustness: any input — empty, binary, truncated, deeply nested, huge numbers,
// oversized, a directory — yields diagnostics, never an exception, a crash or a hang.
//
// Thread-safety: the functions are reentrant; distinct calls share nothing.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "models/diagnostics.h"
#include "models/scenario.h"

namespace drsim {

// One operation of the patch language (docs/scenario-format.md, "Variants") given by a
// program rather than written in the file: drsim sweep's --set, the planner's "never
// fails" and "always failed" alternatives. Paths may name array elements by "id".
struct Edit {
  enum class Op { set, remove, add } op = Op::set;
  std::string path;
  nlohmann::json value;   // for set and add
  std::string origin;     // who asked, for messages: "--set /horizon=2y"
  // set only: the path must already hold a value (a sweep varies what is written; a
  // pointer to nothing is a typo, not a new key).
  bool must_exist = true;
};

struct LoadOptions {
  // Files larger than this many bytes are refused before they are read (default
  // 64 MiB, the documented limit; a scenario is a few kilobytes).
  std::size_t max_bytes = 64u << 20;
  // Names of the file's "variants" (what-if overlays) to apply, in this order, before
  // validation. Default: none, the scenario as written.
  std::vector<std::string> variants;
  // Deepest nesting of arrays and objects accepted (default 256); deeper input is
  // refused before the JSON parser sees it.
  std::size_t max_depth = 256;
  // Applied in order after the variants, before validation. A path that resolves to
  // nothing is an error at the path as given, the message prefixed by the origin; a
  // problem validation finds in a value an edit wrote names the edit's origin in its hint.
  std::vector<Edit> edits;
  // When not null, receives the document as it is validated before the variants and
  // edits: after "extends" and the expansion of "templates" (drsim validate --expanded).
  // Left unchanged when the load stops before (a syntax error, a template problem).
  nlohmann::json* expanded = nullptr;
};

/// Reads, parses and validates the scenario file at `path`.
/// Returns the scenario (Scenario::file = path, Scenario::sha256 = hash of the bytes),
/// or nullopt when there is at least one error. Problems, including warnings on
/// success, are appended to `diags`; if `diags` is empty and names no file, it is
/// replaced by Diagnostics(path) so that every message names the file.
/// Example: Diagnostics d("s.json"); auto sc = load_scenario("s.json", d);
///          if (!sc) std::cerr << d.format();
std::optional<Scenario> load_scenario(const std::string& path, Diagnostics& diags, const LoadOptions& opt = {});

/// As load_scenario, from text already in memory; `file_name` becomes Scenario::file
/// (and the file named by `diags` when it names none). The size limit applies too.
std::optional<Scenario> parse_scenario(std::string_view text, const std::string& file_name, Diagnostics& diags,
                                       const LoadOptions& opt = {});

/// Parses an ISO-8601 wall-clock time with a UTC offset ("2014-04-18T10:32:00-04:00",
/// "...Z"; seconds and fractions optional). Returns the seconds since the Unix epoch and
/// the offset in minutes, or nullopt when the text is not such a time or the offset
/// is missing.
struct WallClock {
  double epoch_seconds = 0;
  int utc_offset_minutes = 0;
};
std::optional<WallClock> parse_wall_clock(std::string_view text);

/// Escapes one reference token for a JSON pointer (RFC 6901: "~" -> "~0", "/" -> "~1").
std::string json_pointer_escape(std::string_view token);

}  // namespace drsim
