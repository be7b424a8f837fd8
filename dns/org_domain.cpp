#include "dns/org_domain.hpp"

#include "dns/answer.hpp"

#include <libpsl.h>

namespace dns {
namespace {

// libpsl expects lower-case UTF-8 without a trailing dot; A-labels are plain ASCII.
std::string key(std::string_view domain) { return normalize_name(domain); }

// Debian builds libpsl with its list compiled in; psl_latest() (the newest of the built-in
// list and /usr/share/publicsuffix) covers a libpsl built without one. Both are immutable
// and live for the whole process.
const psl_ctx_t* context() {
  static const psl_ctx_t* ctx = psl_builtin() ? psl_builtin() : psl_latest(nullptr);
  return ctx;
}

// Without any list, the PSL's implicit "*" rule: the last two labels.
std::string last_two_labels(const std::string& name) {
  const auto last = name.rfind('.');
  if (last == std::string::npos || last == 0) return name;
  const auto before = name.rfind('.', last - 1);
  return before == std::string::npos ? name : name.substr(before + 1);
}

}  // namespace

std::string organizational_domain(std::string_view domain) {
  const auto name = key(domain);
  if (name.empty() || name.find('\0') != std::string::npos) return name;
  // psl_registrable_domain returns a pointer into `name` (public suffix + one label), or
  // NULL when the name is itself a public suffix.
  if (!context()) return last_two_labels(name);
  const char* registrable = psl_registrable_domain(context(), name.c_str());
  return registrable ? std::string(registrable) : name;
}

bool is_public_suffix(std::string_view domain) {
  const auto name = key(domain);
  if (name.empty() || name.find('\0') != std::string::npos) return false;
  if (!context()) return name.find('.') == std::string::npos;
  return psl_is_public_suffix(context(), name.c_str()) != 0;
}

bool domains_aligned(std::string_view a, std::string_view b, char mode) {
  const auto left = key(a), right = key(b);
  if (left.empty() || right.empty()) return false;
  if (mode == 's') return left == right;
  return organizational_domain(left) == organizational_domain(right);
}

}  // namespace dns
