// Differential test: cairn's SigV4 signer against the aws4 npm package (an independent
// implementation used by many Node.js clients) on a few hundred random requests: paths with
// spaces, unicode and reserved characters, queries with empty values (and, outside S3,
// repeated names), header values with extra whitespace, session tokens. Node runs once, on
// the whole batch (tests/blob/aws4_sign.js).
//
// aws4 departs from AWS's rules in two places, which the generator avoids: for S3 it signs
// only the first value of a repeated query name, and it leaves out a few header names
// (range, user-agent, expect, connection...).
#include <gtest/gtest.h>

#include <filesystem>
#include <random>

#include "blob/sigv4.h"
#include "core/strings.h"
#include "sys/subprocess.h"
#include "testing/paths.h"

namespace cairn::blob::sigv4 {
namespace {

struct Case {
  Request request;  // path decoded, query in sending order
  std::vector<std::string> segments;
  std::string service;
  std::string region;
  std::string amz_date;
  S3Credentials credentials;
};

std::string JsonString(std::string_view s) {
  std::string out = "\"";
  for (char c : s) {
    auto u = static_cast<unsigned char>(c);
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (u < 0x20) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\u%04x", u);
      out += buf;
    } else {
      out += c;
    }
  }
  return out + "\"";
}

std::string JsonPairs(const std::vector<std::pair<std::string, std::string>>& pairs) {
  std::string out = "[";
  for (size_t i = 0; i < pairs.size(); ++i) {
    if (i > 0) out += ",";
    out += "[" + JsonString(pairs[i].first) + "," + JsonString(pairs[i].second) + "]";
  }
  return out + "]";
}

class Generator {
 public:
  explicit Generator(uint32_t seed) : rng_(seed) {}

  int Int(int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng_); }
  bool Chance(int percent) { return Int(1, 100) <= percent; }
  template <typename T>
  const T& Pick(const std::vector<T>& v) {
    return v[static_cast<size_t>(Int(0, static_cast<int>(v.size()) - 1))];
  }

  // Text from pieces that stress the encoders: reserved characters, '%', '+', spaces,
  // multi-byte UTF-8.
  std::string Text(int min_pieces, int max_pieces) {
    static const std::vector<std::string> kPieces = {
        "a", "Z", "0", "9", "key", "-", "_", ".", "~",    " ", "  ", "+", "=",
        "&", "?", "#", "%", "%20", "!", "*", "'", "(",    ")", "$",  ",", ";",
        ":", "@", "[", "]", "\"",  "<", "é", "ß", "日本", "😀", "Ω"};
    std::string out;
    int n = Int(min_pieces, max_pieces);
    for (int i = 0; i < n; ++i) out += Pick(kPieces);
    return out;
  }

  std::string Alnum(int n, bool upper) {
    static const std::string kUpper = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
    static const std::string kAll =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789/+";
    const std::string& pool = upper ? kUpper : kAll;
    std::string out;
    for (int i = 0; i < n; ++i) out += pool[static_cast<size_t>(Int(0, int(pool.size()) - 1))];
    return out;
  }

  // A header value: words, with leading, trailing and inner runs of spaces and tabs.
  std::string HeaderValue() {
    static const std::vector<std::string> kWords = {"v", "value",     "a=b",   "x,y", "é",
                                                    "1", "bytes=0-9", "\"q\"", "日本"};
    static const std::vector<std::string> kSpace = {" ", "  ", "\t", " \t ", "   "};
    std::string out;
    if (Chance(30)) out += Pick(kSpace);
    int words = Int(0, 4);
    for (int i = 0; i < words; ++i) {
      if (i > 0) out += Pick(kSpace);
      out += Pick(kWords);
    }
    if (Chance(30)) out += Pick(kSpace);
    return out;
  }

