#include "smtp/verdict.hpp"

#include <utility>

namespace smtp {
namespace {

constexpr std::pair<verdict, std::string_view> verdict_names[] = {
    {verdict::deliverable, "deliverable"},       {verdict::undeliverable, "undeliverable"},
    {verdict::rejected_us, "rejected-us"},       {verdict::temporary, "temporary"},
    {verdict::unreachable, "unreachable"},       {verdict::no_mail_domain, "no-mail-domain"},
    {verdict::catch_all, "catch-all"},           {verdict::unverifiable, "unverifiable"},
    {verdict::protocol_error, "protocol-error"}, {verdict::tls_error, "tls-error"},
};

constexpr std::pair<catch_all_state, std::string_view> catch_all_names[] = {
    {catch_all_state::not_tested, "not-tested"},
    {catch_all_state::accepts_all, "accepts-all"},
    {catch_all_state::rejects_unknown, "rejects-unknown"},
    {catch_all_state::inconclusive, "inconclusive"},
};

}  // namespace

std::string_view to_string(verdict v) {
  for (const auto& [value, name] : verdict_names)
    if (value == v) return name;
  return "unknown";
}

std::optional<verdict> verdict_from(std::string_view name) {
  for (const auto& [value, text] : verdict_names)
    if (text == name) return value;
  return std::nullopt;
}

std::string_view to_string(catch_all_state state) {
  for (const auto& [value, name] : catch_all_names)
    if (value == state) return name;
  return "unknown";
}

std::optional<catch_all_state> catch_all_state_from(std::string_view name) {
  for (const auto& [value, text] : catch_all_names)
    if (text == name) return value;
  return std::nullopt;
}

}  // namespace smtp
