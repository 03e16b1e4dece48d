//===- CliArgs.h - Command-line options of a compiled model -----*- C++ -*-===//
//
// Parsing is separate from running so option errors (unknown flag, flag not
// valid for the command, malformed number) are reported before any data is
// loaded.
//
//===----------------------------------------------------------------------===//
#ifndef DLNRT_LIB_CLIARGS_H
#define DLNRT_LIB_CLIARGS_H

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace dlnrt {

struct CliOptions {
  std::string command; // train, eval, predict, encode, decode, gradcheck,
                       // info, help
  std::string dataDir, metricsJson, save, load, resume;
  std::vector<std::string> initFrom; // train --init-from FILE[:P=A,...]
  std::string input, out; // predict: CSV rows in, CSV rows out ("" stdout)
  std::string predictBlock; // predict|encode|decode NAME: a named block
  std::string config; // --config NAME; "" for the default
  std::optional<int64_t> epochs, batch, samples;
  std::optional<uint64_t> seed;
  std::optional<double> lr, eps, tol;
  bool quiet = false;
};

/// Throws Error(DLNRT_INVALID_ARGUMENT) with a one-line message on bad usage.
CliOptions parseCliArgs(int argc, char **argv);

/// The --help text; `program` is argv[0].
std::string usageText(const std::string &program);

} // namespace dlnrt

#endif // DLNRT_LIB_CLIARGS_H
