// Diagnostics: collection and the one formatting function for scenario problems.
#include "models/diagnostics.h"

#include <algorithm>

namespace drsim {

void Diagnostics::error(std::string pointer, std::string message, std::string hint) {
  items_.push_back({Diagnostic::Severity::error, file_, std::move(pointer), std::move(message), std::move(hint), {}});
}

void Diagnostics::warning(std::string pointer, std::string message, std::string hint) {
  items_.push_back({Diagnostic::Severity::warning, file_, std::move(pointer), std::move(message), std::move(hint), {}});
}

bool Diagnostics::has_errors() const { return error_count() > 0; }

std::size_t Diagnostics::error_count() const {
  return static_cast<std::size_t>(std::count_if(items_.begin(), items_.end(), [](const Diagnostic& d) {
    return d.severity == Diagnostic::Severity::error;
  }));
}

std::string format_diagnostic(const Diagnostic& d) {
  std::string line = d.file;
  line += ':';
  line += d.pointer.empty() ? "/" : d.pointer;
  if (!d.subject.empty()) line += " (" + d.subject + ")";
  line += d.severity == Diagnostic::Severity::error ? ": error: " : ": warning: ";
  line += d.message;
  if (!d.hint.empty()) line += " (hint: " + d.hint + ")";
  return line;
}

void Diagnostics::name_subjects(const std::vector<std::pair<std::string, std::string>>& parts, std::size_t from) {
  for (std::size_t i = from; i < items_.size(); ++i) {
    Diagnostic& d = items_[i];
    if (!d.subject.empty()) continue;
    std::size_t best = 0;
    for (const auto& [pointer, subject] : parts) {
      if (pointer.empty() || subject.empty() || pointer.size() <= best) continue;
      bool inside = d.pointer == pointer || (d.pointer.size() > pointer.size() && d.pointer.compare(0, pointer.size(), pointer) == 0 &&
                                             d.pointer[pointer.size()] == '/');
      if (!inside || d.pointer == pointer + "/id") continue;
      best = pointer.size();
      d.subject = subject;
    }
  }
}

std::string Diagnostics::format() const {
  std::string out;
  for (const auto& d : items_) out += format_diagnostic(d) + "\n";
  return out;
}

namespace {
std::size_t edit_distance(const std::string& a, const std::string& b) {
  std::vector<std::size_t> prev(b.size() + 1), cur(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) prev[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    cur[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      std::size_t sub = prev[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1);
      cur[j] = std::min({prev[j] + 1, cur[j - 1] + 1, sub});
    }
    std::swap(prev, cur);
  }
  return prev[b.size()];
}
}  // namespace

std::string nearest(const std::string& word, const std::vector<std::string>& candidates) {
  std::string best;
  std::size_t best_d = std::max<std::size_t>(2, word.size() / 3) + 1;
  for (const auto& c : candidates) {
    std::size_t d = edit_distance(word, c);
    if (d < best_d) {
      best_d = d;
      best = c;
    }
  }
  return best;
}

}  // namespace drsim
