#!/usr/bin/env bash
# The test rig: real nsd, rbldnsd, dnsmasq and Postfix on loopback, in a network namespace
# of their own, so nothing collides with the host's ports and nothing can reach the internet.
#
#   rig.sh start DIR          start everything; state (configs, PIDs, logs) lives in DIR
#   rig.sh exec DIR -- CMD    run CMD inside the rig's namespace with the rig's variables
#   rig.sh stop DIR           stop every daemon by the PID it recorded, remove the namespace
#   rig.sh env DIR            print the rig's variables
#   rig.sh add-user DIR NAME           make NAME@probe.test (and the scenario domains) exist
#   rig.sh delist DIR ZONE IP          remove IP from an rbldnsd ip4set zone and reload it
#   rig.sh listen DIR IP:PORT          add a Postfix listener (e.g. bring a down MX up)
#   rig.sh size-limit DIR IP:PORT N    change the size limit of one Postfix listener
#
# Inside the namespace (see tests/rig/README.md):
#   127.0.0.1:53     dnsmasq, the namespace's resolver (/etc/resolv.conf), no cache; forwards
#                    every test zone to nsd and every DNSBL zone to rbldnsd
#   127.0.0.1:5353   nsd, authoritative for tests/rig/zones/NAME.zone (zone NAME) and the
#                    reverse zones built from tests/rig/zones/*.ptr ("IP NAME" lines); also [::1]:5353
#   127.0.0.1:5354   rbldnsd, serving tests/rig/rbl/ZONE.DATASET (e.g. bl.test.ip4set)
#   127.0.0.2:2525   Postfix (mx1.probe.test), also [::1]:2525: see tests/rig/README.md
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
top=$(cd "$here/../.." && pwd)

