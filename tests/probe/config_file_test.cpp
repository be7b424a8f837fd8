// The TOML config file: values land in settings, mistakes name file, line and key.
#include "probe/config_file.hpp"
#include "tests/probe/run_probe.hpp"

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

namespace {

std::string write_file(const std::string& name, const std::string& text) {
  const auto path = std::filesystem::temp_directory_path() / ("probe-config-test-" + std::to_string(getpid()) + "-" + name);
  std::ofstream(path) << text;
  return path.string();
}

TEST(ConfigFile, ValuesLandInSettings) {
  const auto path = write_file("ok.toml", R"([smtp]
helo = "probe.example.net"
mail_from = "postmaster@example.net"
port = 2525
tls = "required"
[dns]
servers = ["127.0.0.1:5353", "[::1]:53"]
timeout_ms = 900
[rbl]
zones = ["zen", "bl.test"]
dqs_key = "abc123"
[output]
lang = "zh"
color = "never"
[politeness]
max_rcpts_per_session = 5
per_host_rate = 0.5
)");
  probe::settings s;
  ASSERT_FALSE(probe::apply_config_file(path, s));
  EXPECT_EQ(s.smtp.helo, "probe.example.net");
  EXPECT_EQ(s.smtp.mail_from, "postmaster@example.net");
  EXPECT_EQ(s.smtp.port, 2525);
  EXPECT_EQ(s.smtp.tls, "required");
  EXPECT_EQ(s.dns.servers, (std::vector<std::string>{"127.0.0.1:5353", "[::1]:53"}));
  EXPECT_EQ(s.dns.timeout_ms, 900);
  EXPECT_EQ(s.rbl.zones, (std::vector<std::string>{"zen", "bl.test"}));
  EXPECT_EQ(s.rbl.dqs_key, "abc123");
  EXPECT_EQ(s.output.lang, "zh");
  EXPECT_EQ(s.output.color, probe::color_mode::never);
  EXPECT_EQ(s.smtp.max_rcpts_per_session, 5);
  EXPECT_DOUBLE_EQ(s.smtp.per_host_rate, 0.5);
  EXPECT_EQ(s.config_path, path);
}

void expect_error(const std::string& text, const std::string& expected_fragment) {
  const auto path = write_file("bad.toml", text);
  probe::settings s;
  s.smtp.helo = "unchanged";
  const auto error = probe::apply_config_file(path, s);
  ASSERT_TRUE(error) << text;
  EXPECT_NE(error->message.find(expected_fragment), std::string::npos) << error->message;
  EXPECT_EQ(error->message.rfind(path, 0), 0u) << "the message starts with the file name: " << error->message;
  EXPECT_EQ(s.smtp.helo, "unchanged");  // nothing applied on error
}

TEST(ConfigFile, UnknownKeyNamesLineAndKey) { expect_error("[smtp]\nhelo = \"a.example\"\nhleo = \"x\"\n", ":3: unknown key 'smtp.hleo'"); }
TEST(ConfigFile, WrongTypeNamesTheKey) { expect_error("[dns]\ntimeout_ms = \"fast\"\n", ":2: key 'dns.timeout_ms': expected an integer"); }
TEST(ConfigFile, OutOfRange) { expect_error("[smtp]\nport = 70000\n", "key 'smtp.port': must be between 1 and 65535"); }
TEST(ConfigFile, BadChoice) { expect_error("[output]\nlang = \"fr\"\n", "key 'output.lang': must be one of en, zh"); }
TEST(ConfigFile, SyntaxErrorHasALine) { expect_error("[smtp]\nhelo = \n", ":2:"); }
TEST(ConfigFile, InjectionInAValueIsRefused) { expect_error("[smtp]\nhelo = \"a\\r\\nRCPT TO:<x>\"\n", "CR, LF or NUL"); }
TEST(ConfigFile, TopLevelKeyMustBeATable) { expect_error("helo = \"x\"\n", "must be a table"); }

TEST(ConfigFile, MissingExplicitFileIsAnError) {
  probe::settings s;
  const auto error = probe::apply_config_file("/nonexistent/probe.toml", s);
  ASSERT_TRUE(error);
  EXPECT_NE(error->message.find("/nonexistent/probe.toml"), std::string::npos);
}

TEST(ConfigFile, SearchOrderPrefersXdg) {
  const auto dir = std::filesystem::temp_directory_path() / ("probe-xdg-" + std::to_string(getpid()));
  std::filesystem::create_directories(dir / "probe");
  std::ofstream(dir / "probe" / "config.toml") << "[output]\nlang = \"zh\"\n";
  setenv("XDG_CONFIG_HOME", dir.c_str(), 1);
  EXPECT_EQ(probe::find_config_file(""), (dir / "probe" / "config.toml").string());
  EXPECT_EQ(probe::find_config_file("/explicit.toml"), "/explicit.toml");
  unsetenv("XDG_CONFIG_HOME");
  std::filesystem::remove_all(dir);
}

TEST(ConfigFile, FlagsOverrideTheFileWhichOverridesDefaults) {
  const auto path = write_file("precedence.toml", "[dns]\nservers = [\"127.0.0.1:9\"]\ntimeout_ms = 200\ntries = 1\n");
  // The file's dead server is used...
  auto from_file = probe_test::run_probe({"--config", path, "mx", "probe.test", "--json"});
  EXPECT_NE(from_file.out.find("127.0.0.1:9"), std::string::npos) << from_file.out << from_file.err;
  // ...unless a flag says otherwise.
  auto from_flag = probe_test::run_probe({"mx", "probe.test", "--json", "--config", path, "--dns-server", "127.0.0.1:8"});
  EXPECT_NE(from_flag.out.find("127.0.0.1:8"), std::string::npos) << from_flag.out << from_flag.err;
  EXPECT_EQ(from_flag.out.find("127.0.0.1:9"), std::string::npos);
}

TEST(ConfigFile, BadFileStopsTheCommandWithStatus5) {
  const auto path = write_file("broken.toml", "[smtp]\nbogus = 1\n");
  const auto r = probe_test::run_probe({"mx", "probe.test", "--config", path});
  EXPECT_EQ(r.status, 5);
  EXPECT_NE(r.err.find("unknown key 'smtp.bogus'"), std::string::npos) << r.err;
}

}  // namespace
