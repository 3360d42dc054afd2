# Finds drsim's dependencies, all from Debian 12 packages. Each failure names the
# package to install (scripts/setup.sh installs them all).
include(FindPkgConfig)

macro(drsim_require found package what)
  if(NOT ${found})
    message(FATAL_ERROR "drsim needs ${what}: install the Debian package '${package}' "
                        "(or run scripts/setup.sh as root)")
  endif()
endmacro()

find_package(Threads REQUIRED)

find_package(nlohmann_json 3.11 QUIET)
drsim_require(nlohmann_json_FOUND nlohmann-json3-dev "nlohmann/json 3.11")

find_package(fmt QUIET)
drsim_require(fmt_FOUND libfmt-dev "fmt")

find_package(Eigen3 3.4 QUIET NO_MODULE)
drsim_require(Eigen3_FOUND libeigen3-dev "Eigen 3.4")

find_package(Boost 1.74 QUIET COMPONENTS program_options)
drsim_require(Boost_FOUND "libboost-program-options-dev and libboost-math-dev" "Boost.Program_options")
find_path(DRSIM_BOOST_MATH boost/math/distributions/normal.hpp)
drsim_require(DRSIM_BOOST_MATH libboost-math-dev "Boost.Math")

find_path(DRSIM_RANDOM123_INCLUDE Random123/philox.h)
drsim_require(DRSIM_RANDOM123_INCLUDE librandom123-dev "Random123 (Philox streams)")
add_library(Drsim::Random123 INTERFACE IMPORTED)
target_include_directories(Drsim::Random123 INTERFACE ${DRSIM_RANDOM123_INCLUDE})

# SHA-256 of scenario files, checkpoints and shard files.
pkg_check_modules(NETTLE QUIET IMPORTED_TARGET nettle>=3.8)
drsim_require(NETTLE_FOUND nettle-dev "Nettle (SHA-256)")

# SimGrid ships a pkg-config file, not a CMake config.
pkg_check_modules(SIMGRID QUIET IMPORTED_TARGET simgrid>=3.32)
drsim_require(SIMGRID_FOUND libsimgrid-dev "SimGrid 3.32")
add_library(Drsim::SimGrid ALIAS PkgConfig::SIMGRID)

if(DRSIM_TESTS)
  find_package(Catch2 2.13 QUIET)
  drsim_require(Catch2_FOUND catch2 "Catch2 2.13")
endif()
