// `probe user@domain` text output: what each verdict means and what to do, in English and
// Chinese, from probe/data/address_verdicts.yaml.

#include "probe/address_output.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

namespace {

using testing::HasSubstr;

const probe::address_verdict_words& words() {
  static const auto loaded =
      probe::address_verdict_words::load(std::filesystem::path(PROBE_SOURCE_DIR) / "probe" / "data" / "address_verdicts.yaml");
  if (const auto* problem = std::get_if<std::string>(&loaded)) throw std::runtime_error(*problem);
  return std::get<probe::address_verdict_words>(loaded);
}

TEST(AddressOutput, EveryVerdictSaysWhatItMeansInBothLanguages) {
  for (const char* name : {"deliverable", "undeliverable", "rejected-us", "temporary", "unreachable", "no-mail-domain",
                           "catch-all", "unverifiable", "protocol-error", "tls-error"}) {
    const auto verdict = smtp::verdict_from(name);
    ASSERT_TRUE(verdict) << name;
    const auto en = words().for_verdict(*verdict, "en");
    const auto zh = words().for_verdict(*verdict, "zh");
    EXPECT_THAT(en, HasSubstr("What to do:")) << name;
    EXPECT_THAT(zh, HasSubstr("建议：")) << name;
  }
}

TEST(AddressOutput, TheMeaningFollowsTheReason) {
  smtp::address_check check;
  const auto parsed = smtp::parse_mailbox("carol@example.com");
  ASSERT_TRUE(parsed.value);
  check.recipient = *parsed.value;
  check.result = smtp::verdict::catch_all;
  check.reason = "the server accepts any address at this domain";
  std::ostringstream en, zh, none;
  probe::print_address_check(en, check, 0, &words(), "en");
  probe::print_address_check(zh, check, 0, &words(), "zh");
  probe::print_address_check(none, check, 0);
  EXPECT_THAT(en.str(), HasSubstr("  meaning: The server accepts any address at this domain, so its yes proves nothing"));
  EXPECT_THAT(zh.str(), HasSubstr("  结论: 该服务器接受本域名下的任何地址"));
  EXPECT_THAT(none.str(), testing::Not(HasSubstr("meaning:")));
}

TEST(AddressOutput, ABrokenWordsFileIsRefusedWithItsProblem) {
  const auto path = std::filesystem::temp_directory_path() / "probe-address-verdicts-test.yaml";
  {
    std::ofstream f(path);
    f << "verdicts:\n  maybe:\n    en: \"?\"\n";
  }
  const auto loaded = probe::address_verdict_words::load(path);
  ASSERT_TRUE(std::holds_alternative<std::string>(loaded));
  EXPECT_THAT(std::get<std::string>(loaded), HasSubstr("unknown verdict maybe"));
  std::filesystem::remove(path);
}

}  // namespace

namespace {

// An attempt whose session met a self-signed certificate for another name, and whose
// server sent plaintext after its STARTTLS reply.
smtp::address_check check_with_tls_findings() {
  smtp::address_check check;
  check.recipient = *smtp::parse_mailbox("carol@example.com").value;
  check.result = smtp::verdict::deliverable;
  check.reason = "the server accepted the recipient";
  smtp::attempt a;
  a.mx_host = "mx.example.com";
  a.address = boost::asio::ip::make_address("192.0.2.25");
  a.session_id = 1;
  a.end = smtp::attempt_end::rcpt_answered;
  smtp::tls_facts tls;
  tls.protocol = "TLSv1.3";
  tls.cipher = "TLS_AES_256_GCM_SHA384";
  tls.certificate = true;
  tls.subject = "CN=self.example";
  tls.issuer = "CN=self.example";
  tls.not_after = "2030-01-01T00:00:00Z";
  tls.chain_error = "self-signed certificate";
  tls.name_checked = "mx.example.com";
  a.opening.tls = tls;
  a.opening.findings = {"discarded 27 bytes of plaintext the server sent after its STARTTLS reply (RFC 3207 §4.2)",
                        "a finding smtp/ gave no key"};
  a.opening.findings_said = {{"address.session_finding.plaintext_discarded", {dns::said::value("bytes", "27")}}, {}};
  check.attempts.push_back(a);
  return check;
}

TEST(AddressOutput, TlsFactsAndSessionFindingsInBothLanguages) {
  const auto check = check_with_tls_findings();
  std::ostringstream en, zh;
  probe::print_address_check(en, check, 1, &words(), "en");
  probe::print_address_check(zh, check, 1, &words(), "zh");
  // English: OpenSSL's words and smtp/'s finding exactly as they came.
  EXPECT_THAT(en.str(), HasSubstr("; chain not trusted (self-signed certificate); name does not match mx.example.com"));
  EXPECT_THAT(en.str(), HasSubstr("    finding: discarded 27 bytes of plaintext the server sent after its STARTTLS reply (RFC 3207 §4.2)"));
  // Chinese: the verification error is named, the finding said, the certificate's names kept.
  EXPECT_THAT(zh.str(), HasSubstr("；证书 CN=self.example，签发者 CN=self.example"));
  EXPECT_THAT(zh.str(), HasSubstr("；证书链不可信（自签名证书）；证书名称与 mx.example.com 不匹配"));
  EXPECT_THAT(zh.str(), HasSubstr("    发现: 已丢弃服务器在 STARTTLS 答复之后发送的 27 字节明文（RFC 3207 §4.2）"));
  EXPECT_THAT(zh.str(), testing::Not(HasSubstr("self-signed certificate")));
  EXPECT_THAT(zh.str(), testing::Not(HasSubstr("bytes of plaintext")));
  // A finding without a key stays as smtp/ wrote it.
  EXPECT_THAT(zh.str(), HasSubstr("    发现: a finding smtp/ gave no key"));
}

}  // namespace
