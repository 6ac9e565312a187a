# kaizen_set_warnings(target): the warning set every target of ours compiles with.
function(kaizen_set_warnings target)
  target_compile_options(${target} PRIVATE -Wall -Wextra -Wpedantic -Wshadow=local
                                           -Wnon-virtual-dtor -Wimplicit-fallthrough)
  if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU" AND CMAKE_CXX_COMPILER_VERSION VERSION_LESS 13)
    # GCC 12 reports a false -Wmismatched-new-delete on every Asio coroutine frame at -O1
    # (GCC bug 109224); the warning stays on for newer compilers.
    target_compile_options(${target} PRIVATE -Wno-mismatched-new-delete)
  endif()
  if(KAIZEN_WERROR)
    target_compile_options(${target} PRIVATE -Werror)
  endif()
endfunction()
