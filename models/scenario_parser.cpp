// Loading and validating scenario files (see scenario_parser.h).
//
// The work runs in stages, each of which may stop the load with diagnostics:
//   1. bytes: size limit, empty file, not text (NUL, control bytes, bad UTF-8);
//   2. a pre-scan of the text that refuses deep nesting and numbers a double cannot
//      hold before nlohmann sees them (its parser would overflow the stack or throw
//      without a position), and that finds duplicate keys (nlohmann keeps the last);
//   3. the JSON parse, with syntax errors turned into line and column;
//   4. the variants (what-if overlays) the caller asked for, applied as patches;
//   5. validation of every section into a Scenario, then the whole-model checks
//      (cycles, runbook order) and the warnings (unused parts, runbooks).
// Messages are lowercase, without a trailing period, with user strings in double
// quotes; hints say how to fix the problem. tests/bad/ pins the exact texts.
//
// Thread-safety: no shared state; each call works on its own objects.
#include "models/scenario_parser.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <map>
#include <queue>
#include <set>
#include <tuple>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "models/distribution.h"
#include "models/sha256.h"
#include "models/templates.h"
#include "models/units.h"

namespace drsim {

using json = nlohmann::json;

std::string json_pointer_escape(std::string_view token) {
  std::string out;
  out.reserve(token.size());
  for (char c : token) {
    if (c == '~') out += "~0";
    else if (c == '/') out += "~1";
    else out += c;
  }
  return out;
}

// Reads a scenario file (size-limited, never blocking on a FIFO); problems into `diags`.
std::optional<std::string> read_scenario_file(const std::string& path, Diagnostics& diags, const LoadOptions& opt);

namespace {

// ---------------------------------------------------------------- small helpers

std::string at(const std::string& base, std::string_view key) { return base + "/" + json_pointer_escape(key); }
std::string at(const std::string& base, std::size_t index) { return base + "/" + std::to_string(index); }

// A user string in a message.
std::string q(std::string_view s) { return "\"" + std::string(s) + "\""; }

std::string join(const std::vector<std::string>& items, const char* sep = ", ") {
  std::string out;
  for (std::size_t i = 0; i < items.size(); ++i) {
    if (i) out += sep;
    out += items[i];
  }
  return out;
}

// The JSON type of a value as messages name it.
std::string type_of(const json& j) {
  switch (j.type()) {
    case json::value_t::null: return "null";
    case json::value_t::boolean: return "boolean";
    case json::value_t::number_integer:
    case json::value_t::number_unsigned:
    case json::value_t::number_float: return "number";
    case json::value_t::string: return "string";
    case json::value_t::array: return "array";
    case json::value_t::object: return "object";
    default: return "binary data";
  }
}

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

// 1-based line and column (in characters, not bytes) of byte offset `pos`.
std::pair<std::size_t, std::size_t> line_col(std::string_view text, std::size_t pos) {
  pos = std::min(pos, text.size());
  std::size_t line = 1, col = 1;
  for (std::size_t i = 0; i < pos; ++i) {
    unsigned char c = static_cast<unsigned char>(text[i]);
    if (c == '\n') {
      ++line;
      col = 1;
    } else if ((c & 0xC0) != 0x80) {
      ++col;  // count lead bytes only: one per character
    }
  }
  return {line, col};
}

std::string where(std::string_view text, std::size_t pos) {
  auto [l, c] = line_col(text, pos);
  return fmt::format("line {}, column {}", l, c);
}

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

// Distributions the format implies rather than spells out: an exponential for an
// event rate, a uniform for health-check detection. Built through parse_distribution
// so that they are exactly what the written form would give.
Distribution exponential_with_rate(double per_hour) {
  Diagnostics scratch;
  auto d = parse_distribution(nlohmann::json{{"dist", "exponential"}, {"rate", fmt::format("{}/h", per_hour)}}, "", scratch);
  return d ? *d : Distribution::fixed(1 / per_hour);
}
Distribution uniform_between(double lo_hours, double hi_hours) {
  Diagnostics scratch;
  auto d = parse_distribution(
      nlohmann::json{{"dist", "uniform"}, {"min", fmt::format("{}h", lo_hours)}, {"max", fmt::format("{}h", hi_hours)}}, "",
      scratch, true);
  return d ? *d : Distribution::fixed((lo_hours + hi_hours) / 2);
}

const char* kScenarioShape = "a scenario is a JSON object starting with {\"drsim\": 1, ...}";

// ---------------------------------------------------------------- stage 1: bytes

// Reports NUL and other control bytes and invalid UTF-8. Returns false on a problem.
bool check_text(std::string_view text, Diagnostics& diags) {
  std::size_t i = 0;
  while (i < text.size()) {
    unsigned char c = static_cast<unsigned char>(text[i]);
    if (c < 0x80) {
      if (c < 0x20 && c != '\t' && c != '\n' && c != '\r') {
        diags.error("", fmt::format("the file is not text: byte 0x{:02x} at {}", c, where(text, i)),
                    "a scenario is a JSON text file (UTF-8) starting with {\"drsim\": 1, ...}");
        return false;
      }
      ++i;
      continue;
    }
    std::size_t len = c >= 0xF0 && c <= 0xF4 ? 4 : c >= 0xE0 ? 3 : c >= 0xC2 && c < 0xE0 ? 2 : 0;
    bool ok = len > 0 && i + len <= text.size();
    for (std::size_t k = 1; ok && k < len; ++k)
      ok = (static_cast<unsigned char>(text[i + k]) & 0xC0) == 0x80;
    if (ok && len == 3) {
      unsigned char c1 = static_cast<unsigned char>(text[i + 1]);
      ok = !(c == 0xE0 && c1 < 0xA0) && !(c == 0xED && c1 >= 0xA0);  // overlong, surrogates
    }
    if (ok && len == 4) {
      unsigned char c1 = static_cast<unsigned char>(text[i + 1]);
      ok = !(c == 0xF0 && c1 < 0x90) && !(c == 0xF4 && c1 >= 0x90);  // overlong, > U+10FFFF
    }
    if (!ok) {
      diags.error("", fmt::format("the file is not UTF-8 text: byte 0x{:02x} at {}", c, where(text, i)),
                  "a scenario is a JSON text file (UTF-8) starting with {\"drsim\": 1, ...}");
      return false;
    }
    i += len;
  }
  return true;
}

// ---------------------------------------------------------------- stage 2: pre-scan

// A lenient tokenizer that follows the JSON structure well enough to name the pointer
// of what it finds. On malformed input its pointers are best effort; the JSON parser
// reports the syntax error afterwards.
struct PreScan {
  struct Frame {
    bool array = false;
    std::size_t index = 0;
    std::string key;
    bool expect_key = true;
    std::set<std::string> keys;
  };
  std::vector<Frame> frames;
  bool too_deep = false;
  std::size_t depth_pos = 0;
  struct Found {
    std::string pointer, text;
  };
  std::vector<Found> huge_numbers;
  std::vector<Found> duplicate_keys;

  std::string pointer() const {
    std::string p;
    for (const auto& f : frames) p += f.array ? "/" + std::to_string(f.index) : "/" + json_pointer_escape(f.key);
    return p;
  }

  // Decodes a JSON string body (between the quotes) well enough for key names.
  static std::string decode(std::string_view s) {
    std::string out;
    for (std::size_t i = 0; i < s.size(); ++i) {
      if (s[i] != '\\' || i + 1 >= s.size()) {
        out += s[i];
        continue;
      }
      char e = s[++i];
      switch (e) {
        case 'n': out += '\n'; break;
        case 't': out += '\t'; break;
        case 'r': out += '\r'; break;
        case 'b': out += '\b'; break;
        case 'f': out += '\f'; break;
        case 'u': {
          unsigned cp = 0;
          if (i + 4 < s.size()) {
            cp = static_cast<unsigned>(std::strtoul(std::string(s.substr(i + 1, 4)).c_str(), nullptr, 16));
            i += 4;
          }
          if (cp < 0x80) {
            out += static_cast<char>(cp);
          } else if (cp < 0x800) {
            out += static_cast<char>(0xC0 | (cp >> 6));
            out += static_cast<char>(0x80 | (cp & 0x3F));
          } else {
            out += static_cast<char>(0xE0 | (cp >> 12));
            out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
            out += static_cast<char>(0x80 | (cp & 0x3F));
          }
          break;
        }
        default: out += e;
      }
    }
    return out;
  }

  void run(std::string_view t, std::size_t max_depth) {
    std::size_t i = 0, n = t.size();
    while (i < n) {
      char c = t[i];
      if (is_space(c)) {
        ++i;
      } else if (c == '/' && i + 1 < n && t[i + 1] == '/') {
        while (i < n && t[i] != '\n') ++i;
      } else if (c == '/' && i + 1 < n && t[i + 1] == '*') {
        std::size_t e = t.find("*/", i + 2);
        i = e == std::string_view::npos ? n : e + 2;
      } else if (c == '"') {
        std::size_t j = i + 1;
        while (j < n && t[j] != '"' && t[j] != '\n') j += t[j] == '\\' ? 2 : 1;
        std::string_view body = t.substr(i + 1, std::min(j, n) - i - 1);
        if (!frames.empty() && !frames.back().array && frames.back().expect_key) {
          Frame& f = frames.back();
          f.key = decode(body);
          f.expect_key = false;
          if (!f.keys.insert(f.key).second) duplicate_keys.push_back({pointer(), f.key});
        }
        i = j + 1;
      } else if (c == '{' || c == '[') {
        if (frames.size() >= max_depth) {
          too_deep = true;
          depth_pos = i;
          return;
        }
        Frame f;
        f.array = c == '[';
        frames.push_back(std::move(f));
        ++i;
      } else if (c == '}' || c == ']') {
        if (!frames.empty()) frames.pop_back();
        ++i;
      } else if (c == ',') {
        if (!frames.empty()) {
          if (frames.back().array) ++frames.back().index;
          else frames.back().expect_key = true;
        }
        ++i;
      } else if (c == '-' || (c >= '0' && c <= '9')) {
        std::size_t j = i;
        while (j < n && (std::isdigit(static_cast<unsigned char>(t[j])) || t[j] == '-' || t[j] == '+' ||
                         t[j] == '.' || t[j] == 'e' || t[j] == 'E'))
          ++j;
        std::string num(t.substr(i, j - i));
        double v = std::strtod(num.c_str(), nullptr);
        if (std::isinf(v)) huge_numbers.push_back({pointer(), num});
        i = j;
      } else {
        ++i;
      }
    }
  }
};

// ---------------------------------------------------------------- stage 3: JSON syntax

// Turns nlohmann's parse error into "syntax error at line L, column C: WHAT" and a hint.
void report_syntax_error(std::string_view text, const json::parse_error& e, Diagnostics& diags) {
  std::string what = e.what();
  std::string context, detail = what;
  if (auto p = what.find("while parsing "); p != std::string::npos) {
    auto dash = what.find(" - ", p);
    if (dash != std::string::npos) {
      context = what.substr(p + 14, dash - p - 14);
      detail = what.substr(dash + 3);
    }
  }
  // detail: MAIN[; expected X][; last read: '...'][; expected X]; what was read may
  // hold anything, so cut it out first.
  std::string head = detail, expected;
  if (auto lr = detail.find("; last read: "); lr != std::string::npos) {
    head = detail.substr(0, lr);
    if (auto e = detail.rfind("; expected "); e != std::string::npos && e > lr) expected = detail.substr(e + 11);
  }
  std::string main = head;
  if (auto e = head.find("; expected "); e != std::string::npos) {
    main = head.substr(0, e);
    expected = head.substr(e + 11);
  }
  auto replace = [](std::string& s, const std::string& from, const std::string& to) {
    for (auto p = s.find(from); p != std::string::npos; p = s.find(from, p + to.size())) s.replace(p, from.size(), to);
  };
  replace(main, "number literal", "number");
  replace(main, "string literal", "string");
  replace(main, "invalid string: missing closing quote", "a string is missing its closing quote");
  if (main == "invalid comment; missing closing '*/'") main = "a /* comment is not closed";
  if (main == "invalid comment; expecting '/' or '*' after '/'") main = "a '/' that does not start a comment";

  std::size_t pos = e.byte == 0 ? 0 : std::min<std::size_t>(e.byte - 1, text.size());
  std::string hint;
  // What came before the error, skipping white space and comments, helps the hint.
  auto prev_char = [&]() -> char {
    std::size_t k = pos;
    while (k > 0) {
      --k;
      if (!is_space(text[k])) return text[k];
    }
    return '\0';
  };
  char here = pos < text.size() ? text[pos] : '\0';
  if (main == "a string is missing its closing quote") {
    hint = "the file ends inside a string; is it cut short?";
  } else if (main == "unexpected end of input") {
    hint = "the file ends before every { and [ is closed; is it cut short?";
  } else if (main == "a /* comment is not closed") {
    hint = "end it with */";
  } else if (main == "a '/' that does not start a comment") {
    hint = "comments are // to the end of the line or /* ... */; elsewhere a '/' belongs inside a string";
  } else if ((main == "unexpected '}'" || main == "unexpected ']'") && prev_char() == ',') {
    hint = fmt::format("remove the comma before '{}': JSON allows no trailing comma", here);
  } else if (expected == "end of input") {
    hint = "the top-level object is already closed here; check the brackets above";
  } else if (main == "invalid literal" && here == '\'') {
    hint = "JSON strings need double quotes";
  } else if (main == "invalid literal" && context == "object key") {
    hint = "keys need double quotes: \"key\": value";
  } else if (main == "invalid literal") {
    hint = "a value is a \"string\", a number, true, false, null, an object or an array";
  } else if (main.rfind("invalid string: control character", 0) == 0) {
    hint = "is a closing quote missing? a string stays on one line; write a line break as \\n";
  } else if (main == "invalid string: forbidden character after backslash") {
    hint = "a backslash starts an escape (\\\" \\\\ \\/ \\n \\t \\uXXXX ...); write \\\\ for a backslash itself";
  } else if (!expected.empty()) {
    if (expected == "string literal") expected = "a string (an object key)";
    else if (expected == "'[', '{', or a literal") expected = "a value";
    hint = "expected " + expected;
  } else {
    hint = "check the JSON syntax here";
  }
  diags.error("", fmt::format("syntax error at {}: {}", where(text, pos), main), hint);
}

// ---------------------------------------------------------------- stage 5: validation

enum NodeKind : unsigned { kComponent = 1, kGroup = 2, kBlock = 4, kCause = 8, kNode = kComponent | kGroup | kBlock };

const char* kind_word(unsigned k) {
  switch (k) {
    case kComponent: return "component";
    case kGroup: return "group";
    case kBlock: return "block";
    default: return "common cause";
  }
}

// "component", "component, group or block", ...
std::string kinds_words(unsigned mask) {
  std::vector<std::string> w;
  for (unsigned k : {kComponent, kGroup, kBlock, kCause})
    if (mask & k) w.push_back(kind_word(k));
  if (w.size() == 1) return w[0];
  std::string last = w.back();
  w.pop_back();
  return join(w) + " or " + last;
}

bool valid_id(const std::string& s) {
  if (s.empty()) return false;
  return std::all_of(s.begin(), s.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.' || c == '/' || c == ':';
  });
}

using MType = FailureMode::Type;
struct ModeTypeInfo {
  const char* name;
  MType type;
  std::vector<std::string> keys;      // besides the keys every mode has
  std::vector<std::string> required;  // besides id and type
};
const std::vector<ModeTypeInfo>& mode_types() {
  static const std::vector<ModeTypeInfo> t = {
      {"random", MType::random, {"ttf", "when"}, {"ttf"}},
      {"latent", MType::latent, {"ttf", "when", "proof_test"}, {"ttf"}},
      {"on_demand", MType::on_demand, {"p"}, {"p"}},
      {"time_bomb", MType::time_bomb, {"fuse", "renewal", "monitoring", "audit"}, {"fuse"}},
      {"external", MType::external, {"rate", "duration"}, {"rate", "duration"}},
      {"change", MType::change, {"rate", "p_bad", "qa"}, {"rate", "p_bad"}},
      {"on_dependency_loss", MType::dependency, {}, {}},
  };
  return t;
}
const std::vector<std::string> kModeCommonKeys = {"id", "type", "recovery", "also_fails", "escalate"};

const char* type_name(MType t) {
  for (const auto& m : mode_types())
    if (m.type == t) return m.name;
  return "random";
}

std::vector<std::string> names_of(const std::vector<ModeTypeInfo>& v) {
  std::vector<std::string> out;
  for (const auto& m : v) out.emplace_back(m.name);
  return out;
}

const std::vector<std::pair<std::string, Injection::Action>> kActions = {
    {"fail", Injection::Action::fail},
    {"expire", Injection::Action::expire},
    {"arm", Injection::Action::arm},
    {"cut_power", Injection::Action::cut_power},
    {"change_config", Injection::Action::change_config},
    {"deploy_bad_change", Injection::Action::deploy_bad_change},
    {"latent", Injection::Action::latent},
};

// Which failure modes an injection action can act on (as the model resolves them).
bool action_fits(Injection::Action a, MType t) {
  switch (a) {
    case Injection::Action::fail: return t != MType::dependency;
    case Injection::Action::expire:
    case Injection::Action::arm: return t == MType::time_bomb;
    case Injection::Action::cut_power:
    case Injection::Action::change_config: return t == MType::external || t == MType::random;
    case Injection::Action::deploy_bad_change: return t == MType::change;
    case Injection::Action::latent: return t == MType::latent || t == MType::on_demand;
  }
  return false;
}
const char* action_fit_words(Injection::Action a) {
  switch (a) {
    case Injection::Action::fail: return "a failure mode of any type but on_dependency_loss";
    case Injection::Action::expire:
    case Injection::Action::arm: return "a time_bomb mode";
    case Injection::Action::cut_power:
    case Injection::Action::change_config: return "an external or random mode";
    case Injection::Action::deploy_bad_change: return "a change mode";
    case Injection::Action::latent: return "a latent or on_demand mode";
  }
  return "";
}

const std::vector<std::pair<std::string, RunbookStep::Kind>> kStepKinds = {
    {"detect", RunbookStep::Kind::detect},   {"respond", RunbookStep::Kind::respond},
    {"diagnose", RunbookStep::Kind::diagnose}, {"vendor", RunbookStep::Kind::vendor},
    {"spares", RunbookStep::Kind::spares},   {"repair", RunbookStep::Kind::repair},
    {"restart", RunbookStep::Kind::restart}, {"verify", RunbookStep::Kind::verify},
    {"failover", RunbookStep::Kind::failover}, {"failback", RunbookStep::Kind::failback},
    {"other", RunbookStep::Kind::other},
};

template <typename T>
std::vector<std::string> keys_of(const std::vector<std::pair<std::string, T>>& table) {
  std::vector<std::string> out;
  for (const auto& kv : table) out.push_back(kv.first);
  return out;
}

template <typename T>
std::optional<T> lookup(const std::vector<std::pair<std::string, T>>& table, const std::string& s) {
  for (const auto& kv : table)
    if (kv.first == s) return kv.second;
  return std::nullopt;
}

// Days since 1970-01-01 of a civil date (H. Hinnant's algorithm).
std::int64_t days_from_civil(std::int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<std::int64_t>(doe) - 719468;
}

bool looks_like_wall_clock(const std::string& s) {
  return s.size() >= 10 && std::isdigit(static_cast<unsigned char>(s[0])) && std::isdigit(static_cast<unsigned char>(s[1])) &&
         std::isdigit(static_cast<unsigned char>(s[2])) && std::isdigit(static_cast<unsigned char>(s[3])) && s[4] == '-';
}

const char* kWallClockHint = "ISO-8601 with a UTC offset, like \"2014-04-18T10:32:00-04:00\" or \"2014-04-18T14:32:00Z\"";

// The hint for a wall-clock time that does not parse: the usual slip is a missing offset.
std::string wall_clock_hint(const std::string& s) {
  if (parse_wall_clock(s + "Z")) return "add the UTC offset: " + q(s + "-04:00") + " or " + q(s + "Z");
  return kWallClockHint;
}

class Checker {
 public:
  // quiet: leave out the warnings (problems found before validation would make them noise).
  Checker(Diagnostics& d, bool quiet) : d_(d), errors_at_start_(d.error_count()), quiet_(quiet) {}

