// The text stages of the scenario reader: bytes, the pre-scan, syntax errors (see
// text.h).
#include "models/parser/text.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdlib>

#include <fmt/format.h>

#include "models/scenario_parser.h"

namespace drsim::parser {

using json = nlohmann::json;

namespace {

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

}  // namespace

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

std::string where(std::string_view text, std::size_t pos) {
  auto [l, c] = line_col(text, pos);
  return fmt::format("line {}, column {}", l, c);
}

// ---------------------------------------------------------------- stage 1: bytes

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

std::string PreScan::pointer() const {
  std::string p;
  for (const auto& f : frames) p += f.array ? "/" + std::to_string(f.index) : "/" + json_pointer_escape(f.key);
  return p;
}

std::string PreScan::decode(std::string_view s) {
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

void PreScan::run(std::string_view t, std::size_t max_depth) {
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

// ---------------------------------------------------------------- stage 3: JSON syntax

namespace {

// nlohmann's message, cut into what drsim's message and hint need.
struct ParseMessage {
  std::string context;   // what was being parsed: "object key", "value", ...
  std::string main;      // what is wrong, in drsim's words
  std::string expected;  // what the parser expected there, or ""
};

ParseMessage split_parse_error(const std::string& what) {
  ParseMessage m;
  std::string detail = what;
  if (auto p = what.find("while parsing "); p != std::string::npos) {
    auto dash = what.find(" - ", p);
    if (dash != std::string::npos) {
      m.context = what.substr(p + 14, dash - p - 14);
      detail = what.substr(dash + 3);
    }
  }
  // detail: MAIN[; expected X][; last read: '...'][; expected X]; what was read may
  // hold anything, so cut it out first.
  std::string head = detail;
  if (auto lr = detail.find("; last read: "); lr != std::string::npos) {
    head = detail.substr(0, lr);
    if (auto e = detail.rfind("; expected "); e != std::string::npos && e > lr) m.expected = detail.substr(e + 11);
  }
  m.main = head;
  if (auto e = head.find("; expected "); e != std::string::npos) {
    m.main = head.substr(0, e);
    m.expected = head.substr(e + 11);
  }
  auto replace = [](std::string& s, const std::string& from, const std::string& to) {
    for (auto p = s.find(from); p != std::string::npos; p = s.find(from, p + to.size())) s.replace(p, from.size(), to);
  };
  replace(m.main, "number literal", "number");
  replace(m.main, "string literal", "string");
  replace(m.main, "invalid string: missing closing quote", "a string is missing its closing quote");
  if (m.main == "invalid comment; missing closing '*/'") m.main = "a /* comment is not closed";
  if (m.main == "invalid comment; expecting '/' or '*' after '/'") m.main = "a '/' that does not start a comment";
  return m;
}

// The hint for a syntax error at byte `pos` of `text`.
std::string syntax_hint(const ParseMessage& m, std::string_view text, std::size_t pos) {
  const std::string& main = m.main;
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
  if (main == "a string is missing its closing quote") return "the file ends inside a string; is it cut short?";
  if (main == "unexpected end of input") return "the file ends before every { and [ is closed; is it cut short?";
  if (main == "a /* comment is not closed") return "end it with */";
  if (main == "a '/' that does not start a comment")
    return "comments are // to the end of the line or /* ... */; elsewhere a '/' belongs inside a string";
  if ((main == "unexpected '}'" || main == "unexpected ']'") && prev_char() == ',')
    return fmt::format("remove the comma before '{}': JSON allows no trailing comma", here);
  if (m.expected == "end of input") return "the top-level object is already closed here; check the brackets above";
  if (main == "invalid literal" && here == '\'') return "JSON strings need double quotes";
  if (main == "invalid literal" && m.context == "object key") return "keys need double quotes: \"key\": value";
  if (main == "invalid literal") return "a value is a \"string\", a number, true, false, null, an object or an array";
  if (main.rfind("invalid string: control character", 0) == 0)
    return "is a closing quote missing? a string stays on one line; write a line break as \\n";
  if (main == "invalid string: forbidden character after backslash")
    return "a backslash starts an escape (\\\" \\\\ \\/ \\n \\t \\uXXXX ...); write \\\\ for a backslash itself";
  if (!m.expected.empty()) {
    std::string expected = m.expected;
    if (expected == "string literal") expected = "a string (an object key)";
    else if (expected == "'[', '{', or a literal") expected = "a value";
    return "expected " + expected;
  }
  return "check the JSON syntax here";
}

}  // namespace

void report_syntax_error(std::string_view text, const json::parse_error& e, Diagnostics& diags) {
  const ParseMessage m = split_parse_error(e.what());
  std::size_t pos = e.byte == 0 ? 0 : std::min<std::size_t>(e.byte - 1, text.size());
  diags.error("", fmt::format("syntax error at {}: {}", where(text, pos), m.main), syntax_hint(m, text, pos));
}

}  // namespace drsim::parser
