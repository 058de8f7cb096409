#pragma once
// SHA-256 (FIPS 180-4), for the "sha256" of the network file a certificate names. Small and
// self-contained (no OpenSSL); tests/test_network_certification.cpp checks the FIPS 180-2 vectors
// and agreement with `sha256sum`.

#include <string>

namespace lpcert {

// The digest of `bytes` as 64 lowercase hexadecimal digits.
std::string sha256_hex(const std::string& bytes);
// The digest of a file's bytes; throws InputError naming the file when it cannot be read.
std::string sha256_of_file(const std::string& path);
// The bytes of a file; throws InputError naming the file when it cannot be read.
std::string read_file_bytes(const std::string& path);

}  // namespace lpcert
