# ccache makes the second build of an unchanged tree (CI on the same machine, a fresh clone)
# take seconds instead of minutes.
find_program(KAIZEN_CCACHE ccache)
if(KAIZEN_CCACHE AND NOT CMAKE_CXX_COMPILER_LAUNCHER)
  set(CMAKE_CXX_COMPILER_LAUNCHER "${KAIZEN_CCACHE}")
endif()