  Scenario run(const json& doc);

 private:
  Diagnostics& d_;
  std::size_t errors_at_start_;
  bool quiet_;
  Scenario sc_;
  const json* doc_ = nullptr;

  struct IdInfo {
    unsigned kind;
    std::size_t index;
    std::string pointer;
  };
  std::map<std::string, IdInfo> ids_;                // components, groups, blocks, common causes
  std::map<std::string, std::string> runbook_ptr_;   // runbook id -> pointer of the first runbook with it
  std::map<std::string, std::string> site_ptr_;
  std::map<std::string, std::string> crew_ptr_;      // crew pool id -> pointer of the first pool with it
  std::map<std::string, std::pair<std::string, std::string>> member_of_;  // node id -> (group id, pointer of the member)
  bool have_sites_ = false;
  bool start_given_ = false;
  std::set<std::string> used_nodes_, used_runbooks_;
  std::set<std::string> bad_mode_ptrs_;  // failure modes whose type is unknown
  std::set<std::string> misspelt_;       // pointers of keys that unknown keys look like
  struct Edge {
    std::string to, pointer;
  };
  std::map<std::string, std::vector<Edge>> edges_;  // dependency graph: node -> what it reads

  bool new_errors() const { return d_.error_count() > errors_at_start_; }
  void err(const std::string& p, std::string m, std::string h) { d_.error(p, std::move(m), std::move(h)); }

  // ----- shapes and keys
  // The hint for a value that should have been a string.
  static std::string string_hint(const json& v) {
    if (v.is_number() || v.is_boolean()) return "write it in double quotes: \"" + v.dump() + "\"";
    return "a string, in double quotes";
  }
  bool want_object(const json& v, const std::string& p, const std::string& hint = "") {
    if (v.is_object()) return true;
    err(p, "expected an object, got " + type_of(v), hint.empty() ? "an object: {\"key\": value, ...}" : hint);
    return false;
  }
  bool want_array(const json& v, const std::string& p, const std::string& hint = "") {
    if (v.is_array()) return true;
    std::string h = hint;
    if (h.empty()) h = v.is_string() ? "write a list: [" + v.dump() + "]" : "a list: [...]";
    err(p, "expected an array, got " + type_of(v), h);
    return false;
  }

  // Reports every key of `obj` that is not in `allowed` ("source" and "note" may appear
  // in any object). `misplaced` may claim a known-elsewhere key and report it itself.
  void check_keys(const json& obj, const std::string& p, std::vector<std::string> allowed,
                  const std::function<bool(const std::string&)>& misplaced = {}) {
    allowed.push_back("source");
    allowed.push_back("note");
    for (auto it = obj.begin(); it != obj.end(); ++it) {
      const std::string& k = it.key();
      if ((k == "source" || k == "note") && !it->is_string()) {
        err(at(p, k), "expected a string, got " + type_of(*it), string_hint(*it));
        continue;
      }
      if (std::find(allowed.begin(), allowed.end(), k) != allowed.end()) continue;
      if (misplaced && misplaced(k)) continue;
      std::string n = nearest(k, allowed);
      err(at(p, k), "unknown key " + q(k), (n.empty() ? "" : "did you mean " + q(n) + "? ") + "allowed keys: " + join(allowed));
      if (!n.empty()) misspelt_.insert(at(p, n));
    }
  }
  // True when an unknown key at `p` was reported as a likely misspelling of `key`:
  // then "missing `key`" would only repeat the same problem.
  bool misspelt(const std::string& p, const char* key) const { return misspelt_.count(at(p, key)) > 0; }
  void missing(const std::string& p, const char* key, const std::string& hint) {
    if (!misspelt(p, key)) err(p, std::string("missing required key ") + q(key), hint);
  }
  // "source" and "note": check_keys has reported one that is not a string.
  static std::optional<std::string> text_at(const json& obj, const char* key) {
    auto it = obj.find(key);
    if (it == obj.end() || !it->is_string()) return std::nullopt;
    return it->get<std::string>();
  }
  static const json* get(const json& obj, const char* key) {
    auto it = obj.find(key);
    return it == obj.end() ? nullptr : &*it;
  }

  // ----- scalar values
  std::optional<std::string> string_at(const json& obj, const std::string& p, const char* key) {
    const json* v = get(obj, key);
    if (!v) return std::nullopt;
    if (!v->is_string()) {
      err(at(p, key), "expected a string, got " + type_of(*v), string_hint(*v));
      return std::nullopt;
    }
    return v->get<std::string>();
  }
  std::optional<bool> bool_at(const json& obj, const std::string& p, const char* key) {
    const json* v = get(obj, key);
    if (!v) return std::nullopt;
    if (!v->is_boolean()) {
      err(at(p, key), "expected a boolean, got " + type_of(*v), "write true or false");
      return std::nullopt;
    }
    return v->get<bool>();
  }
  std::optional<double> number_at(const json& obj, const std::string& p, const char* key) {
    const json* v = get(obj, key);
    if (!v) return std::nullopt;
    if (!v->is_number()) {
      std::string hint = v->is_string() ? "write the number without quotes" : "a number, like 2 or 0.5";
      err(at(p, key), "expected a number, got " + type_of(*v), hint);
      return std::nullopt;
    }
    return v->get<double>();
  }
  // An integer >= min (and at most a billion).
  std::optional<long long> int_at(const json& obj, const std::string& p, const char* key, long long min,
                                  const std::string& meaning) {
    auto d = number_at(obj, p, key);
    if (!d) return std::nullopt;
    const json& v = *get(obj, key);
    if (*d != std::floor(*d)) {
      err(at(p, key), "expected an integer, got " + v.dump(), meaning);
      return std::nullopt;
    }
    if (*d < static_cast<double>(min)) {
      err(at(p, key), fmt::format("{} must be {} or more, got {}", q(key), min, v.dump()), meaning);
      return std::nullopt;
    }
    if (*d > 1e9) {
      err(at(p, key), fmt::format("{} must be at most 1000000000, got {}", q(key), v.dump()), meaning);
      return std::nullopt;
    }
    return static_cast<long long>(*d);
  }
  std::optional<double> probability_at(const json& obj, const std::string& p, const char* key, const std::string& meaning) {
    auto d = number_at(obj, p, key);
    if (!d) return std::nullopt;
    if (*d < 0 || *d > 1) {
      std::string hint = meaning + ", a number from 0 to 1";
      if (*d > 1 && *d <= 100) hint += fmt::format(" ({} for {} %)", *d / 100, *d);
      err(at(p, key), fmt::format("{} must be in [0, 1], got {}", q(key), get(obj, key)->dump()), hint);
      return std::nullopt;
    }
    return d;
  }

  enum class Zero { allowed, refused };

  // What a trial can run: events a trial of the scenario's horizon may take from one
  // periodic clock or one lifetime, and the shortest mean lifetime (issue 12: a
  // microsecond proof test or a 1e-12 s lifetime validated, then never finished).
  static constexpr double kMaxHorizonHours = 1000 * 8760.0;  // 1000 years, as --horizon
  static constexpr double kMaxEventsPerTrial = 1e7;
  static constexpr double kMinLifetimeHours = 1.0 / 3600;    // one second
  static constexpr std::size_t kMaxRunbookSteps = 65536;      // a step is 16 bits of an event's argument
  void check_period(const std::string& p, double every, const char* what) {
    double n = sc_.horizon / every;
    if (n > kMaxEventsPerTrial)
      err(p, fmt::format("{} every {} would fire {:.3g} times in one trial of {}", what, format_hours(every), n,
                         format_hours(sc_.horizon)),
          fmt::format("at most {:.0f} per trial: make it at least {}, or shorten \"horizon\"", kMaxEventsPerTrial,
                      format_hours(sc_.horizon / kMaxEventsPerTrial)));
  }
  static std::string format_hours(double h) {
    if (h >= 8760) return fmt::format("{:.4g} y", h / 8760);
    if (h >= 1) return fmt::format("{:.4g} h", h);
    if (h >= 1.0 / 60) return fmt::format("{:.4g} min", h * 60);
    return fmt::format("{:.4g} s", h * 3600);
  }

  // A duration string in hours. `name` is the key shown in messages.
  std::optional<double> duration(const json& v, const std::string& p, const std::string& name, Zero zero) {
    if (v.is_number()) {
      err(p, "expected a duration, got number", fmt::format("write the unit, e.g. \"{0}m\" or \"{0}h\"", v.dump()));
      return std::nullopt;
    }
    if (!v.is_string()) {
      err(p, "expected a duration, got " + type_of(v), "a duration is a string like \"90s\", \"20m\" or \"3h\"");
      return std::nullopt;
    }
    std::string s = v.get<std::string>();
    std::optional<double> h = parse_duration(s);
    if (!h && !s.empty() && s[0] == '-')
      if (auto pos = parse_duration(std::string_view(s).substr(1))) h = -*pos;
    if (!h) {
      err(p, "invalid duration " + q(s), "a number and a unit (s, m, h, d, w or y), like \"90s\" or \"3h\"");
      return std::nullopt;
    }
    if (!std::isfinite(*h)) {
      err(p, "duration " + q(s) + " is too large", "a duration must be finite, like \"100y\"");
      return std::nullopt;
    }
    if (*h < 0) {
      err(p, q(name) + " must not be negative, got " + q(s),
          zero == Zero::allowed ? "use \"0s\" for no delay" : "write a positive duration, like \"3h\"");
      return std::nullopt;
    }
    if (*h == 0 && zero == Zero::refused) {
      err(p, q(name) + " must be positive, got " + q(s),
          "only delays (detection, switch-over, repair, steps) may be \"0s\"");
      return std::nullopt;
    }
    return h;
  }
  std::optional<double> duration_at(const json& obj, const std::string& p, const char* key, Zero zero) {
    const json* v = get(obj, key);
    if (!v) return std::nullopt;
    return duration(*v, at(p, key), key, zero);
  }

  // A rate string, per hour, > 0.
  std::optional<double> rate(const json& v, const std::string& p, const std::string& name) {
    if (v.is_number()) {
      err(p, "expected a rate, got number", fmt::format("write it per unit of time, e.g. \"{0}/y\" or \"{0}/h\"", v.dump()));
      return std::nullopt;
    }
    if (!v.is_string()) {
      err(p, "expected a rate, got " + type_of(v), "a rate is a string like \"1/y\", \"1e-3/h\" or \"2 per week\"");
      return std::nullopt;
    }
    std::string s = v.get<std::string>();
    std::optional<double> r = parse_rate(s);
    if (!r && !s.empty() && s[0] == '-')
      if (auto pos = parse_rate(std::string_view(s).substr(1))) r = -*pos;
    if (!r) {
      err(p, "invalid rate " + q(s), "a number per unit of time, like \"1/y\", \"1e-3/h\" or \"2 per week\"");
      return std::nullopt;
    }
    if (!std::isfinite(*r)) {
      err(p, "rate " + q(s) + " is too large", "a rate must be finite, like \"10/h\"");
      return std::nullopt;
    }
    if (*r <= 0) {
      err(p, q(name) + " must be positive, got " + q(s), "for something that never happens, remove it");
      return std::nullopt;
    }
    return r;
  }

  std::optional<Distribution> dist(const json& v, const std::string& p, Zero zero) {
    return parse_distribution(v, p, d_, zero == Zero::allowed);
  }
  std::optional<Distribution> dist_at(const json& obj, const std::string& p, const char* key, Zero zero) {
    const json* v = get(obj, key);
    if (!v) return std::nullopt;
    return dist(*v, at(p, key), zero);
  }

  // ----- ids and references
  std::optional<std::string> id_at(const json& obj, const std::string& p, const std::string& example) {
    const json* v = get(obj, "id");
    if (!v) {
      missing(p, "id", "give it an id, like " + q(example));
      return std::nullopt;
    }
    if (!v->is_string()) {
      err(at(p, "id"), "expected a string, got " + type_of(*v), "an id is a string, like " + q(example));
      return std::nullopt;
    }
    std::string s = v->get<std::string>();
    if (!valid_id(s)) {
      err(at(p, "id"), "invalid id " + q(s), "ids use letters, digits and - _ . / :");
      return std::nullopt;
    }
    return s;
  }
  // Reports a second entity with the id of an earlier one (one namespace).
  // Returns false for a duplicate, whose references then make no dependency edges
  // (they would show as cycles through the first holder of the id).
  bool check_unique(const std::string& id, const std::string& p) {
    auto it = ids_.find(id);
    if (it == ids_.end() || it->second.pointer == p) return true;
    err(at(p, "id"), "duplicate id " + q(id),
        fmt::format("already the id of the {} at {}; components, groups, blocks and common causes share one namespace",
                    kind_word(it->second.kind), it->second.pointer));
    return false;
  }

  std::vector<std::string> ids_of(unsigned mask) const {
    std::vector<std::string> out;
    for (const auto& [id, info] : ids_)
      if (info.kind & mask) out.push_back(id);
    return out;
  }

