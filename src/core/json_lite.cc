#include "hypertune/core/json_lite.h"

#include <charconv>
#include <cmath>
#include <cstdio>

namespace hypertune::json_lite {
namespace {

void EncodeString(std::string_view s, std::string& out) {
  out += '"';
  for (char c : s) {
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      case '\b': out += "\\b"; break;
      case '\f': out += "\\f"; break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          char buf[8];
          std::snprintf(buf, sizeof buf, "\\u%04x", static_cast<unsigned char>(c));
          out += buf;
        } else {
          out += c;
        }
    }
  }
  out += '"';
}

void EncodeValue(const ParamValue& v, std::string& out) {
  if (std::holds_alternative<std::monostate>(v)) {
    out += "null";
  } else if (const bool* b = std::get_if<bool>(&v)) {
    out += *b ? "true" : "false";
  } else if (const int64_t* i = std::get_if<int64_t>(&v)) {
    out += std::to_string(*i);
  } else if (const double* d = std::get_if<double>(&v)) {
    if (std::isnan(*d)) {
      out += "NaN";
    } else if (std::isinf(*d)) {
      out += *d > 0 ? "Infinity" : "-Infinity";
    } else {
      char buf[32];
      auto r = std::to_chars(buf, buf + sizeof buf, *d);
      std::string_view s(buf, static_cast<size_t>(r.ptr - buf));
      out += s;
      // Keep it a float when read back (Python writes 1.0, not 1).
      if (s.find_first_of(".eEn") == std::string_view::npos) out += ".0";
    }
  } else {
    EncodeString(std::get<std::string>(v), out);
  }
}

class Parser {
 public:
  explicit Parser(std::string_view s) : s_(s) {}

  Status Error(std::string_view what) const {
    return Status::Corruption("JSON at offset " + std::to_string(pos_) + ": " +
                              std::string(what) + " in '" + std::string(s_.substr(0, 200)) +
                              "'");
  }
  void SkipSpace() {
    while (pos_ < s_.size() && (s_[pos_] == ' ' || s_[pos_] == '\n' || s_[pos_] == '\t' ||
                                s_[pos_] == '\r'))
      ++pos_;
  }
  bool Consume(std::string_view lit) {
    if (s_.substr(pos_, lit.size()) == lit) {
      pos_ += lit.size();
      return true;
    }
    return false;
  }
  bool AtEnd() {
    SkipSpace();
    return pos_ == s_.size();
  }
  bool Peek(char c) {
    SkipSpace();
    return pos_ < s_.size() && s_[pos_] == c;
  }

  Result<std::string> String() {
    SkipSpace();
    if (!Consume("\"")) return Error("expected a string");
    std::string out;
    while (pos_ < s_.size()) {
      char c = s_[pos_++];
      if (c == '"') return out;
      if (c != '\\') {
        out += c;
        continue;
      }
      if (pos_ >= s_.size()) break;
      char e = s_[pos_++];
      switch (e) {
        case '"': out += '"'; break;
        case '\\': out += '\\'; break;
        case '/': out += '/'; break;
        case 'n': out += '\n'; break;
        case 'r': out += '\r'; break;
        case 't': out += '\t'; break;
        case 'b': out += '\b'; break;
        case 'f': out += '\f'; break;
        case 'u': {
          if (pos_ + 4 > s_.size()) return Error("short \\u escape");
          unsigned cp = 0;
          auto r = std::from_chars(s_.data() + pos_, s_.data() + pos_ + 4, cp, 16);
          if (r.ptr != s_.data() + pos_ + 4) return Error("bad \\u escape");
          pos_ += 4;
          if (cp >= 0xD800 && cp <= 0xDBFF && s_.substr(pos_, 2) == "\\u") {
            unsigned lo = 0;
            auto r2 = std::from_chars(s_.data() + pos_ + 2, s_.data() + pos_ + 6, lo, 16);
            if (r2.ptr == s_.data() + pos_ + 6 && lo >= 0xDC00 && lo <= 0xDFFF) {
              cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
              pos_ += 6;
            }
          }
          AppendUtf8(cp, out);
          break;
        }
        default: return Error("bad escape");
      }
    }
    return Error("unterminated string");
  }

  Result<ParamValue> Scalar() {
    SkipSpace();
    if (Peek('"')) {
      HT_ASSIGN_OR_RETURN(std::string s, String());
      return ParamValue(std::move(s));
    }
    if (Consume("null")) return ParamValue(std::monostate{});
    if (Consume("true")) return ParamValue(true);
    if (Consume("false")) return ParamValue(false);
    if (Consume("NaN")) return ParamValue(std::nan(""));
    if (Consume("Infinity")) return ParamValue(HUGE_VAL);
    if (Consume("-Infinity")) return ParamValue(-HUGE_VAL);
    const size_t start = pos_;
    while (pos_ < s_.size() && (std::isdigit(static_cast<unsigned char>(s_[pos_])) ||
                                s_[pos_] == '-' || s_[pos_] == '+' || s_[pos_] == '.' ||
                                s_[pos_] == 'e' || s_[pos_] == 'E'))
      ++pos_;
    std::string_view num = s_.substr(start, pos_ - start);
    if (num.empty()) return Error("expected a value");
    if (num.find_first_of(".eE") == std::string_view::npos) {
      int64_t i = 0;
      auto r = std::from_chars(num.data(), num.data() + num.size(), i);
      if (r.ec == std::errc() && r.ptr == num.data() + num.size()) return ParamValue(i);
    }
    double d = 0;
    auto r = std::from_chars(num.data(), num.data() + num.size(), d);
    if (r.ec != std::errc() || r.ptr != num.data() + num.size()) return Error("bad number");
    return ParamValue(d);
  }

 private:
  static void AppendUtf8(unsigned cp, std::string& out) {
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

  std::string_view s_;
  size_t pos_ = 0;
};

}  // namespace

std::string Encode(const ParamValue& v) {
  std::string out;
  EncodeValue(v, out);
  return out;
}

std::string Encode(const std::map<std::string, ParamValue, std::less<>>& object) {
  std::string out = "{";
  bool first = true;
  for (const auto& [k, v] : object) {
    if (!first) out += ", ";
    first = false;
    EncodeString(k, out);
    out += ": ";
    EncodeValue(v, out);
  }
  return out + "}";
}

Result<ParamValue> DecodeScalar(std::string_view json) {
  Parser p(json);
  HT_ASSIGN_OR_RETURN(ParamValue v, p.Scalar());
  if (!p.AtEnd()) return p.Error("trailing characters");
  return v;
}

Result<std::map<std::string, ParamValue, std::less<>>> DecodeObject(std::string_view json) {
  Parser p(json);
  std::map<std::string, ParamValue, std::less<>> out;
  p.SkipSpace();
  if (!p.Consume("{")) return p.Error("expected '{'");
  if (p.Peek('}')) {
    p.Consume("}");
  } else {
    while (true) {
      HT_ASSIGN_OR_RETURN(std::string key, p.String());
      p.SkipSpace();
      if (!p.Consume(":")) return p.Error("expected ':'");
      HT_ASSIGN_OR_RETURN(ParamValue v, p.Scalar());
      out[std::move(key)] = std::move(v);
      p.SkipSpace();
      if (p.Consume(",")) continue;
      if (p.Consume("}")) break;
      return p.Error("expected ',' or '}'");
    }
  }
  if (!p.AtEnd()) return p.Error("trailing characters");
  return out;
}

}  // namespace hypertune::json_lite
