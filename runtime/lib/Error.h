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

[[noreturn]] inline void fail(dlnrt_status_code code,
                              const std::string &message) {
  throw Error(code, message);
}

} // namespace dlnrt

#endif // DLNRT_LIB_ERROR_H