  // A reference to a component, group, block or common cause (by `mask`). `from`, when
  // set, records a dependency edge; `use` marks the target as used.
  std::optional<std::string> ref(const json& v, const std::string& p, unsigned mask, const std::string& from, bool use,
                                 const std::string& kind_hint = "") {
    if (!v.is_string()) {
      err(p, "expected an id (a string), got " + type_of(v), "an id is a string, like \"dc1/lb-a\"");
      return std::nullopt;
    }
    std::string s = v.get<std::string>();
    auto it = ids_.find(s);
    if (it == ids_.end()) {
      std::string n = nearest(s, ids_of(mask));
      err(p, "unknown id " + q(s), n.empty() ? "no " + kinds_words(mask) + " has this id" : "did you mean " + q(n) + "?");
      return std::nullopt;
    }
    if (!(it->second.kind & mask)) {
      err(p, fmt::format("{} is a {}, expected a {}", q(s), kind_word(it->second.kind), kinds_words(mask)),
          kind_hint.empty() ? "only a " + kinds_words(mask) + " fits here" : kind_hint);
      return std::nullopt;
    }
    if (use) used_nodes_.insert(s);
    if (!from.empty()) edges_[from].push_back({s, p});
    return s;
  }
  std::optional<std::string> ref_at(const json& obj, const std::string& p, const char* key, unsigned mask,
                                    const std::string& from, bool use, const std::string& kind_hint = "") {
    const json* v = get(obj, key);
    if (!v) return std::nullopt;
    return ref(*v, at(p, key), mask, from, use, kind_hint);
  }
  std::vector<std::string> ref_list_at(const json& obj, const std::string& p, const char* key, unsigned mask,
                                       const std::string& from, bool use, const std::string& kind_hint = "") {
    std::vector<std::string> out;
    const json* v = get(obj, key);
    if (!v) return out;
    std::string lp = at(p, key);
    if (!want_array(*v, lp)) return out;
    for (std::size_t i = 0; i < v->size(); ++i) {
      auto r = ref((*v)[i], at(lp, i), mask, from, use, kind_hint);
      if (!r) continue;
      if (std::find(out.begin(), out.end(), *r) != out.end()) {
        err(at(lp, i), q(*r) + " is listed twice", "remove the repeat");
        continue;
      }
      out.push_back(*r);
    }
    return out;
  }

  // Kind of a component as written in the file ("" when absent or not a string).
  std::string raw_kind(const std::string& component_id) const {
    auto it = ids_.find(component_id);
    if (it == ids_.end() || it->second.kind != kComponent) return "";
    const json& c = (*doc_)["components"][it->second.index];
    auto k = c.find("kind");
    return k != c.end() && k->is_string() ? k->get<std::string>() : "generic";
  }

