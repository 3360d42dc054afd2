// The drsim command-line program (being built up: see docs/architecture.md).
#include <cstdio>
int main() {
  std::fputs("drsim: no subcommands yet\n", stderr);
  return 2;
}
