#pragma once
// Runs the real `probe` binary (PROBE_BINARY) with arguments and captures its output and
// exit status, for end-to-end tests. No shell: arguments are passed as they are.

#include <string>
#include <vector>

namespace probe_test {

struct run_result {
  int status = -1;  // exit status, or 128+signal
  std::string out, err;
};

run_result run_probe(const std::vector<std::string>& args, const std::string& input = {});

}  // namespace probe_test
