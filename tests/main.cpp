// The Catch2 runner for drsim's tests.
#define CATCH_CONFIG_MAIN
#include <catch2/catch.hpp>
