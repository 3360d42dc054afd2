// Diagnostics: problems found in a scenario file, collected as values and reported
// together. A problem names the file, the JSON pointer of the offending value, what
// is wrong, and a hint. The text of a message is part of drsim's interface: the bad
// scenario corpus in tests/bad/ pins it.
//
// Thread-safety: a Diagnostics object is not shared between threads.
#pragma once

#include <string>
#include <utility>
#include <vector>

namespace drsim {

struct Diagnostic {
  enum class Severity { error, warning };
  Severity severity = Severity::error;
  std::string file;     // the scenario file, as the user named it
  std::string pointer;  // RFC 6901 JSON pointer, "" for the whole document
  std::string message;  // what is wrong, one sentence, no trailing period
  std::string hint;     // how to fix it, may be empty
  std::string subject;  // the id of the part the pointer lies in ("dc3/db"), may be empty
};

class Diagnostics {
 public:
  explicit Diagnostics(std::string file = "") : file_(std::move(file)) {}

  void error(std::string pointer, std::string message, std::string hint = "");
  void warning(std::string pointer, std::string message, std::string hint = "");
  // Appends a problem as it is (its file included), e.g. one found by another load.
  void add(Diagnostic d) { items_.push_back(std::move(d)); }

  bool has_errors() const;
  std::size_t error_count() const;
  const std::vector<Diagnostic>& items() const { return items_; }
  const std::string& file() const { return file_; }

  // Names the part of the file each problem lies in: of `parts` (pointer, subject),
  // the longest pointer that is the problem's pointer or a prefix of it ending at a
  // "/". A part's own "id" is not named by itself (the message quotes it), so a
  // problem there takes the enclosing part's subject, if any. Problems before index
  // `from`, and those already naming a subject, are left as they are.
  void name_subjects(const std::vector<std::pair<std::string, std::string>>& parts, std::size_t from = 0);

  // One line per problem, in the order found:
  //   FILE:POINTER (SUBJECT): error: MESSAGE (hint: HINT)
  // POINTER is "/" for the document root; " (SUBJECT)" only when there is one.
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
