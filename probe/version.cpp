#include "dns/resolver.hpp"
#include "probe/commands.hpp"

#include <boost/version.hpp>
#include <openssl/opensslv.h>
#include <openssl/crypto.h>

namespace probe {

std::string version_text() {
  const std::string boost = std::to_string(BOOST_VERSION / 100000) + "." + std::to_string(BOOST_VERSION / 100 % 1000) +
                            "." + std::to_string(BOOST_VERSION % 100);
  return std::string("probe ") + PROBE_VERSION + " (c-ares " + dns::c_ares_version() + ", " +
         OpenSSL_version(OPENSSL_VERSION) + ", Boost " + boost + ")";
}

}  // namespace probe
