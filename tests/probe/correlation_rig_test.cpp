// Issue 7 end to end: genuine DSNs written by the rig's sending Postfix (tests/rig/README.md)
// are read by `probe bounce`, whose live checks find each cause still there (persistent).
// Then the world changes — the user is created, the IP delisted, the MX started, the size
// limit raised — and the same bounces read as transient. Both states are asserted.
#include "tests/probe/run_probe.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cstdlib>

namespace {

using nlohmann::json;

std::string rig_dir() {
  const char* dir = std::getenv("PROBE_RIG_DIR");
  return dir ? dir : "";
}

std::string bounce(const std::string& scenario) { return rig_dir() + "/bounces/" + scenario + ".eml"; }

struct verdict_seen {
  int status = -1;
  std::string verdict;
  json recipient;
};

verdict_seen check(const std::string& scenario) {
  const auto r = probe_test::run_probe({"bounce", bounce(scenario), "--json", "--smtp-port", "2525", "--helo", "probe.probe.test"});
  verdict_seen seen;
  seen.status = r.status;
  const auto document = json::parse(r.out, nullptr, false);
  if (document.is_discarded() || !document.contains("recipients") || document["recipients"].empty()) {
    ADD_FAILURE() << scenario << ": no recipients in\n" << r.out << r.err;
    return seen;
  }
  seen.recipient = document["recipients"][0];
  seen.verdict = seen.recipient.value("verdict", "");
  return seen;
}

void change_the_world(const std::vector<std::string>& args) {
  std::string command = std::string(PROBE_SOURCE_DIR) + "/tests/rig/rig.sh";
  for (const auto& a : args) command += " '" + a + "'";
  ASSERT_EQ(std::system(command.c_str()), 0) << command;
}

bool has_evidence(const json& recipient, const std::string& check, const std::string& fragment) {
  for (const auto& e : recipient.value("evidence", json::array()))
    if (e["check"] == check && e["answer"].get<std::string>().find(fragment) != std::string::npos) return true;
  return false;
}

TEST(CorrelationRig, GenuineDsnsArePersistentThenTransientOnceTheWorldChanges) {
  ASSERT_FALSE(rig_dir().empty()) << "run through ctest: the rig fixture sets PROBE_RIG_DIR";

  // Before: every cause still holds.
  const auto user = check("unknown-user");
  EXPECT_EQ(user.verdict, "persistent") << user.recipient.dump(2);
  EXPECT_EQ(user.status, 1);
  EXPECT_TRUE(has_evidence(user.recipient, "rcpt", "550 5.1.1")) << user.recipient.dump(2);
  EXPECT_EQ(user.recipient["reason"], "userunknown");

  const auto listed = check("blocked");
  EXPECT_EQ(listed.verdict, "persistent") << listed.recipient.dump(2);
  EXPECT_EQ(listed.recipient["live"]["sending_ip"], "127.0.0.12");
  EXPECT_EQ(listed.recipient["live"]["sending_ip_source"], "diagnostic-text");
  EXPECT_TRUE(has_evidence(listed.recipient, "dnsbl", "listed")) << listed.recipient.dump(2);

  const auto down = check("connection-refused");
  EXPECT_EQ(down.verdict, "persistent") << down.recipient.dump(2);

  const auto big = check("too-big");
  EXPECT_EQ(big.verdict, "persistent") << big.recipient.dump(2);
  EXPECT_TRUE(has_evidence(big.recipient, "size", "SIZE 20000")) << big.recipient.dump(2);

  // Causes that do not change here stay persistent.
  EXPECT_EQ(check("null-mx").verdict, "persistent");
  EXPECT_EQ(check("nxdomain").verdict, "persistent");

  // The world changes.
  change_the_world({"add-user", rig_dir(), "carol"});
  change_the_world({"delist", rig_dir(), "bl.test", "127.0.0.12"});
  change_the_world({"listen", rig_dir(), "127.0.0.5:2525"});
  change_the_world({"size-limit", rig_dir(), "127.0.0.4:2525", "100000"});

  // After: the same bounces were transient.
  const auto user_now = check("unknown-user");
  EXPECT_EQ(user_now.verdict, "transient") << user_now.recipient.dump(2);
  EXPECT_EQ(user_now.status, 0);
  EXPECT_TRUE(has_evidence(user_now.recipient, "rcpt", "250")) << user_now.recipient.dump(2);

  const auto delisted = check("blocked");
  EXPECT_EQ(delisted.verdict, "transient") << delisted.recipient.dump(2);
  EXPECT_TRUE(has_evidence(delisted.recipient, "dnsbl", "not_listed")) << delisted.recipient.dump(2);

  const auto up = check("connection-refused");
  EXPECT_EQ(up.verdict, "transient") << up.recipient.dump(2);

  const auto fits = check("too-big");
  EXPECT_EQ(fits.verdict, "transient") << fits.recipient.dump(2);
  EXPECT_TRUE(has_evidence(fits.recipient, "size", "SIZE 100000")) << fits.recipient.dump(2);
}

TEST(CorrelationRig, TextVerdictInEnglishAndChinese) {
  // A null MX stays null whatever the other tests change: persistent in both languages,
  // the Chinese label with the English word beside it (the word --json and the docs use).
  const std::vector<std::pair<std::string, std::vector<std::string>>> expected = {
      {"en", {"  now: ", "PERSISTENT", "    bounce said: ", "    rule: "}},
      {"zh", {"  现在: ", "仍存在 PERSISTENT", "    退信所述: ", "    规则: "}}};
  for (const auto& [lang, fragments] : expected) {
    const auto r = probe_test::run_probe({"bounce", bounce("null-mx"), "--lang", lang, "--smtp-port", "2525", "--helo",
                                          "probe.probe.test", "--color", "never"});
    EXPECT_EQ(r.status, 1) << lang << "\n" << r.out << r.err;
    for (const auto& fragment : fragments)
      EXPECT_NE(r.out.find(fragment), std::string::npos) << lang << ": no '" << fragment << "' in\n" << r.out;
  }
}

TEST(CorrelationRig, SendingIpFromTheIpFlagWhenTheBounceNamesNone) {
  // An SPF refusal that names no client address, for mail from server.test, whose SPF
  // allows 127.0.0.40 only (tests/rig/zones/server.test.zone). --ip says who sent it.
  const std::string dsn =
      "From: MAILER-DAEMON@out.example\r\nTo: sender@server.test\r\nSubject: Undelivered Mail Returned to Sender\r\n"
      "Date: Mon, 23 Nov 2026 10:00:00 +0000\r\nMIME-Version: 1.0\r\n"
      "Content-Type: multipart/report; report-type=delivery-status; boundary=\"b\"\r\n\r\n"
      "--b\r\nContent-Type: text/plain\r\n\r\nYour message could not be delivered.\r\n\r\n"
      "--b\r\nContent-Type: message/delivery-status\r\n\r\nReporting-MTA: dns; out.example\r\n"
      "X-Postfix-Sender: rfc822; sender@server.test\r\n\r\n"
      "Final-Recipient: rfc822; alice@probe.test\r\nAction: failed\r\nStatus: 5.7.23\r\n"
      "Remote-MTA: dns; mx1.probe.test\r\n"
      "Diagnostic-Code: smtp; 550 5.7.23 Message rejected due to SPF validation failure\r\n\r\n"
      "--b\r\nContent-Type: text/rfc822-headers\r\n\r\nFrom: sender@server.test\r\nTo: alice@probe.test\r\n"
      "Subject: hello\r\n\r\n--b--\r\n";
  const std::vector<std::pair<std::string, std::string>> cases = {{"127.0.0.40", "transient"},
                                                                  {"127.0.0.45", "persistent"}};
  for (const auto& [ip, verdict] : cases) {
    const auto r = probe_test::run_probe({"bounce", "-", "--json", "--ip", ip, "--smtp-port", "2525", "--helo",
                                          "probe.probe.test"},
                                         dsn);
    const auto document = json::parse(r.out, nullptr, false);
    ASSERT_FALSE(document.is_discarded()) << r.out << r.err;
    ASSERT_FALSE(document.value("recipients", json::array()).empty()) << r.out;
    const auto& recipient = document["recipients"][0];
    EXPECT_EQ(recipient.value("reason", ""), "authfailure") << recipient.dump(2);
    EXPECT_EQ(recipient.value("verdict", ""), verdict) << ip << "\n" << recipient.dump(2);
    EXPECT_EQ(recipient["live"].value("sending_ip", ""), ip) << recipient.dump(2);
    EXPECT_EQ(recipient["live"].value("sending_ip_source", ""), "--ip") << recipient.dump(2);
  }
}

TEST(CorrelationRig, ZonesChooseTheUsualListsBesideTheNamedOne) {
  // blocked.eml names bl.test; --zones replaces the catalogue's usual lists.
  const auto r = probe_test::run_probe({"bounce", bounce("blocked"), "--json", "--zones", "zen.rbl.test", "--smtp-port",
                                        "2525", "--helo", "probe.probe.test"});
  const auto document = json::parse(r.out, nullptr, false);
  ASSERT_FALSE(document.is_discarded()) << r.out << r.err;
  std::vector<std::string> asked;
  for (const auto& e : document["recipients"][0].value("evidence", json::array()))
    if (e.value("check", "") == "dnsbl") asked.push_back(e.value("asked", ""));
  const auto any_of = [&](const std::string& zone) {
    return std::any_of(asked.begin(), asked.end(), [&](const std::string& a) { return a.find("." + zone + " ") != std::string::npos; });
  };
  EXPECT_TRUE(any_of("bl.test")) << "the list the bounce names is always asked\n" << r.out;
  EXPECT_TRUE(any_of("zen.rbl.test")) << r.out;
  EXPECT_FALSE(any_of("zen.spamhaus.org")) << "--zones replaces the usual lists\n" << r.out;
}

TEST(CorrelationRig, OfflineMeansNoNetwork) {
  // --offline: parse and classify only; no verdict, no evidence, no DNS needed.
  const auto r = probe_test::run_probe({"bounce", "--offline", "--json", bounce("unknown-user"), "--dns-server", "127.0.0.1:9"});
  EXPECT_EQ(r.status, 0) << r.err;
  const auto document = json::parse(r.out);
  EXPECT_FALSE(document["recipients"][0].contains("verdict"));
  EXPECT_EQ(document["recipients"][0]["reason"], "userunknown");
}

}  // namespace
