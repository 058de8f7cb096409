# Every dependency comes from Debian 12 packages (scripts/install-deps.sh installs them).
find_package(Boost 1.74 REQUIRED COMPONENTS unit_test_framework program_options)
find_package(TBB REQUIRED)
find_package(nlohmann_json 3.10 REQUIRED)
find_package(PkgConfig REQUIRED)
pkg_check_modules(MPFR REQUIRED IMPORTED_TARGET mpfr)
pkg_check_modules(GMP REQUIRED IMPORTED_TARGET gmp gmpxx)

# MPFI ships neither a CMake config nor a pkg-config file on Debian.
find_path(MPFI_INCLUDE_DIR mpfi.h REQUIRED)
find_library(MPFI_LIBRARY mpfi REQUIRED)
# Exported with the package as lpcert::mpfi: installed, it links MPFI by name and the MPFR/GMP
# targets that lpcertConfig.cmake recreates with pkg-config (no path of this machine is baked in).
add_library(lpcert_mpfi INTERFACE)
target_include_directories(lpcert_mpfi INTERFACE $<BUILD_INTERFACE:${MPFI_INCLUDE_DIR}>)
target_link_libraries(lpcert_mpfi INTERFACE $<BUILD_INTERFACE:${MPFI_LIBRARY}> $<INSTALL_INTERFACE:mpfi>
                      PkgConfig::MPFR PkgConfig::GMP)
set_target_properties(lpcert_mpfi PROPERTIES EXPORT_NAME mpfi)

# ONNX import: Debian's libonnx-dev (the format's own protobuf schema, onnx::checker) over protobuf.
# Its CMake config names the target protobuf::libprotobuf, which FindProtobuf defines.
find_package(Protobuf REQUIRED)
find_package(ONNX CONFIG REQUIRED)
