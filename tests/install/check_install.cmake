# `cmake --install` into a fresh prefix, then the installed binary alone: `ssmsim list` and a short run,
# from a folder outside the source and build trees (nothing may be found relative to either).
#   cmake -DBUILD_DIR=<build> -DPREFIX=<empty folder> -P check_install.cmake
file(REMOVE_RECURSE "${PREFIX}")
execute_process(COMMAND "${CMAKE_COMMAND}" --install "${BUILD_DIR}" --prefix "${PREFIX}" RESULT_VARIABLE rc
                OUTPUT_VARIABLE out ERROR_VARIABLE out)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "cmake --install failed (${rc}): ${out}")
endif()
set(exe "${PREFIX}/bin/ssmsim")
if(NOT EXISTS "${exe}")
  message(FATAL_ERROR "no ${exe} after cmake --install: ${out}")
endif()
if(NOT EXISTS "${PREFIX}/share/ssmsim/sweeps/sram-sizing.json")
  message(FATAL_ERROR "the example sweeps were not installed under ${PREFIX}/share/ssmsim/sweeps")
endif()
file(MAKE_DIRECTORY "${PREFIX}/rundir")
execute_process(COMMAND "${exe}" list WORKING_DIRECTORY "${PREFIX}/rundir" RESULT_VARIABLE rc OUTPUT_VARIABLE out
                ERROR_VARIABLE err)
if(NOT rc EQUAL 0 OR NOT out MATCHES "systolic" OR NOT out MATCHES "systolic-edge")
  message(FATAL_ERROR "installed ssmsim list: exit ${rc}: ${out}${err}")
endif()
execute_process(COMMAND "${exe}" run -q --model systolic --config systolic-epochcore --workload lra:listops:s4d
                        --seq-len 32 --out run WORKING_DIRECTORY "${PREFIX}/rundir" RESULT_VARIABLE rc
                        OUTPUT_VARIABLE out ERROR_VARIABLE err)
if(NOT rc EQUAL 0 OR NOT EXISTS "${PREFIX}/rundir/run/report.json")
  message(FATAL_ERROR "installed ssmsim run: exit ${rc}: ${out}${err}")
endif()
file(REMOVE_RECURSE "${PREFIX}")
