#!/usr/bin/env bash
# Builds tests/smtp/fuzz_reply_parser.cpp with clang's libFuzzer (+ASan, UBSan) straight
# from the smtp/ sources and runs it for SECONDS (default 60), seeded with real replies.
# Findings (crash-* files) land in build-fuzz-smtp/. Usage: tests/smtp/fuzz.sh [SECONDS]
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
seconds=${1:-60}
out=$root/build-fuzz-smtp
mkdir -p "$out/corpus"
flags=(-std=c++20 -O1 -gline-tables-only -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined
       -I"$root" -DPROBE_SOURCE_DIR="\"$root\"")
clang++-14 "${flags[@]}" "$root"/smtp/{reply,text,capabilities,classify,quirks,address,socks5_wire,verdict}.cpp \
  "$root/tests/smtp/fuzz_reply_parser.cpp" $(pkg-config --cflags --libs libidn2) -lyaml-cpp -lssl -lcrypto \
  -o "$out/fuzz_reply_parser"
# Seeds: replies as real servers send them (RIG.md, the seed guides).
printf '220 mx1.probe.test ESMTP\r\n250-mx1\r\n250-SIZE 10240000\r\n250 STARTTLS\r\n' >"$out/corpus/ehlo"
printf '550 5.1.1 <x@probe.test>: Recipient address rejected: User unknown in local recipient table\r\n' >"$out/corpus/unknown"
printf '554 5.7.1 Service unavailable; Client host [127.0.0.10] blocked using bl.test\r\n' >"$out/corpus/dnsbl"
printf '450-4.2.1 The user you are trying to contact is receiving mail at a rate\r\n450 4.2.1 that prevents\r\n' >"$out/corpus/gmail"
printf 'HTTP/1.1 400 Bad Request\r\n\r\n' >"$out/corpus/http"
printf 'user@Bücher.example' >"$out/corpus/idn"
cd "$out"
./fuzz_reply_parser -max_total_time="$seconds" -max_len=70000 -timeout=10 -rss_limit_mb=2048 \
  -print_final_stats=1 corpus 2>&1 | tail -n 12
