// Readings added after the thirteenth unseen set's half A (docs/bounce.md: Chinese
// providers' bounce messages). Each message is written for this test, in the provider's
// layout, with other addresses and words than the set's:
// - Coremail (163.com) names the failed recipient in the original message's facts
//   ("收件人 a@b") and its reason under "退信原因：", while its DSN may say only "rejected
//   by system": the label is not a reason, so the reason lines join the recipient's words.
// - Alimail (Aliyun) writes "无法发送到a@b" with no space, a "发件人：" (sender) line with a
//   full-width colon that is no recipient, advice under "解决建议：" that is no cause, and
//   "connect to the ... server failed" / "连接收件方邮件系统失败" (a connection failure).
// - Alimail's HTML table puts a canned, hedged reason ("收件方地址不存在，或暂时不可用")
//   above every remote reply: the remote's reply decides.

#include "reports/text.hpp"
#include "tests/reports/written_bounce.hpp"

#include <gtest/gtest.h>

#include <string>

namespace {

// The one failed recipient's reason (tests/reports/written_bounce.hpp).
const auto reason_of = reports::testing::reason_of_only_recipient;

TEST(Unseen13Readings, CoremailsReasonUnderItsRecipientLabelDecides) {
  const std::string message =
      "From: Postmaster@163.example.com\n"
      "To: promo@shop.example.org\n"
      "Subject: =?UTF-8?B?57O757uf6YCA5L+h?=\n"
      "MIME-Version: 1.0\n"
      "Content-Type: multipart/report; report-type=delivery-status; boundary=\"R1\"\n"
      "\n"
      "--R1\n"
      "Content-Type: multipart/alternative; boundary=\"A1\"\n"
      "\n"
      "--A1\n"
      "Content-Type: text/plain; charset=utf-8\n"
      "Content-Transfer-Encoding: 8bit\n"
      "\n"
      "抱歉，您的邮件被退回来了……\n"
      "      原邮件信息：\n"
      "            时  间 2024-03-02 09:15:11\n"
      "            主  题 春季新品\n"
      "            收件人 liuyang2024@163.example.com\n"
      "     \n"
      "      退信原因：\n"
      "            您发送的邮件被怀疑为是垃圾邮件，拒绝接收。\n"
      "            英文说明:rejected by system\n"
      "\n"
      "      建议解决方案：\n"
      "            请适当修改标题和内容，再尝试发送。\n"
      "\n"
      "--A1--\n"
      "\n"
      "--R1\n"
      "Content-Type: message/delivery-status\n"
      "\n"
      "Final-Recipient: rfc822; liuyang2024@163.example.com\n"
      "Action: failed\n"
      "Status: 5.0.0\n"
      "Diagnostic-Code: SMTP; rejected by system\n"
      "\n"
      "--R1--\n";
  EXPECT_EQ(reason_of(message, "liuyang2024@163.example.com"), "spamdetected");
}

// An Alimail report ("退信通知") to `sender`, its one part of `media_type` holding `body`.
std::string alimail_report(const std::string& sender, const std::string& media_type, const std::string& body) {
  return "From: postmaster@mxhichina.example.com\n"
         "To: " + sender + "\n"
         "Subject: =?UTF-8?B?6YCA5L+h6YCa55+l?=\n"
         "MIME-Version: 1.0\n"
         "Content-Type: " + media_type + "; charset=utf-8\n"
         "Content-Transfer-Encoding: 8bit\n"
         "\n" + body;
}

TEST(Unseen13Readings, AlimailsTextLayoutNamesOneRecipientAndAConnectionFailure) {
  const std::string message = alimail_report("reports@batch.example.net", "text/plain",
      "您发送的邮件被退回，相关信息如下：\n"
      "    发件人：reports@batch.example.net\n"
      "    主题：每日报表\n"
      "    时间：Mon, 4 Mar 2024 08:00:05 +0800\n"
      "\n"
      "无法发送到ops@plant.example.org\n"
      "    系统应答：(9)connect to the \"203.0.113.61(203.0.113.61) of plant.example.org\" server failed\n"
      "    退信原因：连接收件方邮件系统失败，导致邮件被系统退回。\n"
      "    解决建议：1.请联系收件方确认是否设置了黑名单；2. 请稍后重新尝试发送。\n");
  EXPECT_EQ(reason_of(message, "ops@plant.example.org"), "networkerror");
}

TEST(Unseen13Readings, AlimailsTableLetsTheRemoteReplyDecide) {
  const std::string message = alimail_report("hr@firm.example.net", "text/html",
      "<html><body><table>\n"
      "<tr><td>收件人</td><td>zhao.min@partner.example.org</td></tr>\n"
      "<tr><td>退信原因</td><td>收件方地址不存在，或暂时不可用，导致邮件被系统退回。</td></tr>\n"
      "<tr><td>解决方案</td><td>1. 请检查输入的收件方地址是否有误。</td></tr>\n"
      "<tr><td>远程响应</td><td>the mta server of partner.example.org -- mx1.partner.example.org(198.51.100.40) "
      "reply:552 Message size exceeds fixed maximum message size</td></tr>\n"
      "</table></body></html>\n");
  EXPECT_EQ(reason_of(message, "zhao.min@partner.example.org"), "mesgtoobig");
}

// The label before a full-width colon is no part of the address.
TEST(Unseen13Readings, FullWidthColonLabelIsCutFromTheAddress) {
  EXPECT_EQ(reports::text::clean_address("发件人：reports@Batch.Example.NET"), "reports@batch.example.net");
  EXPECT_EQ(reports::text::clean_address("宛先：<taro@example.jp>"), "taro@example.jp");
}

}  // namespace
