// SHA-256 through Nettle (see sha256.h).
#include "models/sha256.h"

namespace drsim {

Sha256::Sha256() { sha256_init(&ctx_); }

void Sha256::update(std::string_view bytes) {
  sha256_update(&ctx_, bytes.size(), reinterpret_cast<const std::uint8_t*>(bytes.data()));
}

std::string Sha256::hex() {
  std::uint8_t digest[SHA256_DIGEST_SIZE];
  sha256_digest(&ctx_, SHA256_DIGEST_SIZE, digest);
  static const char* digits = "0123456789abcdef";
  std::string out;
  out.reserve(2 * SHA256_DIGEST_SIZE);
  for (std::uint8_t b : digest) {
    out += digits[b >> 4];
    out += digits[b & 0xf];
  }
  return out;
}

std::string sha256_hex(std::string_view bytes) {
  Sha256 h;
  h.update(bytes);
  return h.hex();
}

}  // namespace drsim