  Case Next() {
    Case c;
    c.service = Chance(70) ? "s3" : Pick(std::vector<std::string>{"service", "execute-api"});
    bool s3 = c.service == "s3";
    c.region = Pick(std::vector<std::string>{"us-east-1", "eu-west-3", "ap-southeast-2"});
    c.amz_date = AmzDate((1'400'000'000LL + Int(0, 400'000'000)) * 1'000'000LL);
    c.credentials = {"AKIA" + Alnum(16, true), Alnum(40, false),
                     Chance(30) ? Alnum(Int(20, 120), false) : ""};

    c.request.method = Pick(std::vector<std::string>{"GET", "PUT", "POST", "DELETE", "HEAD"});
    c.segments = {""};
    int segments = Int(0, 4);
    for (int i = 0; i < segments; ++i) {
      int kind = Int(1, 100);
      if (!s3 && kind <= 8) {
        c.segments.push_back(Chance(50) ? "." : "..");
      } else if (kind <= 12) {
        c.segments.push_back("");  // "//"
      } else {
        c.segments.push_back(Text(1, 4));
      }
    }
    if (c.segments.size() == 1) c.segments.push_back(Chance(50) ? "" : Text(1, 3));
    c.request.path = core::Join(c.segments, "/");

    int params = Int(0, 4);
    for (int i = 0; i < params; ++i) {
      std::string name = !s3 && i > 0 && Chance(40) ? c.request.query.back().first : Text(1, 3);
      bool duplicate = std::any_of(c.request.query.begin(), c.request.query.end(),
                                   [&](const auto& p) { return p.first == name; });
      if (s3 && duplicate) continue;
      c.request.query.emplace_back(name, Chance(25) ? "" : Text(1, 5));
    }

    std::string host =
        s3 ? "bucket-" + Alnum(4, true) + ".s3." + c.region + ".amazonaws.com" : "example.com";
    if (Chance(30)) host = "127.0.0.1:" + std::to_string(Int(1024, 65535));
    c.request.payload_hash = Chance(10) ? std::string(kUnsignedPayload)
                                        : core::HexEncode(Alnum(32, false)).substr(0, 64);
    c.request.headers = {{Chance(50) ? "Host" : "host", host},
                         {"x-amz-content-sha256", c.request.payload_hash}};
    int extra = Int(0, 4);
    for (int i = 0; i < extra; ++i) {
      std::string name = Pick(std::vector<std::string>{"X-Amz-Meta-", "x-amz-meta-", "X-Custom-",
                                                       "content-", "If-"}) +
                         Alnum(Int(1, 6), true);
      bool duplicate =
          std::any_of(c.request.headers.begin(), c.request.headers.end(),
                      [&](const auto& h) { return core::EqualsIgnoreCase(h.first, name); });
      if (duplicate) continue;
      c.request.headers.emplace_back(name, HeaderValue());
    }
    return c;
  }

 private:
  std::mt19937 rng_;
};

std::string ToJson(const Case& c) {
  // aws4 takes x-amz-date from the headers, and adds x-amz-security-token itself.
  net::Headers headers = c.request.headers;
  headers.emplace_back("X-Amz-Date", c.amz_date);
  std::string segments = "[";
  for (size_t i = 0; i < c.segments.size(); ++i) {
    segments += (i > 0 ? "," : "") + JsonString(c.segments[i]);
  }
  segments += "]";
  return "{\"method\":" + JsonString(c.request.method) + ",\"segments\":" + segments +
         ",\"query\":" + JsonPairs(c.request.query) + ",\"headers\":" + JsonPairs(headers) +
         ",\"service\":" + JsonString(c.service) + ",\"region\":" + JsonString(c.region) +
         ",\"credentials\":{\"accessKeyId\":" + JsonString(c.credentials.access_key_id) +
         ",\"secretAccessKey\":" + JsonString(c.credentials.secret_access_key) +
         ",\"sessionToken\":" + JsonString(c.credentials.session_token) + "}}";
}

TEST(SigV4Aws4Test, RandomRequestsSignLikeAws4) {
  std::filesystem::path source = testing::SourceDir();
  std::string node = (source / ".deps/bin/node").string();
  std::string script = (source / "tests/blob/aws4_sign.js").string();
  ASSERT_TRUE(std::filesystem::exists(node))
      << node << " is missing: run scripts/deps.sh test (Node.js >= 20 and the aws4 package)";
  ASSERT_TRUE(std::filesystem::exists(source / "tests/node_modules/aws4"))
      << "tests/node_modules/aws4 is missing: run scripts/deps.sh test";

  constexpr uint32_t kSeed = 20240601;
  constexpr int kCases = 400;
  Generator generator(kSeed);
  std::vector<Case> cases;
  std::string batch = "[";
  for (int i = 0; i < kCases; ++i) {
    cases.push_back(generator.Next());
    batch += (i > 0 ? ",\n" : "") + ToJson(cases.back());
  }
  batch += "]";

  sys::SubprocessOptions options;
  options.argv = {node, script};
  options.stdin_data = batch;
  options.timeout = std::chrono::seconds(60);
  std::vector<std::string> lines;
  std::string errors;
  Result<sys::ExitStatus> exit = sys::Run(
      options, [&](std::string_view line) { lines.emplace_back(line); },
      [&](std::string_view line) { errors += std::string(line) + "\n"; });
  ASSERT_TRUE(exit.ok()) << exit.status().ToString();
  ASSERT_TRUE(exit->ok()) << "node " << exit->ToString() << ":\n" << errors;
  ASSERT_EQ(lines.size(), cases.size()) << errors;

  int mismatches = 0;
  for (size_t i = 0; i < cases.size(); ++i) {
    Case& c = cases[i];
    Request request = c.request;
    Sign(request, c.credentials, c.region, c.service, c.amz_date);
    std::string ours;
    for (const auto& [name, value] : request.headers) {
      if (name == "authorization") ours = value;
    }
    std::erase_if(request.headers, [](const auto& h) { return h.first == "authorization"; });
    if (ours != lines[i] && ++mismatches <= 5) {
      ADD_FAILURE() << "case " << i << " (seed " << kSeed << ", service " << c.service
                    << ")\n  ours: " << ours << "\n  aws4: " << lines[i]
                    << "\n  canonical request:\n"
                    << CanonicalRequest(request, c.service);
    }
  }
  EXPECT_EQ(mismatches, 0) << "of " << cases.size() << " requests";
}

}  // namespace
}  // namespace cairn::blob::sigv4
