// SHA-256 (FIPS 180-4), used to fingerprint scenario files so that a run's output
// names exactly the bytes it was computed from. Small and dependency-free; not meant
// for anything secret.
//
// Thread-safety: a Sha256 object is used by one thread at a time; sha256_hex() is
// a pure function.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

namespace drsim {

// Incremental hashing: update() any number of times, then hex() once.
class Sha256 {
 public:
  Sha256();
  void update(std::string_view bytes);
  // The digest as 64 lowercase hex digits. REQUIRES: called once, after the last update().
  std::string hex();

 private:
  void block(const unsigned char* p);
  std::array<std::uint32_t, 8> h_;
  std::array<unsigned char, 64> buf_{};
  std::size_t buf_len_ = 0;
  std::uint64_t total_ = 0;  // bytes hashed so far
};

/// The SHA-256 of `bytes` as 64 lowercase hex digits.
/// Example: sha256_hex("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
std::string sha256_hex(std::string_view bytes);

}  // namespace drsim
