// Internal to the scenario reader: what is done with the text before and while the
// JSON parser reads it (stages 1 to 3 of models/scenario_parser.cpp).
//   1. check_text: the bytes are text (no NUL or control bytes, valid UTF-8);
//   2. PreScan: a tolerant walk over the text that refuses deep nesting and numbers a
//      double cannot hold before nlohmann sees them (its parser would overflow the
//      stack or throw without a position), and finds duplicate keys (nlohmann keeps the
//      last), each with its JSON pointer;
//   3. report_syntax_error: nlohmann's parse error as "syntax error at line L, column C"
//      with a hint.
// Positions in messages are 1-based lines and columns counted in characters.
//
// Thread-safety: no shared state.
#pragma once

#include <cstddef>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "models/diagnostics.h"

namespace drsim::parser {

// JSON white space.
bool is_space(char c);

// "line L, column C" of byte offset `pos` (columns in characters, not bytes).
std::string where(std::string_view text, std::size_t pos);

// Reports NUL and other control bytes and invalid UTF-8 (the first one, with its
// position). Returns false on a problem.
bool check_text(std::string_view text, Diagnostics& diags);

// A lenient tokenizer that follows the JSON structure well enough to name the pointer
// of what it finds. On malformed input its pointers are best effort; the JSON parser
// reports the syntax error afterwards. Comments (// and /* */) are skipped.
struct PreScan {
  struct Frame {
    bool array = false;
    std::size_t index = 0;
    std::string key;
    bool expect_key = true;
    std::set<std::string> keys;
  };
  std::vector<Frame> frames;
  bool too_deep = false;       // nesting reached max_depth: the scan stopped there
  std::size_t depth_pos = 0;   // the byte offset of the bracket that was too deep
  struct Found {
    std::string pointer, text;
  };
  std::vector<Found> huge_numbers;    // numbers beyond a double's range
  std::vector<Found> duplicate_keys;  // the second and later use of a key in one object

  // Scans `t`, stopping at the first bracket deeper than `max_depth`.
  void run(std::string_view t, std::size_t max_depth);

 private:
  std::string pointer() const;
  // Decodes a JSON string body (between the quotes) well enough for key names.
  static std::string decode(std::string_view s);
};

// Turns nlohmann's parse error into "syntax error at line L, column C: WHAT" and a hint.
void report_syntax_error(std::string_view text, const nlohmann::json::parse_error& e, Diagnostics& diags);

}  // namespace drsim::parser
