// Loading a scenario (see scenario_parser.h): the stages in order, each of which may
// stop the load with diagnostics:
//   1. bytes: size limit, empty file, not text (NUL, control bytes, bad UTF-8);
//   2. a pre-scan of the text that refuses deep nesting and numbers a double cannot
//      hold before nlohmann sees them, and finds duplicate keys (parser/text.h);
//   3. the JSON parse, with syntax errors turned into line and column (parser/text.h);
//   4. "extends", the templates, the variants (what-if overlays) and the caller's edits,
//      applied as patches (parser/stages.h, templates.h);
//   5. validation of every section into a Scenario, then the whole-model checks
//      (cycles, runbook order) and the warnings (unused parts, runbooks)
//      (parser/checker.h, one file per section), each problem reported where it is
//      written (parser/locate.cpp).
// Messages are lowercase, without a trailing period, with user strings in double
// quotes; hints say how to fix the problem. tests/bad/ pins the exact texts.
// docs/architecture.md, "Where the scenario format is read", says which file checks what.
//
// Thread-safety: no shared state; each call works on its own objects.
#include "models/scenario_parser.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstring>

#include <fmt/format.h>

#include "models/parser/checker.h"
#include "models/parser/stages.h"
#include "models/parser/text.h"
#include "models/sha256.h"

namespace drsim {
namespace parser {

namespace {

// "64 MiB", "1.5 KiB", "300 bytes".
std::string human_size(std::uint64_t bytes) {
  const char* units[] = {"bytes", "KiB", "MiB", "GiB", "TiB"};
  double v = static_cast<double>(bytes);
  int u = 0;
  while (v >= 1024 && u < 4) {
    v /= 1024;
    ++u;
  }
  if (u == 0) return fmt::format("{} bytes", bytes);
  if (v == std::floor(v)) return fmt::format("{:.0f} {}", v, units[u]);
  return fmt::format("{:.1f} {}", v, units[u]);
}

std::string too_large(std::uint64_t size, std::size_t limit) {
  return size == 0 ? fmt::format("the file is too large: over the limit of {}", human_size(limit))
                   : fmt::format("the file is too large: {}, over the limit of {}", human_size(size), human_size(limit));
}
const char* const kTooLargeHint = "a scenario is a few kilobytes of JSON; is this the right file?";

const char* const kScenarioShape = "a scenario is a JSON object starting with {\"drsim\": 1, ...}";

// Stages 1 to 3: the text checked, pre-scanned and parsed into a JSON object, or
// nullopt after reporting why not.
std::optional<json> read_document(std::string_view text, Diagnostics& diags, const LoadOptions& opt) {
  if (text.size() > opt.max_bytes) {
    diags.error("", too_large(text.size(), opt.max_bytes), kTooLargeHint);
    return std::nullopt;
  }
  std::string_view body = text;
  if (body.size() >= 3 && body.substr(0, 3) == "\xEF\xBB\xBF") body.remove_prefix(3);  // UTF-8 byte order mark
  if (std::all_of(body.begin(), body.end(), is_space)) {
    diags.error("", "the file is empty", kScenarioShape);
    return std::nullopt;
  }
  if (!check_text(body, diags)) return std::nullopt;

  PreScan scan;
  scan.run(body, opt.max_depth);
  if (scan.too_deep) {
    diags.error("", fmt::format("nesting deeper than {} levels at {}", opt.max_depth, where(body, scan.depth_pos)),
                "a scenario nests a few levels deep; is the file damaged or generated wrongly?");
    return std::nullopt;
  }
  for (const auto& n : scan.huge_numbers)
    diags.error(n.pointer, "number " + n.text + " is out of range", "a number must lie within about ±1.8e308");
  if (!scan.huge_numbers.empty()) return std::nullopt;

  json doc;
  try {
    doc = json::parse(body.begin(), body.end(), nullptr, true, /*ignore_comments=*/true);
  } catch (const json::parse_error& e) {
    report_syntax_error(body, e, diags);
    return std::nullopt;
  } catch (const json::out_of_range& e) {
    diags.error("", "a number is out of range", "a number must lie within about ±1.8e308");
    return std::nullopt;
  }
  for (const auto& k : scan.duplicate_keys)
    diags.error(k.pointer, "duplicate key " + q(k.text), "a key may appear once in an object; JSON would keep only the last");
  if (!doc.is_object()) {
    diags.error("", "expected an object at the top level, got " + type_of(doc), kScenarioShape);
    return std::nullopt;
  }
  return doc;
}

// The caller's edits (drsim sweep's --set, the planner's alternatives), after the variants.
void apply_edits(json& doc, const std::vector<Edit>& edits, Diagnostics& diags, std::vector<Patched>& patched) {
  for (const auto& e : edits) {
  PatchOp op;
  op.kind = e.op == Edit::Op::set ? PatchOp::Kind::set : e.op == Edit::Op::remove ? PatchOp::Kind::remove : PatchOp::Kind::add;
  op.path = e.path;
  op.value = &e.value;
  op.origin = e.origin.empty() ? "edit" : e.origin;
  op.must_exist = e.must_exist;
  std::string changed = apply_op(doc, op, diags);
  if (!changed.empty()) patched.push_back({changed, "", op.origin});
  }
}

}  // namespace

std::optional<Scenario> parse_impl(std::string_view text, Diagnostics& diags, const LoadOptions& opt, const std::string& path,
                                   json* doc_out, std::vector<TemplateOrigin>* origins_out) {
  const std::size_t errors_before = diags.error_count();
  const std::size_t items_before = diags.items().size();
  std::optional<json> parsed = read_document(text, diags, opt);
  if (!parsed) return std::nullopt;
  json& doc = *parsed;
  Extension ext;
  if (doc.contains("extends") && !resolve_extends(doc, path, diags, opt, ext)) return std::nullopt;
  // Templates expand before the variants: a variant, an edit (--set, the planner's
  // alternatives) and a file that extends this one see the scenario as written out.
  std::vector<TemplateOrigin> origins;
  if (!expand_templates(doc, diags, opt.max_bytes, origins)) return std::nullopt;
  if (origins_out) *origins_out = origins;
  if (doc_out) *doc_out = doc;
  std::vector<Patched> patched = apply_variants(doc, opt, diags);
  apply_edits(doc, opt.edits, diags, patched);
  // Validate into a scratch list first, so that a problem in a value a variant wrote
  // can say which variant wrote it.
  Diagnostics found(diags.file());
  Checker checker(found, /*quiet=*/diags.error_count() > errors_before);
  std::vector<ParameterRange> ranges;
  take_ranges(doc, "", ranges, found);
  Scenario sc = checker.run(doc);
  sc.ranges = std::move(ranges);
  const auto parts = named_parts(sc);
  report_where_written(found, Provenance{origins, ext, patched}, parts, diags);
  // Every problem of this file, the duplicate keys and the variants' included, names
  // the part it lies in; the parts are those the checker read, valid ids only.
  diags.name_subjects(parts, items_before);
  return sc;
}

std::optional<std::string> read_scenario_file(const std::string& path, Diagnostics& diags, const LoadOptions& opt) {
  // O_NONBLOCK: opening a FIFO without a writer must not hang; cleared below.
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK);
  if (fd < 0) {
    int e = errno;
    diags.error("", std::string("cannot open: ") + std::strerror(e),
                e == ENOENT ? "check the path" : e == EACCES ? "check the file's permissions" : "check the path and permissions");
    return std::nullopt;
  }
  struct FdCloser {
    int fd;
    ~FdCloser() { ::close(fd); }
  } closer{fd};
  struct stat st {};
  if (::fstat(fd, &st) != 0) {
    diags.error("", std::string("cannot open: ") + std::strerror(errno), "check the path and permissions");
    return std::nullopt;
  }
  if (S_ISDIR(st.st_mode)) {
    diags.error("", std::string("cannot open: ") + std::strerror(EISDIR), "give the path of a scenario file, not a directory");
    return std::nullopt;
  }
  if (S_ISREG(st.st_mode) && static_cast<std::uint64_t>(st.st_size) > opt.max_bytes) {
    diags.error("", too_large(static_cast<std::uint64_t>(st.st_size), opt.max_bytes), kTooLargeHint);
    return std::nullopt;
  }
  ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) & ~O_NONBLOCK);
  // Read at most one byte past the limit: a stream (pipe, device) has no size to check.
  std::string text;
  const std::size_t cap = opt.max_bytes + 1;
  text.reserve(S_ISREG(st.st_mode) ? static_cast<std::size_t>(st.st_size) : 4096);
  char buf[65536];
  while (text.size() < cap) {
    ssize_t n = ::read(fd, buf, std::min(sizeof buf, cap - text.size()));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      diags.error("", std::string("cannot read: ") + std::strerror(errno), "check the file");
      return std::nullopt;
    }
    if (n == 0) break;
    text.append(buf, static_cast<std::size_t>(n));
  }
  if (text.size() > opt.max_bytes) {
    diags.error("", too_large(0, opt.max_bytes), kTooLargeHint);
    return std::nullopt;
  }
  return text;
}

}  // namespace parser

