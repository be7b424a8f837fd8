// `probe bounce` offline: exit statuses, NDJSON per message, text in both languages.
// Built from the command's sources directly (the probe executable links once main has
// every command).

#include "probe/bounce_command.hpp"
#include "probe/exit_status.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace {

struct run_result {
  int status = 0;
  std::string out;
};

run_result run(std::vector<std::string> args) {
  unsetenv("PROBE_DATA_DIR");  // use the source tree's reports/data
  probe::settings config;
  probe::command_context ctx{config};
  CLI::App app{"probe"};
  probe::add_output_flags(app, config.output);
  probe::register_bounce_command(app, ctx);
  args.insert(args.begin(), "probe");
  std::vector<const char*> argv;
  for (const auto& a : args) argv.push_back(a.c_str());
  std::stringstream captured;
  auto* old = std::cout.rdbuf(captured.rdbuf());
  app.parse(static_cast<int>(argv.size()), argv.data());
  std::cout.rdbuf(old);
  return {ctx.exit_status, captured.str()};
}

std::string write(const std::string& name, const std::string& text) {
  const auto path = std::filesystem::temp_directory_path() / (name + std::to_string(::getpid()));
  std::ofstream(path) << text;
  return path.string();
}

TEST(BounceCommand, OfflineJsonAndExitStatuses) {
  const std::string bounce = write("b",
      "From: MAILER-DAEMON@mx.example.jp\nTo: s@example.jp\nSubject: failure notice\n\n"
      "Hi. This is the qmail-send program at mx.example.jp.\n\n<a@example.net>:\n"
      "Remote host said: 550 5.1.1 <a@example.net>... User Unknown\n\n--- Below this line is a copy of the message.\n");
  const auto r = run({"--json", "bounce", "--offline", bounce});
  EXPECT_EQ(r.status, probe::exit_ok);
  const auto j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["kind"], "failure");
  EXPECT_EQ(j["recipients"][0]["reason"], "userunknown");
  EXPECT_EQ(j["recipients"][0]["reply_code"], 550);
  EXPECT_EQ(j["recipients"][0]["advice"]["side"], "recipient");

  const std::string plain = write("p", "From: a@example.com\nSubject: hello\n\nhi\n");
  EXPECT_EQ(run({"bounce", "--offline", plain}).status, probe::exit_not_bounce);
  EXPECT_EQ(run({"bounce", "--offline", "/nonexistent/file"}).status, probe::exit_input_error);

  const auto zh = run({"--lang", "zh", "bounce", "--offline", "-v", bounce});
  EXPECT_NE(zh.out.find("原因: 收件人不存在（userunknown，永久）"), std::string::npos) << zh.out;
  EXPECT_NE(zh.out.find("[qmail text]"), std::string::npos) << zh.out;
  EXPECT_NE(zh.out.find(": 退信 (qmail)"), std::string::npos) << zh.out;
  EXPECT_EQ(zh.out.find("failure"), std::string::npos) << zh.out;
  EXPECT_NE(run({"bounce", "--offline", bounce}).out.find(": failure (qmail)"), std::string::npos);

  const auto two = run({"--json", "bounce", "--offline", bounce, plain});
  EXPECT_EQ(std::count(two.out.begin(), two.out.end(), '\n'), 2);  // NDJSON: one line per message

  // Text of many messages: ordinary mail is counted once at the end, listed with -v; a
  // message read alone is answered.
  const std::string plain2 = write("q", "From: b@example.com\nSubject: lunch\n\nnoon?\n");
  const auto mixed = run({"bounce", "--offline", plain, bounce, plain2});
  EXPECT_EQ(mixed.status, probe::exit_ok);
  EXPECT_NE(mixed.out.find(": failure (qmail)"), std::string::npos) << mixed.out;
  EXPECT_EQ(mixed.out.find("not a bounce\n"), std::string::npos) << mixed.out;
  EXPECT_NE(mixed.out.find("2 of 3 messages are not bounce reports (-v lists them)\n"), std::string::npos) << mixed.out;
  const auto listed = run({"bounce", "--offline", "-v", plain, bounce, plain2});
  EXPECT_NE(listed.out.find(plain + ": not a bounce\n"), std::string::npos) << listed.out;
  EXPECT_NE(listed.out.find(plain2 + ": not a bounce\n"), std::string::npos) << listed.out;
  EXPECT_EQ(listed.out.find("messages are not bounce reports"), std::string::npos) << listed.out;
  EXPECT_EQ(run({"bounce", "--offline", plain}).out, plain + ": not a bounce\n");
  const auto none = run({"bounce", "--offline", plain, plain2});
  EXPECT_EQ(none.status, probe::exit_not_bounce);
  EXPECT_EQ(none.out, "2 of 2 messages are not bounce reports (-v lists them)\n");
  std::filesystem::remove(plain2);
  std::filesystem::remove(bounce);
  std::filesystem::remove(plain);
}

}  // namespace
