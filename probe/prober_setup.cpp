#include "probe/prober_setup.hpp"

#include "probe/data_dir.hpp"
#include "smtp/text.hpp"

#include <unistd.h>

#include <filesystem>
#include <fstream>

namespace probe {

namespace net = boost::asio;

namespace {

// Mailbox providers whose domains a probe must never claim as its own sender.
constexpr std::string_view provider_domains[] = {"gmail.com",   "googlemail.com", "yahoo.com", "outlook.com",
                                                 "hotmail.com", "live.com",       "qq.com",    "163.com",
                                                 "126.com",     "icloud.com",     "aol.com",   "mail.ru"};

std::string trimmed(std::string text) {
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t' || text.back() == '\r')) text.pop_back();
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.erase(0, 1);
  return text;
}

// Debian keeps the host's mail name in /etc/mailname; else the kernel's host name.
std::string default_helo() {
  std::ifstream mailname("/etc/mailname");
  std::string line;
  if (mailname && std::getline(mailname, line)) {
    line = trimmed(line);
    if (const auto helo = smtp::check_helo(line); helo && helo->fully_qualified) return helo->name;
  }
  char host[256] = {0};
  if (::gethostname(host, sizeof host - 1) == 0 && host[0] != '\0') {
    if (const auto helo = smtp::check_helo(host)) return helo->name;
  }
  return "localhost";
}

bool is_provider_domain(std::string_view domain) {
  for (const auto provider : provider_domains)
    if (smtp::is_same_or_subdomain(domain, provider)) return true;
  return false;
}

std::string domain_of(const std::string& address) {
  const auto at = address.rfind('@');
  return at == std::string::npos ? std::string() : address.substr(at + 1);
}

smtp::tls_mode tls_mode_from(const std::string& name) {
  if (name == "required") return smtp::tls_mode::required;
  if (name == "off") return smtp::tls_mode::off;
  return smtp::tls_mode::opportunistic;
}


}  // namespace

prober_setup make_prober_setup(const settings& config, const prober_overrides& overrides,
                               std::string_view recipient_domain, std::string_view recipient_address) {
  prober_setup setup;
  const auto fail = [&](std::string message, int status) {
    setup.error = std::move(message);
    setup.error_status = status;
    return setup;
  };
  const auto& smtp_config = config.smtp;

  // HELO: given, or this host's own name (never derived from the recipient).
  const std::string helo_text = smtp_config.helo.empty() ? default_helo() : smtp_config.helo;
  const auto helo = smtp::check_helo(helo_text);
  if (!helo) return fail("--helo: " + helo.error, exit_usage);

  // MAIL FROM: given, or probe@<HELO name>; the null sender when that would be unfit.
  std::string sender;
  if (!smtp_config.mail_from.empty()) {
    const auto given = smtp::check_reverse_path(smtp_config.mail_from);
    if (!given) return fail("--mail-from: " + given.error, exit_usage);
    sender = *given;
    const std::string sender_domain = smtp::ascii_lower(domain_of(sender));
    const auto note = [&](std::string english, smtp::phrase said) {
      setup.notes.push_back(english);
      setup.note_phrases.push_back({std::move(english), std::move(said)});
    };
    if (!recipient_address.empty() && sender == recipient_address)
      note("the sender is the recipient itself; many servers refuse such forged mail",
           {"reason.identity_sender_is_recipient", {}});
    else if (!sender.empty() && !recipient_domain.empty() && smtp::is_same_or_subdomain(sender_domain, recipient_domain))
      note("the sender is in the recipient's own domain; its servers may refuse it as forged (SPF, DMARC)",
           {"reason.identity_sender_in_recipient_domain", {}});
    else if (is_provider_domain(sender_domain))
      note("the sender claims a mailbox provider's domain (" + sender_domain +
               "); its SPF and DMARC will fail from this host, and many servers refuse that",
           {"reason.identity_sender_provider", {dns::said::value("domain", sender_domain)}});
  } else if (helo->fully_qualified && (recipient_domain.empty() || !smtp::is_same_or_subdomain(helo->name, recipient_domain)) &&
             !is_provider_domain(helo->name)) {
    sender = "probe@" + helo->name;
  } else {
    sender = "";  // the null sender, as verification callouts use (RFC 5321 §4.5.5)
  }

  std::optional<net::ip::address> source_ip;
  if (!smtp_config.source_ip.empty()) {
    boost::system::error_code ec;
    source_ip = net::ip::make_address(smtp_config.source_ip, ec);
    if (ec) return fail("--source-ip: not an IP address", exit_usage);
  }
  std::optional<smtp::proxy_url> proxy;
  if (!smtp_config.proxy.empty()) {
    auto parsed = smtp::parse_proxy_url(smtp_config.proxy);
    if (!parsed) return fail("--proxy: " + parsed.error, exit_usage);
    proxy = *parsed;
  }

  const std::filesystem::path data = data_path("smtp");
  auto classes = smtp::reply_classifier::load_file((data / "reply_classes.yaml").string());
  if (!classes) return fail(classes.error, exit_input_error);
  auto quirks = smtp::quirk_table::load_file((data / "provider_quirks.yaml").string());
  if (!quirks) return fail(quirks.error, exit_input_error);

  auto& popts = setup.options;
  popts.helo = helo->name;
  popts.mail_from = sender;
  popts.tls = tls_mode_from(smtp_config.tls);
  popts.limits.connect = std::chrono::milliseconds(smtp_config.connect_timeout_ms);
  popts.limits.banner = std::chrono::milliseconds(smtp_config.banner_timeout_ms);
  popts.limits.command = std::chrono::milliseconds(smtp_config.command_timeout_ms);
  popts.limits.tls = std::chrono::milliseconds(smtp_config.tls_timeout_ms);
  popts.limits.quit = std::min(popts.limits.command, std::chrono::milliseconds(2000));
  popts.port = static_cast<std::uint16_t>(smtp_config.port);
  popts.source_ip = source_ip;
  popts.proxy = proxy;
  popts.want_ipv4 = !smtp_config.ipv6_only;
  popts.want_ipv6 = !smtp_config.ipv4_only;
  popts.catch_all_test = smtp_config.catch_all_test && !overrides.no_catch_all;
  popts.greylist_wait =
      std::chrono::seconds(overrides.greylist_wait_s >= 0 ? overrides.greylist_wait_s : smtp_config.greylist_wait_s);
  popts.max_rcpts_per_session =
      static_cast<std::size_t>(overrides.max_rcpts > 0 ? overrides.max_rcpts : smtp_config.max_rcpts_per_session);
  popts.per_host_rate = overrides.per_host_rate >= 0 ? overrides.per_host_rate : smtp_config.per_host_rate;
  popts.seed = config.dns.seed;
  popts.lookup_ptr = config.output.verbose > 0 || config.output.json;
  popts.classifier = std::make_shared<const smtp::reply_classifier>(std::move(*classes.value));
  popts.quirks = std::make_shared<const smtp::quirk_table>(std::move(*quirks.value));
  return setup;
}

}  // namespace probe
