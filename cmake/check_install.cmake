cmake_minimum_required(VERSION 3.25)
# cmake -DBUILD=<build dir> -DPREFIX=<empty prefix> -P check_install.cmake
# Installs the build into PREFIX and runs the installed binary.
file(REMOVE_RECURSE ${PREFIX})
execute_process(COMMAND ${CMAKE_COMMAND} --install ${BUILD} --prefix ${PREFIX}
                RESULT_VARIABLE rc OUTPUT_QUIET)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "cmake --install failed (${rc})")
endif()
execute_process(COMMAND ${PREFIX}/bin/cairn --version RESULT_VARIABLE rc OUTPUT_VARIABLE out)
if(NOT rc EQUAL 0 OR NOT out MATCHES "^cairn [0-9]+\\.[0-9]+\\.[0-9]+")
  message(FATAL_ERROR "installed cairn --version: exit ${rc}, printed '${out}'")
endif()
execute_process(COMMAND ${PREFIX}/bin/dvc --version RESULT_VARIABLE rc OUTPUT_VARIABLE dvc_out)
if(NOT rc EQUAL 0 OR NOT dvc_out MATCHES "DVC 3 compatible")
  message(FATAL_ERROR "installed dvc --version: exit ${rc}, printed '${dvc_out}'")
endif()
file(REMOVE_RECURSE ${PREFIX})
message(STATUS "installed and ran ${out}")
