// HTTP/1.1 request parsing and response framing for the proxy (RFC 9112), strict and pure.
#include "lwgw/proxy/http1.hpp"

#include <algorithm>
#include <cstdio>

namespace lwgw::proxy::http1 {

namespace {

bool is_tchar(char c) {
  if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) return true;
  switch (c) {
    case '!':
    case '#':
    case '$':
    case '%':
    case '&':
    case '\'':
    case '*':
    case '+':
    case '-':
    case '.':
    case '^':
    case '_':
    case '`':
    case '|':
    case '~':
      return true;
    default:
      return false;
  }
}

bool is_token(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), is_tchar);
}

// Field values: visible ASCII, obs-text, space and tab; never CR, LF or NUL.
bool valid_value(std::string_view v) {
  return std::none_of(v.begin(), v.end(), [](char c) {
    auto u = static_cast<unsigned char>(c);
    return u == '\r' || u == '\n' || u == 0 || (u < 0x20 && u != '\t') || u == 0x7f;
  });
}

std::string_view trim_ows(std::string_view v) {
  while (!v.empty() && (v.front() == ' ' || v.front() == '\t')) v.remove_prefix(1);
  while (!v.empty() && (v.back() == ' ' || v.back() == '\t')) v.remove_suffix(1);
  return v;
}

// Each comma-separated element of a list-valued header, trimmed, empty ones skipped.
template <typename Fn>
void for_each_token(std::string_view v, Fn fn) {
  while (!v.empty()) {
    size_t comma = v.find(',');
    std::string_view part = trim_ows(v.substr(0, comma));
    if (!part.empty()) fn(part);
    if (comma == std::string_view::npos) break;
    v.remove_prefix(comma + 1);
  }
}

std::optional<std::uint64_t> parse_decimal(std::string_view s) {
  if (s.empty() || s.size() > 18) return std::nullopt;
  std::uint64_t n = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return std::nullopt;
    n = n * 10 + static_cast<std::uint64_t>(c - '0');
  }
  return n;
}

HeadResult fail(ParseError e, std::string reason) {
  HeadResult r;
  r.error = e;
  r.reason = std::move(reason);
  return r;
}

// Marks `r` failed, keeping what was parsed (the target picks the error's dialect).
HeadResult& fail(HeadResult& r, ParseError e, std::string reason) {
  r.error = e;
  r.reason = std::move(reason);
  return r;
}

// Splits off one CRLF-terminated line; false when a bare CR or LF appears instead.
bool next_line(std::string_view& rest, std::string_view& line) {
  size_t lf = rest.find('\n');
  if (lf == std::string_view::npos || lf == 0 || rest[lf - 1] != '\r') return false;
  line = rest.substr(0, lf - 1);
  if (line.find('\r') != std::string_view::npos) return false;
  rest.remove_prefix(lf + 1);
  return true;
}

bool parse_request_line(std::string_view line, RequestHead& h, HeadResult& err) {
  size_t sp1 = line.find(' ');
  size_t sp2 = sp1 == std::string_view::npos ? sp1 : line.find(' ', sp1 + 1);
  if (sp2 == std::string_view::npos || line.find(' ', sp2 + 1) != std::string_view::npos) {
    err = fail(ParseError::kBadRequest, "malformed request line");
    return false;
  }
  h.method = std::string(line.substr(0, sp1));
  h.target = std::string(line.substr(sp1 + 1, sp2 - sp1 - 1));
  std::string_view version = line.substr(sp2 + 1);
  if (!is_token(h.method)) {
    err = fail(ParseError::kBadRequest, "malformed method");
    return false;
  }
  if (version.size() != 8 || version.substr(0, 7) != "HTTP/1." || version[7] < '0' ||
      version[7] > '9') {
    bool http = version.rfind("HTTP/", 0) == 0;
    err = fail(http ? ParseError::kVersion : ParseError::kBadRequest,
               http ? "only HTTP/1.x is served" : "malformed HTTP version");
    return false;
  }
  h.minor_version = version[7] - '0';
  bool origin_form = !h.target.empty() && h.target.front() == '/';
  // ASCII only, and no fragment: libcurl would cut a '#…' off (another path than the routed one)
  // and refuse bytes it cannot send, which the client would see as an unreachable gateway.
  if (!(origin_form || (h.target == "*" && h.method == "OPTIONS")) ||
      std::any_of(h.target.begin(), h.target.end(), [](char c) {
        auto u = static_cast<unsigned char>(c);
        return u <= 0x20 || u >= 0x7f || c == '#';
      })) {
    err = fail(ParseError::kBadRequest, "malformed request target");
    return false;
  }
  return true;
}

