// Catch2 main for r1_tests.
#define CATCH_CONFIG_MAIN
#include <catch2/catch.hpp>
