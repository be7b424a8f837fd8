#pragma once
// STARTTLS facts: what a diagnostic reports about a server's TLS, rather than a pass/fail.
//
// The client context trusts the system store (/etc/ssl/certs) but does not abort the
// handshake on a bad certificate (SSL_VERIFY_NONE): most MX certificates are self-signed
// or name another host, and SMTP falls back to plaintext anyway (RFC 3207 §4.1, RFC 7435).
// The chain result and the name check (X509_check_host against the MX name with its
// trailing dot stripped, RFC 6125) are read after the handshake and reported as facts.
//
// Thread affinity: the context is shared read-only by every session of a run; reading
// facts touches only the given SSL object. Certificate text is sanitised (peer-controlled).

#include <boost/asio/ssl/context.hpp>

#include <memory>
#include <string>
#include <string_view>
#include <vector>

typedef struct ssl_st SSL;

namespace smtp {

struct tls_facts {
  std::string sni;          // the server name sent (the MX host name), "" when none
  std::string protocol;     // "TLSv1.3"
  std::string cipher;       // "TLS_AES_256_GCM_SHA384"
  bool certificate = false; // the server sent a certificate
  std::string subject;      // RFC 2253 form
  std::string issuer;
  std::vector<std::string> subject_alt_names;  // DNS names, then IP addresses
  std::string not_before;   // ISO 8601 UTC, "2025-01-31T12:00:00Z"
  std::string not_after;
  bool expired = false;     // not_after is in the past
  bool chain_valid = false; // verified against the system trust store
  std::string chain_error;  // OpenSSL's words when not valid ("self-signed certificate")
  bool name_matches = false;
  std::string name_checked; // the MX name the certificate was checked against
};

// One client context for the run: system trust store, TLS 1.2 or newer, no abort on
// verification failures (facts are read after the handshake).
std::shared_ptr<boost::asio::ssl::context> make_client_tls_context();

// Reads the facts of an established connection. `mx_host` may end with a dot.
tls_facts read_tls_facts(SSL* ssl, std::string_view mx_host, std::string_view sni);

// The OpenSSL error queue (and `fallback` when empty), emptied, sanitised: for handshake failures.
std::string drain_openssl_errors(std::string_view fallback);

// The reason alone of a handshake's error text (Asio's words for the first error, then
// drain_openssl_errors()'s, joined by "; "): "wrong version number" from Asio's "wrong
// version number (SSL routines)" or from OpenSSL's "error:0A00010B:SSL routines::wrong
// version number", the first error's, so other languages can name it (probe's
// names.tls_error); any other text as it is. A view into `errors`.
std::string_view openssl_reason(std::string_view errors);

}  // namespace smtp
