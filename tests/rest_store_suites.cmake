# rest_store_suites_test: the TrackingStore and RegistryStore suites again, over HTTP. The suite
# sources of tests/track and tests/registry are compiled a second time with
# CAIRN_REST_STORE_SUITE, which swaps their backend lists for one factory each, defined in
# tests/server/rest_store_suites.cc: a REST store talking to an in-process `cairn server`. Only
# that file includes server/ (it lives in tests/server, whose module links server), so the
# layering check holds; the binary links cairn_server, which brings track and registry.
file(GLOB rest_suite_srcs CONFIGURE_DEPENDS
  ${CMAKE_CURRENT_SOURCE_DIR}/track/store*_test.cc
  ${CMAKE_CURRENT_SOURCE_DIR}/registry/store_test.cc)
add_executable(rest_store_suites_test ${rest_suite_srcs}
  ${CMAKE_CURRENT_SOURCE_DIR}/server/rest_store_suites.cc)
target_link_libraries(rest_store_suites_test PRIVATE cairn_server cairn_testing GTest::gtest_main)
target_compile_definitions(rest_store_suites_test PRIVATE CAIRN_REST_STORE_SUITE
  CAIRN_SOURCE_DIR="${PROJECT_SOURCE_DIR}" CAIRN_BINARY_DIR="${PROJECT_BINARY_DIR}")
# Two tests assert what the stores do and MLflow's server does not let a client do:
# - storage_location is no field of MLflow's model-versions/create (servers derive it), and
#   `cairn server` does not take the one RestRegistryStore sends;
# - a local (file:) version source is refused by the server unless it lies in the artifacts of
#   an existing run (MLflow's _validate_source), and SearchVersionsFilters registers one under
#   a made-up run.
add_test(NAME rest_store_suites COMMAND rest_store_suites_test
  --gtest_filter=-*DownloadUriIsTheStorageLocationElseTheSource*:*SearchVersionsFilters*)
set_tests_properties(rest_store_suites PROPERTIES LABELS unit)
