// SHA-256 (FIPS 180-4), used to fingerprint scenario files so that a run's output
// names exactly the bytes it was computed from, and to seal checkpoints and shard
// files. Computed by Nettle (Debian's nettle-dev), which uses the CPU's SHA
// instructions where it has them; not meant for anything secret.
//
// Thread-safety: a Sha256 object is used by one thread at a time; sha256_hex() is
// a pure function.
#pragma once

#include <string>
#include <string_view>

#include <nettle/sha2.h>

namespace drsim {

// Incremental hashing: update() any number of times, then hex() once.
class Sha256 {
 public:
  Sha256();
  void update(std::string_view bytes);
  // The digest as 64 lowercase hex digits. REQUIRES: called once, after the last update().
  std::string hex();

 private:
  sha256_ctx ctx_;
};

/// The SHA-256 of `bytes` as 64 lowercase hex digits.
/// Example: sha256_hex("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
std::string sha256_hex(std::string_view bytes);

}  // namespace drsim
