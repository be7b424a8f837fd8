#include "dns/resolver.hpp"

#include "dns/message.hpp"

#include <ares.h>
#include <boost/asio/any_completion_handler.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/ip/address.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <charconv>
#include <mutex>
#include <unordered_map>

namespace dns {

namespace net = boost::asio;

namespace {

using clock = std::chrono::steady_clock;

void init_library_once() {
  static std::once_flag once;
  std::call_once(once, [] { ares_library_init(ARES_LIB_INIT_ALL); });
}

outcome outcome_from_status(int status) {
  switch (status) {
    case ARES_ENOTFOUND: return outcome::nxdomain;
    case ARES_ENODATA: return outcome::nodata;
    case ARES_ESERVFAIL: return outcome::servfail;
    case ARES_EREFUSED: return outcome::refused;
    case ARES_ETIMEOUT: return outcome::timeout;
    case ARES_EBADRESP: return outcome::malformed;
    default: return outcome::error;
  }
}

std::string detail_from_status(int status) {
  switch (status) {
    case ARES_ECONNREFUSED: return "connection refused by the DNS server (nothing listening there)";
    case ARES_ETIMEOUT: return "no answer from the DNS server(s) before the timeout";
    case ARES_EBADNAME: return "not a valid domain name";
    case ARES_EDESTRUCTION: return "resolver shut down";
    case ARES_ECANCELLED: return "query cancelled";
    default: return ares_strerror(status);
  }
}

}  // namespace

struct resolver::state {
  struct watch {
    state* owner;
    ares_socket_t fd;
    net::posix::stream_descriptor descriptor;
    bool want_read = false, want_write = false;
    bool read_pending = false, write_pending = false;
    bool closed = false;
  };
  struct pending {
    state* owner;
    std::string qname;
    std::uint16_t qtype;
    clock::time_point started;
    net::any_completion_handler<void(answer)> handler;
  };

  net::any_io_executor executor;
  ares_channel channel = nullptr;
  net::steady_timer timer;
  bool timer_armed = false;
  clock::time_point timer_deadline{};
  std::unordered_map<ares_socket_t, std::shared_ptr<watch>> watches;
  // Handlers queued on the io_context may run after the resolver is gone; they check this.
  std::shared_ptr<char> alive = std::make_shared<char>();
  resolver_stats stats;

  explicit state(net::any_io_executor ex) : executor(std::move(ex)), timer(executor) {}

  ~state() {
    alive.reset();
    if (channel) ares_destroy(channel);  // completes pending queries with ARES_EDESTRUCTION
    for (auto& [fd, w] : watches) close_watch(*w);
  }

  static void on_socket_state(void* data, ares_socket_t fd, int readable, int writable) {
    static_cast<state*>(data)->socket_state(fd, readable != 0, writable != 0);
  }

  void close_watch(watch& w) {
    w.closed = true;
    // c-ares owns the descriptor and closes it itself: Asio must only forget it.
    boost::system::error_code ignored;
    w.descriptor.cancel(ignored);
    (void)w.descriptor.release();
  }

  void socket_state(ares_socket_t fd, bool readable, bool writable) {
    if (!readable && !writable) {
      if (auto found = watches.find(fd); found != watches.end()) {
        close_watch(*found->second);
        watches.erase(found);
      }
      return;
    }
    auto& w = watches[fd];
    if (!w) w = std::make_shared<watch>(watch{this, fd, net::posix::stream_descriptor(executor, fd)});
    w->want_read = readable;
    w->want_write = writable;
    arm(w);
  }

  void arm(const std::shared_ptr<watch>& w) {
    if (w->want_read && !w->read_pending) {
      w->read_pending = true;
      w->descriptor.async_wait(net::posix::descriptor_base::wait_read,
                               [w, life = std::weak_ptr<char>(alive)](boost::system::error_code ec) {
                                 w->read_pending = false;
                                 if (ec || w->closed || life.expired()) return;
                                 w->owner->process(w->fd, ARES_SOCKET_BAD);
                               });
    }
    if (w->want_write && !w->write_pending) {
      w->write_pending = true;
      w->descriptor.async_wait(net::posix::descriptor_base::wait_write,
                               [w, life = std::weak_ptr<char>(alive)](boost::system::error_code ec) {
                                 w->write_pending = false;
                                 if (ec || w->closed || life.expired()) return;
                                 w->owner->process(ARES_SOCKET_BAD, w->fd);
                               });
    }
  }

