// Diagnostics: problems found in a scenario file, collected as values and reported
// together. A problem names the file, the JSON pointer of the offending value, what
// is wrong, and a hint. The text of a message is part of drsim's interface: the bad
// scenario corpus in tests/bad/ pins it.
//
// Thread-safety: a Diagnostics object is not shared between threads.
#pragma once

#include <string>
#include <vector>

namespace drsim {

struct Diagnostic {
  enum class Severity { error, warning };
  Severity severity = Severity::error;
  std::string file;     // the scenario file, as the user named it
  std::string pointer;  // RFC 6901 JSON pointer, "" for the whole document
  std::string message;  // what is wrong, one sentence, no trailing period
  std::string hint;     // how to fix it, may be empty
};

class Diagnostics {
 public:
  explicit Diagnostics(std::string file = "") : file_(std::move(file)) {}

  void error(std::string pointer, std::string message, std::string hint = "");
  void warning(std::string pointer, std::string message, std::string hint = "");

  bool has_errors() const;
  std::size_t error_count() const;
  const std::vector<Diagnostic>& items() const { return items_; }
  const std::string& file() const { return file_; }

  // One line per problem, in the order found:
  //   FILE:POINTER: error: MESSAGE (hint: HINT)
  // POINTER is "/" for the document root.
  std::string format() const;

 private:
  std::string file_;
  std::vector<Diagnostic> items_;
};

// Formats one diagnostic as a line (without newline), as Diagnostics::format does.
std::string format_diagnostic(const Diagnostic& d);

// The candidate closest to `word` by edit distance, or "" when none is close enough
// to be a plausible misspelling (distance > max(2, |word|/3)).
std::string nearest(const std::string& word, const std::vector<std::string>& candidates);

}  // namespace drsim
