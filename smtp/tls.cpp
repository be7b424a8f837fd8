#include "smtp/tls.hpp"

#include "smtp/text.hpp"

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <ctime>

namespace smtp {
namespace {

using bio_ptr = std::unique_ptr<BIO, decltype(&BIO_free)>;

std::string name_text(const X509_NAME* name) {
  if (name == nullptr) return {};
  bio_ptr bio(BIO_new(BIO_s_mem()), &BIO_free);
  if (!bio) return {};
  X509_NAME_print_ex(bio.get(), name, 0, XN_FLAG_RFC2253);
  char* data = nullptr;
  const long length = BIO_get_mem_data(bio.get(), &data);
  return sanitize(std::string_view(data, length > 0 ? static_cast<std::size_t>(length) : 0)).substr(0, 1024);
}

std::string time_text(const ASN1_TIME* time) {
  std::tm tm{};
  if (time == nullptr || ASN1_TIME_to_tm(time, &tm) != 1) return {};
  char out[32];
  if (std::strftime(out, sizeof out, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0) return {};
  return out;
}

std::vector<std::string> alt_names(X509* cert) {
  std::vector<std::string> names;
  auto* sans = static_cast<GENERAL_NAMES*>(X509_get_ext_d2i(cert, NID_subject_alt_name, nullptr, nullptr));
  if (sans == nullptr) return names;
  std::vector<std::string> addresses;
  // A certificate may list thousands of names; keep the first 100 (peer-controlled input).
  const int count = std::min(sk_GENERAL_NAME_num(sans), 100);
  for (int i = 0; i < count; ++i) {
    const GENERAL_NAME* entry = sk_GENERAL_NAME_value(sans, i);
    if (entry->type == GEN_DNS) {
      const auto* text = entry->d.dNSName;
      names.push_back(sanitize(std::string_view(reinterpret_cast<const char*>(ASN1_STRING_get0_data(text)),
                                                static_cast<std::size_t>(ASN1_STRING_length(text))))
                          .substr(0, 255));
    } else if (entry->type == GEN_IPADD) {
      const auto* raw = entry->d.iPAddress;
      const auto* bytes = ASN1_STRING_get0_data(raw);
      const int length = ASN1_STRING_length(raw);
      char text[64] = {0};
      if (length == 4) {
        std::snprintf(text, sizeof text, "%u.%u.%u.%u", bytes[0], bytes[1], bytes[2], bytes[3]);
        addresses.emplace_back(text);
      } else if (length == 16) {
        std::string v6;
        for (int k = 0; k < 16; k += 2) {
          std::snprintf(text, sizeof text, "%s%x", k ? ":" : "", (bytes[k] << 8) | bytes[k + 1]);
          v6 += text;
        }
        addresses.push_back(v6);
      }
    }
  }
  GENERAL_NAMES_free(sans);
  names.insert(names.end(), addresses.begin(), addresses.end());
  return names;
}

}  // namespace

std::shared_ptr<boost::asio::ssl::context> make_client_tls_context() {
  namespace ssl = boost::asio::ssl;
  auto context = std::make_shared<ssl::context>(ssl::context::tls_client);
  context->set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 | ssl::context::no_sslv3 |
                       ssl::context::no_tlsv1 | ssl::context::no_tlsv1_1);
  // The hashed certificate directory (/etc/ssl/certs on Debian) is read lazily, one issuer
  // at a time; loading the whole bundle file would cost ~50 ms per run before any probe.
  // A missing store leaves every chain "unable to get local issuer certificate".
  boost::system::error_code ec;
  context->add_verify_path(X509_get_default_cert_dir(), ec);
  context->set_verify_mode(ssl::verify_none);
  return context;
}

tls_facts read_tls_facts(SSL* ssl, std::string_view mx_host, std::string_view sni) {
  tls_facts facts;
  facts.sni = std::string(sni);
  facts.protocol = SSL_get_version(ssl);
  if (const SSL_CIPHER* cipher = SSL_get_current_cipher(ssl)) facts.cipher = SSL_CIPHER_get_name(cipher);
  std::string name(mx_host);
  if (!name.empty() && name.back() == '.') name.pop_back();
  facts.name_checked = name;

  X509* cert = SSL_get1_peer_certificate(ssl);
  if (cert == nullptr) {
    facts.chain_error = "the server sent no certificate";
    return facts;
  }
  facts.certificate = true;
  facts.subject = name_text(X509_get_subject_name(cert));
  facts.issuer = name_text(X509_get_issuer_name(cert));
  facts.subject_alt_names = alt_names(cert);
  facts.not_before = time_text(X509_get0_notBefore(cert));
  facts.not_after = time_text(X509_get0_notAfter(cert));
  facts.expired = X509_cmp_current_time(X509_get0_notAfter(cert)) < 0;
  const long verify = SSL_get_verify_result(ssl);
  facts.chain_valid = verify == X509_V_OK;
  if (!facts.chain_valid) facts.chain_error = X509_verify_cert_error_string(verify);
  // RFC 6125 §6.4: DNS-ID (SANs) first, the CN only when no SAN of DNS type exists.
  facts.name_matches = !name.empty() && X509_check_host(cert, name.c_str(), name.size(), 0, nullptr) == 1;
  X509_free(cert);
  return facts;
}

std::string drain_openssl_errors(std::string_view fallback) {
  std::string out;
  while (const unsigned long code = ERR_get_error()) {
    char text[256];
    ERR_error_string_n(code, text, sizeof text);
    if (!out.empty()) out += "; ";
    out += text;
    if (out.size() > 512) break;
  }
  ERR_clear_error();
  return out.empty() ? std::string(fallback) : sanitize(out);
}

std::string_view openssl_reason(std::string_view errors) {
  errors = errors.substr(0, errors.find("; "));
  if (errors.starts_with("error:")) {
    const auto at = errors.rfind(':');
    return errors.substr(at + 1);
  }
  // Asio's words for an SSL error category code: "<reason> (<library>)".
  if (errors.ends_with(" routines)")) {
    const auto open = errors.rfind(" (");
    if (open != std::string_view::npos && open > 0) return errors.substr(0, open);
  }
  return errors;
}

}  // namespace smtp