  void process(ares_socket_t read_fd, ares_socket_t write_fd) {
    ares_process_fd(channel, read_fd, write_fd);
    // c-ares may have closed the socket (and even reopened the same number) meanwhile;
    // only a watch still in the table is re-armed.
    for (const ares_socket_t fd : {read_fd, write_fd}) {
      if (fd == ARES_SOCKET_BAD) continue;
      if (auto found = watches.find(fd); found != watches.end()) arm(found->second);
    }
    rearm_timer();
  }

  // One timer for all queries, re-armed from ares_timeout(). Moving it later is never
  // needed: an early wake-up only makes c-ares check its deadlines and re-arm.
  void rearm_timer() {
    timeval tv{};
    if (ares_timeout(channel, nullptr, &tv) == nullptr) {
      // Nothing pending: a timer left armed would keep io_context::run() busy for nothing.
      if (timer_armed) timer.cancel();
      timer_armed = false;
      return;
    }
    const auto deadline = clock::now() + std::chrono::seconds(tv.tv_sec) + std::chrono::microseconds(tv.tv_usec);
    if (timer_armed && deadline >= timer_deadline) return;
    timer_armed = true;
    timer_deadline = deadline;
    timer.expires_at(deadline);
    timer.async_wait([this, life = std::weak_ptr<char>(alive)](boost::system::error_code ec) {
      if (ec == net::error::operation_aborted || life.expired()) return;
      timer_armed = false;
      ares_process_fd(channel, ARES_SOCKET_BAD, ARES_SOCKET_BAD);
      rearm_timer();
    });
  }

  static void on_answer(void* arg, int status, int /*timeouts*/, unsigned char* abuf, int alen) {
    std::unique_ptr<pending> p(static_cast<pending*>(arg));
    answer a;
    const bool have_message = abuf != nullptr && alen > 0 &&
                              (status == ARES_SUCCESS || status == ARES_ENOTFOUND || status == ARES_ENODATA ||
                               status == ARES_ESERVFAIL || status == ARES_EREFUSED);
    if (have_message) {
      auto parsed = parse_message({abuf, static_cast<std::size_t>(alen)});
      if (parsed.value) {
        a = to_answer(*parsed.value, p->qname, p->qtype);
      } else {
        a.result = outcome::malformed;
        a.detail = "malformed answer: " + parsed.error;
      }
    } else {
      a.result = outcome_from_status(status);
      a.detail = detail_from_status(status);
    }
    a.qname = std::move(p->qname);
    a.qtype = p->qtype;
    a.elapsed = std::chrono::duration_cast<std::chrono::milliseconds>(clock::now() - p->started);
    p->owner->stats.answered++;
    // c-ares calls back from inside ares_process_fd/ares_query/ares_destroy; resuming the
    // coroutine there would re-enter c-ares. Post the completion instead.
    net::post(p->owner->executor, [h = std::move(p->handler), a = std::move(a)]() mutable { std::move(h)(std::move(a)); });
  }

