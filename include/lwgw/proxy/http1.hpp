// The proxy's HTTP/1.1 wire format, as pure functions: a strict request-head parser, an
// incremental body decoder (Content-Length or chunked) and the response head writer. No I/O.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "lwgw/proxy/rules.hpp"

namespace lwgw::proxy::http1 {

/// A parsed request line and header section. Header names keep their case, values are exactly
/// what the client sent minus surrounding whitespace (nothing is percent-decoded or dropped).
struct RequestHead {
  std::string method;
  std::string target;  // origin-form ("/v1/…?…") or "*"
  int minor_version = 1;
  HeaderList headers;
  std::optional<std::uint64_t> content_length;
  bool chunked = false;
  bool expect_continue = false;
  bool keep_alive = true;  // HTTP/1.1 without `Connection: close`

  bool has_body() const { return chunked || content_length.value_or(0) > 0; }
  /// The first value of a header (case-insensitive name), or "".
  std::string header(std::string_view name) const;
  bool has_header(std::string_view name) const;
};

/// Why a request could not be read, as the status it is answered with.
enum class ParseError {
  kNone = 0,
  kBadRequest = 400,
  kTooLarge = 413,
  kHeadTooLarge = 431,
  kVersion = 505,
};

struct HeadResult {
  ParseError error = ParseError::kNone;
  std::string reason;  // for the log and the error body
  RequestHead head;
};

/// The largest header section accepted (request line included), and the most header fields.
constexpr std::size_t kMaxHeadBytes = 64 * 1024;
constexpr std::size_t kMaxHeaders = 256;

/// Parses `head`: everything up to and including the blank line that ends the header section.
/// Strict framing: CRLF line ends, no whitespace before a colon, no obsolete line folding, no CR,
/// NUL or other control character in a field, one Content-Length (or several equal ones), a
/// Transfer-Encoding of exactly `chunked` and never with Content-Length, an ASCII target without
/// a fragment; more than kMaxHeadBytes or kMaxHeaders is kHeadTooLarge.
HeadResult parse_head(std::string_view head);

/// One line of the gateway's response head as libcurl hands it over (line end included),
/// checked as strictly as a request's header. Views point into the line.
struct ResponseLine {
  enum class Kind { kStatus, kField, kEnd, kInvalid };
  Kind kind = Kind::kInvalid;
  int status = 0;            // kStatus: 100..599
  std::string_view reason;   // kStatus
  std::string_view name;     // kField: a token
  std::string_view value;    // kField: without surrounding whitespace
  std::string_view problem;  // kInvalid: what is wrong (a string literal)
};
/// Classifies `raw`: `HTTP/1.x NNN reason`, `name: value`, the blank line, or invalid (obsolete
/// folding, whitespace before the colon, a CR, NUL or control character, another status line).
ResponseLine parse_response_line(std::string_view raw);

/// The framing a response head announces. `problem` is empty when it is unambiguous: at most one
/// Content-Length value (repeats equal), Transfer-Encoding exactly `chunked` and never with a
/// Content-Length.
struct ResponseFraming {
  std::optional<std::uint64_t> content_length;
  bool chunked = false;
  std::string_view problem;
};
ResponseFraming response_framing(const HeaderList& headers);

/// Decodes a request body as it arrives, in pieces of any size. Body bytes are appended to the
/// sink string given to feed(); chunk framing and trailers are consumed.
class BodyDecoder {
 public:
  BodyDecoder() = default;
  /// `max_bytes`: a larger body is an error (kTooLarge) as soon as that is known.
  BodyDecoder(const RequestHead& head, std::uint64_t max_bytes);

  /// Consumes what it can of `in` and returns how many bytes it used. Stops at the end of the
  /// body (bytes after it belong to the next request) or at an error.
  std::size_t feed(std::string_view in, std::string* sink);
  bool done() const { return state_ == State::kDone; }
  ParseError error() const { return error_; }
  std::uint64_t received() const { return received_; }

 private:
  enum class State { kLength, kChunkSize, kChunkData, kChunkDataEnd, kTrailer, kDone, kError };
  std::size_t fail(ParseError e, std::size_t used);
  State state_ = State::kDone;
  ParseError error_ = ParseError::kNone;
  std::uint64_t remaining_ = 0;
  std::uint64_t received_ = 0;
  std::uint64_t max_ = 0;
  std::string line_;  // a chunk-size or trailer line being assembled
};

/// The standard reason phrase for a status ("OK", "Bad Gateway", …), or "Unknown"; a view of a
/// string literal, so its data() is NUL-terminated.
std::string_view reason_phrase(int status);

/// How the response body is framed on the client connection.
enum class Framing { kNone, kLength, kChunked, kClose };

/// The status line and headers of a response, ending with the blank line. `headers` must not
/// contain Content-Length, Transfer-Encoding or Connection: the framing adds what it needs
/// (`content_length` is used with Framing::kLength, and with kNone for HEAD/304 answers when set).
std::string response_head(int status, std::string_view reason, const HeaderList& headers,
                          Framing framing, std::optional<std::uint64_t> content_length, bool close);

/// One chunk of a chunked body: size line, data, CRLF (empty data yields nothing).
void append_chunk(std::string* out, std::string_view data);
/// The chunk size line for `n` bytes ("1a\r\n").
std::string chunk_size_line(std::size_t n);
inline constexpr std::string_view kLastChunk = "0\r\n\r\n";
inline constexpr std::string_view kContinue = "HTTP/1.1 100 Continue\r\n\r\n";

}  // namespace lwgw::proxy::http1
