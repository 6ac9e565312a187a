#include "tests/notifiers/test_pki.h"

#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <memory>
#include <stdexcept>

namespace kaizen::notifiers::testing {
namespace {

struct KeyFree {
  void operator()(EVP_PKEY* key) const { EVP_PKEY_free(key); }
};
struct CertFree {
  void operator()(X509* cert) const { X509_free(cert); }
};
struct BioFree {
  void operator()(BIO* bio) const { BIO_free(bio); }
};
struct ExtensionFree {
  void operator()(X509_EXTENSION* ext) const { X509_EXTENSION_free(ext); }
};
using Key = std::unique_ptr<EVP_PKEY, KeyFree>;
using Cert = std::unique_ptr<X509, CertFree>;

void Check(bool ok, std::string_view what) {
  if (!ok) throw std::runtime_error("OpenSSL failed to " + std::string(what));
}

Key NewKey() {
  Key key(EVP_EC_gen("P-256"));
  Check(key != nullptr, "generate a P-256 key");
  return key;
}

void AddExtension(X509* cert, X509* issuer, int nid, const std::string& value) {
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, issuer, cert, nullptr, nullptr, 0);
  std::unique_ptr<X509_EXTENSION, ExtensionFree> ext(
      X509V3_EXT_conf_nid(nullptr, &ctx, nid, value.c_str()));
  Check(ext != nullptr, "make extension " + value);
  Check(X509_add_ext(cert, ext.get(), -1) == 1, "add extension " + value);
}

// A certificate for `key` named `common_name`, signed by `issuer` (self-signed when null).
Cert MakeCertificate(EVP_PKEY* key, const std::string& common_name, X509* issuer,
                     EVP_PKEY* issuer_key, long serial, const std::string& subject_alt_names) {
  Cert cert(X509_new());
  Check(cert != nullptr, "allocate a certificate");
  X509* x = cert.get();
  Check(X509_set_version(x, X509_VERSION_3) == 1, "set the version");
  Check(ASN1_INTEGER_set(X509_get_serialNumber(x), serial) == 1, "set the serial");
  Check(X509_gmtime_adj(X509_getm_notBefore(x), -3600) != nullptr, "set notBefore");
  Check(X509_gmtime_adj(X509_getm_notAfter(x), 24 * 3600) != nullptr, "set notAfter");
  Check(X509_set_pubkey(x, key) == 1, "set the public key");
  X509_NAME* name = X509_get_subject_name(x);
  Check(X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                                   reinterpret_cast<const unsigned char*>(common_name.c_str()), -1,
                                   -1, 0) == 1,
        "set the common name");
  bool is_ca = issuer == nullptr;
  X509* signer = is_ca ? x : issuer;
  Check(X509_set_issuer_name(x, X509_get_subject_name(signer)) == 1, "set the issuer");
  AddExtension(x, signer, NID_subject_key_identifier, "hash");
  if (is_ca) {
    AddExtension(x, signer, NID_basic_constraints, "critical,CA:TRUE");
    AddExtension(x, signer, NID_key_usage, "critical,keyCertSign,cRLSign");
  } else {
    AddExtension(x, signer, NID_authority_key_identifier, "keyid:always");
    AddExtension(x, signer, NID_basic_constraints, "critical,CA:FALSE");
    AddExtension(x, signer, NID_key_usage, "critical,digitalSignature");
    AddExtension(x, signer, NID_ext_key_usage, "serverAuth");
    AddExtension(x, signer, NID_subject_alt_name, subject_alt_names);
  }
  Check(X509_sign(x, is_ca ? key : issuer_key, EVP_sha256()) > 0, "sign");
  return cert;
}

std::string ToPem(X509* cert) {
  std::unique_ptr<BIO, BioFree> bio(BIO_new(BIO_s_mem()));
  Check(bio && PEM_write_bio_X509(bio.get(), cert) == 1, "write a certificate");
  char* data = nullptr;
  long size = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, static_cast<std::size_t>(size));
}

std::string ToPem(EVP_PKEY* key) {
  std::unique_ptr<BIO, BioFree> bio(BIO_new(BIO_s_mem()));
  Check(bio && PEM_write_bio_PrivateKey(bio.get(), key, nullptr, nullptr, 0, nullptr, nullptr) == 1,
        "write a private key");
  char* data = nullptr;
  long size = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, static_cast<std::size_t>(size));
}

}  // namespace

TestPki MakeTestPki() {
  Key ca_key = NewKey();
  Cert ca = MakeCertificate(ca_key.get(), "kaizen test CA", nullptr, nullptr, 1, "");
  Key server_key = NewKey();
  Cert server = MakeCertificate(server_key.get(), "127.0.0.1", ca.get(), ca_key.get(), 2,
                                "IP:127.0.0.1,DNS:localhost");
  Key wrong_key = NewKey();
  Cert wrong = MakeCertificate(wrong_key.get(), "wrong.example.test", ca.get(), ca_key.get(), 3,
                               "DNS:wrong.example.test");
  TestPki pki;
  pki.ca_certificate_pem = ToPem(ca.get());
  pki.server = {ToPem(server.get()), ToPem(server_key.get())};
  pki.wrong_host = {ToPem(wrong.get()), ToPem(wrong_key.get())};
  return pki;
}

std::string WriteTempFile(std::string_view name, std::string_view content) {
  std::filesystem::path dir = std::filesystem::path(::testing::TempDir()) /
                              ("kaizen_notifiers_" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  std::filesystem::path path = dir / std::string(name);
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(content.data(), static_cast<std::streamsize>(content.size()));
  out.close();
  if (!out) throw std::runtime_error("cannot write " + path.string());
  return path.string();
}

}  // namespace kaizen::notifiers::testing