  void start(net::any_completion_handler<void(answer)> handler, std::string name, std::uint16_t qtype) {
    stats.queries++;
    if (!name.empty() && name.back() == '.' && name.size() > 1) name.pop_back();
    auto* p = new pending{this, std::move(name), qtype, clock::now(), std::move(handler)};
    if (p->qname.empty() || p->qname.size() > 253) {
      on_answer(p, ARES_EBADNAME, 0, nullptr, 0);
      return;
    }
    ares_query(channel, p->qname.c_str(), 1 /* IN */, qtype, &state::on_answer, p);
    rearm_timer();
  }
};

std::variant<std::string, resolver::error> normalize_server(std::string_view server) {
  std::string host(server), port = "53";
  if (server.starts_with('[')) {
    const auto close = server.find(']');
    if (close == std::string_view::npos) return resolver::error{"unclosed '[' in DNS server '" + std::string(server) + "'"};
    host = server.substr(1, close - 1);
    const auto rest = server.substr(close + 1);
    if (!rest.empty()) {
      if (!rest.starts_with(':')) return resolver::error{"expected ':PORT' after ']' in DNS server '" + std::string(server) + "'"};
      port = rest.substr(1);
    }
  } else if (std::count(server.begin(), server.end(), ':') == 1) {
    const auto colon = server.find(':');
    host = server.substr(0, colon);
    port = server.substr(colon + 1);
  }
  boost::system::error_code ec;
  const auto address = net::ip::make_address(host, ec);
  if (ec) return resolver::error{"DNS server '" + std::string(server) + "' is not an IP address (IP, IP:PORT or [IPv6]:PORT)"};
  unsigned number = 0;
  const auto [end, err] = std::from_chars(port.data(), port.data() + port.size(), number);
  if (err != std::errc{} || end != port.data() + port.size() || number == 0 || number > 65535)
    return resolver::error{"bad port in DNS server '" + std::string(server) + "'"};
  return address.is_v6() ? "[" + address.to_string() + "]:" + port : address.to_string() + ":" + port;
}

std::variant<std::unique_ptr<resolver>, resolver::error> resolver::create(net::any_io_executor executor,
                                                                          resolver_options options) {
  init_library_once();
  std::string csv;
  for (const auto& server : options.servers) {
    auto normalized = normalize_server(server);
    if (auto* e = std::get_if<error>(&normalized)) return *e;
    if (!csv.empty()) csv += ',';
    csv += std::get<std::string>(normalized);
  }
  auto s = std::make_unique<state>(std::move(executor));
  ares_options opts{};
  int mask = ARES_OPT_SOCK_STATE_CB | ARES_OPT_TIMEOUTMS | ARES_OPT_TRIES | ARES_OPT_SOCK_RCVBUF;
  opts.sock_state_cb = &state::on_socket_state;
  opts.sock_state_cb_data = s.get();
  opts.timeout = static_cast<int>(options.timeout.count());
  opts.tries = options.tries;
  opts.socket_receive_buffer_size = options.udp_receive_buffer;
  // Without NOCHECKRESP, c-ares 1.18 swallows SERVFAIL and REFUSED answers, moves to the next
  // server and finally reports ECONNREFUSED, erasing the distinction the user needs
  // ("your resolver refuses" vs "the zone is broken"). We read the RCODE ourselves.
  opts.flags = ARES_FLAG_NOCHECKRESP;
  mask |= ARES_OPT_FLAGS;
  if (options.edns) {
    opts.flags |= ARES_FLAG_EDNS;
    opts.ednspsz = 1232;  // the DNS Flag Day 2020 size: avoids IP fragmentation
    mask |= ARES_OPT_FLAGS | ARES_OPT_EDNSPSZ;
  }
  if (const int rc = ares_init_options(&s->channel, &opts, mask); rc != ARES_SUCCESS)
    return error{std::string("c-ares initialisation failed: ") + ares_strerror(rc)};
  if (!csv.empty()) {
    if (const int rc = ares_set_servers_ports_csv(s->channel, csv.c_str()); rc != ARES_SUCCESS)
      return error{std::string("c-ares refused the DNS servers: ") + ares_strerror(rc)};
  }
  return std::unique_ptr<resolver>(new resolver(std::move(s)));
}

resolver::resolver(std::unique_ptr<state> s) : state_(std::move(s)) {}
resolver::~resolver() = default;

resolver_stats resolver::stats() const { return state_->stats; }

net::awaitable<answer> resolver::query(std::string name, std::uint16_t qtype) {
  state& s = *state_;
  co_return co_await net::async_initiate<const net::use_awaitable_t<>&, void(answer)>(
      [&s](net::any_completion_handler<void(answer)> handler, std::string name, std::uint16_t qtype) {
        s.start(std::move(handler), std::move(name), qtype);
      },
      net::use_awaitable, std::move(name), qtype);
}

std::vector<std::string> resolver::servers() const {
  std::vector<std::string> out;
  ares_addr_port_node* list = nullptr;
  if (ares_get_servers_ports(state_->channel, &list) != ARES_SUCCESS) return out;
  for (auto* node = list; node; node = node->next) {
    char text[64] = {};
    ares_inet_ntop(node->family, &node->addr, text, sizeof text);
    const int port = node->udp_port ? node->udp_port : 53;
    out.push_back(node->family == AF_INET6 ? "[" + std::string(text) + "]:" + std::to_string(port)
                                           : std::string(text) + ":" + std::to_string(port));
  }
  ares_free_data(list);
  return out;
}

std::string c_ares_version() { return ares_version(nullptr); }

}  // namespace dns
