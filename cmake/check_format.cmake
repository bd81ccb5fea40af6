cmake_minimum_required(VERSION 3.25)
# cmake -DROOT=<source dir> -DCLANG_FORMAT=<clang-format> -P check_format.cmake
# Fails when a C++ file under src/, tests/ or bench/ differs from what clang-format makes of it.
file(GLOB_RECURSE files ${ROOT}/src/*.h ${ROOT}/src/*.cc ${ROOT}/tests/*.h ${ROOT}/tests/*.cc
     ${ROOT}/bench/*.h ${ROOT}/bench/*.cc)
list(FILTER files EXCLUDE REGEX "/tests/build/")
execute_process(COMMAND ${CLANG_FORMAT} --dry-run -Werror ${files}
                RESULT_VARIABLE rc ERROR_VARIABLE err)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "${err}\nrun: clang-format -i <file> (style: .clang-format)")
endif()
list(LENGTH files n)
message(STATUS "clang-format: ${n} files clean")
