//===- CliRun.h - Running ./model's command line in-process -----*- C++ -*-===//
#ifndef DLNRT_TEST_CLIRUN_H
#define DLNRT_TEST_CLIRUN_H

#include "dlnrt/dlnrt.h"

#include <gtest/gtest.h>
#include <string>
#include <vector>

struct CliRun {
  int rc;
  std::string out, err;
};

/// Runs dlnrt_cli_main over `abi` with argv[0] = argv0, capturing its output.
inline CliRun runCli(const dlnrt_model_abi &abi, const std::string &argv0,
                     std::vector<std::string> args) {
  args.insert(args.begin(), argv0);
  std::vector<char *> argv;
  for (std::string &a : args)
    argv.push_back(a.data());
  argv.push_back(nullptr);
  testing::internal::CaptureStdout();
  testing::internal::CaptureStderr();
  int rc = dlnrt_cli_main(&abi, static_cast<int>(args.size()), argv.data());
  CliRun r{rc, testing::internal::GetCapturedStdout(),
           testing::internal::GetCapturedStderr()};
  return r;
}

#endif // DLNRT_TEST_CLIRUN_H
