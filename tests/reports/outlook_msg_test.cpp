// Outlook .msg files (reports/outlook_msg): an NDR saved from Outlook is read as the
// message it holds. The test writes its .msg files with libgsf's compound-file writer,
// with the property streams [MS-OXMSG] §2.1.3 names, then reads them as probe does.

#include "reports/classify.hpp"
#include "reports/forwarded.hpp"
#include "reports/input.hpp"
#include "reports/knowledge.hpp"
#include "reports/outlook_msg.hpp"
#include "reports/parse.hpp"
#include "report_facts.hpp"

#include <gsf/gsf-outfile-msole.h>
#include <gsf/gsf-outfile.h>
#include <gsf/gsf-output-memory.h>
#include <gsf/gsf-utils.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <unistd.h>

namespace {

using report_facts::knowledge;

std::string utf16le(const std::string& ascii_or_utf8) {
  gunichar2* units = g_utf8_to_utf16(ascii_or_utf8.c_str(), -1, nullptr, nullptr, nullptr);
  std::string out;
  for (gunichar2* u = units; u != nullptr && *u != 0; ++u) {
    out.push_back(static_cast<char>(*u & 0xFF));
    out.push_back(static_cast<char>(*u >> 8));
  }
  g_free(units);
  return out + std::string(2, '\0');
}

// A compound file whose root holds these streams.
std::string compound_file(const std::map<std::string, std::string>& streams) {
  gsf_init();
  GsfOutput* sink = gsf_output_memory_new();
  GsfOutfile* ole = gsf_outfile_msole_new(sink);
  for (const auto& [name, bytes] : streams) {
    GsfOutput* child = gsf_outfile_new_child(ole, name.c_str(), FALSE);
    gsf_output_write(child, bytes.size(), reinterpret_cast<const guint8*>(bytes.data()));
    gsf_output_close(child);
    g_object_unref(child);
  }
  gsf_output_close(GSF_OUTPUT(ole));
  g_object_unref(ole);
  const auto size = static_cast<std::size_t>(gsf_output_size(sink));
  std::string out(reinterpret_cast<const char*>(gsf_output_memory_get_bytes(GSF_OUTPUT_MEMORY(sink))), size);
  g_object_unref(sink);  // closed with the compound file
  return out;
}

const std::string ndr_body =
    "Your message to carol@fabrikam.example couldn't be delivered.\r\n"
    "carol wasn't found at fabrikam.example.\r\n\r\n"
    "Diagnostic information for administrators:\r\n"
    "Generating server: DM6PR01MB1234.prod.exchangelabs.com\r\n"
    "carol@fabrikam.example\r\n"
    "Remote server returned '550 5.1.10 RESOLVER.ADR.RecipientNotFound; Recipient not found by SMTP address lookup'\r\n";

std::map<std::string, std::string> ndr_streams() {
  return {{"__substg1.0_001A001F", utf16le("REPORT.IPM.Note.NDR")},
          {"__substg1.0_0037001F", utf16le("Undeliverable: quarterly report")},
          {"__substg1.0_1000001F", utf16le(ndr_body)},
          {"__substg1.0_0C1A001F", utf16le("Microsoft Outlook")},
          {"__substg1.0_5D01001F", utf16le("postmaster@contoso.example")},
          {"__substg1.0_0E04001F", utf16le("Alice User")},
          {"__substg1.0_007D001F",
           utf16le("Received: from x\r\nDate: Mon, 23 Nov 2026 10:02:00 +0000\r\nMessage-ID: <ndr-1@contoso.example>\r\n"
                   "X-Failed-Recipients: carol@fabrikam.example\r\nX-Evil: a\r\n\r\n")}};
}

TEST(OutlookMsg, AnNdrSavedFromOutlookReadsAsTheBounce) {
  const std::string msg = compound_file(ndr_streams());
  ASSERT_TRUE(reports::looks_like_compound_file(msg));
  const auto text = reports::message_from_outlook_msg(msg);
  ASSERT_TRUE(text);
  EXPECT_NE(text->find("From: Microsoft Outlook <postmaster@contoso.example>\n"), std::string::npos) << *text;
  EXPECT_NE(text->find("Subject: Undeliverable: quarterly report\n"), std::string::npos);
  EXPECT_NE(text->find("X-Failed-Recipients: carol@fabrikam.example\n"), std::string::npos);
  EXPECT_NE(text->find("Message-ID: <ndr-1@contoso.example>\n"), std::string::npos);
  EXPECT_EQ(text->find("X-Evil"), std::string::npos);  // only the transport headers named are kept
  EXPECT_EQ(text->find('\r'), std::string::npos);

  const auto rep = reports::parse(*text, knowledge());
  ASSERT_EQ(rep.recipients.size(), 1u);
  EXPECT_EQ(rep.recipients[0].address, "carol@fabrikam.example");
  EXPECT_EQ(rep.recipients[0].status, "5.1.10");
  EXPECT_EQ(reports::classify(rep.recipients[0], rep, knowledge()).reason, "userunknown");
}

TEST(OutlookMsg, FilesAndMaildirsAreConvertedBeforeAnyLineEndingIsTouched) {
  const auto file = std::filesystem::temp_directory_path() / ("probe-ndr-" + std::to_string(::getpid()) + ".msg");
  std::ofstream(file, std::ios::binary) << compound_file(ndr_streams());
  std::vector<reports::input_message> got;
  const auto status = reports::for_each_message(file.string(), [&](reports::input_message&& m) { got.push_back(std::move(m)); });
  EXPECT_TRUE(status.error.empty());
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].origin, file.string());
  EXPECT_NE(got[0].bytes.find("Subject: Undeliverable: quarterly report"), std::string::npos);
  // In a maildir too.
  const auto dir = file.parent_path() / ("probe-msgdir-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir / "cur");
  std::filesystem::copy_file(file, dir / "cur" / "1.msg");
  got.clear();
  (void)reports::for_each_message(dir.string(), [&](reports::input_message&& m) { got.push_back(std::move(m)); });
  ASSERT_EQ(got.size(), 1u);
  EXPECT_NE(got[0].bytes.find("X-Failed-Recipients: carol@fabrikam.example"), std::string::npos);
  std::filesystem::remove_all(dir);
  std::filesystem::remove(file);
}

