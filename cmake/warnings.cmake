# kaizen_set_warnings(target): the warning set every target of ours compiles with.
function(kaizen_set_warnings target)
  target_compile_options(${target} PRIVATE -Wall -Wextra -Wpedantic -Wshadow=local
                                           -Wnon-virtual-dtor -Wimplicit-fallthrough)
  if(KAIZEN_WERROR)
    target_compile_options(${target} PRIVATE -Werror)
  endif()
endfunction()
