// A throw-away PKI for TLS tests: a CA and server certificates made at test time with OpenSSL,
// so that no key or certificate is checked in and none can expire in the tree.
#pragma once

#include <string>
#include <string_view>

namespace kaizen::notifiers::testing {

// A certificate chain and its private key, PEM.
struct TlsIdentity {
  std::string certificate_pem;
  std::string private_key_pem;
};

struct TestPki {
  std::string ca_certificate_pem;
  // Signed by the CA; CN 127.0.0.1, SAN IP:127.0.0.1 and DNS:localhost.
  TlsIdentity server;
  // Signed by the same CA, but for "wrong.example.test" only.
  TlsIdentity wrong_host;
};

// Makes a fresh CA (P-256 keys, valid from an hour ago for a day) and the identities above.
// Throws std::runtime_error when OpenSSL fails.
TestPki MakeTestPki();

// Writes `content` to a new file under the test temporary directory and returns its path;
// the name is unique per process, so tests running in parallel do not share files.
std::string WriteTempFile(std::string_view name, std::string_view content);

}  // namespace kaizen::notifiers::testing
