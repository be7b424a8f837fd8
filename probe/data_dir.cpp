#include "probe/data_dir.hpp"

#include <cstdlib>
#include <filesystem>

namespace probe {

std::string data_path(std::string_view module) {
  namespace fs = std::filesystem;
  if (const char* env = std::getenv("PROBE_DATA_DIR"); env != nullptr && *env != '\0')
    return (fs::path(env) / module).string();
  std::error_code ec;
  const auto exe = fs::read_symlink("/proc/self/exe", ec);
  if (!ec) {
    const auto installed = exe.parent_path().parent_path() / "share" / "probe" / module;
    if (fs::is_directory(installed, ec)) return installed.string();
  }
  // The source tree keeps a module's data in MODULE/data, or (smtp) beside its code.
  const auto source = fs::path(PROBE_SOURCE_DATA_DIR) / module;
  if (fs::is_directory(source / "data", ec)) return (source / "data").string();
  return source.string();
}

}  // namespace probe
