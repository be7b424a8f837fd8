// Test helper (prints, asserts nothing): every parsed fact and every classification of
// every message under a folder, one line per fact, in a stable order. A speed change to
// the reader must leave this output byte-identical; compare two runs with cmp.
// Usage: reports_fact_dump [CORPUS_EMAILS_DIR] > facts.txt

#include "reports/classify.hpp"
#include "reports/input.hpp"
#include "reports/knowledge.hpp"
#include "reports/parse.hpp"

#include <algorithm>
#include <filesystem>
#include <iostream>
#include <string>
#include <vector>

namespace {

void field(std::string_view name, std::string_view value) {
  std::cout << "  " << name << "=";
  for (const char c : value) {
    if (c == '\n') std::cout << "\\n";
    else if (c == '\r') std::cout << "\\r";
    else if (c == '\\') std::cout << "\\\\";
    else std::cout << c;
  }
  std::cout << "\n";
}

void dump(const reports::report& rep, const reports::knowledge& k) {
  field("kind", reports::to_string(rep.kind));
  field("family", rep.mta_family);
  field("reporting_mta", rep.reporting_mta);
  field("arrival_date", rep.arrival_date);
  field("bounce_from", rep.bounce_from);
  field("bounce_subject", rep.bounce_subject);
  field("bounce_date", rep.bounce_date);
  field("orig.from", rep.original.from);
  field("orig.to", rep.original.to);
  field("orig.subject", rep.original.subject);
  field("orig.message_id", rep.original.message_id);
  field("orig.date", rep.original.date);
  for (const auto& r : rep.original.received) field("orig.received", r);
  field("orig.sending_ip", rep.original.sending_ip);
  field("orig.sending_ip_source", rep.original.sending_ip_source);
  field("orig.size", rep.original.size ? std::to_string(*rep.original.size) : "-");
  field("mta_reason", rep.mta_reason);
  field("mta_reason_matched", rep.mta_reason_matched);
  field("truncated", rep.truncated ? "1" : "0");
  for (const auto& n : rep.notes) field("note", n);
  for (const auto& r : rep.recipients) {
    field("rcpt", r.address);
    field("original_recipient", r.original_recipient);
    field("action", reports::to_string(r.action));
    field("status", r.status);
    field("reply_code", std::to_string(r.reply_code));
    field("diagnostic", r.diagnostic);
    field("diagnostic_type", r.diagnostic_type);
    field("command", reports::to_string(r.command));
    field("remote_host", r.remote_host);
    field("remote_ip", r.remote_ip);
    field("last_attempt_date", r.last_attempt_date);
    field("feedback_type", r.feedback_type);
    for (const auto& [name, value] : r.extra_fields) field("x:" + name, value);
    for (const auto& [name, value] : r.sources) field("src:" + name, value);
    const auto c = reports::classify(r, rep, k);
    field("c.reason", c.reason);
    field("c.hard", c.hard ? "1" : "0");
    field("c.temporary", c.temporary ? "1" : "0");
    field("c.status", c.status);
    field("c.subcause", c.subcause);
    field("c.by", reports::to_string(c.by));
    field("c.matched", c.matched);
    field("c.dnsbl_zone", c.hints.dnsbl_zone);
    field("c.client_ip", c.hints.client_ip);
    field("c.size_limit", c.hints.size_limit ? std::to_string(*c.hints.size_limit) : "-");
    field("c.connection_level", c.hints.connection_level ? "1" : "0");
    field("c.remote_host", c.hints.remote_host);
    field("c.remote_ip", c.hints.remote_ip);
  }
}

}  // namespace

int main(int argc, char** argv) {
  const std::filesystem::path dir =
      argc > 1 ? std::filesystem::path(argv[1]) : std::filesystem::path(PROBE_SHARED_DIR) / "corpus" / "sisimai-dev" / "emails";
  const auto loaded = reports::load_knowledge(std::filesystem::path(PROBE_SOURCE_DIR) / "reports" / "data");
  if (!loaded.value) {
    std::cerr << loaded.error << "\n";
    return 1;
  }
  std::vector<std::filesystem::path> files;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) files.push_back(entry.path());
  std::sort(files.begin(), files.end());
  for (const auto& file : files) {
    const auto batch = reports::read_source(file.string());
    std::size_t index = 0;
    for (const auto& m : batch.messages) {
      std::cout << file.filename().string() << "#" << ++index << "\n";
      dump(reports::parse(m.bytes, *loaded.value), *loaded.value);
    }
  }
  return 0;
}
