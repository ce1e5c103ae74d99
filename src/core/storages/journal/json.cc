#include "src/core/storages/journal/json.h"

#include <charconv>
#include <cmath>
#include <cstdio>
#include <limits>

namespace hypertune::journal_internal {
namespace {

// Deeper nesting than any journal line holds; stops a hostile attribute from
// exhausting the stack.
constexpr int kMaxDepth = 256;

class Parser {
 public:
  explicit Parser(std::string_view text) : text_(text) {}

  Result<JsonValue> Parse() {
    JsonValue v;
    HT_RETURN_IF_ERROR(Value(v, 0));
    SkipSpace();
    if (pos_ != text_.size()) return Error("unexpected text after the value");
    return v;
  }

 private:
  Status Error(const std::string& what) const {
    return Status::InvalidArgument("column " + std::to_string(pos_ + 1) + ": " + what);
  }
  void SkipSpace() {
    while (pos_ < text_.size() && (text_[pos_] == ' ' || text_[pos_] == '\t' ||
                                   text_[pos_] == '\n' || text_[pos_] == '\r'))
      ++pos_;
  }
  bool Consume(std::string_view token) {
    if (text_.substr(pos_, token.size()) != token) return false;
    pos_ += token.size();
    return true;
  }

  Status Value(JsonValue& v, int depth) {
    if (depth > kMaxDepth) return Error("nested deeper than " + std::to_string(kMaxDepth));
    SkipSpace();
    if (pos_ >= text_.size()) return Error("unexpected end of text");
    const size_t start = pos_;
    const char c = text_[pos_];
    Status s;
    if (c == '{') {
      s = Object(v, depth);
    } else if (c == '[') {
      s = Array(v, depth);
    } else if (c == '"') {
      v.kind = JsonValue::Kind::kString;
      s = String(v.s);
    } else if (Consume("null")) {
      v.kind = JsonValue::Kind::kNull;
    } else if (Consume("true")) {
      v.kind = JsonValue::Kind::kBool;
      v.b = true;
    } else if (Consume("false")) {
      v.kind = JsonValue::Kind::kBool;
      v.b = false;
    } else if (Consume("NaN")) {
      v.kind = JsonValue::Kind::kDouble;
      v.d = std::numeric_limits<double>::quiet_NaN();
    } else if (Consume("Infinity")) {
      v.kind = JsonValue::Kind::kDouble;
      v.d = std::numeric_limits<double>::infinity();
    } else if (Consume("-Infinity")) {
      v.kind = JsonValue::Kind::kDouble;
      v.d = -std::numeric_limits<double>::infinity();
    } else if (c == '-' || (c >= '0' && c <= '9')) {
      s = Number(v);
    } else {
      return Error(std::string("unexpected character '") + c + "'");
    }
    if (!s.ok()) return s;
    v.raw = text_.substr(start, pos_ - start);
    return Status::Ok();
  }

  Status Object(JsonValue& v, int depth) {
    v.kind = JsonValue::Kind::kObject;
    ++pos_;  // '{'
    SkipSpace();
    if (pos_ < text_.size() && text_[pos_] == '}') {
      ++pos_;
      return Status::Ok();
    }
    while (true) {
      SkipSpace();
      if (pos_ >= text_.size() || text_[pos_] != '"') return Error("expected a member name");
      std::string key;
      HT_RETURN_IF_ERROR(String(key));
      SkipSpace();
      if (pos_ >= text_.size() || text_[pos_] != ':') return Error("expected ':'");
      ++pos_;
      JsonValue member;
      HT_RETURN_IF_ERROR(Value(member, depth + 1));
      v.members.emplace_back(std::move(key), std::move(member));
      SkipSpace();
      if (pos_ < text_.size() && text_[pos_] == ',') {
        ++pos_;
        continue;
      }
      if (pos_ < text_.size() && text_[pos_] == '}') {
        ++pos_;
        return Status::Ok();
      }
      return Error("expected ',' or '}'");
    }
  }