  // ----- sections
  void collect_ids(const json& doc);
  void parse_top(const json& doc);
  void parse_sites(const json& v);
  void parse_components(const json& v);
  FailureMode parse_mode(const json& j, const std::string& p, bool common_cause);
  Recovery parse_recovery(const json& j, const std::string& p);
  void parse_replication(const json& j, const std::string& p, Component& c);
  void parse_crews(const json& v);
  std::optional<std::string> crew_ref_at(const json& obj, const std::string& p);
  void resolve_crews();
  void parse_groups(const json& v);
  void parse_failover(const json& j, const std::string& p, FailoverPolicy& f, const std::string& group_id);
  void parse_blocks(const json& v);
  Expr parse_expr(const json& v, const std::string& p, const std::string& from);
  Expr parse_expr_object(const json& obj, const std::string& p, const std::string& from);
  void parse_service(const json& doc);
  void parse_runbooks(const json& v);
  void parse_common_causes(const json& v);
  void parse_objectives(const json& v);
  void parse_site_objectives(const json& ss, const std::string& p);
  void parse_injections(const json& v);
  void check_injection_mode(const std::string& p, const Injection& inj, bool mode_given);
  void check_cycles();
  void warn_unused();
};

void Checker::collect_ids(const json& doc) {
  const std::pair<const char*, unsigned> sections[] = {
      {"components", kComponent}, {"groups", kGroup}, {"blocks", kBlock}, {"common_causes", kCause}};
  for (const auto& [name, kind] : sections) {
    const json* arr = get(doc, name);
    if (!arr || !arr->is_array()) continue;
    for (std::size_t i = 0; i < arr->size(); ++i) {
      const json& e = (*arr)[i];
      if (!e.is_object()) continue;
      const json* id = get(e, "id");
      if (id && id->is_string() && valid_id(id->get<std::string>()))
        ids_.emplace(id->get<std::string>(), IdInfo{kind, i, at(std::string("/") + name, i)});
    }
  }
  if (const json* rbs = get(doc, "runbooks"); rbs && rbs->is_array())
    for (std::size_t i = 0; i < rbs->size(); ++i) {
      const json& e = (*rbs)[i];
      const json* id = e.is_object() ? get(e, "id") : nullptr;
      if (id && id->is_string() && valid_id(id->get<std::string>()))
        runbook_ptr_.emplace(id->get<std::string>(), at("/runbooks", i));
    }
}

Scenario Checker::run(const json& doc) {
  doc_ = &doc;
  collect_ids(doc);
  parse_top(doc);
  if (const json* v = get(doc, "sites")) parse_sites(*v);
  if (const json* v = get(doc, "crews")) parse_crews(*v);
  if (const json* v = get(doc, "components")) parse_components(*v);
  if (const json* v = get(doc, "groups")) parse_groups(*v);
  if (const json* v = get(doc, "blocks")) parse_blocks(*v);
  parse_service(doc);
  if (const json* v = get(doc, "runbooks")) parse_runbooks(*v);
  // Recoveries of components were checked against runbook ids before the runbooks were
  // parsed; that is fine: ids were collected first.
  if (const json* v = get(doc, "common_causes")) parse_common_causes(*v);
  resolve_crews();
  if (const json* v = get(doc, "objectives")) parse_objectives(*v);
  if (const json* v = get(doc, "injections")) parse_injections(*v);
  if (const json* v = get(doc, "expected"); v && want_object(*v, "/expected")) {
    for (auto it = v->begin(); it != v->end(); ++it) {
      if (it->is_string()) sc_.expected[it.key()] = it->get<std::string>();
      else if (it->is_number()) sc_.expected[it.key()] = it->dump();
      else err(at("/expected", it.key()), "expected a number or a string, got " + type_of(*it), "the value a closed form gives, e.g. 9.90099e-3");
    }
  }
  if (const json* v = get(doc, "sources")) want_object(*v, "/sources", "free-form notes: {\"name\": \"where it comes from\"}");
  check_cycles();
  if (!new_errors() && !quiet_) warn_unused();
  return std::move(sc_);
}

void Checker::parse_top(const json& doc) {
  check_keys(doc, "", {"drsim", "title", "description", "start", "horizon", "sites", "components", "groups", "blocks",
                       "service", "runbooks", "common_causes", "crews", "objectives", "injections", "variants",
                       "expected", "sources"});
  const json* ver = get(doc, "drsim");
  if (!ver) {
    missing("", "drsim", "the format version: start the file with {\"drsim\": 1, ...}");
  } else if (!ver->is_number()) {
    err("/drsim", "expected the number 1, got " + type_of(*ver), "write \"drsim\": 1 (a number, without quotes)");
  } else if (ver->get<double>() != 1) {
    err("/drsim", "unsupported format version " + ver->dump(), "this drsim reads version 1");
  }
  if (auto s = string_at(doc, "", "title")) sc_.title = *s;
  if (auto s = string_at(doc, "", "description")) sc_.description = *s;
  if (const json* v = get(doc, "start")) {
    start_given_ = true;
    if (!v->is_string()) {
      err("/start", "expected a wall-clock time (a string), got " + type_of(*v), kWallClockHint);
    } else if (auto wc = parse_wall_clock(v->get<std::string>())) {
      sc_.start_epoch = static_cast<std::int64_t>(std::floor(wc->epoch_seconds));
      sc_.start_utc_offset_minutes = wc->utc_offset_minutes;
    } else {
      err("/start", "invalid wall-clock time " + v->dump(), wall_clock_hint(v->get<std::string>()));
    }
  }
  if (auto h = duration_at(doc, "", "horizon", Zero::refused)) {
    if (*h > kMaxHorizonHours)
      err("/horizon", "\"horizon\" of " + format_hours(*h) + " is longer than drsim runs (at most 1000 y per trial)",
          "run more trials instead of longer ones: a trial-year is a trial-year");
    else sc_.horizon = *h;
  }
  if (const json* v = get(doc, "variants"); v && v->is_object())
    for (auto it = v->begin(); it != v->end(); ++it) sc_.variant_names.push_back(it.key());
}

void Checker::parse_sites(const json& v) {
  if (!want_array(v, "/sites")) return;
  have_sites_ = true;
  for (std::size_t i = 0; i < v.size(); ++i) {
    std::string p = at("/sites", i);
    const json& s = v[i];
    if (!want_object(s, p)) continue;
    check_keys(s, p, {"id", "name", "timezone"});
    Site site;
    if (auto id = id_at(s, p, "dc1")) {
      site.id = *id;
      auto [it, fresh] = site_ptr_.emplace(*id, p);
      if (!fresh) err(at(p, "id"), "duplicate site id " + q(*id), "already the id of the site at " + it->second);
    }
    if (auto n = string_at(s, p, "name")) site.name = *n;
    if (auto t = string_at(s, p, "timezone")) site.timezone = *t;
    sc_.sites.push_back(std::move(site));
  }
}

void Checker::parse_components(const json& v) {
  if (!want_array(v, "/components")) return;
  for (std::size_t i = 0; i < v.size(); ++i) {
    std::string p = at("/components", i);
    const json& j = v[i];
    Component c;
    c.pointer = p;
    if (!want_object(j, p)) {
      sc_.components.push_back(std::move(c));
      continue;
    }
    check_keys(j, p, {"id", "name", "kind", "site", "needs", "failures", "battery_runtime", "replication", "platform", "crew"});
    if (auto crew = crew_ref_at(j, p)) c.crew = *crew;
    std::string from;  // this component as the source of dependency edges
    if (auto id = id_at(j, p, "dc1/lb-a")) {
      c.id = *id;
      if (check_unique(c.id, p)) from = c.id;
    }
    if (auto s = string_at(j, p, "name")) c.name = *s;
    std::string kind_name = "generic";
    bool kind_ok = true;
    if (auto s = string_at(j, p, "kind")) {
      kind_name = *s;
      if (auto k = component_kind_from_string(*s)) {
        c.kind = *k;
      } else {
        kind_ok = false;
        auto kinds = component_kind_names();
        std::string n = nearest(*s, kinds);
        err(at(p, "kind"), "unknown kind " + q(*s), (n.empty() ? "" : "did you mean " + q(n) + "? ") + "kinds: " + join(kinds));
      }
    } else if (get(j, "kind")) {
      kind_ok = false;
    }
    if (auto s = string_at(j, p, "site")) {
      c.site = *s;
      if (have_sites_ && !site_ptr_.count(*s)) {
        std::vector<std::string> sites;
        for (const auto& kv : site_ptr_) sites.push_back(kv.first);
        std::string n = nearest(*s, sites);
        err(at(p, "site"), "unknown site " + q(*s),
            n.empty() ? (sites.empty() ? "\"sites\" lists no sites" : "sites: " + join(sites)) : "did you mean " + q(n) + "?");
      }
    }
    c.needs = ref_list_at(j, p, "needs", kNode, from, true);
    if (const json* f = get(j, "failures"); f && want_array(*f, at(p, "failures"))) {
      std::map<std::string, std::string> seen;
      for (std::size_t m = 0; m < f->size(); ++m) {
        std::string mp = at(at(p, "failures"), m);
        FailureMode fm = parse_mode((*f)[m], mp, false);
        if (!fm.id.empty()) {
          auto [it, fresh] = seen.emplace(fm.id, mp);
          if (!fresh)
            err(at(mp, "id"), "duplicate failure mode id " + q(fm.id),
                "already used at " + it->second + "; failure mode ids are unique within a component");
        }
        c.failures.push_back(std::move(fm));
      }
    }
    if (const json* b = get(j, "battery_runtime")) {
      if (kind_ok && c.kind != ComponentKind::ups)
        err(at(p, "battery_runtime"), "\"battery_runtime\" applies only to kind \"ups\", not " + q(kind_name),
            "remove it, or set \"kind\": \"ups\"");
      else if (auto h = duration(*b, at(p, "battery_runtime"), "battery_runtime", Zero::refused))
        c.battery_runtime = *h;
    }
    if (const json* r = get(j, "replication")) {
      if (kind_ok && c.kind != ComponentKind::storage)
        err(at(p, "replication"), "\"replication\" applies only to kind \"storage\", not " + q(kind_name),
            "remove it, or set \"kind\": \"storage\"");
      else
        parse_replication(*r, at(p, "replication"), c);
    }
    if (const json* pl = get(j, "platform"); pl && want_object(*pl, at(p, "platform"))) {
      std::string pp = at(p, "platform");
      check_keys(*pl, pp, {"bandwidth", "latency", "speed"});
      if (auto x = number_at(*pl, pp, "bandwidth")) {
        if (*x <= 0) err(at(pp, "bandwidth"), fmt::format("\"bandwidth\" must be positive, got {}", (*pl)["bandwidth"].dump()), "MB/s, e.g. 1250 for 10 Gbit/s");
        else c.platform.bandwidth_mb_s = *x;
      }
      if (auto x = number_at(*pl, pp, "latency")) {
        if (*x < 0) err(at(pp, "latency"), fmt::format("\"latency\" must not be negative, got {}", (*pl)["latency"].dump()), "milliseconds, e.g. 2");
        else c.platform.latency_ms = *x;
      }
      if (auto x = number_at(*pl, pp, "speed")) {
        if (*x <= 0) err(at(pp, "speed"), fmt::format("\"speed\" must be positive, got {}", (*pl)["speed"].dump()), "Gflop/s, e.g. 10");
        else c.platform.speed_gflops = *x;
      }
    }
    if (auto s = text_at(j, "source")) c.source = *s;
    sc_.components.push_back(std::move(c));
  }
}

void Checker::parse_replication(const json& j, const std::string& p, Component& c) {
  if (!want_object(j, p, "e.g. {\"to\": \"dc2/storage\", \"mode\": \"async\", \"lag\": \"30s\"}")) return;
  check_keys(j, p, {"to", "mode", "lag", "write_rate"});
  Replication r;
  if (!get(j, "to")) {
    missing(p, "to", "the peer storage array, e.g. \"to\": \"dc2/storage\"");
  } else if (auto to = ref_at(j, p, "to", kComponent, "", true)) {
    if (*to == c.id) err(at(p, "to"), "a storage array cannot replicate to itself", "name the peer array at the other site");
    else if (raw_kind(*to) != "storage")
      err(at(p, "to"), q(*to) + " is not a storage component", "replication goes to a peer array, a component of kind \"storage\"");
    r.to = *to;
  }
  if (auto m = string_at(j, p, "mode")) {
    if (*m == "sync") r.sync = true;
    else if (*m != "async")
      err(at(p, "mode"), "unknown replication mode " + q(*m), "allowed values: sync, async");
  }
  if (const json* lag = get(j, "lag")) {
    if (r.sync) err(at(p, "lag"), "\"lag\" applies only to \"mode\": \"async\"", "sync replication loses no data; remove \"lag\" or use \"async\"");
    else r.lag = dist(*lag, at(p, "lag"), Zero::allowed);
  }
  if (auto w = number_at(j, p, "write_rate")) {
    if (*w <= 0) err(at(p, "write_rate"), fmt::format("\"write_rate\" must be positive, got {}", j["write_rate"].dump()), "MB/s written to the array, e.g. 20");
    else r.write_rate_mb_s = *w;
  }
  if (auto s = text_at(j, "source")) r.source = *s;
  c.replication = std::move(r);
}

FailureMode Checker::parse_mode(const json& j, const std::string& p, bool common_cause) {
  FailureMode fm;
  fm.pointer = p;
  if (!want_object(j, p)) return fm;
  if (auto id = id_at(j, p, "hw")) fm.id = *id;
  const ModeTypeInfo* info = nullptr;
  const json* tv = get(j, "type");
  if (!tv) {
    missing(p, "type", "types: " + join(names_of(mode_types())));
  } else if (!tv->is_string()) {
    err(at(p, "type"), "expected a string, got " + type_of(*tv), "types: " + join(names_of(mode_types())));
  } else {
    std::string t = tv->get<std::string>();
    for (const auto& m : mode_types())
      if (t == m.name) info = &m;
    if (!info) {
      auto names = names_of(mode_types());
      std::string n = nearest(t, names);
      err(at(p, "type"), "unknown failure mode type " + q(t), (n.empty() ? "" : "did you mean " + q(n) + "? ") + "types: " + join(names));
    } else if (common_cause && (info->type == MType::on_demand || info->type == MType::dependency)) {
      err(at(p, "type"), "type " + q(t) + " cannot be a common cause", "a common cause is of type random, latent, time_bomb, external or change");
      info = nullptr;
    }
  }
  if (!info) bad_mode_ptrs_.insert(p);
  else fm.type = info->type;

  // Keys: those every mode has, plus the type's own. With an unknown type, only keys
  // that no type knows are reported.
  std::vector<std::string> allowed = kModeCommonKeys;
  if (info) {
    allowed.insert(allowed.end(), info->keys.begin(), info->keys.end());
  } else {
    for (const auto& m : mode_types()) allowed.insert(allowed.end(), m.keys.begin(), m.keys.end());
  }
  std::vector<std::string> shown = allowed;
  shown.push_back("source");
  shown.push_back("note");
  check_keys(j, p, allowed, [&](const std::string& k) {
    if (!info) return false;
    std::vector<std::string> owners;
    for (const auto& m : mode_types())
      if (std::find(m.keys.begin(), m.keys.end(), k) != m.keys.end()) owners.push_back(m.name);
    if (owners.empty()) return false;
    err(at(p, k), q(k) + " does not apply to type " + q(info->name),
        q(k) + " belongs to type " + join(owners, " and ") + "; keys for " + info->name + ": " + join(shown));
    return true;
  });

  if (info) {
    static const std::map<std::string, std::string> hints = {
        {"ttf", "the time to failure, e.g. {\"dist\": \"exponential\", \"mean\": \"1000h\"}"},
        {"p", "the probability of failing per demand, e.g. 0.01"},
        {"fuse", "the time from installing a wrong key to its expiry, e.g. \"40d\""},
        {"rate", "how often it happens, e.g. \"1/y\""},
        {"duration", "how long it lasts, e.g. {\"dist\": \"lognormal\", \"median\": \"32m\", \"sigma\": 0.9}"},
        {"p_bad", "the share of deployments that are bad, e.g. 0.05"},
    };
    for (const auto& k : info->required)
      if (!get(j, k.c_str())) missing(p, k.c_str(), hints.at(k));
    if (info->type != MType::external && !get(j, "recovery"))
      missing(p, "recovery", "how it is repaired: {\"repair\": \"4h\"} or {\"runbook\": \"...\"}");
  }

  // Values of the type's keys (with an unknown type, of every key present, so that
  // their own problems are reported too). Keys of other types were reported above.
  auto mine = [&](const char* k) {
    return get(j, k) && (!info || std::find(info->keys.begin(), info->keys.end(), k) != info->keys.end());
  };
  if (mine("ttf"))
    if (auto d = dist_at(j, p, "ttf", Zero::refused)) {
      fm.ttf = *d;
      double m = d->mean();
      if (!(m >= kMinLifetimeHours))
        err(at(p, "ttf"), "a mean lifetime of " + (std::isfinite(m) ? format_hours(m) : std::string("0")) + " is shorter than drsim runs",
            "a lifetime's mean must be at least 1 s");
      // A huge spread keeps the mean while putting almost every lifetime at zero:
      // such a trial would never reach its end.
      else if (double md = d->median(); !(md >= kMinLifetimeHours))
        err(at(p, "ttf"), "half of the lifetimes are shorter than 1 s (median " + (md > 0 ? fmt::format("{:.3g} s", md * 3600) : std::string("0")) +
                              "): a trial would never end",
            "the spread is too wide for the mean: give a smaller \"sd\" or \"sigma\", or a Weibull shape of 0.1 or more");
      else check_period(at(p, "ttf"), m, "a failure");
    }
  if (mine("when"))
    if (auto w = string_at(j, p, "when")) {
      if (*w == "always") fm.when = When::always;
      else if (*w == "active") fm.when = When::active;
      else if (*w == "standby") fm.when = When::standby;
      else {
        std::string n = nearest(*w, {"always", "active", "standby"});
        err(at(p, "when"), "unknown value " + q(*w) + " for \"when\"",
            (n.empty() ? "" : "did you mean " + q(n) + "? ") + "allowed values: always, active, standby");
      }
    }
  if (mine("proof_test"))
    if (const json* pt = get(j, "proof_test"); want_object(*pt, at(p, "proof_test"))) {
      std::string pp = at(p, "proof_test");
      check_keys(*pt, pp, {"interval", "offset", "coverage"});
      if (!get(*pt, "interval")) missing(pp, "interval", "the time between proof tests, e.g. \"730h\"");
      if (auto h = duration_at(*pt, pp, "interval", Zero::refused)) {
        fm.proof_interval = *h;
        check_period(at(pp, "interval"), *h, "a proof test");
      }
      if (auto h = duration_at(*pt, pp, "offset", Zero::allowed)) fm.proof_offset = *h;
      if (auto c = probability_at(*pt, pp, "coverage", "the chance a test finds a present fault")) fm.proof_coverage = *c;
    }
  if (mine("p"))
    if (auto x = probability_at(j, p, "p", "the chance of failing per demand")) fm.p = *x;
  if (mine("p_bad"))
    if (auto x = probability_at(j, p, "p_bad", "the share of deployments that are bad")) fm.p = *x;
  if (mine("fuse")) fm.fuse = dist_at(j, p, "fuse", Zero::refused);
  if (mine("renewal"))
    if (const json* r = get(j, "renewal"); want_object(*r, at(p, "renewal"))) {
      std::string rp = at(p, "renewal");
      check_keys(*r, rp, {"every", "p_wrong"});
      if (auto h = duration_at(*r, rp, "every", Zero::refused)) {
        fm.renew_every = *h;
        check_period(at(rp, "every"), *h, "a renewal");
      }
      if (auto x = probability_at(*r, rp, "p_wrong", "the share of renewals that install a wrong key")) fm.p_wrong = *x;
    }
  if (mine("monitoring"))
    if (const json* m = get(j, "monitoring"); want_object(*m, at(p, "monitoring"))) {
      std::string mp = at(p, "monitoring");
      check_keys(*m, mp, {"alert_ahead"});
      if (auto h = duration_at(*m, mp, "alert_ahead", Zero::allowed)) fm.alert_ahead = *h;
    }
  if (mine("audit"))
    if (const json* a = get(j, "audit"); want_object(*a, at(p, "audit"))) {
      std::string ap = at(p, "audit");
      check_keys(*a, ap, {"coverage"});
      if (auto x = probability_at(*a, ap, "coverage", "the chance an audit finds a wrong key")) fm.audit_coverage = *x;
    }
  if (mine("qa"))
    if (const json* a = get(j, "qa"); want_object(*a, at(p, "qa"))) {
      std::string ap = at(p, "qa");
      check_keys(*a, ap, {"coverage"});
      if (auto x = probability_at(*a, ap, "coverage", "the chance QA catches a bad change before it ships")) fm.audit_coverage = *x;
    }
  if (mine("rate"))
    if (const json* r = get(j, "rate"); auto per_hour = rate(*r, at(p, "rate"), "rate")) {
      fm.rate = *per_hour;
      if (info && info->type == MType::external)
        fm.ttf = exponential_with_rate(*per_hour);  // an outside event: a Poisson process
    }
  if (mine("duration")) fm.duration = dist_at(j, p, "duration", Zero::refused);
  fm.also_fails = ref_list_at(j, p, "also_fails", kComponent, "", true, "\"also_fails\" takes component ids");
  if (const json* r = get(j, "recovery")) fm.recovery = parse_recovery(*r, at(p, "recovery"));
  if (const json* e = get(j, "escalate"); e && want_object(*e, at(p, "escalate"))) {
    std::string ep = at(p, "escalate");
    check_keys(*e, ep, {"after", "recovery"});
    if (!get(*e, "after")) missing(ep, "after", "the number of occurrences recovered the usual way, e.g. 2");
    if (auto n = int_at(*e, ep, "after", 1, "the number of occurrences recovered the usual way")) fm.escalate_after = static_cast<int>(*n);
    if (const json* r = get(*e, "recovery")) fm.escalation = parse_recovery(*r, at(ep, "recovery"));
    else missing(ep, "recovery", "how later occurrences are recovered: {\"repair\": \"4h\"} or {\"runbook\": \"...\"}");
  }
  if (auto s = text_at(j, "source")) fm.source = *s;
  return fm;
}

Recovery Checker::parse_recovery(const json& j, const std::string& p) {
  Recovery r;
  if (!want_object(j, p, "{\"repair\": \"4h\"} or {\"runbook\": \"...\"}")) return r;
  check_keys(j, p, {"detect", "repair", "runbook", "crew"});
  bool has_repair = get(j, "repair"), has_runbook = get(j, "runbook");
  if (has_repair && has_runbook)
    err(p, "\"repair\" and \"runbook\" exclude each other", "a recovery is either a repair time or a runbook");
  else if (!has_repair && !has_runbook && !misspelt(p, "repair") && !misspelt(p, "runbook"))
    err(p, "a recovery needs \"repair\" or \"runbook\"", "e.g. {\"repair\": \"4h\"} or {\"runbook\": \"site-restart\"}");
  r.detect = dist_at(j, p, "detect", Zero::allowed);
  r.repair = dist_at(j, p, "repair", Zero::allowed);
  if (auto rb = string_at(j, p, "runbook")) {
    if (!runbook_ptr_.count(*rb)) {
      std::vector<std::string> ids;
      for (const auto& kv : runbook_ptr_) ids.push_back(kv.first);
      std::string n = nearest(*rb, ids);
      err(at(p, "runbook"), "unknown runbook " + q(*rb),
          !n.empty() ? "did you mean " + q(n) + "?" : ids.empty() ? "the file has no \"runbooks\"" : "runbooks: " + join(ids));
    } else {
      r.runbook = *rb;
      used_runbooks_.insert(*rb);
    }
  }
  if (auto c = bool_at(j, p, "crew")) r.uses_crew = *c;
  return r;
}

void Checker::parse_groups(const json& v) {
  if (!want_array(v, "/groups")) return;
  for (std::size_t i = 0; i < v.size(); ++i) {
    std::string p = at("/groups", i);
    const json& j = v[i];
    Group g;
    g.pointer = p;
    if (!want_object(j, p)) {
      sc_.groups.push_back(std::move(g));
      continue;
    }
    check_keys(j, p, {"id", "name", "members", "need", "mode", "standby", "warm_factor", "failover", "repair_crews", "crew", "bridge"});
    std::string from;
    if (auto id = id_at(j, p, "dc1/lbs")) {
      g.id = *id;
      if (check_unique(g.id, p)) from = g.id;
    }
    if (auto s = string_at(j, p, "name")) g.name = *s;
    const json* members = get(j, "members");
    if (!members) missing(p, "members", "the redundant parts, in order of preference: [\"dc1/lb-a\", \"dc1/lb-b\"]");
    else if (members->is_array() && members->empty())
      err(at(p, "members"), "\"members\" is empty", "a group needs at least one member");
    g.members = ref_list_at(j, p, "members", kNode, from, true);
    for (std::size_t k = 0; k < g.members.size(); ++k) {
      std::string mp = at(at(p, "members"), k);
      auto [it, fresh] = member_of_.emplace(g.members[k], std::make_pair(g.id, mp));
      if (!fresh)
        err(mp, q(g.members[k]) + " is already a member of group " + q(it->second.first) + " (at " + it->second.second + ")",
            "a component, group or block can be in one redundancy group only: a second group would give it two "
            "roles and two crews; to make several groups depend on it, list it in their members' \"needs\" instead");
    }
    if (auto k = int_at(j, p, "need", 1, "the number of members that must work (k of n)")) {
      g.need = static_cast<int>(*k);
      if (members && members->is_array() && !members->empty() && *k > static_cast<long long>(members->size()))
        err(at(p, "need"), fmt::format("\"need\" is {} but the group has only {} member{}", *k, members->size(), members->size() == 1 ? "" : "s"),
            fmt::format("k of n: \"need\" can be at most {}", members->size()));
    }
    bool standby_mode = false;
    if (auto m = string_at(j, p, "mode")) {
      if (*m == "active-active") g.mode = Group::Mode::active_active;
      else if (*m == "active-standby") standby_mode = true, g.mode = Group::Mode::active_standby;
      else {
        std::string n = nearest(*m, {"active-active", "active-standby"});
        err(at(p, "mode"), "unknown group mode " + q(*m), (n.empty() ? "" : "did you mean " + q(n) + "? ") + "allowed values: active-active, active-standby");
        standby_mode = true;  // unknown: do not also complain about "standby"
      }
    }
    bool warm = false;
    if (auto s = string_at(j, p, "standby")) {
      if (!standby_mode) {
        err(at(p, "standby"), "\"standby\" applies only to \"mode\": \"active-standby\"", "remove it, or set \"mode\": \"active-standby\"");
      } else if (*s == "hot") g.standby = Group::Standby::hot;
      else if (*s == "warm") warm = true, g.standby = Group::Standby::warm;
      else if (*s == "cold") g.standby = Group::Standby::cold;
      else {
        std::string n = nearest(*s, {"hot", "warm", "cold"});
        err(at(p, "standby"), "unknown standby " + q(*s), (n.empty() ? "" : "did you mean " + q(n) + "? ") + "allowed values: hot, warm, cold");
        warm = true;
      }
    }
    if (get(j, "warm_factor")) {
      if (!warm) {
        err(at(p, "warm_factor"), "\"warm_factor\" applies only to \"standby\": \"warm\"", "remove it, or set \"standby\": \"warm\"");
      } else if (auto x = number_at(j, p, "warm_factor")) {
        if (*x < 0 || *x > 1)
          err(at(p, "warm_factor"), fmt::format("\"warm_factor\" must be in [0, 1], got {}", j["warm_factor"].dump()),
              "the failure-rate multiplier of a warm standby: 0 = as cold, 1 = as hot");
        else g.warm_factor = *x;
      }
    }
    if (const json* f = get(j, "failover")) parse_failover(*f, at(p, "failover"), g.failover, from);
    if (auto n = int_at(j, p, "repair_crews", 0, "0 = one crew per member")) g.repair_crews = static_cast<int>(*n);
    if (auto crew = crew_ref_at(j, p)) {
      g.crew = *crew;
      if (g.repair_crews > 0)
        err(at(p, "crew"), "\"crew\" and \"repair_crews\" both given",
            "\"repair_crews\": k is a private pool of k crews; \"crew\" names a shared pool from \"crews\": keep one");
    }
    if (auto b = ref_at(j, p, "bridge", kComponent, from, true, "\"bridge\" takes a component of kind \"ups\"")) {
      if (raw_kind(*b) != "ups") err(at(p, "bridge"), q(*b) + " is not a ups", "a bridge is a component of kind \"ups\" with \"battery_runtime\"");
      g.bridge = *b;
    }
    if (auto s = text_at(j, "source")) g.source = *s;
    sc_.groups.push_back(std::move(g));
  }
}

void Checker::parse_crews(const json& v) {
  if (!want_array(v, "/crews", "a list of crew pools: [{\"id\": \"site-tech\", \"size\": 1}]")) return;
  for (std::size_t i = 0; i < v.size(); ++i) {
    std::string p = at("/crews", i);
    const json& j = v[i];
    CrewPool c;
    c.pointer = p;
    if (!want_object(j, p)) continue;
    check_keys(j, p, {"id", "name", "size"});
    if (auto id = id_at(j, p, "site-tech")) {
      c.id = *id;
      auto [it, fresh] = crew_ptr_.emplace(c.id, p);
      if (!fresh) err(at(p, "id"), "duplicate crew id " + q(c.id), "already the id of the crew pool at " + it->second);
    }
    if (auto s = string_at(j, p, "name")) c.name = *s;
    if (!get(j, "size")) missing(p, "size", "how many repairs it can work on at once, e.g. 1");
    if (auto n = int_at(j, p, "size", 1, "how many repairs the pool works on at once")) c.size = static_cast<int>(*n);
    if (auto s = text_at(j, "source")) c.source = *s;
    sc_.crews.push_back(std::move(c));
  }
}

std::optional<std::string> Checker::crew_ref_at(const json& obj, const std::string& p) {
  auto s = string_at(obj, p, "crew");
  if (!s) return std::nullopt;
  if (crew_ptr_.count(*s)) return s;
  std::vector<std::string> known;
  for (const auto& [id, ptr] : crew_ptr_) known.push_back(id);
  std::string n = nearest(*s, known);
  err(at(p, "crew"), "unknown crew pool " + q(*s),
      (n.empty() ? "" : "did you mean " + q(n) + "? ") +
          (known.empty() ? std::string("declare it at the top level: \"crews\": [{\"id\": \"") + *s + "\", \"size\": 1}]"
                         : "crew pools: " + join(known)));
  return std::nullopt;
}

// Every pool gets an index: the declared ones in order, then one private pool per group
// with `repair_crews`. A component uses its own `crew`, else its group's pool.
void Checker::resolve_crews() {
  auto index_of = [&](const std::string& id) {
    for (std::size_t i = 0; i < sc_.crews.size(); ++i)
      if (!sc_.crews[i].implicit && sc_.crews[i].id == id) return static_cast<int>(i);
    return -1;
  };
  for (auto& g : sc_.groups) {
    if (!g.crew.empty()) {
      g.crew_pool = index_of(g.crew);
    } else if (g.repair_crews > 0) {
      CrewPool c;
      c.id = g.id;
      c.size = g.repair_crews;
      c.implicit = true;
      c.pointer = at(g.pointer, "repair_crews");
      g.crew_pool = static_cast<int>(sc_.crews.size());
      sc_.crews.push_back(std::move(c));
    }
  }
  for (auto& c : sc_.components) {
    if (!c.crew.empty()) {
      c.crew_pool = index_of(c.crew);
      continue;
    }
    for (const auto& g : sc_.groups)
      if (std::find(g.members.begin(), g.members.end(), c.id) != g.members.end()) c.crew_pool = g.crew_pool;
  }
}

void Checker::parse_failover(const json& j, const std::string& p, FailoverPolicy& f, const std::string& group_id) {
  if (!want_object(j, p)) return;
  check_keys(j, p, {"detection", "switchover", "coverage", "automatic", "manual", "mechanism", "failback"});
  if (const json* d = get(j, "detection")) {
    std::string dp = at(p, "detection");
    if (d->is_object() && d->contains("interval") && !d->contains("dist")) {
      // Health checks every T, k misses to declare a failure: detection is uniform in
      // [(k-1)T, kT] (the failure falls anywhere within a check interval).
      check_keys(*d, dp, {"interval", "threshold"});
      auto t = duration_at(*d, dp, "interval", Zero::refused);
      long long k = 1;
      if (get(*d, "threshold")) {
        auto kk = int_at(*d, dp, "threshold", 1, "the number of failed checks that declare a member down");
        k = kk ? *kk : 0;
      }
      if (t && k > 0) f.detection = uniform_between(static_cast<double>(k - 1) * *t, static_cast<double>(k) * *t);
    } else {
      f.detection = dist(*d, dp, Zero::allowed);
    }
  }
  f.switchover = dist_at(j, p, "switchover", Zero::allowed);
  if (auto c = probability_at(j, p, "coverage", "the chance the automatic failover works when needed")) f.coverage = *c;
  if (auto a = bool_at(j, p, "automatic")) f.automatic = *a;
  f.manual = dist_at(j, p, "manual", Zero::allowed);
  if (auto m = ref_at(j, p, "mechanism", kComponent, group_id, true, "\"mechanism\" takes a component id")) f.mechanism = *m;
  if (auto b = bool_at(j, p, "failback")) f.failback = *b;
  if (auto s = text_at(j, "source")) f.source = *s;
}

void Checker::parse_blocks(const json& v) {
  if (!want_array(v, "/blocks")) return;
  for (std::size_t i = 0; i < v.size(); ++i) {
    std::string p = at("/blocks", i);
    const json& j = v[i];
    Block b;
    b.pointer = p;
    if (!want_object(j, p, "e.g. {\"id\": \"dc1/path\", \"all\": [\"dc1/power\", \"dc1/lbs\"]}")) {
      sc_.blocks.push_back(std::move(b));
      continue;
    }
    check_keys(j, p, {"id", "name", "all", "any", "at_least", "of"});
    std::string from;
    if (auto id = id_at(j, p, "dc1/path")) {
      b.id = *id;
      if (check_unique(b.id, p)) from = b.id;
    }
    if (auto s = string_at(j, p, "name")) b.name = *s;
    b.expr = parse_expr_object(j, p, from);
    sc_.blocks.push_back(std::move(b));
  }
}

const char* kExprHint = "an expression is an id, {\"all\": [...]}, {\"any\": [...]} or {\"at_least\": k, \"of\": [...]}";

Expr Checker::parse_expr(const json& v, const std::string& p, const std::string& from) {
  Expr e;
  e.pointer = p;
  if (v.is_string()) {
    e.op = Expr::Op::ref;
    if (auto r = ref(v, p, kNode, from, true)) e.ref = *r;
    return e;
  }
  if (v.is_object()) {
    check_keys(v, p, {"all", "any", "at_least", "of"});
    return parse_expr_object(v, p, from);
  }
  err(p, "expected an id or an expression, got " + type_of(v),
      v.is_array() ? "for a list, write {\"all\": [...]} or {\"any\": [...]}" : kExprHint);
  return e;
}

// The expression in `obj` (its keys were checked by the caller).
Expr Checker::parse_expr_object(const json& obj, const std::string& p, const std::string& from) {
  Expr e;
  e.pointer = p;
  std::vector<std::string> ops;
  for (const char* k : {"all", "any", "at_least"})
    if (obj.contains(k)) ops.push_back(k);
  if (ops.empty()) {
    if (obj.contains("of")) err(p, "\"of\" needs \"at_least\"", "write {\"at_least\": k, \"of\": [...]}");
    else if (!misspelt(p, "all") && !misspelt(p, "any") && !misspelt(p, "at_least")) err(p, "missing \"all\", \"any\" or \"at_least\"", kExprHint);
    return e;
  }
  if (ops.size() > 1) {
    std::vector<std::string> quoted;
    for (const auto& o : ops) quoted.push_back(q(o));
    err(p, join(quoted, " and ") + " exclude each other", "nest them instead: {\"all\": [..., {\"any\": [...]}]}");
    return e;
  }
  const std::string op = ops[0];
  std::string list_key = op == "at_least" ? "of" : op;
  if (op != "at_least" && obj.contains("of")) err(at(p, "of"), "\"of\" belongs with \"at_least\"", "remove it, or write {\"at_least\": k, \"of\": [...]}");
  e.op = op == "all" ? Expr::Op::all : op == "any" ? Expr::Op::any : Expr::Op::at_least;
  const json* list = get(obj, list_key.c_str());
  std::string lp = at(p, list_key);
  if (!list) {
    missing(p, "of", "the alternatives: {\"at_least\": 2, \"of\": [\"a\", \"b\", \"c\"]}");
  } else if (want_array(*list, lp, op == "at_least" ? "" : "write {\"" + op + "\": [...]}")) {
    if (list->empty()) err(lp, q(list_key) + " is empty", "list at least one id or expression");
    for (std::size_t i = 0; i < list->size(); ++i) e.args.push_back(parse_expr((*list)[i], at(lp, i), from));
  }
  if (op == "at_least") {
    if (auto k = int_at(obj, p, "at_least", 1, "how many of \"of\" must work (k of n)")) {
      e.k = static_cast<int>(*k);
      if (list && list->is_array() && !list->empty() && *k > static_cast<long long>(list->size()))
        err(at(p, "at_least"), fmt::format("\"at_least\" is {} but \"of\" has only {} entr{}", *k, list->size(), list->size() == 1 ? "y" : "ies"),
            fmt::format("k of n: \"at_least\" can be at most {}", list->size()));
    }
  }
  return e;
}

void Checker::parse_service(const json& doc) {
  const char* hint = "say what must work for the service to be up, e.g. \"requires\": \"sites\" or {\"all\": [...]}";
  const json* s = get(doc, "service");
  if (!s) {
    missing("", "service", "say what \"up\" means: \"service\": {\"requires\": \"...\"}");
    return;
  }
  if (!want_object(*s, "/service", "\"service\": {\"requires\": \"...\"}")) return;
  check_keys(*s, "/service", {"name", "requires", "features"});
  if (auto n = string_at(*s, "/service", "name")) sc_.service.name = *n;
  const json* r = get(*s, "requires");
  bool empty_object = r && r->is_object() && !r->contains("all") && !r->contains("any") && !r->contains("at_least") && !r->contains("of");
  if (!r) {
    if (!misspelt("/service", "requires")) err("/service", "the service has no definition: \"requires\" is missing", hint);
  }
  else if ((r->is_string() && r->get<std::string>().empty()) || empty_object || (r->is_array() && r->empty()))
    err("/service/requires", "the service has no definition: \"requires\" is empty", hint);
  else sc_.service.requires_ = parse_expr(*r, "/service/requires", "");
  if (const json* f = get(*s, "features"); f && want_array(*f, "/service/features")) {
    std::map<std::string, std::string> seen;
    for (std::size_t i = 0; i < f->size(); ++i) {
      std::string p = at("/service/features", i);
      const json& j = (*f)[i];
      Feature feat;
      if (!want_object(j, p, "e.g. {\"id\": \"reporting\", \"requires\": \"reports/init\"}")) {
        sc_.service.features.push_back(std::move(feat));
        continue;
      }
      check_keys(j, p, {"id", "name", "requires"});
      if (auto id = id_at(j, p, "reporting")) {
        feat.id = *id;
        auto [it, fresh] = seen.emplace(*id, p);
        if (!fresh) err(at(p, "id"), "duplicate feature id " + q(*id), "already the id of the feature at " + it->second);
      }
      if (auto n = string_at(j, p, "name")) feat.name = *n;
      if (const json* fr = get(j, "requires")) feat.expr = parse_expr(*fr, at(p, "requires"), "");
      else missing(p, "requires", "what must work for this feature, e.g. \"requires\": \"reports/init\"");
      sc_.service.features.push_back(std::move(feat));
    }
  }
}

void Checker::parse_runbooks(const json& v) {
  if (!want_array(v, "/runbooks")) return;
  if (v.size() > kMaxRunbookSteps)
    err("/runbooks", fmt::format("{} runbooks; drsim runs at most {}", v.size(), kMaxRunbookSteps), "merge runbooks that do the same work");
  std::map<std::string, std::string> seen;
  for (std::size_t i = 0; i < v.size(); ++i) {
    std::string p = at("/runbooks", i);
    const json& j = v[i];
    Runbook rb;
    rb.pointer = p;
    if (!want_object(j, p)) {
      sc_.runbooks.push_back(std::move(rb));
      continue;
    }
    check_keys(j, p, {"id", "name", "steps", "max_parallel"});
    if (auto id = id_at(j, p, "site-restart")) {
      rb.id = *id;
      auto [it, fresh] = seen.emplace(*id, p);
      if (!fresh) err(at(p, "id"), "duplicate runbook id " + q(*id), "already the id of the runbook at " + it->second);
    }
    if (auto s = string_at(j, p, "name")) rb.name = *s;
    if (auto n = int_at(j, p, "max_parallel", 0, "how many steps may run at once, 0 = no limit")) rb.max_parallel = static_cast<int>(*n);
    const json* steps = get(j, "steps");
    std::string sp = at(p, "steps");
    if (!steps) {
      missing(p, "steps", "a runbook is a list of steps: [{\"id\": \"power\", \"duration\": \"90m\"}, ...]");
    } else if (want_array(*steps, sp)) {
      if (steps->empty()) err(sp, "\"steps\" is empty", "a runbook needs at least one step");
      if (steps->size() > kMaxRunbookSteps)
        err(sp, fmt::format("{} steps in one runbook; drsim runs at most {}", steps->size(), kMaxRunbookSteps),
            "split it into several runbooks, or group steps that always run together into one");
      // Step ids first, so that "after" may name a later step.
      std::map<std::string, std::size_t> step_index;
      std::vector<std::string> step_ids;
      for (std::size_t s = 0; s < steps->size(); ++s) {
        const json& st = (*steps)[s];
        const json* id = st.is_object() ? get(st, "id") : nullptr;
        if (id && id->is_string() && valid_id(id->get<std::string>()) && step_index.emplace(id->get<std::string>(), s).second)
          step_ids.push_back(id->get<std::string>());
      }
      std::vector<std::vector<std::pair<std::size_t, std::string>>> after(steps->size());  // (step, pointer)
      for (std::size_t s = 0; s < steps->size(); ++s) {
        std::string p2 = at(sp, s);
        const json& st = (*steps)[s];
        RunbookStep step;
        step.pointer = p2;
        if (!want_object(st, p2, "e.g. {\"id\": \"power\", \"kind\": \"repair\", \"duration\": \"90m\"}")) {
          rb.steps.push_back(std::move(step));
          continue;
        }
        check_keys(st, p2, {"id", "name", "kind", "duration", "after", "restores", "waits_for"});
        if (auto id = id_at(st, p2, "power")) {
          step.id = *id;
          if (step_index.count(*id) && step_index[*id] != s)
            err(at(p2, "id"), "duplicate step id " + q(*id),
                "already used at " + at(sp, step_index[*id]) + "; step ids are unique within a runbook");
        }
        if (auto n = string_at(st, p2, "name")) step.name = *n;
        if (auto k = string_at(st, p2, "kind")) {
          if (auto kk = lookup(kStepKinds, *k)) step.kind = *kk;
          else {
            auto kinds = keys_of(kStepKinds);
            std::string n = nearest(*k, kinds);
            err(at(p2, "kind"), "unknown step kind " + q(*k), (n.empty() ? "" : "did you mean " + q(n) + "? ") + "kinds: " + join(kinds));
          }
        }
        if (!get(st, "duration")) missing(p2, "duration", "how long the step takes, e.g. \"90m\" or {\"dist\": \"lognormal\", ...}");
        else if (auto d = dist_at(st, p2, "duration", Zero::allowed)) step.duration = *d;
        if (const json* a = get(st, "after"); a && want_array(*a, at(p2, "after"))) {
          for (std::size_t k = 0; k < a->size(); ++k) {
            std::string ap = at(at(p2, "after"), k);
            const json& x = (*a)[k];
            if (!x.is_string()) {
              err(ap, "expected a step id (a string), got " + type_of(x), "name a step of this runbook, like \"power\"");
              continue;
            }
            std::string sid = x.get<std::string>();
            auto it = step_index.find(sid);
            if (it == step_index.end()) {
              std::string n = nearest(sid, step_ids);
              err(ap, "unknown step " + q(sid),
                  n.empty() ? (step_ids.empty() ? "this runbook has no step ids" : "steps of this runbook: " + join(step_ids))
                            : "did you mean " + q(n) + "?");
              continue;
            }
            step.after.push_back(sid);
            after[s].push_back({it->second, ap});
          }
        }
        if (const json* r = get(st, "restores"); r && want_array(*r, at(p2, "restores"))) {
          for (std::size_t k = 0; k < r->size(); ++k) {
            const json& x = (*r)[k];
            if (x.is_string() && x.get<std::string>() == "$targets") {
              step.restores.push_back("$targets");
              continue;
            }
            if (x.is_string() && x.get<std::string>().rfind('$', 0) == 0) {
              err(at(at(p2, "restores"), k), "unknown placeholder " + q(x.get<std::string>()),
                  "did you mean \"$targets\"? it stands for the components the fault took down");
              continue;
            }
            if (auto id = ref(x, at(at(p2, "restores"), k), kComponent, "", true,
                              "\"restores\" takes component ids, or \"$targets\" for what the fault took down"))
              step.restores.push_back(*id);
          }
        }
        step.waits_for = ref_list_at(st, p2, "waits_for", kNode, "", true);
        if (auto s2 = text_at(st, "source")) step.source = *s2;
        rb.steps.push_back(std::move(step));
      }
      // Cycles in "after" (each reported once, from its earliest step), then the order.
      std::vector<int> color(steps->size(), 0);
      std::set<std::vector<std::size_t>> reported;
      bool cyclic = false;
      for (std::size_t s0 = 0; s0 < steps->size(); ++s0) {
        if (color[s0]) continue;
        std::vector<std::pair<std::size_t, std::size_t>> stack{{s0, 0}};
        color[s0] = 1;
        while (!stack.empty()) {
          auto& [u, next] = stack.back();
          if (next == after[u].size()) {
            color[u] = 2;
            stack.pop_back();
            continue;
          }
          std::size_t w = after[u][next++].first;
          if (color[w] == 0) {
            color[w] = 1;
            stack.push_back({w, 0});
          } else if (color[w] == 1) {
            cyclic = true;
            std::vector<std::size_t> cyc;
            std::size_t from = 0;
            while (stack[from].first != w) ++from;
            for (std::size_t k = from; k < stack.size(); ++k) cyc.push_back(stack[k].first);
            std::rotate(cyc.begin(), std::min_element(cyc.begin(), cyc.end()), cyc.end());
            if (!reported.insert(cyc).second) continue;
            std::string path, where_ptr;
            for (std::size_t k = 0; k < cyc.size(); ++k) path += rb.steps[cyc[k]].id + " -> ";
            path += rb.steps[cyc[0]].id;
            std::size_t second = cyc.size() > 1 ? cyc[1] : cyc[0];
            for (const auto& [to, ptr] : after[cyc[0]])
              if (to == second && where_ptr.empty()) where_ptr = ptr;
            err(where_ptr, "cycle in runbook " + q(rb.id) + ": " + path, "\"after\" must not lead back to the same step");
          }
        }
      }
      if (!cyclic) {
        // Stable topological order: repeatedly the first step (in file order) whose
        // "after" steps are all placed.
        // (Kahn's algorithm with the ready steps in a min-heap of file positions.)
        std::vector<std::size_t> unmet(rb.steps.size());
        std::vector<std::vector<std::size_t>> next(rb.steps.size());
        for (std::size_t s = 0; s < rb.steps.size(); ++s) {
          unmet[s] = after[s].size();
          for (const auto& a : after[s]) next[a.first].push_back(s);
        }
        std::priority_queue<std::size_t, std::vector<std::size_t>, std::greater<>> ready;
        for (std::size_t s = 0; s < rb.steps.size(); ++s)
          if (unmet[s] == 0) ready.push(s);
        std::vector<RunbookStep> ordered;
        while (!ready.empty()) {
          std::size_t s = ready.top();
          ready.pop();
          ordered.push_back(rb.steps[s]);
          for (std::size_t n : next[s])
            if (--unmet[n] == 0) ready.push(n);
        }
        rb.steps = std::move(ordered);
      }
    }
    sc_.runbooks.push_back(std::move(rb));
  }
}

void Checker::parse_common_causes(const json& v) {
  if (!want_array(v, "/common_causes")) return;
  for (std::size_t i = 0; i < v.size(); ++i) {
    std::string p = at("/common_causes", i);
    const json& j = v[i];
    CommonCause cc;
    cc.pointer = p;
    cc.mode.pointer = at(p, "failure");
    if (!want_object(j, p)) {
      sc_.common_causes.push_back(std::move(cc));
      continue;
    }
    check_keys(j, p, {"id", "targets", "failure", "group", "mode", "beta"});
    if (auto id = id_at(j, p, "lb-licence")) {
      cc.id = *id;
      check_unique(cc.id, p);
    }
    bool beta_form = j.contains("group") || j.contains("mode") || j.contains("beta");
    bool target_form = j.contains("targets") || j.contains("failure");
    if (beta_form && target_form) {
      err(p, "a common cause is either {\"targets\", \"failure\"} or {\"group\", \"mode\", \"beta\"}, not both",
          "split it into two common causes");
    } else if (!beta_form) {
      if (!j.contains("targets")) missing(p, "targets", "the components the shared fault takes down, e.g. [\"dc1/lb-a\", \"dc2/lb-a\"]");
      else if (j["targets"].is_array() && j["targets"].empty())
        err(at(p, "targets"), "\"targets\" is empty", "list the components the shared fault takes down");
      cc.targets = ref_list_at(j, p, "targets", kComponent, "", true, "\"targets\" takes component ids");
      if (const json* f = get(j, "failure")) {
        cc.mode = parse_mode(*f, at(p, "failure"), true);
      } else {
        missing(p, "failure", "how the shared thing fails, e.g. {\"id\": \"expiry\", \"type\": \"time_bomb\", ...}");
        bad_mode_ptrs_.insert(cc.mode.pointer);
      }
    } else {
      if (!j.contains("group")) missing(p, "group", "the group whose members share the fault");
      if (!j.contains("mode")) missing(p, "mode", "the failure mode of the members that is split, e.g. \"fail-to-start\"");
      if (!j.contains("beta")) missing(p, "beta", "the share of that mode's failures that hit every member at once, e.g. 0.01");
      auto g = ref_at(j, p, "group", kGroup, "", false, "a beta factor applies to a group of components");
      auto m = string_at(j, p, "mode");
      if (auto b = number_at(j, p, "beta")) {
        if (*b < 0 || *b > 1)
          err(at(p, "beta"), fmt::format("\"beta\" must be in [0, 1], got {}", j["beta"].dump()),
              "the share of a mode's failures that hit every member at once, e.g. 0.01");
        else cc.beta = *b;
      }
      if (g) cc.beta_group = *g;
      if (m) cc.beta_mode = *m;
      if (g && m) {
        // The mode must be present on every member, and members must be components.
        const Group* grp = nullptr;
        for (const auto& x : sc_.groups)
          if (x.id == *g) grp = &x;
        for (const auto& member : grp ? grp->members : std::vector<std::string>{}) {
          const IdInfo& info = ids_.at(member);
          if (info.kind != kComponent) {
            err(at(p, "group"), fmt::format("a beta factor needs a group of components: {} in {} is a {}", q(member), q(*g), kind_word(info.kind)),
                "name a group whose members are components");
            break;
          }
          if (info.index >= sc_.components.size()) continue;
          const Component& comp = sc_.components[info.index];
          std::vector<std::string> modes;
          bool bad_type = false;
          for (const auto& fm : comp.failures) {
            if (!fm.id.empty()) modes.push_back(fm.id);
            bad_type = bad_type || bad_mode_ptrs_.count(fm.pointer);
          }
          if (std::find(modes.begin(), modes.end(), *m) != modes.end() || bad_type) continue;
          std::string n = nearest(*m, modes);
          err(at(p, "mode"), q(member) + " has no failure mode " + q(*m),
              (n.empty() ? "" : "did you mean " + q(n) + "? ") + "a beta factor splits a mode that every member of " + q(*g) + " has");
        }
      }
    }
    if (auto s = text_at(j, "source"); s && cc.mode.source.empty()) cc.mode.source = *s;
    sc_.common_causes.push_back(std::move(cc));
  }
}

void Checker::parse_objectives(const json& v) {
  const std::string p = "/objectives";
  if (!want_object(v, p, "e.g. {\"slo\": {\"target\": 0.9995, \"window\": \"30d\"}, \"rto\": \"1h\", \"rpo\": \"5m\"}")) return;
  check_keys(v, p, {"slo", "rto", "rpo", "features", "sites"});
  if (const json* slo = get(v, "slo"); slo && want_object(*slo, at(p, "slo"), "e.g. {\"target\": 0.9995, \"window\": \"30d\"}")) {
    std::string sp = at(p, "slo");
    check_keys(*slo, sp, {"target", "window"});
    if (!get(*slo, "target")) missing(sp, "target", "the promised availability, e.g. 0.9995");
    if (auto t = number_at(*slo, sp, "target")) {
      if (*t <= 0 || *t >= 1) {
        std::string hint = "the promised availability, a number between 0 and 1, e.g. 0.9995 for 99.95 %";
        if (*t >= 50 && *t < 100) hint = fmt::format("a fraction, not a percentage: write {} for {} %", *t / 100, *t);
        err(at(sp, "target"), fmt::format("\"target\" must be in (0, 1), got {}", (*slo)["target"].dump()), hint);
      } else {
        sc_.objectives.slo_target = *t;
      }
    }
    if (auto w = duration_at(*slo, sp, "window", Zero::refused)) {
      if (*w < 1.0 / 60)
        err(at(sp, "window"), "an SLO window of " + format_hours(*w) + " is shorter than one minute",
            "SLO windows are days or weeks, e.g. \"30d\" or \"7d\"");
      else if (sc_.horizon / *w > 1e6)
        err(at(sp, "window"), fmt::format("an SLO window of {} cuts one trial of {} into {:.3g} windows", format_hours(*w),
                                          format_hours(sc_.horizon), sc_.horizon / *w),
            "at most a million windows per trial: a longer window, or a shorter \"horizon\"");
      else sc_.objectives.slo_window = *w;
    }
  }
  if (auto h = duration_at(v, p, "rto", Zero::allowed)) sc_.objectives.rto = *h;
  if (auto h = duration_at(v, p, "rpo", Zero::allowed)) sc_.objectives.rpo = *h;
  if (const json* fs = get(v, "features");
      fs && want_object(*fs, at(p, "features"), "a feature's own objective, e.g. {\"reporting\": {\"rto\": \"8h\"}}")) {
    std::vector<std::string> ids;
    for (const auto& f : sc_.service.features) ids.push_back(f.id);
    for (auto it = fs->begin(); it != fs->end(); ++it) {
      const std::string fp = at(at(p, "features"), it.key());
      const auto found = std::find(ids.begin(), ids.end(), it.key());
      if (found == ids.end()) {
        std::string n = nearest(it.key(), ids);
        err(fp, "the service has no feature " + q(it.key()),
            (n.empty() ? std::string() : "did you mean " + q(n) + "? ") + "keys are ids of /service/features");
        continue;
      }
      if (!want_object(*it, fp, "e.g. {\"rto\": \"8h\"}")) continue;
      check_keys(*it, fp, {"rto"});
      if (!get(*it, "rto")) missing(fp, "rto", "how long the feature may be unavailable, e.g. \"8h\"");
      if (auto h = duration_at(*it, fp, "rto", Zero::allowed))
        sc_.objectives.features.push_back({it.key(), static_cast<int>(found - ids.begin()), *h});
    }
  }
  if (const json* ss = get(v, "sites");
      ss && want_object(*ss, at(p, "sites"), "a site's own recovery, e.g. {\"dc1\": {\"rto\": \"4h\", \"requires\": \"dc1/path\"}}"))
    parse_site_objectives(*ss, at(p, "sites"));
}

// objectives.sites: {"<site id>": {"rto": "4h", "requires": "<node id>"}}. The keys are the
// sites of /sites (or, without /sites, the sites components name); "requires" names what
// the site working means.
void Checker::parse_site_objectives(const json& ss, const std::string& p) {
  std::vector<std::string> sites;
  for (const auto& s : sc_.sites) sites.push_back(s.id);
  if (!have_sites_)
    for (const auto& c : sc_.components)
      if (!c.site.empty() && std::find(sites.begin(), sites.end(), c.site) == sites.end()) sites.push_back(c.site);
  for (auto it = ss.begin(); it != ss.end(); ++it) {
    const std::string sp = at(p, it.key());
    if (std::find(sites.begin(), sites.end(), it.key()) == sites.end()) {
      std::string n = nearest(it.key(), sites);
      err(sp, "the scenario has no site " + q(it.key()),
          (n.empty() ? std::string() : "did you mean " + q(n) + "? ") +
              (have_sites_ ? "keys are ids of /sites" : "keys are the sites components name in \"site\""));
      continue;
    }
    if (!want_object(*it, sp, "e.g. {\"rto\": \"4h\", \"requires\": \"" + it.key() + "/path\"}")) continue;
    check_keys(*it, sp, {"rto", "requires"});
    if (!get(*it, "rto")) missing(sp, "rto", "how long the site may be down, e.g. \"4h\"");
    if (!get(*it, "requires"))
      missing(sp, "requires", "the component, group or block that is this site working, e.g. \"" + it.key() + "/path\"");
    auto node = ref_at(*it, sp, "requires", kNode, "", true, "a site works when a component, group or block does");
    auto h = duration_at(*it, sp, "rto", Zero::allowed);
    if (node && h) sc_.objectives.sites.push_back({it.key(), *node, *h});
  }
}

void Checker::parse_injections(const json& v) {
  if (!want_array(v, "/injections")) return;
  for (std::size_t i = 0; i < v.size(); ++i) {
    std::string p = at("/injections", i);
    const json& j = v[i];
    Injection inj;
    inj.pointer = p;
    if (!want_object(j, p, "e.g. {\"at\": \"10m\", \"action\": \"fail\", \"target\": \"dc1/sw-a\"}")) {
      sc_.injections.push_back(std::move(inj));
      continue;
    }
    check_keys(j, p, {"at", "action", "target", "mode", "repeat"});
    if (const json* a = get(j, "at")) {
      if (a->is_string() && looks_like_wall_clock(a->get<std::string>())) {
        std::string s = a->get<std::string>();
        auto wc = parse_wall_clock(s);
        if (!wc) {
          err(at(p, "at"), "invalid wall-clock time " + q(s), wall_clock_hint(s));
        } else if (!start_given_) {
          err(at(p, "at"), "a wall-clock \"at\" needs \"start\" at the top level",
              "add \"start\" (the wall-clock time of t = 0), or write \"at\" as a duration like \"32m\"");
        } else if (sc_.start_epoch) {
          double start = static_cast<double>(*sc_.start_epoch);
          if (wc->epoch_seconds < start)
            err(at(p, "at"), q(s) + " is before \"start\" " + q((*doc_)["start"].get<std::string>()),
                "injections happen at or after the start of the scenario");
          else inj.at = (wc->epoch_seconds - start) / 3600.0;
        }
      } else if (auto h = duration(*a, at(p, "at"), "at", Zero::allowed)) {
        inj.at = *h;
      }
    } else {
      missing(p, "at", "when it happens: a duration after the start like \"10m\", or a wall-clock time");
    }
    std::optional<Injection::Action> action;
    if (auto s = string_at(j, p, "action")) {
      action = lookup(kActions, *s);
      if (!action) {
        auto names = keys_of(kActions);
        std::string n = nearest(*s, names);
        err(at(p, "action"), "unknown action " + q(*s), (n.empty() ? "" : "did you mean " + q(n) + "? ") + "actions: " + join(names));
      }
    } else if (!get(j, "action")) {
      missing(p, "action", "what happens: " + join(keys_of(kActions)));
    }
    std::optional<std::string> target;
    if (get(j, "target"))
      target = ref_at(j, p, "target", kComponent | kCause, "", false, "an injection acts on a failure mode of a component or a common cause");
    else
      missing(p, "target", "the component or common cause it acts on");
    if (target) inj.target = *target;
    auto mode = string_at(j, p, "mode");
    if (mode) inj.mode = *mode;
    if (action) inj.action = *action;
    if (action && target && (mode || !get(j, "mode"))) check_injection_mode(p, inj, mode.has_value());
    if (const json* r = get(j, "repeat"); r && want_object(*r, at(p, "repeat"), "e.g. {\"count\": 3, \"every\": \"20h\"}")) {
      std::string rp = at(p, "repeat");
      check_keys(*r, rp, {"count", "every"});
      if (auto n = int_at(*r, rp, "count", 1, "how many times it happens in all")) inj.repeat = static_cast<int>(*n);
      if (auto h = duration_at(*r, rp, "every", Zero::refused)) inj.every = *h;
      if (inj.repeat > 1 && !get(*r, "every")) missing(rp, "every", "the time between repeats, e.g. \"20h\"");
    }
    if (auto s = text_at(j, "note")) inj.note = *s;
    sc_.injections.push_back(std::move(inj));
  }
}

// The injection's target must have a failure mode its action can act on: the named
// one, or any (the model takes the first that fits).
void Checker::check_injection_mode(const std::string& p, const Injection& inj, bool mode_given) {
  const IdInfo& info = ids_.at(inj.target);
  std::vector<std::pair<std::string, MType>> modes;  // (id, type) of the target's modes
  bool unknown_types = false;
  if (info.kind == kComponent) {
    if (info.index >= sc_.components.size()) return;
    for (const auto& fm : sc_.components[info.index].failures) {
      if (bad_mode_ptrs_.count(fm.pointer)) unknown_types = true;
      else if (!fm.id.empty()) modes.push_back({fm.id, fm.type});
    }
  } else {
    if (info.index >= sc_.common_causes.size()) return;
    const CommonCause& cc = sc_.common_causes[info.index];
    if (!cc.beta_group.empty()) {
      // A beta factor's shared mode is the members' mode of that id.
      bool found = false;
      for (const auto& comp : sc_.components)
        for (const auto& fm : comp.failures)
          if (!found && fm.id == cc.beta_mode && !bad_mode_ptrs_.count(fm.pointer)) {
            const Group* g = sc_.group(cc.beta_group);
            if (g && std::find(g->members.begin(), g->members.end(), comp.id) != g->members.end()) {
              modes.push_back({fm.id, fm.type});
              found = true;
            }
          }
      if (!found) return;  // the beta factor itself is broken (reported there)
    } else if (bad_mode_ptrs_.count(cc.mode.pointer)) {
      unknown_types = true;
    } else if (!cc.mode.id.empty()) {
      modes.push_back({cc.mode.id, cc.mode.type});
    }
  }
  std::string action = keys_of(kActions)[static_cast<std::size_t>(inj.action)];
  if (mode_given) {
    std::vector<std::string> ids;
    for (const auto& m : modes) ids.push_back(m.first);
    auto it = std::find_if(modes.begin(), modes.end(), [&](const auto& m) { return m.first == inj.mode; });
    if (it == modes.end()) {
      if (unknown_types) return;
      std::string n = nearest(inj.mode, ids);
      err(at(p, "mode"), q(inj.target) + " has no failure mode " + q(inj.mode),
          !n.empty() ? "did you mean " + q(n) + "?" : ids.empty() ? q(inj.target) + " has no failure modes" : "its failure modes: " + join(ids));
    } else if (!action_fits(inj.action, it->second)) {
      err(at(p, "mode"), fmt::format("\"{}\" cannot act on failure mode {} of type {}", action, q(inj.mode), type_name(it->second)),
          fmt::format("\"{}\" acts on {}", action, action_fit_words(inj.action)));
    }
    return;
  }
  if (unknown_types) return;
  if (std::none_of(modes.begin(), modes.end(), [&](const auto& m) { return action_fits(inj.action, m.second); }))
    err(at(p, "target"), fmt::format("{} has no failure mode that \"{}\" can act on", q(inj.target), action),
        fmt::format("\"{}\" acts on {}: give {} one, or target the common cause that has it", action,
                    action_fit_words(inj.action), q(inj.target)));
}

void Checker::check_cycles() {
  // Nodes in file order: components, groups, blocks.
  std::vector<std::string> nodes;
  for (const auto& c : sc_.components) nodes.push_back(c.id);
  for (const auto& g : sc_.groups) nodes.push_back(g.id);
  for (const auto& b : sc_.blocks) nodes.push_back(b.id);
  std::map<std::string, std::size_t> order;
  for (std::size_t i = 0; i < nodes.size(); ++i)
    if (!nodes[i].empty()) order.emplace(nodes[i], i);
  std::map<std::string, int> color;
  std::set<std::vector<std::string>> reported;
  for (const auto& start : nodes) {
    if (start.empty() || color[start]) continue;
    std::vector<std::pair<std::string, std::size_t>> stack{{start, 0}};
    color[start] = 1;
    while (!stack.empty()) {
      std::string u = stack.back().first;
      std::size_t next = stack.back().second;
      const auto& out = edges_[u];
      if (next == out.size()) {
        color[u] = 2;
        stack.pop_back();
        continue;
      }
      ++stack.back().second;
      const std::string& w = out[next].to;
      if (color[w] == 0) {
        color[w] = 1;
        stack.push_back({w, 0});
      } else if (color[w] == 1) {
        std::vector<std::string> cyc;
        std::size_t from = 0;
        while (stack[from].first != w) ++from;
        for (std::size_t k = from; k < stack.size(); ++k) cyc.push_back(stack[k].first);
        // Start the path at the node that comes first in the file, for a stable message.
        std::rotate(cyc.begin(), std::min_element(cyc.begin(), cyc.end(), [&](const auto& a, const auto& b) {
                      return order[a] < order[b];
                    }), cyc.end());
        if (!reported.insert(cyc).second) continue;
        std::string path;
        for (const auto& n : cyc) path += n + " -> ";
        path += cyc[0];
        const std::string& second = cyc.size() > 1 ? cyc[1] : cyc[0];
        std::string ptr;
        for (const auto& e : edges_[cyc[0]])
          if (e.to == second) {
            ptr = e.pointer;
            break;
          }
        err(ptr, "dependency cycle: " + path, "a part cannot depend on itself, directly or through others: break the loop");
      }
    }
  }
}

void Checker::warn_unused() {
  const char* hint = "name it in \"needs\", a group, a block or the service, or remove it";
  for (const auto& c : sc_.components)
    if (!used_nodes_.count(c.id))
      d_.warning(c.pointer, "component " + q(c.id) + " is not used: nothing depends on it", hint);
  for (const auto& g : sc_.groups)
    if (!used_nodes_.count(g.id)) d_.warning(g.pointer, "group " + q(g.id) + " is not used: nothing depends on it", hint);
  for (const auto& b : sc_.blocks)
    if (!used_nodes_.count(b.id)) d_.warning(b.pointer, "block " + q(b.id) + " is not used: nothing depends on it", hint);
  for (const auto& rb : sc_.runbooks)
    if (!used_runbooks_.count(rb.id))
      d_.warning(rb.pointer, "runbook " + q(rb.id) + " is never used",
                 "name it in a failure mode's recovery: {\"runbook\": " + q(rb.id) + "}, or remove it");
}

// ---------------------------------------------------------------- stage 4: variants

struct PatchOp {
  enum class Kind { set, remove, add } kind = Kind::set;
  std::string path;
  const json* value = nullptr;
  std::string pointer;  // of the operation in the file
  std::string origin;   // not in the file (an Edit): messages at `path`, prefixed by this
  bool must_exist = false;
};

std::vector<std::string> keys_in(const json& obj) {
  std::vector<std::string> out;
  for (auto it = obj.begin(); it != obj.end(); ++it) out.push_back(it.key());
  return out;
}

// The structure of one variant; returns its well-formed operations.
std::vector<PatchOp> read_variant(const json& v, const std::string& vp, Diagnostics& d) {
  std::vector<PatchOp> ops;
  if (!v.is_object()) {
    d.error(vp, "expected an object, got " + type_of(v), "a variant is {\"description\": \"...\", \"patch\": [...]}");
    return ops;
  }
  const std::vector<std::string> allowed = {"description", "patch", "source", "note"};
  bool patch_misspelt = false;
  for (auto it = v.begin(); it != v.end(); ++it) {
    if (std::find(allowed.begin(), allowed.end(), it.key()) == allowed.end()) {
      std::string n = nearest(it.key(), allowed);
      patch_misspelt = patch_misspelt || n == "patch";
      d.error(at(vp, it.key()), "unknown key " + q(it.key()), (n.empty() ? "" : "did you mean " + q(n) + "? ") + "allowed keys: " + join(allowed));
    } else if (it.key() != "patch" && !it->is_string()) {
      d.error(at(vp, it.key()), "expected a string, got " + type_of(*it), "a string, in double quotes");
    }
  }
  auto pit = v.find("patch");
  if (pit == v.end()) {
    if (!patch_misspelt)
      d.error(vp, "missing required key \"patch\"", "the changes: [{\"op\": \"set\", \"path\": \"/horizon\", \"value\": \"10y\"}]");
    return ops;
  }
  std::string pp = at(vp, "patch");
  if (!pit->is_array()) {
    d.error(pp, "expected an array, got " + type_of(*pit), "a list of operations: [{\"op\": \"set\", \"path\": \"...\", \"value\": ...}]");
    return ops;
  }
  const std::vector<std::string> op_keys = {"op", "path", "value", "source", "note"};
  for (std::size_t i = 0; i < pit->size(); ++i) {
    const json& o = (*pit)[i];
    std::string op_ptr = at(pp, i);
    if (!o.is_object()) {
      d.error(op_ptr, "expected an object, got " + type_of(o), "an operation is {\"op\": \"set\", \"path\": \"...\", \"value\": ...}");
      continue;
    }
    bool ok = true;
    for (auto it = o.begin(); it != o.end(); ++it)
      if (std::find(op_keys.begin(), op_keys.end(), it.key()) == op_keys.end()) {
        std::string n = nearest(it.key(), op_keys);
        d.error(at(op_ptr, it.key()), "unknown key " + q(it.key()), (n.empty() ? "" : "did you mean " + q(n) + "? ") + "allowed keys: " + join(op_keys));
        ok = false;
      }
    PatchOp op;
    op.pointer = op_ptr;
    bool kind_known = false;
    auto k = o.find("op");
    if (k == o.end()) {
      d.error(op_ptr, "missing required key \"op\"", "ops: set, remove, add");
      ok = false;
    } else if (!k->is_string()) {
      d.error(at(op_ptr, "op"), "expected a string, got " + type_of(*k), "ops: set, remove, add");
      ok = false;
    } else {
      std::string s = k->get<std::string>();
      kind_known = s == "set" || s == "remove" || s == "add";
      if (s == "set") op.kind = PatchOp::Kind::set;
      else if (s == "remove") op.kind = PatchOp::Kind::remove;
      else if (s == "add") op.kind = PatchOp::Kind::add;
      else {
        std::string n = nearest(s, {"set", "remove", "add"});
        d.error(at(op_ptr, "op"), "unknown op " + q(s), (n.empty() ? "" : "did you mean " + q(n) + "? ") + "ops: set, remove, add");
        ok = false;
      }
    }
    auto path = o.find("path");
    if (path == o.end()) {
      d.error(op_ptr, "missing required key \"path\"", "a JSON pointer such as \"/components/dc1~1lb-a/failures/hw/ttf\"");
      ok = false;
    } else if (!path->is_string()) {
      d.error(at(op_ptr, "path"), "expected a string, got " + type_of(*path), "a JSON pointer such as \"/horizon\"");
      ok = false;
    } else {
      op.path = path->get<std::string>();
    }
    auto value = o.find("value");
    if (kind_known && op.kind != PatchOp::Kind::remove && value == o.end()) {
      d.error(op_ptr, "missing required key \"value\"", "the new value" + (op.path.empty() ? std::string() : " for " + q(op.path)));
      ok = false;
    }
    if (kind_known && op.kind == PatchOp::Kind::remove && value != o.end()) {
      d.error(at(op_ptr, "value"), "\"remove\" takes no \"value\"", "remove the value, or use \"set\"");
      ok = false;
    }
    if (value != o.end()) op.value = &*value;
    if (ok) ops.push_back(op);
  }
  return ops;
}

// Applies one operation. Path segments after an array may be an element's "id".
// Returns the resolved pointer of what changed, or "" after reporting a problem.
std::string apply_op(json& doc, const PatchOp& op, Diagnostics& d) {
  const std::string pp = op.origin.empty() ? at(op.pointer, "path") : op.path;
  struct Report {
    Diagnostics& d;
    const std::string& origin;
    void error(const std::string& p, const std::string& m, const std::string& h) { d.error(p, origin.empty() ? m : origin + ": " + m, h); }
  } rep{d, op.origin};
  const char* path_hint = "a JSON pointer such as \"/components/dc1~1lb-a/failures/hw/ttf\" (\"~1\" stands for \"/\")";
  if (op.path.empty()) {
    rep.error(pp, "a patch cannot replace the whole scenario", "name a part, e.g. \"/horizon\"");
    return {};
  }
  if (op.path[0] != '/') {
    rep.error(pp, "invalid path " + q(op.path) + ": it must start with \"/\"", path_hint);
    return {};
  }
  std::vector<std::string> tokens;
  for (std::size_t i = 1;;) {
    std::size_t e = op.path.find('/', i);
    std::string raw = op.path.substr(i, e == std::string::npos ? std::string::npos : e - i);
    std::string tok;
    for (std::size_t k = 0; k < raw.size(); ++k) {
      if (raw[k] != '~') {
        tok += raw[k];
      } else if (k + 1 < raw.size() && (raw[k + 1] == '0' || raw[k + 1] == '1')) {
        tok += raw[++k] == '0' ? '~' : '/';
      } else {
        rep.error(pp, "invalid path " + q(op.path) + ": \"~\" must be followed by 0 or 1", "\"~1\" stands for \"/\" and \"~0\" for \"~\"");
        return {};
      }
    }
    tokens.push_back(tok);
    if (e == std::string::npos) break;
    i = e + 1;
  }
  if (tokens[0] == "variants") {
    rep.error(pp, "a patch cannot change \"variants\"", "patch the scenario's parts, e.g. \"/horizon\"");
    return {};
  }
  json* cur = &doc;
  json* parent = nullptr;
  std::string walked;       // the resolved pointer so far
  std::string key;          // the last token, when the parent is an object
  std::size_t index = 0;    // the last index, when the parent is an array
  bool exists = true;       // the final location holds a value
  for (std::size_t t = 0; t < tokens.size(); ++t) {
    const std::string& tok = tokens[t];
    bool last = t + 1 == tokens.size();
    std::string where_now = walked.empty() ? "/" : walked;
    if (cur->is_object()) {
      auto f = cur->find(tok);
      if (f == cur->end()) {
        if (last && op.kind != PatchOp::Kind::remove && !(op.kind == PatchOp::Kind::set && op.must_exist)) {
          parent = cur;
          key = tok;
          exists = false;
          walked = at(walked, tok);
          break;
        }
        auto keys = keys_in(*cur);
        std::string n = nearest(tok, keys);
        rep.error(pp, "no key " + q(tok) + " at " + where_now,
                !n.empty() ? "did you mean " + q(n) + "?" : keys.empty() ? "the object there is empty" : "keys there: " + join(keys));
        return {};
      }
      parent = cur;
      key = tok;
      cur = &*f;
      walked = at(walked, tok);
    } else if (cur->is_array()) {
      bool digits = !tok.empty() && tok.size() < 10 && std::all_of(tok.begin(), tok.end(), [](char c) { return c >= '0' && c <= '9'; });
      if (last && op.kind == PatchOp::Kind::add && (tok == "-" || (digits && std::stoul(tok) == cur->size()))) {
        parent = cur;
        index = cur->size();
        exists = false;
        walked = at(walked, index);
        break;
      }
      std::size_t idx = 0;
      if (digits) {
        idx = std::stoul(tok);
        if (idx >= cur->size()) {
          rep.error(pp, fmt::format("index {} is past the end of {} ({} element{})", idx, where_now, cur->size(), cur->size() == 1 ? "" : "s"),
                  "indices start at 0; \"add\" with \"-\" appends");
          return {};
        }
      } else {
        std::vector<std::string> ids;
        bool found = false;
        for (std::size_t k = 0; k < cur->size(); ++k) {
          const json& el = (*cur)[k];
          auto id = el.is_object() ? el.find("id") : el.end();
          if (el.is_object() && id != el.end() && id->is_string()) {
            ids.push_back(id->get<std::string>());
            if (!found && ids.back() == tok) {
              idx = k;
              found = true;
            }
          }
        }
        if (!found) {
          // An id with "/" written as is: "dc1/lb-a" must be "dc1~1lb-a" in a path.
          std::string joined = tok, slash_hint;
          for (std::size_t u = t + 1; u < tokens.size() && slash_hint.empty(); ++u) {
            joined += "/" + tokens[u];
            if (std::find(ids.begin(), ids.end(), joined) != ids.end())
              slash_hint = "write the \"/\" in " + q(joined) + " as \"~1\": " + q(json_pointer_escape(joined));
          }
          std::string n = nearest(tok, ids);
          rep.error(pp, "no element with id " + q(tok) + " in " + where_now,
                  !slash_hint.empty() ? slash_hint
                  : !n.empty()        ? "did you mean " + q(n) + "?"
                  : ids.empty()       ? "the elements there have no ids; use an index"
                                      : "ids there: " + join(ids));
          return {};
        }
      }
      parent = cur;
      index = idx;
      cur = &(*cur)[idx];
      walked = at(walked, idx);
    } else {
      rep.error(pp, "no key " + q(tok) + " at " + where_now + ": it is a " + type_of(*cur), "a path can only go into objects and arrays");
      return {};
    }
  }
  switch (op.kind) {
    case PatchOp::Kind::set:
      if (!exists && parent->is_array()) {
        rep.error(pp, "nothing to set at " + walked, "use \"add\" to append to an array");
        return {};
      }
      if (exists) *cur = *op.value;
      else (*parent)[key] = *op.value;
      break;
    case PatchOp::Kind::remove:
      if (parent->is_object()) parent->erase(key);
      else parent->erase(index);
      break;
    case PatchOp::Kind::add:
      if (exists && cur->is_array()) {
        cur->push_back(*op.value);
      } else if (exists) {
        rep.error(pp, "there is already a value at " + walked, "use \"set\" to replace it; \"add\" creates a key or appends to an array");
        return {};
      } else if (parent->is_object()) {
        (*parent)[key] = *op.value;
      } else {
        parent->push_back(*op.value);
      }
      break;
  }
  return walked;
}

// ---------------------------------------------------------------- ranges (sensitivity)

// Takes every "range" out of the document (the checker never sees them) into `out`,
// checking each: an object of {"low", "high"} per sibling key, of the sibling's kind
// (number, duration or rate), low <= value <= high.
void take_ranges(json& j, const std::string& p, std::vector<ParameterRange>& out, Diagnostics& d) {
  if (j.is_array()) {
    for (std::size_t i = 0; i < j.size(); ++i) take_ranges(j[i], at(p, i), out, d);
    return;
  }
  if (!j.is_object()) return;
  auto r = j.find("range");
  if (r != j.end()) {
    const std::string rp = at(p, "range");
    const char* shape = "{\"range\": {\"coverage\": {\"low\": 0.9, \"high\": 0.99}}} next to \"coverage\"";
    if (!r->is_object()) {
      d.error(rp, "expected an object, got " + type_of(*r), shape);
    } else {
      for (auto it = r->begin(); it != r->end(); ++it) {
        const std::string ep = at(rp, it.key());
        auto sib = j.find(it.key());
        if (it.key() == "range" || sib == j.end()) {
          std::vector<std::string> keys;
          for (auto k = j.begin(); k != j.end(); ++k)
            if (k.key() != "range") keys.push_back(k.key());
          std::string n = nearest(it.key(), keys);
          d.error(ep, "a range for " + q(it.key()) + ", which is not beside it", n.empty() ? "a range names a key of the object it is in" : "did you mean " + q(n) + "?");
          continue;
        }
        if (!it->is_object()) {
          d.error(ep, "expected an object, got " + type_of(*it), "{\"low\": ..., \"high\": ...}");
          continue;
        }
        bool ok = true;
        for (auto k = it->begin(); k != it->end(); ++k)
          if (k.key() != "low" && k.key() != "high" && k.key() != "source" && k.key() != "note") {
            std::string n = nearest(k.key(), {"low", "high"});
            d.error(at(ep, k.key()), "unknown key " + q(k.key()), (n.empty() ? "" : "did you mean " + q(n) + "? ") + "allowed keys: low, high, source, note");
            ok = false;
          }
        for (const char* k : {"low", "high"})
          if (!it->contains(k)) {
            d.error(ep, std::string("missing required key \"") + k + "\"", "a range is {\"low\": ..., \"high\": ...}");
            ok = false;
          }
        if (!ok) continue;
        // The sibling's kind decides how low and high read.
        auto value_of = [&](const json& v) -> std::optional<double> {
          if (sib->is_number()) return v.is_number() ? std::optional<double>(v.get<double>()) : std::nullopt;
          if (!sib->is_string() || !v.is_string()) return std::nullopt;
          const std::string s = sib->get<std::string>(), t = v.get<std::string>();
          if (parse_rate(s)) return parse_rate(t);
          if (parse_duration(s)) return parse_duration(t);
          return std::nullopt;
        };
        const auto here = value_of(*sib);
        if (!here) {
          d.error(ep, "a range for " + q(it.key()) + ", which is a " + type_of(*sib) + " (" + sib->dump() + ")",
                  "a range applies to a number, a duration or a rate");
          continue;
        }
        const char* kind = sib->is_number() ? "a number" : parse_rate(sib->get<std::string>()) ? "a rate, like \"1/y\"" : "a duration, like \"30m\"";
        const auto lo = value_of((*it)["low"]), hi = value_of((*it)["high"]);
        if (!lo) d.error(at(ep, "low"), "expected " + std::string(kind) + ", got " + (*it)["low"].dump(), std::string("the same kind as ") + q(it.key()));
        if (!hi) d.error(at(ep, "high"), "expected " + std::string(kind) + ", got " + (*it)["high"].dump(), std::string("the same kind as ") + q(it.key()));
        if (!lo || !hi) continue;
        if (!(*lo <= *here && *here <= *hi)) {
          d.error(ep, fmt::format("the value {} lies outside its range [{}, {}]", sib->dump(), (*it)["low"].dump(), (*it)["high"].dump()),
                  "low <= value <= high");
          continue;
        }
        out.push_back({at(p, it.key()), (*it)["low"].dump(), (*it)["high"].dump(), ep});
      }
    }
    j.erase(r);
  }
  for (auto it = j.begin(); it != j.end(); ++it)
    if (it.key() != "variants") take_ranges(*it, at(p, it.key()), out, d);
}

// What a requested variant changed, to point messages about it at the variant.
struct Patched {
  std::string pointer, variant, op_pointer;
};

// Applies the requested variants to `doc`, in order, and checks that every other
// variant in the file applies to the file as written.
std::vector<Patched> apply_variants(json& doc, const LoadOptions& opt, Diagnostics& d) {
  std::vector<Patched> patched;
  auto it = doc.find("variants");
  if (it == doc.end()) {
    for (const auto& name : opt.variants) d.error("/variants", "unknown variant " + q(name), "the file defines no variants");
    return patched;
  }
  if (!it->is_object()) {
    d.error("/variants", "expected an object, got " + type_of(*it), "named overlays: {\"name\": {\"description\": \"...\", \"patch\": [...]}}");
    return patched;
  }
  const json base = doc;
  const json& variants = base["variants"];
  std::map<std::string, std::vector<PatchOp>> ops;
  for (auto v = variants.begin(); v != variants.end(); ++v) {
    std::string vp = at("/variants", v.key());
    ops[v.key()] = read_variant(*v, vp, d);
    if (std::find(opt.variants.begin(), opt.variants.end(), v.key()) == opt.variants.end()) {
      json scratch = base;
      for (const auto& op : ops[v.key()]) apply_op(scratch, op, d);
    }
  }
  auto names = keys_in(variants);
  for (const auto& name : opt.variants) {
    auto found = ops.find(name);
    if (found == ops.end()) {
      std::string n = nearest(name, names);
      d.error("/variants", "unknown variant " + q(name),
              (n.empty() ? "" : "did you mean " + q(n) + "? ") + (names.empty() ? "the file defines no variants" : "variants in the file: " + join(names)));
      continue;
    }
    for (const auto& op : found->second) {
      std::string changed = apply_op(doc, op, d);
      if (!changed.empty()) patched.push_back({changed, name, op.pointer});
    }
  }
  return patched;
}

// ---------------------------------------------------------------- extends

// A scenario may build on another: {"drsim": 1, "extends": "base.json", "title": "...",
// "patch": [ops]}. The base (relative to this file) is loaded and validated on its own
// — its problems are reported in it — then this file's top-level keys replace the
// base's, then its patch applies (the variants' language), then all is validated. The
// base's variants are not inherited.
struct ExtPatched {
  std::string pointer;     // resolved, in the scenario as extended
  std::string op_pointer;  // "/patch/3" in this file
  bool has_value = false;  // set or add: the value is written at op_pointer + "/value"
};
struct Extension {
  bool used = false;
  std::string base;                   // the base's path
  std::vector<std::string> replaced;  // top-level keys this file writes itself
  std::vector<ExtPatched> patched;
  std::vector<TemplateOrigin> base_origins;  // the parts the base's own instances made
};

// Canonical paths of the files being extended on this thread, outermost first: cycles.
thread_local std::vector<std::string> t_extending;
constexpr std::size_t kMaxExtendsDepth = 16;

std::optional<Scenario> parse_impl(std::string_view text, Diagnostics& diags, const LoadOptions& opt, const std::string& path,
                                   json* doc_out, std::vector<TemplateOrigin>* origins_out = nullptr);

bool resolve_extends(json& doc, const std::string& path, Diagnostics& d, const LoadOptions& opt, Extension& ext) {
  namespace fs = std::filesystem;
  const json& e = doc["extends"];
  if (!e.is_string() || e.get<std::string>().empty()) {
    d.error("/extends", "expected a file name, got " + (e.is_string() ? std::string("an empty string") : type_of(e)),
            "the scenario this one builds on, relative to this file, e.g. \"two-site-baseline.json\"");
    return false;
  }
  fs::path bp(e.get<std::string>());
  if (bp.is_relative()) bp = fs::path(path).parent_path() / bp;
  ext.base = bp.lexically_normal().string();
  std::error_code ec;
  const std::string self = fs::weakly_canonical(fs::absolute(path, ec), ec).string();
  const std::string canon = fs::weakly_canonical(fs::absolute(bp, ec), ec).string();
  const bool pushed_self = t_extending.empty() || t_extending.back() != self;
  if (pushed_self) t_extending.push_back(self);
  struct Pop {
    bool on;
    ~Pop() {
      if (on) t_extending.pop_back();
    }
  } pop{pushed_self};
  if (std::find(t_extending.begin(), t_extending.end(), canon) != t_extending.end()) {
    d.error("/extends", "extends " + q(ext.base) + ", which extends this file: a cycle", "a chain of \"extends\" must end in a file without one");
    return false;
  }
  if (t_extending.size() >= kMaxExtendsDepth) {
    d.error("/extends", fmt::format("more than {} files extend one another", kMaxExtendsDepth), "extend a complete scenario directly");
    return false;
  }
  LoadOptions bo;
  bo.max_bytes = opt.max_bytes;
  bo.max_depth = opt.max_depth;
  Diagnostics bd(ext.base);
  json base;
  std::optional<Scenario> bsc;
  if (auto text = read_scenario_file(ext.base, bd, bo)) {
    t_extending.push_back(canon);
    try {
      bsc = parse_impl(*text, bd, bo, ext.base, &base, &ext.base_origins);
    } catch (...) {
      t_extending.pop_back();
      throw;
    }
    t_extending.pop_back();
  }
  for (const auto& item : bd.items()) d.add(item);
  if (!bsc || bd.has_errors()) {
    d.error("/extends", fmt::format("the scenario it extends, {}, has {} error{}", ext.base, bd.error_count(), bd.error_count() == 1 ? "" : "s"),
            "a scenario extends a valid one; fix that file first");
    return false;
  }
  ext.used = true;
  // The base's what-ifs are its own: they need not apply to what this file makes of it.
  base.erase("variants");
  for (auto it = doc.begin(); it != doc.end(); ++it) {
    if (it.key() == "extends" || it.key() == "patch") continue;
    base[it.key()] = *it;
    if (it.key() != "drsim") ext.replaced.push_back(it.key());
  }
  if (auto p = doc.find("patch"); p != doc.end()) {
    const json wrapper = {{"patch", *p}};
    const std::size_t errors = d.error_count();
    auto ops = read_variant(wrapper, "", d);
    for (const auto& op : ops) {
      std::string changed = apply_op(base, op, d);
      if (!changed.empty()) ext.patched.push_back({changed, op.pointer, op.kind != PatchOp::Kind::remove});
    }
    if (d.error_count() > errors) return false;
  }
  doc = std::move(base);
  return true;
}

// ---------------------------------------------------------------- the stages together

std::string too_large(std::uint64_t size, std::size_t limit) {
  return size == 0 ? fmt::format("the file is too large: over the limit of {}", human_size(limit))
                   : fmt::format("the file is too large: {}, over the limit of {}", human_size(size), human_size(limit));
}
const char* kTooLargeHint = "a scenario is a few kilobytes of JSON; is this the right file?";

std::optional<Scenario> parse_impl(std::string_view text, Diagnostics& diags, const LoadOptions& opt, const std::string& path,
                                   json* doc_out, std::vector<TemplateOrigin>* origins_out) {
  const std::size_t errors_before = diags.error_count();
  const std::size_t items_before = diags.items().size();
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
  Extension ext;
  if (doc.contains("extends") && !resolve_extends(doc, path, diags, opt, ext)) return std::nullopt;
  // Templates expand before the variants: a variant, an edit (--set, the planner's
  // alternatives) and a file that extends this one see the scenario as written out.
  std::vector<TemplateOrigin> origins;
  if (!expand_templates(doc, diags, opt.max_bytes, origins)) return std::nullopt;
  std::map<std::string, const TemplateOrigin*> origin_of;
  for (const auto& o : origins) origin_of.emplace(o.expanded, &o);
  if (origins_out) *origins_out = origins;
  if (doc_out) *doc_out = doc;
  std::vector<Patched> patched = apply_variants(doc, opt, diags);
  for (const auto& e : opt.edits) {
    PatchOp op;
    op.kind = e.op == Edit::Op::set ? PatchOp::Kind::set : e.op == Edit::Op::remove ? PatchOp::Kind::remove : PatchOp::Kind::add;
    op.path = e.path;
    op.value = &e.value;
    op.origin = e.origin.empty() ? "edit" : e.origin;
    op.must_exist = e.must_exist;
    std::string changed = apply_op(doc, op, diags);
    if (!changed.empty()) patched.push_back({changed, "", op.origin});
  }
  // Validate into a scratch list first, so that a problem in a value a variant wrote
  // can say which variant wrote it.
  Diagnostics found(diags.file());
  Checker checker(found, /*quiet=*/diags.error_count() > errors_before);
  std::vector<ParameterRange> ranges;
  take_ranges(doc, "", ranges, found);
  Scenario sc = checker.run(doc);
  sc.ranges = std::move(ranges);
  const auto parts = named_parts(sc);
  // The same problem of a template element in several instances is one line, naming
  // the first instance and the others (pointer, message, hint) -> index in `out`.
  std::vector<Diagnostic> out;
  std::map<std::tuple<std::string, std::string, std::string>, std::size_t> same_in_instances;
  for (const auto& item : found.items()) {
    std::string hint = item.hint;
    std::string pointer = item.pointer;
    // In a part an instance made: at the template element, naming the instance.
    const std::size_t second = pointer.find('/', 1);
    const std::size_t third = second == std::string::npos ? std::string::npos : pointer.find('/', second + 1);
    if (auto o = origin_of.find(pointer.substr(0, third)); second != std::string::npos && o != origin_of.end()) {
      Diagnostics named(diags.file());
      named.add(item);
      named.name_subjects(parts);
      Diagnostic dg = named.items().front();
      dg.file = diags.file();
      dg.pointer = o->second->written + pointer.substr(o->first.size());
      dg.subject = (dg.subject.empty() ? "" : dg.subject + "; ") + o->second->instance;
      for (auto p = patched.rbegin(); p != patched.rend(); ++p)
        if (item.pointer == p->pointer || item.pointer.rfind(p->pointer + "/", 0) == 0) {
          dg.hint += (dg.hint.empty() ? "" : "; ") + (p->variant.empty() ? "the value comes from " + p->op_pointer
                                                                       : std::string("the value comes from variant ") + q(p->variant) + " (" + p->op_pointer + ")");
          break;
        }
      auto key = std::make_tuple(dg.pointer, dg.message, dg.hint);
      if (auto first = same_in_instances.find(key); first != same_in_instances.end()) {
        std::string& subject = out[first->second].subject;
        const std::string instance = o->second->instance.substr(0, o->second->instance.find(','));  // "instance /instances/2"
        if (subject.find("; also in ") == std::string::npos) subject += "; also in " + instance.substr(9);
        else subject += ", " + instance.substr(9);
        continue;
      }
      same_in_instances.emplace(std::move(key), out.size());
      out.push_back(std::move(dg));
      continue;
    }
    if (ext.used) {
      // Where it is written: in this file's patch, in a key this file sets, or else in
      // the scenario as extended.
      const auto top = pointer.substr(0, pointer.find('/', 1));
      auto p = std::find_if(ext.patched.rbegin(), ext.patched.rend(), [&](const ExtPatched& e) {
        return pointer == e.pointer || pointer.rfind(e.pointer + "/", 0) == 0;
      });
      if (p != ext.patched.rend()) {
        if (p->has_value) pointer = p->op_pointer + "/value" + pointer.substr(p->pointer.size());
        else hint += (hint.empty() ? "" : "; ") + std::string("after ") + p->op_pointer;
      } else if (std::find(ext.replaced.begin(), ext.replaced.end(), top.empty() ? "" : top.substr(1)) == ext.replaced.end()) {
        // Written in the base, perhaps in one of its templates: where it is written there.
        std::string written = pointer.empty() ? "/" : pointer;
        const std::size_t s2 = pointer.find('/', 1);
        const std::string part = s2 == std::string::npos ? "" : pointer.substr(0, pointer.find('/', s2 + 1));
        auto bo = std::find_if(ext.base_origins.begin(), ext.base_origins.end(), [&](const TemplateOrigin& o) { return !part.empty() && o.expanded == part; });
        if (bo != ext.base_origins.end()) written = bo->written + pointer.substr(part.size()) + " (" + bo->instance + ")";
        hint += (hint.empty() ? "" : "; ") + fmt::format("at {} of {} as this file extends it", written, ext.base);
      }
    }
    for (auto p = patched.rbegin(); p != patched.rend(); ++p)
      if (item.pointer == p->pointer || item.pointer.rfind(p->pointer + "/", 0) == 0) {
        hint += (hint.empty() ? "" : "; ") + (p->variant.empty() ? "the value comes from " + p->op_pointer
                                                                  : std::string("the value comes from variant ") + q(p->variant) + " (" + p->op_pointer + ")");
        break;
      }
    out.push_back(Diagnostic{item.severity, diags.file(), pointer, item.message, hint, ""});
  }
  for (auto& dg : out) diags.add(std::move(dg));
  // Every problem of this file, the duplicate keys and the variants' included, names
  // the part it lies in; the parts are those the checker read, valid ids only.
  diags.name_subjects(parts, items_before);
  return sc;
}

}  // namespace

