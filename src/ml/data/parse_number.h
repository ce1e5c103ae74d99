// Parsing a whole field as a double, without making a std::string of it.
#pragma once

#include <charconv>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <system_error>

namespace hypertune::ml::internal {

// The general case of ParseDouble: from_chars on [s, end), a number
// without sign.
[[gnu::noinline]] inline bool ParseDoubleSlow(const char* s, const char* end, bool negative,
                                              double* out) {
  if (s == end || *s == '+' || *s == '-') return false;
  double v = 0;
  const auto [ptr, ec] = std::from_chars(s, end, v);
  if (ptr != end) return false;
  if (ec == std::errc::result_out_of_range) {
    // from_chars leaves v alone; strtod gives +-inf or a rounded tiny value,
    // as pandas does.
    const std::string copy(s, end);
    v = std::strtod(copy.c_str(), nullptr);
  } else if (ec != std::errc()) {
    return false;
  }
  *out = negative ? -v : v;
  return true;
}

// True when all of [p, end) is a number: what std::from_chars reads (decimal
// or scientific, "inf", "nan"), with an optional leading '+' or '-'.
inline bool ParseDouble(const char* p, const char* end, double* out) {
  static constexpr double kPow10[] = {1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,
                                      1e8,  1e9,  1e10, 1e11, 1e12, 1e13, 1e14, 1e15,
                                      1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};
  if (end - p == 1 && static_cast<unsigned>(*p - '0') < 10) {
    *out = static_cast<double>(*p - '0');
    return true;
  }
  const char* s = p;
  bool negative = false;
  if (s != end && (*s == '-' || *s == '+')) {
    negative = *s == '-';
    ++s;
  }
  // Fast path for plain decimals ("42", "-0.125"): an integer mantissa up to
  // 2^53 divided by an exact power of ten up to 1e22 is one correctly
  // rounded operation, so the result equals what from_chars gives.
  uint64_t mantissa = 0;
  const char* q = s;
  while (q != end && static_cast<unsigned>(*q - '0') < 10) {
    mantissa = mantissa * 10 + static_cast<unsigned>(*q - '0');
    ++q;
  }
  const char* digits_end = q;
  long fraction = 0;
  if (q != end && *q == '.') {
    ++q;
    const char* fraction_begin = q;
    while (q != end && static_cast<unsigned>(*q - '0') < 10) {
      mantissa = mantissa * 10 + static_cast<unsigned>(*q - '0');
      ++q;
    }
    fraction = q - fraction_begin;
  }
  const long digits = (digits_end - s) + fraction;
  if (q == end && digits > 0 && digits <= 19 && mantissa <= (uint64_t{1} << 53) && fraction <= 22) {
    double v = static_cast<double>(mantissa);
    if (fraction > 0 && mantissa != 0) v /= kPow10[fraction];
    *out = negative ? -v : v;
    return true;
  }
  return ParseDoubleSlow(s, end, negative, out);
}

}  // namespace hypertune::ml::internal
