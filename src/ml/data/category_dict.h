// CategoryDict: interns the text of categorical fields into dense codes
// 0, 1, 2, ... in order of first appearance. Open addressing keyed by the
// bytes, so a repeated category costs a hash and one comparison, and no
// std::string is made for it.
#pragma once

#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

namespace hypertune::ml::internal {

class CategoryDict {
 public:
  CategoryDict() : slots_(16, -1) {}

  int32_t Intern(std::string_view s) {
    // Data often repeats a value on consecutive rows.
    if (last_ >= 0 && strings_[static_cast<size_t>(last_)] == s) return last_;
    const uint64_t h = Hash(s);
    size_t mask = slots_.size() - 1;
    size_t i = static_cast<size_t>(h) & mask;
    for (;;) {
      const int32_t code = slots_[i];
      if (code < 0) break;
      const auto c = static_cast<size_t>(code);
      if (hashes_[c] == h && strings_[c] == s) return last_ = code;
      i = (i + 1) & mask;
    }
    const auto code = static_cast<int32_t>(strings_.size());
    strings_.emplace_back(s);
    hashes_.push_back(h);
    slots_[i] = code;
    if (strings_.size() * 2 > slots_.size()) Grow();
    return last_ = code;
  }

  size_t size() const { return strings_.size(); }
  const std::string& at(size_t code) const { return strings_[code]; }
  std::vector<std::string> Take() && { return std::move(strings_); }

 private:
  static uint64_t Hash(std::string_view s) {
    uint64_t h = 0x9e3779b97f4a7c15ULL ^ s.size();
    const char* p = s.data();
    size_t n = s.size();
    while (n >= 8) {
      uint64_t w;
      std::memcpy(&w, p, 8);
      h = (h ^ w) * 0xbf58476d1ce4e5b9ULL;
      h ^= h >> 31;
      p += 8;
      n -= 8;
    }
    uint64_t w = 0;
    if (n > 0) std::memcpy(&w, p, n);
    h = (h ^ w) * 0x94d049bb133111ebULL;
    h ^= h >> 29;
    h *= 0xbf58476d1ce4e5b9ULL;
    return h ^ (h >> 32);
  }

  void Grow() {
    slots_.assign(slots_.size() * 2, -1);
    const size_t mask = slots_.size() - 1;
    for (size_t c = 0; c < strings_.size(); ++c) {
      size_t i = static_cast<size_t>(hashes_[c]) & mask;
      while (slots_[i] >= 0) i = (i + 1) & mask;
      slots_[i] = static_cast<int32_t>(c);
    }
  }

  std::vector<int32_t> slots_;  // power of two; -1 = empty
  std::vector<std::string> strings_;
  std::vector<uint64_t> hashes_;
  int32_t last_ = -1;
};

}  // namespace hypertune::ml::internal