  Status Array(JsonValue& v, int depth) {
    v.kind = JsonValue::Kind::kArray;
    ++pos_;  // '['
    SkipSpace();
    if (pos_ < text_.size() && text_[pos_] == ']') {
      ++pos_;
      return Status::Ok();
    }
    while (true) {
      JsonValue item;
      HT_RETURN_IF_ERROR(Value(item, depth + 1));
      v.items.push_back(std::move(item));
      SkipSpace();
      if (pos_ < text_.size() && text_[pos_] == ',') {
        ++pos_;
        continue;
      }
      if (pos_ < text_.size() && text_[pos_] == ']') {
        ++pos_;
        return Status::Ok();
      }
      return Error("expected ',' or ']'");
    }
  }

  static void AppendUtf8(std::string& out, uint32_t cp) {
    if (cp < 0x80) {
      out += static_cast<char>(cp);
    } else if (cp < 0x800) {
      out += static_cast<char>(0xC0 | (cp >> 6));
      out += static_cast<char>(0x80 | (cp & 0x3F));
    } else if (cp < 0x10000) {
      out += static_cast<char>(0xE0 | (cp >> 12));
      out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
      out += static_cast<char>(0x80 | (cp & 0x3F));
    } else {
      out += static_cast<char>(0xF0 | (cp >> 18));
      out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
      out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
      out += static_cast<char>(0x80 | (cp & 0x3F));
    }
  }

  Result<uint32_t> Hex4() {
    if (pos_ + 4 > text_.size()) return Error("truncated \\u escape");
    uint32_t cp = 0;
    for (int k = 0; k < 4; ++k) {
      const char h = text_[pos_++];
      cp <<= 4;
      if (h >= '0' && h <= '9') {
        cp |= static_cast<uint32_t>(h - '0');
      } else if (h >= 'a' && h <= 'f') {
        cp |= static_cast<uint32_t>(h - 'a' + 10);
      } else if (h >= 'A' && h <= 'F') {
        cp |= static_cast<uint32_t>(h - 'A' + 10);
      } else {
        return Error("bad hex digit in \\u escape");
      }
    }
    return cp;
  }

  Status String(std::string& out) {
    ++pos_;  // '"'
    while (true) {
      if (pos_ >= text_.size()) return Error("unterminated string");
      const char c = text_[pos_];
      if (c == '"') {
        ++pos_;
        return Status::Ok();
      }
      if (static_cast<unsigned char>(c) < 0x20) return Error("control character in a string");
      if (c != '\\') {
        out += c;
        ++pos_;
        continue;
      }
      if (++pos_ >= text_.size()) return Error("unterminated escape");
      const char e = text_[pos_++];
      switch (e) {
        case '"':
          out += '"';
          break;
        case '\\':
          out += '\\';
          break;
        case '/':
          out += '/';
          break;
        case 'b':
          out += '\b';
          break;
        case 'f':
          out += '\f';
          break;
        case 'n':
          out += '\n';
          break;
        case 'r':
          out += '\r';
          break;
        case 't':
          out += '\t';
          break;
        case 'u': {
          HT_ASSIGN_OR_RETURN(uint32_t cp, Hex4());
          // A surrogate pair is one character; a lone surrogate is kept as
          // Python keeps it.
          if (cp >= 0xD800 && cp < 0xDC00 && text_.substr(pos_, 2) == "\\u") {
            const size_t save = pos_;
            pos_ += 2;
            HT_ASSIGN_OR_RETURN(uint32_t low, Hex4());
            if (low >= 0xDC00 && low < 0xE000) {
              cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
            } else {
              pos_ = save;
            }
          }
          AppendUtf8(out, cp);
          break;
        }
        default:
          --pos_;
          return Error(std::string("bad escape '\\") + e + "'");
      }
    }
  }