// Applies the framing headers to `h`; false (with `err`) when they are contradictory.
bool apply_framing(RequestHead& h, HeadResult& err) {
  int te_headers = 0;
  bool chunked_only = false;
  for (const auto& [name, value] : h.headers) {
    if (header_name_equals(name, "content-length")) {
      std::optional<std::uint64_t> n;
      bool ok = true;
      for_each_token(value, [&](std::string_view part) {
        auto v = parse_decimal(part);
        if (!v || (n && *n != *v)) ok = false;
        n = v;
      });
      if (!ok || !n || (h.content_length && *h.content_length != *n)) {
        fail(err, ParseError::kBadRequest, "invalid Content-Length");
        return false;
      }
      h.content_length = n;
    } else if (header_name_equals(name, "transfer-encoding")) {
      ++te_headers;
      chunked_only = header_name_equals(trim_ows(value), "chunked");
    } else if (header_name_equals(name, "connection")) {
      for_each_token(value, [&](std::string_view part) {
        if (header_name_equals(part, "close")) h.keep_alive = false;
      });
    } else if (header_name_equals(name, "expect")) {
      h.expect_continue = header_name_equals(trim_ows(value), "100-continue");
    }
  }
  if (te_headers > 0) {
    if (h.content_length || h.minor_version == 0) {
      fail(err, ParseError::kBadRequest, "Transfer-Encoding with Content-Length or HTTP/1.0");
      return false;
    }
    // Exactly `chunked`: a coding list is where proxies and servers disagree on the framing.
    if (te_headers > 1 || !chunked_only) {
      fail(err, ParseError::kBadRequest, "a Transfer-Encoding other than exactly chunked");
      return false;
    }
    h.chunked = true;
  }
  if (h.minor_version == 0) h.keep_alive = false;
  if (h.minor_version == 0) h.expect_continue = false;
  return true;
}

}  // namespace

std::string RequestHead::header(std::string_view name) const {
  for (const auto& [k, v] : headers)
    if (header_name_equals(k, name)) return v;
  return "";
}

bool RequestHead::has_header(std::string_view name) const {
  return std::any_of(headers.begin(), headers.end(),
                     [&](const auto& kv) { return header_name_equals(kv.first, name); });
}

HeadResult parse_head(std::string_view text) {
  if (text.size() > kMaxHeadBytes)
    return fail(ParseError::kHeadTooLarge, "request header section larger than 64 KiB");
  HeadResult r;
  RequestHead& h = r.head;
  std::string_view rest = text, line;
  // RFC 9112 §2.2: ignore at least one empty line before the request line.
  while (rest.size() >= 2 && rest.substr(0, 2) == "\r\n") rest.remove_prefix(2);
  if (!next_line(rest, line)) return fail(ParseError::kBadRequest, "malformed request line");
  if (!parse_request_line(line, h, r)) return r;
  for (;;) {
    if (!next_line(rest, line)) return fail(r, ParseError::kBadRequest, "malformed header line");
    if (line.empty()) break;
    if (line.front() == ' ' || line.front() == '\t')
      return fail(r, ParseError::kBadRequest, "obsolete header line folding");
    size_t colon = line.find(':');
    if (colon == std::string_view::npos || !is_token(line.substr(0, colon)))
      return fail(r, ParseError::kBadRequest, "malformed header line");
    std::string_view value = trim_ows(line.substr(colon + 1));
    if (!valid_value(value)) return fail(r, ParseError::kBadRequest, "invalid header value");
    if (h.headers.size() >= kMaxHeaders)
      return fail(r, ParseError::kHeadTooLarge,
                  "more than " + std::to_string(kMaxHeaders) + " header fields");
    h.headers.emplace_back(std::string(line.substr(0, colon)), std::string(value));
  }
  if (!rest.empty()) return fail(r, ParseError::kBadRequest, "bytes after the header section");
  if (h.minor_version >= 1 && !h.has_header("host"))
    return fail(r, ParseError::kBadRequest, "HTTP/1.1 request without Host");
  if (!apply_framing(h, r)) return r;
  return r;
}

