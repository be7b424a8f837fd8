// Text parts that name no charset (reports/mime_gmime.cpp `to_utf8` with an empty name):
// unlabelled GB2312 and EUC-JP are read as such, Latin-1 and UTF-8 stay what they were.

#include "reports/mime.hpp"

#include <gtest/gtest.h>

namespace {

using reports::mime::to_utf8;

TEST(Charset, UnlabelledGb2312IsReadAsChinese) {
  // "收件人不存在，邮件无法投递。用户不存在" in GB2312, as a Chinese server sends it unlabelled.
  const std::string gb =
      "550 \xCA\xD5\xBC\xFE\xC8\xCB\xB2\xBB\xB4\xE6\xD4\xDA\xA3\xAC\xD3\xCA\xBC\xFE\xCE\xDE\xB7\xA8\xCD\xB6\xB5\xDD\xA1\xA3"
      "\xD3\xC3\xBB\xA7\xB2\xBB\xB4\xE6\xD4\xDA";
  EXPECT_EQ(to_utf8(gb, ""), "550 收件人不存在，邮件无法投递。用户不存在");
}

TEST(Charset, UnlabelledEucJpIsReadAsJapanese) {
  // "宛先のメールアドレスは存在しません" in EUC-JP: its kana rows tell it from GB2312.
  const std::string euc =
      "\xB0\xB8\xC0\xE8\xA4\xCE\xA5\xE1\xA1\xBC\xA5\xEB\xA5\xA2\xA5\xC9\xA5\xEC\xA5\xB9\xA4\xCF\xC2\xB8\xBA\xDF\xA4\xB7\xA4\xDE"
      "\xA4\xBB\xA4\xF3";
  EXPECT_EQ(to_utf8(euc, ""), "宛先のメールアドレスは存在しません");
}

TEST(Charset, UnlabelledLatin1AndUtf8AreNotTakenForChinese) {
  // Lone high bytes between ASCII letters: not double-byte text.
  EXPECT_EQ(to_utf8("Le destinataire est absent, r\xE9" "essayez apr\xE8s", ""), "Le destinataire est absent, réessayez après");
  EXPECT_EQ(to_utf8("用户不存在 — déjà", ""), "用户不存在 — déjà");
  // Labelled text is read as labelled, whatever its bytes look like.
  EXPECT_EQ(to_utf8("r\xE9\xE9l", "iso-8859-1"), "réél");
}

TEST(Charset, ANulReadsAsASpaceWhateverTheCharset) {
  using namespace std::string_literals;
  const std::string text = "550 user\0unknown: r\xE9pertoire"s;
  EXPECT_EQ(to_utf8(text, "iso-8859-1"), "550 user unknown: répertoire");
  EXPECT_EQ(to_utf8(text, "windows-1252"), "550 user unknown: répertoire");
  EXPECT_EQ(to_utf8("550 user\0unknown"s, "utf-8"), "550 user unknown");
  // Binary data labelled text (a PNG as text/plain) is read up to its first NUL only.
  std::string png = "\x89PNG\r\n\x1A\n\0\0\0\rIHDR\0\0\0\x80\0\0\0\x80\x08\x06\0\0\0"s;
  png += std::string(200, '\x01');
  EXPECT_EQ(to_utf8(png, "iso-8859-1"), "\u0089PNG\r\n\u001A\n");
}

}  // namespace