TEST(OutlookMsg, AnNdrForwardedAsAnOutlookAttachmentIsReadToo) {
  const std::string msg = compound_file(ndr_streams());
  gchar* base64 = g_base64_encode(reinterpret_cast<const guchar*>(msg.data()), msg.size());
  std::string wrapped;
  for (std::string_view b(base64); !b.empty(); b.remove_prefix(std::min<std::size_t>(76, b.size())))
    wrapped += std::string(b.substr(0, 76)) + "\n";
  g_free(base64);
  const std::string forward =
      "From: Alice User <alice@example.com>\nTo: helpdesk@example.com\nSubject: FW: Undeliverable\n"
      "MIME-Version: 1.0\nContent-Type: multipart/mixed; boundary=\"b1\"\n\n"
      "--b1\nContent-Type: text/plain\n\nSee attached.\n"
      "--b1\nContent-Type: application/vnd.ms-outlook; name=\"Undeliverable quarterly report.msg\"\n"
      "Content-Disposition: attachment; filename=\"Undeliverable quarterly report.msg\"\n"
      "Content-Transfer-Encoding: base64\n\n" +
      wrapped + "--b1--\n";
  const auto read = reports::unwrap_forward({"fw.eml", forward, false}, knowledge());
  ASSERT_EQ(read.size(), 1u);
  EXPECT_EQ(read[0].origin, "fw.eml#attached");
  const auto rep = reports::parse(read[0].bytes, knowledge());
  ASSERT_EQ(rep.recipients.size(), 1u);
  EXPECT_EQ(rep.recipients[0].address, "carol@fabrikam.example");
  EXPECT_EQ(reports::classify(rep.recipients[0], rep, knowledge()).reason, "userunknown");
  // An attachment that only says .msg but is something else is left alone.
  std::string fake = forward;
  fake.replace(fake.find(wrapped), wrapped.size(), "aGVsbG8=\n");
  EXPECT_EQ(reports::unwrap_forward({"fw.eml", fake, false}, knowledge())[0].origin, "fw.eml");
}

TEST(OutlookMsg, HostileOrForeignCompoundFilesFailCleanly) {
  // Property values cannot start a header of their own.
  auto streams = ndr_streams();
  streams["__substg1.0_0037001F"] = utf16le("Undeliverable\r\nX-Injected: yes");
  const auto text = reports::message_from_outlook_msg(compound_file(streams));
  ASSERT_TRUE(text);
  EXPECT_EQ(text->find("\nX-Injected"), std::string::npos);
  // A compound file with no message properties (a Word document, say) is no message.
  EXPECT_FALSE(reports::message_from_outlook_msg(compound_file({{"WordDocument", "xyz"}})));
  // The signature alone, or a cut file: no message, no crash.
  const std::string cut = compound_file(ndr_streams()).substr(0, 700);
  EXPECT_FALSE(reports::message_from_outlook_msg(cut.substr(0, 8)));
  EXPECT_NO_THROW((void)reports::message_from_outlook_msg(cut));
  EXPECT_FALSE(reports::message_from_outlook_msg("From: a@b\n\nhello\n"));
  // Empty and one-byte properties (found by fuzzing: GLib was handed a null string).
  streams = ndr_streams();
  streams["__substg1.0_0E04001F"] = "";
  streams["__substg1.0_0C1A001F"] = "x";
  const auto empty_ones = reports::message_from_outlook_msg(compound_file(streams));
  ASSERT_TRUE(empty_ones);
  EXPECT_EQ(empty_ones->find("To:"), std::string::npos);
  // A root directory entry with a sibling breaks [MS-CFB] 2.6.3 (libgsf would leak the
  // sibling: found by fuzzing; the sanitizer build of this test reports the leak): refused.
  std::string sibling = compound_file(ndr_streams());
  const std::size_t shift = static_cast<unsigned char>(sibling[0x1E]);
  const std::size_t sector = std::size_t{1} << shift;
  const std::size_t dir_sector = static_cast<unsigned char>(sibling[0x30]) | static_cast<std::size_t>(static_cast<unsigned char>(sibling[0x31])) << 8;
  const std::size_t root_at = std::max<std::size_t>(512, sector) + dir_sector * sector;
  ASSERT_LT(root_at + 128, sibling.size());
  ASSERT_EQ(sibling.substr(root_at + 0x44, 4), std::string(4, '\xFF'));  // the writer's root has none
  EXPECT_TRUE(reports::message_from_outlook_msg(sibling));
  sibling.replace(root_at + 0x48, 4, std::string("\x01\x00\x00\x00", 4));  // right sibling: entry 1
  EXPECT_FALSE(reports::message_from_outlook_msg(sibling));
  // An 8-bit (001E) body is read too.
  streams = ndr_streams();
  streams.erase("__substg1.0_1000001F");
  streams["__substg1.0_1000001E"] = ndr_body + std::string(1, '\0');
  const auto eight_bit = reports::message_from_outlook_msg(compound_file(streams));
  ASSERT_TRUE(eight_bit);
  EXPECT_NE(eight_bit->find("RESOLVER.ADR.RecipientNotFound"), std::string::npos);
}

}  // namespace
