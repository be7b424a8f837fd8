#pragma once
// Ready-made `smtp_behaviour::on_command` handlers for the fake SMTP server: answer a verb
// with a given reply, or send half a reply and close, from its n-th occurrence on (the
// catch-all test's second RCPT, the second MAIL FROM, ...).

#include "tests/fakes/fake_smtp_server.hpp"

#include <functional>
#include <memory>
#include <optional>
#include <string>

namespace fakes {

using command_handler = std::function<std::optional<smtp_action>(const std::string& line, smtp_connection&)>;

// Lines starting with `verb` get `reply`, from the `from_nth` one on.
inline command_handler answer_to(std::string verb, std::string reply, int from_nth = 1) {
  auto seen = std::make_shared<int>(0);
  return [=](const std::string& line, smtp_connection&) -> std::optional<smtp_action> {
    if (!line.starts_with(verb) || ++*seen < from_nth) return std::nullopt;
    smtp_action a;
    a.reply = reply;
    return a;
  };
}

// Lines starting with `verb` get the first line of a multi-line reply ("250-cut"), then
// the connection closes, from the `from_nth` one on.
inline command_handler cut_reply_to(std::string verb, int from_nth = 1) {
  auto seen = std::make_shared<int>(0);
  return [=](const std::string& line, smtp_connection&) -> std::optional<smtp_action> {
    if (!line.starts_with(verb) || ++*seen < from_nth) return std::nullopt;
    smtp_action a;
    a.raw = "250-cut";
    a.close = true;
    return a;
  };
}

}  // namespace fakes