std::optional<WallClock> parse_wall_clock(std::string_view s) {
  std::size_t i = 0;
  auto digits = [&](int n, int& out) {
    out = 0;
    for (int k = 0; k < n; ++k, ++i) {
      if (i >= s.size() || s[i] < '0' || s[i] > '9') return false;
      out = out * 10 + (s[i] - '0');
    }
    return true;
  };
  auto lit = [&](char c) {
    if (i < s.size() && s[i] == c) {
      ++i;
      return true;
    }
    return false;
  };
  int y, mo, d, h, mi, sec = 0;
  double frac = 0;
  if (!digits(4, y) || !lit('-') || !digits(2, mo) || !lit('-') || !digits(2, d)) return std::nullopt;
  if (!lit('T') && !lit('t')) return std::nullopt;
  if (!digits(2, h) || !lit(':') || !digits(2, mi)) return std::nullopt;
  if (lit(':')) {
    if (!digits(2, sec)) return std::nullopt;
    if (lit('.') || lit(',')) {
      std::size_t b = i;
      while (i < s.size() && s[i] >= '0' && s[i] <= '9') ++i;
      if (i == b) return std::nullopt;
      frac = std::strtod(("0." + std::string(s.substr(b, i - b))).c_str(), nullptr);
    }
  }
  int offset = 0;
  if (lit('Z') || lit('z')) {
    offset = 0;
  } else if (i < s.size() && (s[i] == '+' || s[i] == '-')) {
    int sign = s[i] == '-' ? -1 : 1;
    ++i;
    int oh, om;
    if (!digits(2, oh)) return std::nullopt;
    lit(':');
    if (!digits(2, om) || oh > 23 || om > 59) return std::nullopt;
    offset = sign * (oh * 60 + om);
  } else {
    return std::nullopt;
  }
  if (i != s.size()) return std::nullopt;
  static const int days_in[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
  if (mo < 1 || mo > 12) return std::nullopt;
  int dim = days_in[mo - 1] + (mo == 2 && leap ? 1 : 0);
  if (d < 1 || d > dim || h > 23 || mi > 59 || sec > 60) return std::nullopt;
  double days = static_cast<double>(days_from_civil(y, static_cast<unsigned>(mo), static_cast<unsigned>(d)));
  WallClock wc;
  wc.epoch_seconds = days * 86400.0 + h * 3600.0 + mi * 60.0 + sec + frac - offset * 60.0;
  wc.utc_offset_minutes = offset;
  return wc;
}

std::optional<Scenario> parse_scenario(std::string_view text, const std::string& file_name, Diagnostics& diags,
                                       const LoadOptions& opt) {
  if (diags.file().empty() && diags.items().empty()) diags = Diagnostics(file_name);
  const std::size_t errors_before = diags.error_count();
  try {
    std::optional<Scenario> sc = parse_impl(text, diags, opt, file_name, opt.expanded);
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

std::optional<Scenario> load_scenario(const std::string& path, Diagnostics& diags, const LoadOptions& opt) {
  if (diags.file().empty() && diags.items().empty()) diags = Diagnostics(path);
  auto text = read_scenario_file(path, diags, opt);
  if (!text) return std::nullopt;
  return parse_scenario(*text, path, diags, opt);
}

}  // namespace drsim
