#pragma once
// reports/address: whether two spellings of a mail address name one recipient.
//
// Promise: same_recipient(a, b) is true when the local parts are equal ignoring ASCII case
// (as every reader compared addresses before) and the domains are equal ignoring case once
// both are in A-label form (IDNA2008 with UTS #46 mapping, libidn2). A report's text may
// name an internationalised recipient in UTF-8 ("ana@bücher.example", RFC 6531) while its
// DSN names the same recipient by A-label ("ana@xn--bcher-kva.example", RFC 3464's rfc822
// address type is ASCII): both are one recipient, so the text's step and host join the
// DSN's entry. Two ASCII addresses cost one case-insensitive comparison (no allocation); a
// domain libidn2 refuses is compared as written. Not promised: a non-ASCII domain that
// UTS #46 maps to plain ASCII (full-width letters) equals its ASCII spelling only when both
// are written non-ASCII, since an ASCII domain without an "xn--" label is taken as no IDN's. Conversions are remembered per thread (at
// most 4,096 domains), so comparing every recipient of a hostile report with every text
// entry costs one conversion per distinct domain. Thread-safe.

#include <string_view>

namespace reports {

bool same_recipient(std::string_view a, std::string_view b);

}  // namespace reports
