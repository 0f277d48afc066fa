// Errors are values: every fallible call returns Result<T>, carrying an Error
// that says what was being done to what, and the errno when there is one.
#pragma once

#include <cerrno>
#include <cstring>
#include <expected>
#include <string>
#include <utility>

#include <fmt/format.h>

namespace nucleus {

class Error {
 public:
  Error() = default;
  Error(std::string message, int err = 0) : message_(std::move(message)), errno_(err) {}

  // "what we did: strerror(err)"
  static Error from_errno(std::string what, int err = errno) { return Error(std::move(what), err); }

  // Prefix context as the error crosses a layer: "create container: <inner>".
  Error context(std::string_view what) const& {
    return Error(fmt::format("{}: {}", what, message_), errno_);
  }
  Error context(std::string_view what) && {
    message_ = fmt::format("{}: {}", what, message_);
    return std::move(*this);
  }

  int err() const { return errno_; }
  const std::string& message() const { return message_; }
  // The full text: the message and, when there is an errno, its description.
  std::string what() const {
    if (errno_ == 0) return message_;
    return fmt::format("{}: {}", message_, describe_errno(errno_));
  }

  // runc (Go) spells errno texts in lower case: "no such file or directory".
  static std::string describe_errno(int err) {
    std::string s = ::strerrordesc_np(err) ? ::strerrordesc_np(err) : fmt::format("errno {}", err);
    if (!s.empty() && s[0] >= 'A' && s[0] <= 'Z' && !(s.size() > 1 && s[1] >= 'A' && s[1] <= 'Z'))
      s[0] = static_cast<char>(s[0] - 'A' + 'a');
    return s;
  }

 private:
  std::string message_;
  int errno_ = 0;
};

template <typename T = void>
using Result = std::expected<T, Error>;

inline std::unexpected<Error> fail(std::string message, int err = 0) {
  return std::unexpected(Error(std::move(message), err));
}
inline std::unexpected<Error> fail_errno(std::string what, int err = errno) {
  return std::unexpected(Error::from_errno(std::move(what), err));
}

}  // namespace nucleus

// Propagate an error from an expression returning Result<...>, evaluating to
// its value otherwise (a GNU statement expression, as g++ and clang accept;
// __extension__ keeps -Wpedantic quiet about it).
#define TRY(expr)                                             \
  __extension__({                                             \
    auto&& try_result_ = (expr);                              \
    if (!try_result_) return std::unexpected(std::move(try_result_).error()); \
    std::move(try_result_).value();                           \
  })

#define TRY_VOID(expr)                                        \
  do {                                                        \
    auto&& try_result_ = (expr);                              \
    if (!try_result_) return std::unexpected(std::move(try_result_).error()); \
  } while (0)
