# CorocTranslate.cmake — coroc_translate(TARGET source...)
#
# Each listed source of TARGET (annotated C with CORO functions) is translated
# by `coroc translate` into ${CMAKE_CURRENT_BINARY_DIR}/coroc/NAME.c at build
# time, and the target compiles the generated file instead of the original.
# #line directives keep compiler errors and debug info on the original file.
# Options: CORO_MODE (stackless|stackful), COROC_EXECUTABLE.

if(NOT COROC_EXECUTABLE)
  find_program(COROC_EXECUTABLE coroc HINTS "${CMAKE_CURRENT_LIST_DIR}/../../../bin" REQUIRED)
endif()
set(CORO_MODE "stackless" CACHE STRING "coroc translation mode: stackless or stackful")

function(coroc_translate target)
  get_target_property(_coro_inc CoroRuntime::coro INTERFACE_INCLUDE_DIRECTORIES)
  foreach(src IN LISTS ARGN)
    get_filename_component(_abs "${src}" ABSOLUTE)
    get_filename_component(_name "${src}" NAME)
    set(_out "${CMAKE_CURRENT_BINARY_DIR}/coroc/${_name}")
    add_custom_command(
      OUTPUT "${_out}"
      COMMAND "${CMAKE_COMMAND}" -E make_directory "${CMAKE_CURRENT_BINARY_DIR}/coroc"
      COMMAND "${COROC_EXECUTABLE}" translate --mode "${CORO_MODE}" -I "${_coro_inc}"
              -I "${CMAKE_CURRENT_SOURCE_DIR}" "${_abs}" -o "${_out}"
      DEPENDS "${_abs}"
      COMMENT "coroc translate ${src}"
      VERBATIM)
    get_target_property(_srcs ${target} SOURCES)
    list(TRANSFORM _srcs REPLACE "^${src}$" "${_out}")
    set_property(TARGET ${target} PROPERTY SOURCES ${_srcs})
    target_include_directories(${target} PRIVATE "${CMAKE_CURRENT_SOURCE_DIR}")
  endforeach()
endfunction()
