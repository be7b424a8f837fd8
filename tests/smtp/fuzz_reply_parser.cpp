// libFuzzer target: hostile bytes through everything in smtp/ that reads peer or user text —
// the reply parser (fed in arbitrary chunks), EHLO capabilities, the reply classifier and
// provider quirks, mailbox/HELO/sender checks, proxy URLs and SOCKS5 replies.
// Must never crash, hang, read out of bounds, or let CR/LF/NUL into a checked value.
// Built and run by tests/smtp/fuzz.sh (clang, not part of the ctest build).
#include "smtp/address.hpp"
#include "smtp/capabilities.hpp"
#include "smtp/classify.hpp"
#include "smtp/quirks.hpp"
#include "smtp/reply.hpp"
#include "smtp/socks5.hpp"
#include "smtp/text.hpp"

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

namespace {

const smtp::reply_classifier& classifier() {
  static const auto loaded = smtp::reply_classifier::load_file(PROBE_SOURCE_DIR "/smtp/reply_classes.yaml");
  if (!loaded) std::abort();
  return *loaded;
}

const smtp::quirk_table& quirks() {
  static const auto loaded = smtp::quirk_table::load_file(PROBE_SOURCE_DIR "/smtp/provider_quirks.yaml");
  if (!loaded) std::abort();
  return *loaded;
}

void must_be_clean(const std::string& value) {
  if (smtp::has_line_break_or_nul(value)) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);

  // Replies, fed in chunks whose sizes come from the input itself.
  smtp::reply_parser parser;
  std::string pending;
  std::size_t offset = 0;
  int replies = 0;
  while (offset < bytes.size() && parser.status() != smtp::reply_parser::state::failed) {
    const std::size_t chunk = 1 + static_cast<std::uint8_t>(bytes[offset]) % 97;
    pending.append(bytes.substr(offset, chunk));
    offset += chunk;
    for (;;) {
      const std::size_t used = parser.feed(pending);
      if (used > pending.size()) std::abort();
      pending.erase(0, used);
      if (parser.status() != smtp::reply_parser::state::complete) break;
      const smtp::reply r = parser.take();
      if (r.code < 200 || r.code > 599 || r.wire_bytes > 64 * 1024) std::abort();
      for (const auto& line : r.lines) {
        if (line.size() > 4096) std::abort();
        bool replaced = false;
        if (smtp::sanitize(line, replaced) != line) std::abort();  // stored text is already clean
      }
      (void)smtp::parse_ehlo(r);
      const auto c = classifier().classify(r);
      (void)quirks().match("mx.example.yahoodns.net", r, c.meaning, smtp::catch_all_state::inconclusive);
      if (++replies > 100000) std::abort();
    }
  }

  // Things users type and servers echo.
  const std::string text(bytes.substr(0, 600));
  if (const auto box = smtp::parse_mailbox(text)) {
    must_be_clean(box->address());
    if (box->domain.size() > 253) std::abort();
  }
  if (const auto helo = smtp::check_helo(text)) must_be_clean(helo->name);
  if (const auto sender = smtp::check_reverse_path(text)) must_be_clean(*sender);
  (void)smtp::parse_proxy_url(text);
  if (bytes.size() >= 5) {
    if (const auto length = smtp::socks5::reply_length(bytes.substr(0, 5)); length && (*length < 10 || *length > 262))
      std::abort();
  }
  return 0;
}
