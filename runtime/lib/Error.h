//===- Error.h - Runtime error type -----------------------------*- C++ -*-===//
//
// Internals report failures by throwing dlnrt::Error with a status code and a
// one-line message that already names the offending file or line; the C API and
// the CLI are the only places that catch, so no layer in between has to thread
// error codes by hand.
//
//===----------------------------------------------------------------------===//
#ifndef DLNRT_LIB_ERROR_H
#define DLNRT_LIB_ERROR_H

#include "dlnrt/dlnrt.h"

#include <stdexcept>
#include <string>

namespace dlnrt {

class Error : public std::runtime_error {
public:
  Error(dlnrt_status_code code, const std::string &message)
      : std::runtime_error(message), code_(code) {}
  dlnrt_status_code code() const { return code_; }

private:
  dlnrt_status_code code_;
};

/// A request the command line should not have accepted (unknown --config
/// name, --lr for a model without a learning rate): `./model` exits with 2.
class UsageError : public Error {
public:
  explicit UsageError(const std::string &message)
      : Error(DLNRT_INVALID_ARGUMENT, message) {}
};

[[noreturn]] inline void failUsage(const std::string &message) {
  throw UsageError(message);
}

[[noreturn]] inline void fail(dlnrt_status_code code,
                              const std::string &message) {
  throw Error(code, message);
}

} // namespace dlnrt

#endif // DLNRT_LIB_ERROR_H
