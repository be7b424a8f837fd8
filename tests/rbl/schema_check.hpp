#pragma once
// Test helper: validates JSON documents against docs/schemas/*.schema.json with the
// project's validator (tests/probe/validate_json.py, Debian's python3-jsonschema).
// Returns the validator's report; `ok` is true when every document is valid.

#include <nlohmann/json.hpp>

#include <cstdio>
#include <fstream>
#include <string>
#include <vector>

#include <sys/wait.h>
#include <unistd.h>

namespace test_support {

struct schema_result {
  bool ok = false;
  std::string report;
};

inline schema_result validate_against(const std::string& schema_file, const std::vector<nlohmann::json>& documents) {
  char path[] = "/tmp/probe-rbl-schema-XXXXXX";
  const int fd = mkstemp(path);
  if (fd < 0) return {false, "cannot create a temporary file"};
  close(fd);
  {
    std::ofstream out(path);
    for (const auto& d : documents) out << d.dump() << '\n';
  }
  const std::string command = std::string("/usr/bin/python3 " PROBE_SOURCE_DIR "/tests/probe/validate_json.py " PROBE_SOURCE_DIR
                                          "/docs/schemas ") +
                              schema_file + " " + std::to_string(documents.size()) + " < " + path + " 2>&1";
  schema_result r;
  if (FILE* pipe = popen(command.c_str(), "r")) {
    char buffer[4096];
    std::size_t n;
    while ((n = fread(buffer, 1, sizeof buffer, pipe)) > 0) r.report.append(buffer, n);
    const int status = pclose(pipe);
    r.ok = WIFEXITED(status) && WEXITSTATUS(status) == 0;
  }
  std::remove(path);
  return r;
}

}  // namespace test_support