usage() { echo "usage: rig.sh start|stop|env DIR | rig.sh exec DIR -- CMD..." >&2; exit 2; }
(($# >= 2)) || usage
action=$1
dir=$(mkdir -p "$2" && cd "$2" && pwd)
shift 2

log() { echo "rig: $*" >&2; }

need_tools() {
  local missing=()
  for tool in nsd rbldnsd dnsmasq postfix ip openssl; do
    command -v "$tool" >/dev/null 2>&1 || [[ -x /usr/sbin/$tool ]] || missing+=("$tool")
  done
  if ((${#missing[@]})); then
    log "missing ${missing[*]}; installing through scripts/install-deps.sh"
    "$top/scripts/install-deps.sh" >&2
  fi
}

in_ns() { ip netns exec "$(cat "$dir/netns")" "$@"; }

wait_for_port() {  # wait_for_port PROTO IP PORT: until something listens (bounded)
  local proto=$1 ip=$2 port=$3
  for _ in $(seq 1 100); do
    if in_ns ss -H -ln"${proto}" "src $ip and sport = :$port" 2>/dev/null | grep -q .; then return 0; fi
    sleep 0.05
  done
  log "nothing listens on $proto $ip:$port"
  return 1
}

running() {  # running PID: alive and not a zombie (PID 1 may reap daemons late)
  [[ -r /proc/$1/status ]] && ! grep -q '^State:.*Z' "/proc/$1/status" 2>/dev/null
}

stop_pid_file() {  # stop_pid_file FILE NAME: TERM, then KILL after 3 s, by PID only
  local file=$1 name=$2 pid
  [[ -s $file ]] || return 0
  pid=$(tr -dc '0-9' <"$file")
  [[ -n $pid ]] || return 0
  if running "$pid"; then
    kill "$pid" 2>/dev/null || true
    for _ in $(seq 1 60); do running "$pid" || break; sleep 0.05; done
    running "$pid" && { log "$name ($pid) did not stop; killing"; kill -9 "$pid" 2>/dev/null || true; }
  fi
  rm -f "$file"
}

write_reverse_zones() {  # reverse zones for 127/8 and ::1 from every *.ptr fragment
  local v4="$dir/nsd/zones/127.in-addr.arpa.zone" v6="$dir/nsd/zones/ip6.arpa.zone"
  for zone in 127.in-addr.arpa ip6.arpa; do
    local file="$dir/nsd/zones/$zone.zone"
    printf '$ORIGIN %s.\n$TTL 60\n@ IN SOA ns.probe.test. hostmaster.probe.test. 1 60 60 600 60\n@ IN NS ns.probe.test.\n' "$zone" >"$file"
  done
  local ip name
  cat "$here"/zones/*.ptr 2>/dev/null | sed 's/#.*//' | while read -r ip name; do
    [[ -n ${ip:-} && -n ${name:-} ]] || continue
    if [[ $ip == *:* ]]; then
      printf '%s. IN PTR %s\n' "$(python3 -c 'import ipaddress,sys; print(ipaddress.ip_address(sys.argv[1]).reverse_pointer)' "$ip")" "$name" >>"$v6"
    else
      IFS=. read -r a b c d <<<"$ip"
      printf '%s.%s.%s.127.in-addr.arpa. IN PTR %s\n' "$d" "$c" "$b" "$name" >>"$v4"
    fi
  done
}

start_dns() {
  mkdir -p "$dir/nsd/zones" "$dir/rbl"
  local zones=()
  for file in "$here"/zones/*.zone; do
    [[ -e $file ]] || continue
    local zone
    zone=$(basename "$file" .zone)
    cp "$file" "$dir/nsd/zones/$zone.zone"
    zones+=("$zone")
  done
  write_reverse_zones
  zones+=(127.in-addr.arpa ip6.arpa)
  {
    printf 'server:\n  ip-address: 127.0.0.1@5353\n  ip-address: ::1@5353\n  server-count: 1\n'
    printf '  username: ""\n  chroot: ""\n  database: ""\n  zonesdir: "%s"\n' "$dir/nsd/zones"
    printf '  pidfile: "%s"\n  xfrdfile: "%s"\n  zonelistfile: "%s"\n  logfile: "%s"\n' \
      "$dir/nsd/nsd.pid" "$dir/nsd/xfrd.state" "$dir/nsd/zone.list" "$dir/nsd/nsd.log"
    # Response-rate limiting (200 answers/s per client by default) would throttle the
    # benchmarks and bursts of tests: loopback clients are not an amplification risk.
    printf '  verbosity: 1\n  hide-version: yes\n  rrl-ratelimit: 0\n  rrl-whitelist-ratelimit: 0\n'
    printf 'remote-control:\n  control-enable: no\n'
    for zone in "${zones[@]}"; do printf 'zone:\n  name: "%s"\n  zonefile: "%s.zone"\n' "$zone" "$zone"; done
  } >"$dir/nsd/nsd.conf"
  in_ns nsd -c "$dir/nsd/nsd.conf"
  wait_for_port u 127.0.0.1 5353

  # rbldnsd refuses to run as root; its files must be readable by the rbldns user.
  local datasets=()
  chmod 755 "$dir" "$dir/rbl"
  for file in "$here"/rbl/*; do
    [[ -f $file ]] || continue
    local base zone type
    base=$(basename "$file")
    type=${base##*.}
    zone=${base%.*}
    cp "$file" "$dir/rbl/$base"
    chmod 644 "$dir/rbl/$base"
    datasets+=("$zone:$type:$base")
    zones_rbl+=("$zone")
  done
  if ((${#datasets[@]})); then
    in_ns rbldnsd -q -u rbldns -b 127.0.0.1/5354 -p "$dir/rbl/rbldnsd.pid" -w "$dir/rbl" -t 60 -c 0 "${datasets[@]}"
    wait_for_port u 127.0.0.1 5354
  fi

  {
    printf 'port=53\nlisten-address=127.0.0.1,::1\nbind-interfaces\nno-resolv\nno-hosts\n'
    printf 'cache-size=0\nno-negcache\nuser=root\npid-file=%s\nlog-facility=%s\n' "$dir/dnsmasq.pid" "$dir/dnsmasq.log"
    for zone in "${zones[@]}"; do printf 'server=/%s/127.0.0.1#5353\n' "$zone"; done
    for zone in "${zones_rbl[@]}"; do printf 'server=/%s/127.0.0.1#5354\n' "$zone"; done
  } >"$dir/dnsmasq.conf"
  in_ns dnsmasq --conf-file="$dir/dnsmasq.conf"
  wait_for_port u 127.0.0.1 53
}

start_postfix() {
  local pf="$dir/postfix"
  mkdir -p "$pf/spool" "$pf/data"
  chown postfix "$pf/data"
  cp "$here/postfix/local_recipients" "$pf/local_recipients"
  openssl req -x509 -newkey rsa:2048 -nodes -days 30 -subj /CN=mx1.probe.test \
    -addext subjectAltName=DNS:mx1.probe.test -keyout "$pf/key.pem" -out "$pf/cert.pem" 2>/dev/null
  sed "s|@DIR@|$pf|g" "$here/postfix/main.cf.in" >"$pf/main.cf"
  cp "$here/postfix/master.cf" "$pf/master.cf"
  in_ns postfix -c "$pf" check >/dev/null 2>&1 || in_ns postfix -c "$pf" set-permissions >/dev/null 2>&1 || true
  in_ns postfix -c "$pf" start >/dev/null 2>&1 || { log "postfix failed to start; see $pf/maillog"; return 1; }
  wait_for_port t 127.0.0.2 2525
}

start_postfix_out() {  # the sending Postfix (tests/rig/postfix-out/main.cf.in)
  local out="$dir/out"
  mkdir -p "$out/spool" "$out/data" "$out/mail/sender/new" "$out/mail/sender/cur" "$out/mail/sender/tmp"
  chown postfix "$out/data"
  chown -R nobody:nogroup "$out/mail"
  cp "$here/postfix-out/transport" "$here/postfix-out/vmailbox" "$here/postfix-out/master.cf" "$out/"
  sed -e "s|@DIR@|$out|g" -e "s|@UID@|$(id -u nobody)|" -e "s|@GID@|$(getent group nogroup | cut -d: -f3)|" \
    "$here/postfix-out/main.cf.in" >"$out/main.cf"
  in_ns postfix -c "$out" check >/dev/null 2>&1 || true
  in_ns postfix -c "$out" start >/dev/null 2>&1 || { log "sending postfix failed to start; see $out/maillog"; return 1; }
  wait_for_port t 127.0.0.20 2526
}

# Sends one message per failure scenario through the sending Postfix and files each DSN
# it writes as $dir/bounces/SCENARIO.eml: genuine Postfix bounces for the tests.
make_bounces() {
  mkdir -p "$dir/bounces"
  in_ns python3 - <<'PY'
import smtplib
scenarios = {
    "carol@probe.test": "unknown user",
    "alice@rbl.probe.test": "client listed in bl.test",
    "alice@down.probe.test": "every MX refuses connections",
    "alice@null.probe.test": "null MX",
    "alice@nosuch.probe.test": "domain does not exist",
    "alice@small.probe.test": "message larger than the size limit",
}
with smtplib.SMTP("127.0.0.20", 2526, timeout=10) as s:
    for rcpt, what in scenarios.items():
        body = "Subject: rig: %s\r\nFrom: sender@out.probe.test\r\nTo: %s\r\nMessage-ID: <%s@out.probe.test>\r\n\r\n" % (what, rcpt, rcpt.replace("@", "."))
        body += ("x" * 70 + "\r\n") * (450 if "small" in rcpt else 3)
        s.sendmail("sender@out.probe.test", [rcpt], body)
PY
  local -A names=([carol@probe.test]=unknown-user [alice@rbl.probe.test]=blocked [alice@down.probe.test]=connection-refused
                  [alice@null.probe.test]=null-mx [alice@nosuch.probe.test]=nxdomain [alice@small.probe.test]=too-big)
  local mail="$dir/out/mail/sender/new" filed=0
  for _ in $(seq 1 200); do
    filed=0
    for file in "$mail"/*; do
      [[ -f $file ]] || continue
      for rcpt in "${!names[@]}"; do
        grep -qi "^Final-Recipient: rfc822; *$rcpt" "$file" && cp "$file" "$dir/bounces/${names[$rcpt]}.eml" && filed=$((filed + 1))
      done
    done
    ((filed >= ${#names[@]})) && return 0
    sleep 0.1
  done
  log "only $filed of ${#names[@]} DSNs arrived; see $dir/out/maillog"
  return 1
}

reload_postfix() {
  in_ns postfix -c "$dir/postfix" reload >/dev/null 2>&1
  sleep 0.5  # smtpd processes pick the new settings up on their next connection
}

write_env() {
  cat >"$dir/env" <<ENV
PROBE_RIG_DIR=$dir
PROBE_RIG_NETNS=$(cat "$dir/netns")
PROBE_RIG_RESOLVER=127.0.0.1:53
PROBE_RIG_NSD=127.0.0.1:5353
PROBE_RIG_RBLDNSD=127.0.0.1:5354
PROBE_RIG_SMTP=127.0.0.2:2525
PROBE_RIG_SMTP_PORT=2525
PROBE_RIG_POSTFIX_LOG=$dir/postfix/maillog
PROBE_RIG_BOUNCES=$dir/bounces
ENV
}

stop_all() {
  [[ -s $dir/netns ]] || return 0
  local ns
  ns=$(cat "$dir/netns")
  if [[ -f $dir/postfix/main.cf ]] && ip netns list | grep -qw "$ns"; then
    in_ns postfix -c "$dir/postfix" stop >/dev/null 2>&1 || true
  fi
  if [[ -f $dir/out/main.cf ]] && ip netns list | grep -qw "$ns"; then
    in_ns postfix -c "$dir/out" stop >/dev/null 2>&1 || true
  fi
  stop_pid_file "$dir/postfix/spool/pid/master.pid" postfix
  stop_pid_file "$dir/out/spool/pid/master.pid" postfix-out
  stop_pid_file "$dir/dnsmasq.pid" dnsmasq
  stop_pid_file "$dir/rbl/rbldnsd.pid" rbldnsd
  stop_pid_file "$dir/nsd/nsd.pid" nsd
  ip netns del "$ns" 2>/dev/null || true
  rm -rf "/etc/netns/$ns"
  rm -f "$dir/netns"
}

case $action in
  start)
    [[ $(id -u) -eq 0 ]] || { log "the rig needs root (network namespaces)"; exit 1; }
    need_tools
    stop_all  # a previous run that crashed
    # A fresh state every start: an old maildir would hand out an earlier run's DSNs.
    rm -rf "$dir/nsd" "$dir/rbl" "$dir/postfix" "$dir/out" "$dir/bounces" "$dir"/dnsmasq.* "$dir/env"
    ns="probe-rig-$$-$RANDOM"
    ip netns add "$ns"
    echo "$ns" >"$dir/netns"
    ip -n "$ns" link set lo up
    mkdir -p "/etc/netns/$ns"
    echo 'nameserver 127.0.0.1' >"/etc/netns/$ns/resolv.conf"
    zones_rbl=()
    trap 'log "start failed; stopping"; stop_all' ERR
    start_dns
    start_postfix
    start_postfix_out
    make_bounces
    write_env
    trap - ERR
    log "up in namespace $ns (state in $dir)"
    ;;
  stop) stop_all ;;
  env) cat "$dir/env" ;;
  add-user)
    (($# == 1)) || usage
    echo "$1 OK" >>"$dir/postfix/local_recipients"
    reload_postfix
    ;;
  delist)
    (($# == 2)) || usage
    sed -i "/^${2//./\\.}\$/d" "$dir/rbl/$1.ip4set"
    kill -HUP "$(cat "$dir/rbl/rbldnsd.pid")"
    rev=$(awk -F. '{print $4"."$3"."$2"."$1}' <<<"$2")
    for _ in $(seq 1 100); do
      in_ns dig +short "$rev.$1" @127.0.0.1 -p 5354 | grep -q . || exit 0
      sleep 0.05
    done
    log "rbldnsd still lists $2 in $1"; exit 1
    ;;
  listen)
    (($# == 1)) || usage
    echo "$1 inet n - n - - smtpd" >>"$dir/postfix/master.cf"
    reload_postfix
    wait_for_port t "${1%:*}" "${1##*:}"
    ;;
  size-limit)
    (($# == 2)) || usage
    sed -i "s|^\($1 inet .*message_size_limit=\)[0-9]*|\1$2|" "$dir/postfix/master.cf"
    reload_postfix
    ;;
  exec)
    [[ ${1:-} == -- ]] && shift
    (($#)) || usage
    [[ -s $dir/netns ]] || { log "rig is not running (no $dir/netns)"; exit 1; }
    exec ip netns exec "$(cat "$dir/netns")" env $(cat "$dir/env") "$@"
    ;;
  *) usage ;;
esac