  Status Number(JsonValue& v) {
    const size_t start = pos_;
    bool is_int = true;
    if (text_[pos_] == '-') ++pos_;
    const auto digits = [&] {
      const size_t from = pos_;
      while (pos_ < text_.size() && text_[pos_] >= '0' && text_[pos_] <= '9') ++pos_;
      return pos_ - from;
    };
    const size_t int_start = pos_;
    if (digits() == 0) return Error("expected a digit");
    if (text_[int_start] == '0' && pos_ - int_start > 1) {
      pos_ = int_start + 1;
      return Error("leading zero in a number");
    }
    if (pos_ < text_.size() && text_[pos_] == '.') {
      ++pos_;
      is_int = false;
      if (digits() == 0) return Error("expected a digit after '.'");
    }
    if (pos_ < text_.size() && (text_[pos_] == 'e' || text_[pos_] == 'E')) {
      ++pos_;
      is_int = false;
      if (pos_ < text_.size() && (text_[pos_] == '+' || text_[pos_] == '-')) ++pos_;
      if (digits() == 0) return Error("expected a digit in the exponent");
    }
    const char* first = text_.data() + start;
    const char* last = text_.data() + pos_;
    if (is_int) {
      int64_t i = 0;
      auto [p, ec] = std::from_chars(first, last, i);
      if (ec == std::errc() && p == last) {
        v.kind = JsonValue::Kind::kInt;
        v.i = i;
        return Status::Ok();
      }
      // Too large for int64: Python keeps it exact; a double is the best here.
    }
    double d = 0.0;
    auto [p, ec] = std::from_chars(first, last, d);
    if (ec == std::errc::result_out_of_range) {
      // Python reads 1e999 as inf and 1e-999 as 0.0.
      d = std::strtod(std::string(first, last).c_str(), nullptr);
    } else if (ec != std::errc() || p != last) {
      pos_ = start;
      return Error("bad number");
    }
    v.kind = JsonValue::Kind::kDouble;
    v.d = d;
    return Status::Ok();
  }

  std::string_view text_;
  size_t pos_ = 0;
};

}  // namespace

const JsonValue* JsonValue::Find(std::string_view key) const {
  if (kind != Kind::kObject) return nullptr;
  for (auto it = members.rbegin(); it != members.rend(); ++it) {
    if (it->first == key) return &it->second;
  }
  return nullptr;
}

std::string_view JsonValue::KindName() const {
  switch (kind) {
    case Kind::kNull:
      return "null";
    case Kind::kBool:
      return "a boolean";
    case Kind::kInt:
      return "an integer";
    case Kind::kDouble:
      return "a float";
    case Kind::kString:
      return "a string";
    case Kind::kArray:
      return "an array";
    case Kind::kObject:
      return "an object";
  }
  return "?";
}

Result<JsonValue> ParseJson(std::string_view text) { return Parser(text).Parse(); }

void AppendJsonString(std::string& out, std::string_view s) {
  out += '"';
  for (const char c : s) {
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      case '\b':
        out += "\\b";
        break;
      case '\f':
        out += "\\f";
        break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          char buf[8];
          std::snprintf(buf, sizeof(buf), "\\u%04x", static_cast<unsigned>(c));
          out += buf;
        } else {
          out += c;
        }
    }
  }
  out += '"';
}

void AppendJsonDouble(std::string& out, double v) {
  if (std::isnan(v)) {
    out += "NaN";
    return;
  }
  if (std::isinf(v)) {
    out += v > 0 ? "Infinity" : "-Infinity";
    return;
  }
  char buf[32];
  auto [end, ec] = std::to_chars(buf, buf + sizeof(buf), v);
  HT_CHECK(ec == std::errc()) << "to_chars failed for a double";
  const std::string_view text(buf, static_cast<size_t>(end - buf));
  out += text;
  // "3" would read back as a Python int: an IntDistribution's internal value
  // must stay a float, as Optuna writes it.
  if (text.find_first_of(".e") == std::string_view::npos) out += ".0";
}

}  // namespace hypertune::journal_internal
