#include "src/core/storages/journal/codec.h"

#include <cstdio>
#include <ctime>

namespace hypertune::journal_internal {
namespace {

// Reads exactly `n` digits at `pos`.
bool Digits(std::string_view s, size_t& pos, int n, int& out) {
  if (pos + static_cast<size_t>(n) > s.size()) return false;
  out = 0;
  for (int k = 0; k < n; ++k) {
    const char c = s[pos++];
    if (c < '0' || c > '9') return false;
    out = out * 10 + (c - '0');
  }
  return true;
}

}  // namespace

std::string FormatIsoDatetime(FrozenTrial::Clock::time_point t) {
  return optuna_rdb::FormatDatetime(t, 'T');
}

Result<FrozenTrial::Clock::time_point> ParseIsoDatetime(std::string_view text) {
  const auto bad = [&] {
    return Status::InvalidArgument("datetime '" + std::string(text) +
                                   "' is not ISO 8601 (YYYY-MM-DDTHH:MM:SS[.ffffff])");
  };
  std::tm tm{};
  size_t pos = 0;
  int year = 0, month = 0, day = 0;
  if (!Digits(text, pos, 4, year) || pos >= text.size() || text[pos++] != '-' ||
      !Digits(text, pos, 2, month) || pos >= text.size() || text[pos++] != '-' ||
      !Digits(text, pos, 2, day))
    return bad();
  int hour = 0, minute = 0, second = 0;
  int64_t micros = 0;
  bool has_offset = false;
  int offset_seconds = 0;
  if (pos < text.size()) {
    if (text[pos] != 'T' && text[pos] != ' ') return bad();
    ++pos;
    if (!Digits(text, pos, 2, hour) || pos >= text.size() || text[pos++] != ':' ||
        !Digits(text, pos, 2, minute))
      return bad();
    if (pos < text.size() && text[pos] == ':') {
      ++pos;
      if (!Digits(text, pos, 2, second)) return bad();
      if (pos < text.size() && (text[pos] == '.' || text[pos] == ',')) {
        ++pos;
        int digits = 0;
        while (pos < text.size() && text[pos] >= '0' && text[pos] <= '9') {
          if (digits < 6) micros = micros * 10 + (text[pos] - '0');
          ++digits;
          ++pos;
        }
        if (digits == 0) return bad();
        for (; digits < 6; ++digits) micros *= 10;
      }
    }
    if (pos < text.size()) {
      has_offset = true;
      if (text[pos] == 'Z') {
        ++pos;
      } else if (text[pos] == '+' || text[pos] == '-') {
        const int sign = text[pos++] == '-' ? -1 : 1;
        int oh = 0, om = 0, os = 0;
        if (!Digits(text, pos, 2, oh) || pos >= text.size() || text[pos++] != ':' ||
            !Digits(text, pos, 2, om))
          return bad();
        if (pos < text.size() && text[pos] == ':') {
          ++pos;
          if (!Digits(text, pos, 2, os)) return bad();
        }
        offset_seconds = sign * (oh * 3600 + om * 60 + os);
      } else {
        return bad();
      }
      if (pos != text.size()) return bad();
    }
  }
  if (month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || minute > 59 || second > 59)
    return bad();
  tm.tm_year = year - 1900;
  tm.tm_mon = month - 1;
  tm.tm_mday = day;
  tm.tm_hour = hour;
  tm.tm_min = minute;
  tm.tm_sec = second;
  std::time_t secs;
  if (has_offset) {
    secs = timegm(&tm) - offset_seconds;
  } else {
    tm.tm_isdst = -1;  // local time: let mktime decide
    secs = std::mktime(&tm);
  }
  return FrozenTrial::Clock::time_point(std::chrono::duration_cast<FrozenTrial::Clock::duration>(
      std::chrono::microseconds(static_cast<int64_t>(secs) * 1000000 + micros)));
}

bool CompatibleDistributions(const Distribution& a, const Distribution& b) {
  if (a.index() != b.index()) return false;
  if (const auto* fa = std::get_if<FloatDistribution>(&a))
    return fa->log == std::get<FloatDistribution>(b).log;
  if (const auto* ia = std::get_if<IntDistribution>(&a))
    return ia->log == std::get<IntDistribution>(b).log;
  return std::get<CategoricalDistribution>(a) == std::get<CategoricalDistribution>(b);
}

}  // namespace hypertune::journal_internal
