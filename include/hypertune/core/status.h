// Status and Result<T>: how hypertune reports failures that come from outside
// the program (bad input, storage, a user objective). Our own broken invariants
// abort through HT_CHECK instead.
//
//   Result<int64_t> id = storage.CreateStudy("s", {StudyDirection::kMinimize});
//   if (!id.ok()) return id.status();
#pragma once

#include <cstdlib>
#include <iostream>
#include <optional>
#include <sstream>
#include <string>
#include <string_view>
#include <utility>
#include <variant>

namespace hypertune {

enum class StatusCode {
  kOk = 0,
  kInvalidArgument,     // the caller passed something malformed
  kNotFound,            // a study, trial or file that does not exist
  kAlreadyExists,       // a study name that is taken
  kFailedPrecondition,  // the object is not in a state that allows the call
  kIoError,             // the operating system or a storage back-end failed
  kCorruption,          // stored data that cannot be decoded
  kUnavailable,         // a server that cannot be reached; may succeed later
  kUnimplemented,       // the back-end or build does not offer this
  kCancelled,           // stopped on request (a signal, Study::Stop)
  kInternal,            // a bug: please report it
};

std::string_view ToString(StatusCode code);

class [[nodiscard]] Status {
 public:
  Status() = default;  // OK
  Status(StatusCode code, std::string message)
      : code_(code), message_(std::move(message)) {}

  static Status Ok() { return Status(); }
  static Status InvalidArgument(std::string msg) {
    return {StatusCode::kInvalidArgument, std::move(msg)};
  }
  static Status NotFound(std::string msg) {
    return {StatusCode::kNotFound, std::move(msg)};
  }
  static Status AlreadyExists(std::string msg) {
    return {StatusCode::kAlreadyExists, std::move(msg)};
  }
  static Status FailedPrecondition(std::string msg) {
    return {StatusCode::kFailedPrecondition, std::move(msg)};
  }
  static Status IoError(std::string msg) {
    return {StatusCode::kIoError, std::move(msg)};
  }
  static Status Corruption(std::string msg) {
    return {StatusCode::kCorruption, std::move(msg)};
  }
  static Status Unavailable(std::string msg) {
    return {StatusCode::kUnavailable, std::move(msg)};
  }
  static Status Unimplemented(std::string msg) {
    return {StatusCode::kUnimplemented, std::move(msg)};
  }
  static Status Cancelled(std::string msg) {
    return {StatusCode::kCancelled, std::move(msg)};
  }
  static Status Internal(std::string msg) {
    return {StatusCode::kInternal, std::move(msg)};
  }

  bool ok() const { return code_ == StatusCode::kOk; }
  StatusCode code() const { return code_; }
  const std::string& message() const { return message_; }
  // "INVALID_ARGUMENT: trial 3, parameter 'lr': low (1) > high (0)".
  std::string ToString() const;
  // Returns a copy whose message is prefixed by `context + ": "`.
  Status WithContext(std::string_view context) const;

  friend bool operator==(const Status&, const Status&) = default;

 private:
  StatusCode code_ = StatusCode::kOk;
  std::string message_;
};

std::ostream& operator<<(std::ostream& os, const Status& s);

// A value or the Status that explains why there is none.
template <class T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::move(value)) {}  // NOLINT: implicit by design
  Result(Status status) : v_(std::move(status)) {  // NOLINT
    if (std::get<Status>(v_).ok()) {
      v_ = Status::Internal("Result constructed from an OK status");
    }
  }

  bool ok() const { return std::holds_alternative<T>(v_); }
  const Status& status() const {
    static const Status kOk;
    return ok() ? kOk : std::get<Status>(v_);
  }
  // Preconditions: ok(). Aborts otherwise, printing the status.
  T& value() & {
    CheckOk();
    return std::get<T>(v_);
  }
  const T& value() const& {
    CheckOk();
    return std::get<T>(v_);
  }
  // By value, so that `for (auto& x : F().value())` does not dangle.
  T value() && {
    CheckOk();
    return std::get<T>(std::move(v_));
  }
  T value_or(T other) const { return ok() ? std::get<T>(v_) : other; }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

 private:
  void CheckOk() const {
    if (!ok()) {
      std::cerr << "hypertune: Result::value() on error: "
                << std::get<Status>(v_).ToString() << std::endl;
      std::abort();
    }
  }
  std::variant<T, Status> v_;
};

namespace internal {
// Streams a message, then aborts. Used by HT_CHECK.
class CheckFailure {
 public:
  CheckFailure(const char* file, int line, const char* cond);
  [[noreturn]] ~CheckFailure();
  template <class T>
  CheckFailure& operator<<(const T& v) {
    os_ << v;
    return *this;
  }

 private:
  std::ostringstream os_;
};
inline const Status& AsStatus(const Status& s) { return s; }
template <class T>
const Status& AsStatus(const Result<T>& r) {
  return r.status();
}
}  // namespace internal

}  // namespace hypertune

#define HT_CONCAT_INNER_(a, b) a##b
#define HT_CONCAT_(a, b) HT_CONCAT_INNER_(a, b)

// Returns the Status of `expr` (a Status or Result) from the enclosing
// function when it is not OK.
#define HT_RETURN_IF_ERROR(expr)                                          \
  do {                                                                    \
    /* A copy: `expr` may be F().status(), a reference into a temporary. */ \
    ::hypertune::Status ht_status_ = ::hypertune::internal::AsStatus(expr); \
    if (!ht_status_.ok()) return ht_status_;                                \
  } while (0)

// `HT_ASSIGN_OR_RETURN(auto x, ComputeX());` binds the value or returns the
// error.
#define HT_ASSIGN_OR_RETURN(lhs, expr) \
  HT_ASSIGN_OR_RETURN_IMPL_(HT_CONCAT_(ht_result_, __LINE__), lhs, expr)
#define HT_ASSIGN_OR_RETURN_IMPL_(tmp, lhs, expr) \
  auto tmp = (expr);                              \
  if (!tmp.ok()) return tmp.status();             \
  lhs = std::move(tmp).value()

// Aborts with a message when an invariant of hypertune itself is broken:
//   HT_CHECK(n >= 0) << "negative count " << n;
#define HT_CHECK(cond) \
  if (cond) {          \
  } else               \
    ::hypertune::internal::CheckFailure(__FILE__, __LINE__, #cond)