std::optional<Scenario> parse_scenario(std::string_view text, const std::string& file_name, Diagnostics& diags,
                                       const LoadOptions& opt) {
  if (diags.file().empty() && diags.items().empty()) diags = Diagnostics(file_name);
  const std::size_t errors_before = diags.error_count();
  try {
    std::optional<Scenario> sc = parser::parse_impl(text, diags, opt, file_name, opt.expanded);
    if (!sc || diags.error_count() > errors_before) return std::nullopt;
    sc->file = file_name;
    sc->sha256 = sha256_hex(text);
    return sc;
  } catch (const std::exception& e) {
    // A bug in drsim, not in the file: still a diagnostic rather than a crash.
    diags.error("", std::string("internal error while loading the scenario: ") + e.what(), "please report this, with the file");
  } catch (...) {
    diags.error("", "internal error while loading the scenario", "please report this, with the file");
  }
  return std::nullopt;
}

std::optional<Scenario> load_scenario(const std::string& path, Diagnostics& diags, const LoadOptions& opt) {
  if (diags.file().empty() && diags.items().empty()) diags = Diagnostics(path);
  auto text = parser::read_scenario_file(path, diags, opt);
  if (!text) return std::nullopt;
  return parse_scenario(*text, path, diags, opt);
}

}  // namespace drsim