BodyDecoder::BodyDecoder(const RequestHead& head, std::uint64_t max_bytes) : max_(max_bytes) {
  if (head.chunked) {
    state_ = State::kChunkSize;
  } else if (head.content_length.value_or(0) > 0) {
    remaining_ = *head.content_length;
    state_ = remaining_ > max_ ? State::kError : State::kLength;
    if (state_ == State::kError) error_ = ParseError::kTooLarge;
  }
}

std::size_t BodyDecoder::fail(ParseError e, std::size_t used) {
  state_ = State::kError;
  error_ = e;
  return used;
}

std::size_t BodyDecoder::feed(std::string_view in, std::string* sink) {
  std::size_t used = 0;
  while (used < in.size() && state_ != State::kDone && state_ != State::kError) {
    std::string_view rest = in.substr(used);
    switch (state_) {
      case State::kLength:
      case State::kChunkData: {
        auto n = static_cast<std::size_t>(std::min<std::uint64_t>(remaining_, rest.size()));
        if (sink) sink->append(rest.data(), n);
        used += n;
        remaining_ -= n;
        received_ += n;
        if (remaining_ == 0)
          state_ = state_ == State::kLength ? State::kDone : State::kChunkDataEnd;
        break;
      }
      case State::kChunkDataEnd:
      case State::kChunkSize:
      case State::kTrailer: {
        size_t lf = rest.find('\n');
        size_t take = lf == std::string_view::npos ? rest.size() : lf + 1;
        line_.append(rest.data(), take);
        used += take;
        if (line_.size() > 4096) return fail(ParseError::kBadRequest, used);
        if (lf == std::string_view::npos) break;
        if (line_.size() < 2 || line_[line_.size() - 2] != '\r')
          return fail(ParseError::kBadRequest, used);
        std::string_view line(line_.data(), line_.size() - 2);
        if (state_ == State::kChunkDataEnd) {
          if (!line.empty()) return fail(ParseError::kBadRequest, used);
          state_ = State::kChunkSize;
        } else if (state_ == State::kTrailer) {
          if (line.empty()) state_ = State::kDone;
        } else {
          std::string_view size = line.substr(0, line.find(';'));  // chunk extensions ignored
          size = trim_ows(size);
          if (size.empty() || size.size() > 15 ||
              size.find_first_not_of("0123456789abcdefABCDEF") != std::string_view::npos)
            return fail(ParseError::kBadRequest, used);
          std::uint64_t n = std::stoull(std::string(size), nullptr, 16);
          if (received_ + n > max_) return fail(ParseError::kTooLarge, used);
          remaining_ = n;
          state_ = n == 0 ? State::kTrailer : State::kChunkData;
        }
        line_.clear();
        break;
      }
      case State::kDone:
      case State::kError:
        break;
    }
  }
  return used;
}

namespace {
ResponseLine invalid_line(std::string_view problem) {
  ResponseLine r;
  r.problem = problem;
  return r;
}
ResponseFraming bad_framing(std::string_view problem) {
  ResponseFraming f;
  f.problem = problem;
  return f;
}
}  // namespace

ResponseLine parse_response_line(std::string_view raw) {
  ResponseLine r;
  if (raw.empty() || raw.back() != '\n') return invalid_line("a header line without its end");
  raw.remove_suffix(1);
  if (!raw.empty() && raw.back() == '\r') raw.remove_suffix(1);
  if (raw.empty()) {
    r.kind = ResponseLine::Kind::kEnd;
    return r;
  }
  if (!valid_value(raw)) return invalid_line("a CR, NUL or control character in its head");
  if (raw.front() == ' ' || raw.front() == '\t')
    return invalid_line("obsolete header line folding");
  if (raw.rfind("HTTP/", 0) == 0) {
    const bool ok = raw.size() >= 12 && raw.substr(0, 7) == "HTTP/1." && raw[7] >= '0' &&
                    raw[7] <= '9' && raw[8] == ' ' && raw[9] >= '1' && raw[9] <= '5' &&
                    raw[10] >= '0' && raw[10] <= '9' && raw[11] >= '0' && raw[11] <= '9' &&
                    (raw.size() == 12 || raw[12] == ' ');
    if (!ok) return invalid_line("an invalid status line");
    r.kind = ResponseLine::Kind::kStatus;
    r.status = (raw[9] - '0') * 100 + (raw[10] - '0') * 10 + (raw[11] - '0');
    r.reason = raw.size() > 13 ? raw.substr(13) : std::string_view();
    return r;
  }
  const size_t colon = raw.find(':');
  if (colon == std::string_view::npos || !is_token(raw.substr(0, colon)))
    return invalid_line("a malformed header line");
  r.kind = ResponseLine::Kind::kField;
  r.name = raw.substr(0, colon);
  r.value = trim_ows(raw.substr(colon + 1));
  return r;
}

ResponseFraming response_framing(const HeaderList& headers) {
  ResponseFraming f;
  int te_headers = 0;
  for (const auto& [name, value] : headers) {
    if (header_name_equals(name, "transfer-encoding")) {
      ++te_headers;
      f.chunked = header_name_equals(trim_ows(value), "chunked");
    } else if (header_name_equals(name, "content-length")) {
      bool ok = true;
      for_each_token(value, [&](std::string_view part) {
        auto v = parse_decimal(part);
        if (!v || (f.content_length && *f.content_length != *v)) ok = false;
        f.content_length = v;
      });
      if (!ok || !f.content_length) return bad_framing("an invalid Content-Length");
    }
  }
  if (te_headers > 1 || (te_headers == 1 && !f.chunked))
    return bad_framing("a Transfer-Encoding other than exactly chunked");
  if (f.chunked && f.content_length)
    return bad_framing("both Transfer-Encoding and Content-Length");
  return f;
}

std::string_view reason_phrase(int status) {
  switch (status) {
    case 100:
      return "Continue";
    case 200:
      return "OK";
    case 201:
      return "Created";
    case 202:
      return "Accepted";
    case 204:
      return "No Content";
    case 206:
      return "Partial Content";
    case 301:
      return "Moved Permanently";
    case 302:
      return "Found";
    case 304:
      return "Not Modified";
    case 307:
      return "Temporary Redirect";
    case 308:
      return "Permanent Redirect";
    case 400:
      return "Bad Request";
    case 401:
      return "Unauthorized";
    case 402:
      return "Payment Required";
    case 403:
      return "Forbidden";
    case 404:
      return "Not Found";
    case 405:
      return "Method Not Allowed";
    case 408:
      return "Request Timeout";
    case 409:
      return "Conflict";
    case 413:
      return "Payload Too Large";
    case 415:
      return "Unsupported Media Type";
    case 422:
      return "Unprocessable Entity";
    case 429:
      return "Too Many Requests";
    case 431:
      return "Request Header Fields Too Large";
    case 500:
      return "Internal Server Error";
    case 501:
      return "Not Implemented";
    case 502:
      return "Bad Gateway";
    case 503:
      return "Service Unavailable";
    case 504:
      return "Gateway Timeout";
    case 505:
      return "HTTP Version Not Supported";
    default:
      return "Unknown";
  }
}

std::string chunk_size_line(std::size_t n) {
  char buf[32];
  int len = std::snprintf(buf, sizeof buf, "%zx\r\n", n);
  return std::string(buf, static_cast<size_t>(len));
}

void append_chunk(std::string* out, std::string_view data) {
  if (data.empty()) return;
  out->append(chunk_size_line(data.size()));
  out->append(data);
  out->append("\r\n");
}

std::string response_head(int status, std::string_view reason, const HeaderList& headers,
                          Framing framing, std::optional<std::uint64_t> content_length,
                          bool close) {
  std::string out;
  out.reserve(256);
  out += "HTTP/1.1 ";
  out += std::to_string(status);
  out += ' ';
  out += reason.empty() ? reason_phrase(status) : reason;
  out += "\r\n";
  for (const auto& [k, v] : headers) {
    out += k;
    out += ": ";
    out += v;
    out += "\r\n";
  }
  if ((framing == Framing::kLength || framing == Framing::kNone) && content_length)
    out += "Content-Length: " + std::to_string(*content_length) + "\r\n";
  if (framing == Framing::kChunked) out += "Transfer-Encoding: chunked\r\n";
  if (close || framing == Framing::kClose) out += "Connection: close\r\n";
  out += "\r\n";
  return out;
}

}  // namespace lwgw::proxy::http1
